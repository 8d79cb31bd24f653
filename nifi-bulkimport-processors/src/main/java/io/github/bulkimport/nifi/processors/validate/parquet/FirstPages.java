package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import shaded.parquet.org.apache.thrift.TException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the first pages of one column chunk, no more: the dictionary page for the longest text, and
 * the first data page for the list length of each of its first rows (from repetition and definition
 * levels) and, when its values are plain byte arrays, their lengths. What cannot be read this way
 * (an unknown codec, a page over {@link #MAX_PAGE_BYTES}, a header over {@link #MAX_HEADER_BYTES}) is
 * left unread: nothing is claimed of it. What is broken (a page past the end of the file, levels
 * that end early, bytes that do not uncompress) makes the file unreadable.
 */
final class FirstPages {

    /** A larger page is not read: checking must not cost as much as importing. */
    static final int MAX_PAGE_BYTES = 16 * 1024 * 1024;
    /** A larger page header is not read (writers keep statistics in a header to a few kilobytes). */
    static final int MAX_HEADER_BYTES = 1024 * 1024;
    /** Page headers are read in windows from this size up, since only decoding tells where a header ends. */
    private static final int FIRST_HEADER_WINDOW = 16 * 1024;
    /** The file's first bytes are its magic: no page starts before. */
    private static final int MAGIC_BYTES = 4;

    /** What the first pages tell: list lengths of the first rows, and the longest byte array seen. */
    record Sample(List<Integer> lengths, Integer longestText) {
        static final Sample NONE = new Sample(List.of(), null);
    }

    private final Content content;
    private final long dataEnd;
    private long bytesRead;

    /** @param dataEnd where the file's pages end: where its footer starts */
    FirstPages(final Content content, final long dataEnd) {
        this.content = content;
        this.dataEnd = dataEnd;
    }

    /** How many bytes were read from the content for pages so far, broken pages included. */
    long bytesRead() {
        return bytesRead;
    }

    Sample read(final ColumnMetaData chunk, final ParquetColumn column, final int maxRows) throws IOException, MalformedParquetException {
        if (!PageBytes.readable(chunk.getCodec())) {
            return Sample.NONE;
        }
        final long dataOffset = chunk.getData_page_offset();
        final long start = chunk.isSetDictionary_page_offset() && chunk.getDictionary_page_offset() > 0
                && chunk.getDictionary_page_offset() < dataOffset ? chunk.getDictionary_page_offset() : dataOffset;
        if (start < MAGIC_BYTES || start >= dataEnd) {
            throw new MalformedParquetException("a column chunk of column " + column.name() + " whose first page would start at byte " + start
                    + ", outside the file's pages (bytes " + MAGIC_BYTES + " to " + dataEnd + ")");
        }
        try (ChunkBytes bytes = ChunkBytes.open(content, start, dataEnd)) {
            try {
                return new ChunkPages(bytes, chunk, column, maxRows).read();
            } finally {
                bytesRead += bytes.bytesRead();
            }
        }
    }

    /** The reading of one chunk's first pages. */
    private static final class ChunkPages {

        private final ChunkBytes bytes;
        private final ColumnMetaData chunk;
        private final ParquetColumn column;
        private final int maxRows;

        ChunkPages(final ChunkBytes bytes, final ColumnMetaData chunk, final ParquetColumn column, final int maxRows) {
            this.bytes = bytes;
            this.chunk = chunk;
            this.column = column;
            this.maxRows = maxRows;
        }

        Sample read() throws IOException, MalformedParquetException {
            PageHeader header = header();
            if (header == null) {
                return Sample.NONE;
            }
            Integer longest = null;
            if (header.getType() == PageType.DICTIONARY_PAGE) {
                final String page = "a dictionary page of column " + column.name();
                final DictionaryPageHeader dictionary = header.getDictionary_page_header();
                if (dictionary == null) {
                    throw new MalformedParquetException(page + " without its dictionary page header");
                }
                if (dictionary.getNum_values() < 0) {
                    throw new MalformedParquetException(page + " of " + dictionary.getNum_values() + " values");
                }
                final byte[] body = body(header, page);
                if (body == null) {
                    return Sample.NONE;
                }
                if (column.binaryValues()) {
                    longest = ValueLengths.longest(littleEndian(body), Encoding.PLAIN, dictionary.getNum_values(), page);
                }
                header = header();
                if (header == null) {
                    return Sample.NONE;
                }
            }
            final Sample sample = switch (header.getType()) {
                case DATA_PAGE -> dataPage(header, "a data page of column " + column.name());
                case DATA_PAGE_V2 -> dataPageV2(header, "a data page of column " + column.name());
                default -> Sample.NONE;
            };
            final Integer longestText = longest == null ? sample.longestText() : sample.longestText() == null ? longest
                    : Integer.valueOf(Math.max(longest, sample.longestText()));
            return new Sample(sample.lengths(), longestText);
        }

        private Sample dataPage(final PageHeader header, final String page) throws IOException, MalformedParquetException {
            final DataPageHeader data = header.getData_page_header();
            if (data == null) {
                throw new MalformedParquetException(page + " without its data page header");
            }
            final long count = values(data.getNum_values(), page);
            if (column.maxRepetition() > 0 && data.getRepetition_level_encoding() != Encoding.RLE
                    || column.maxDefinition() > 0 && data.getDefinition_level_encoding() != Encoding.RLE) {
                return Sample.NONE;
            }
            final byte[] body = body(header, page);
            if (body == null) {
                return Sample.NONE;
            }
            final ByteBuffer section = littleEndian(body);
            final HybridLevels repetition = HybridLevels.of(levels(section, column.maxRepetition(), page, "repetition"), column.maxRepetition(),
                    page, "repetition", count);
            final HybridLevels definition = HybridLevels.of(levels(section, column.maxDefinition(), page, "definition"), column.maxDefinition(),
                    page, "definition", count);
            return sample(section, data.getEncoding(), repetition, definition, count, page);
        }

        private Sample dataPageV2(final PageHeader header, final String page) throws IOException, MalformedParquetException {
            final DataPageHeaderV2 data = header.getData_page_header_v2();
            if (data == null) {
                throw new MalformedParquetException(page + " without its data page header (v2)");
            }
            final long count = values(data.getNum_values(), page);
            final int repetitionBytes = data.getRepetition_levels_byte_length();
            final int definitionBytes = data.getDefinition_levels_byte_length();
            final int compressed = header.getCompressed_page_size();
            if (repetitionBytes < 0 || definitionBytes < 0 || (long) repetitionBytes + definitionBytes > compressed) {
                throw new MalformedParquetException(page + " whose levels (" + repetitionBytes + " and " + definitionBytes
                        + " bytes) do not fit in its " + compressed + " bytes");
            }
            sizes(header, page);
            if (compressed > MAX_PAGE_BYTES || header.getUncompressed_page_size() > MAX_PAGE_BYTES) {
                return Sample.NONE;
            }
            // v2 levels are never compressed, and come first: the values are read only when their lengths matter
            final int levelBytes = repetitionBytes + definitionBytes;
            final boolean readValues = column.binaryValues() && textEncoding(data.getEncoding());
            final byte[] body = exactly(readValues ? compressed : levelBytes, page);
            final HybridLevels repetition = HybridLevels.of(ByteBuffer.wrap(body, 0, repetitionBytes), column.maxRepetition(), page, "repetition",
                    count);
            final HybridLevels definition = HybridLevels.of(ByteBuffer.wrap(body, repetitionBytes, definitionBytes), column.maxDefinition(), page,
                    "definition", count);
            if (!readValues) {
                return sample(ByteBuffer.allocate(0), data.getEncoding(), repetition, definition, count, page);
            }
            final int uncompressedValues = header.getUncompressed_page_size() - levelBytes;
            if (uncompressedValues < 0) {
                throw new MalformedParquetException(page + " whose levels (" + levelBytes + " bytes) are longer than the page uncompressed ("
                        + header.getUncompressed_page_size() + " bytes)");
            }
            final byte[] stored = Arrays.copyOfRange(body, levelBytes, body.length);
            final byte[] values = data.isSetIs_compressed() && !data.isIs_compressed() ? stored
                    : PageBytes.uncompress(chunk.getCodec(), stored, uncompressedValues, page);
            return sample(littleEndian(values), data.getEncoding(), repetition, definition, count, page);
        }

        private Sample sample(final ByteBuffer values, final Encoding encoding, final HybridLevels repetition, final HybridLevels definition,
                              final long count, final String page) throws MalformedParquetException {
            final boolean text = column.binaryValues() && textEncoding(encoding);
            final LevelWalk.Rows rows = LevelWalk.walk(repetition, definition, count, column, maxRows, count == chunk.getNum_values(), text);
            final Integer longest = text ? ValueLengths.longest(values, encoding, rows.present(), page) : null;
            return new Sample(rows.lengths(), longest);
        }

        /** The next page header, or {@code null} when it is longer than {@link #MAX_HEADER_BYTES}. */
        private PageHeader header() throws IOException, MalformedParquetException {
            final String what = "a page header of column " + column.name();
            int window = FIRST_HEADER_WINDOW;
            while (true) {
                final int available = bytes.fill(window);
                final BoundedCompactProtocol in = BoundedCompactProtocol.over(bytes.buffer(), bytes.position(), available);
                try {
                    final PageHeader header = new PageHeader();
                    header.read(in);
                    bytes.skip(in.consumed());
                    return header;
                } catch (final TException e) {
                    if (!in.ranOut()) {
                        throw new MalformedParquetException(what + " that cannot be decoded (" + BoundedCompactProtocol.reason(e) + ")");
                    }
                    if (in.claimedEnd() > bytes.left() || available < Math.min(window, bytes.left())) {
                        throw new MalformedParquetException(what + " that ends past the end of the file");
                    }
                    if (window >= MAX_HEADER_BYTES) {
                        return null;
                    }
                    window = (int) Math.min(MAX_HEADER_BYTES, Math.max(4L * window, in.claimedEnd()));
                }
            }
        }

        /** A page's body, uncompressed, or {@code null} when it is too large to read. */
        private byte[] body(final PageHeader header, final String page) throws IOException, MalformedParquetException {
            sizes(header, page);
            if (header.getCompressed_page_size() > MAX_PAGE_BYTES || header.getUncompressed_page_size() > MAX_PAGE_BYTES) {
                return null;
            }
            return PageBytes.uncompress(chunk.getCodec(), exactly(header.getCompressed_page_size(), page), header.getUncompressed_page_size(), page);
        }

        /** Checks the sizes a page header declares against the file, before anything is read or allocated for them. */
        private void sizes(final PageHeader header, final String page) throws MalformedParquetException {
            if (header.getCompressed_page_size() < 0 || header.getUncompressed_page_size() < 0) {
                throw new MalformedParquetException(page + " of a negative size (" + header.getCompressed_page_size() + " bytes stored, "
                        + header.getUncompressed_page_size() + " uncompressed)");
            }
            if (header.getCompressed_page_size() > bytes.left()) {
                throw new MalformedParquetException(page + " that ends past the end of the file");
            }
        }

        /** The next {@code length} bytes, which the file's size says are there. */
        private byte[] exactly(final int length, final String page) throws IOException, MalformedParquetException {
            if (bytes.fill(length) < length) {
                throw new MalformedParquetException(page + " that ends past the end of the file");
            }
            return bytes.take(length);
        }

        private long values(final int count, final String page) throws MalformedParquetException {
            if (count < 0) {
                throw new MalformedParquetException(page + " of " + count + " values");
            }
            return count;
        }

        /** Levels of a v1 page: a 4-byte length, then that many bytes of hybrid encoding; none when the highest level is 0. */
        private static ByteBuffer levels(final ByteBuffer section, final int maxLevel, final String page, final String kind)
                throws MalformedParquetException {
            if (maxLevel == 0) {
                return null;
            }
            final int length = section.remaining() >= 4 ? section.getInt() : -1;
            if (length < 0 || length > section.remaining()) {
                throw new MalformedParquetException(page + " whose " + kind + " levels go past the end of the page");
            }
            final ByteBuffer levels = section.slice(section.position(), length);
            section.position(section.position() + length);
            return levels;
        }

        private static ByteBuffer littleEndian(final byte[] bytes) {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Encodings whose values tell their lengths (dictionary-encoded pages hold indexes instead). */
    private static boolean textEncoding(final Encoding encoding) {
        return encoding == Encoding.PLAIN || encoding == Encoding.DELTA_LENGTH_BYTE_ARRAY || encoding == Encoding.DELTA_BYTE_ARRAY;
    }
}
