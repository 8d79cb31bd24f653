package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.PageHeader;
import shaded.parquet.org.apache.thrift.TException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads every page of one column chunk, one page in memory at a time (its bytes as stored, and uncompressed
 * into a buffer kept from page to page), and checks every row the chunk holds: the levels tell the rows, the
 * values are checked as {@link ColumnValues} says. A page whose values do not matter is read for its levels
 * only (a version 2 page without uncompressing anything). Whatever is broken makes the file unreadable; what
 * cannot be read through (a codec, an encoding, a page over {@link #MAX_PAGE_BYTES}) makes it uncheckable.
 */
final class WholeChunk {

    /** The largest page read, stored or uncompressed: writers cut pages at about 1 MB. */
    static final int MAX_PAGE_BYTES = 32 * 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 1024 * 1024;
    private static final int FIRST_HEADER_WINDOW = 16 * 1024;
    /** Reads from the content are at least this large: a page header is a few dozen bytes, and a read per header would be slow. */
    private static final int READ_AHEAD = 256 * 1024;

    /** Buffers and decompressors kept from chunk to chunk of one file. */
    static final class Buffers {
        private final PageBytes.Decompressors decompressors = new PageBytes.Decompressors();
        private final ValueFaults faults = new ValueFaults();
        private final SnappyFloats snappyFloats = new SnappyFloats();
        private byte[] page = new byte[0];
        /** The stored bytes of the chunk read last, whose buffer the next chunk reads into. */
        private byte[] stored = new byte[0];

        private byte[] page(final int size) {
            if (page.length < size) {
                page = new byte[Math.max(size, Math.min(MAX_PAGE_BYTES, page.length * 2))];
            }
            return page;
        }
    }

    private final Content content;
    private final long dataEnd;
    private final Buffers buffers;
    private long bytesRead;

    WholeChunk(final Content content, final long dataEnd, final Buffers buffers) {
        this.content = content;
        this.dataEnd = dataEnd;
        this.buffers = buffers;
    }

    long bytesRead() {
        return bytesRead;
    }

    /**
     * Checks the rows of one column chunk, the file's rows {@code firstRow} on; the chunk must hold the
     * {@code rows} rows its row group declares.
     */
    void check(final ColumnMetaData chunk, final ParquetColumn column, final ColumnRules rules, final long firstRow, final long rows,
               final BadRows sink) throws IOException, MalformedParquetException, CannotCheckException {
        final String where = "column " + column.name();
        if (!PageBytes.readable(chunk.getCodec())) {
            throw new CannotCheckException(where + " holds pages compressed with " + chunk.getCodec() + ", which Whole File does not read");
        }
        final long dataOffset = chunk.getData_page_offset();
        final long start = chunk.isSetDictionary_page_offset() && chunk.getDictionary_page_offset() > 0
                && chunk.getDictionary_page_offset() < dataOffset ? chunk.getDictionary_page_offset() : dataOffset;
        if (start < ParquetTail.MAGIC_BYTES || start >= dataEnd) {
            throw new MalformedParquetException("a column chunk of " + where + " whose first page would start at byte " + start
                    + ", outside the file's pages (bytes " + ParquetTail.MAGIC_BYTES + " to " + dataEnd + ")");
        }
        if (chunk.getNum_values() < 0) {
            throw new MalformedParquetException("a column chunk of " + where + " of " + chunk.getNum_values() + " values");
        }
        try (ChunkBytes bytes = ChunkBytes.streaming(content, start, dataEnd, READ_AHEAD, buffers.stored)) {
            try {
                final Pages pages = new Pages(bytes, chunk, column, new ColumnValues(column, rules), new RowWalk(column, rules, sink, firstRow));
                pages.readAll();
                if (pages.walk.rows() != rows) {
                    throw new MalformedParquetException("a column chunk of " + where + " holding " + pages.walk.rows() + " rows, where its row group holds "
                            + rows);
                }
            } finally {
                bytesRead += bytes.bytesRead();
                buffers.stored = bytes.buffer();
            }
        }
    }

    /** The reading of one chunk's pages. */
    private final class Pages {

        private final ChunkBytes bytes;
        private final ColumnMetaData chunk;
        private final ParquetColumn column;
        private final ColumnValues values;
        private final RowWalk walk;
        private final String dataPage;
        private final String dictionaryPage;

        Pages(final ChunkBytes bytes, final ColumnMetaData chunk, final ParquetColumn column, final ColumnValues values, final RowWalk walk) {
            this.bytes = bytes;
            this.chunk = chunk;
            this.column = column;
            this.values = values;
            this.walk = walk;
            this.dataPage = "a data page of column " + column.name();
            this.dictionaryPage = "a dictionary page of column " + column.name();
        }

        void readAll() throws IOException, MalformedParquetException, CannotCheckException {
            long levels = 0;
            final long total = chunk.getNum_values();
            while (levels < total) {
                final PageHeader header = header();
                switch (header.getType()) {
                    case DICTIONARY_PAGE -> dictionary(header);
                    case DATA_PAGE -> levels += dataPage(header, total - levels);
                    case DATA_PAGE_V2 -> levels += dataPageV2(header, total - levels);
                    default -> skip(header);
                }
            }
            walk.end();
        }

        private void dictionary(final PageHeader header) throws IOException, MalformedParquetException, CannotCheckException {
            final DictionaryPageHeader dictionary = header.getDictionary_page_header();
            if (dictionary == null) {
                throw new MalformedParquetException(dictionaryPage + " without its dictionary page header");
            }
            if (dictionary.getNum_values() < 0) {
                throw new MalformedParquetException(dictionaryPage + " of " + dictionary.getNum_values() + " values");
            }
            sizes(header, dictionaryPage);
            if (!values.readsValues()) {
                discard(header.getCompressed_page_size(), dictionaryPage);
                return;
            }
            final byte[] body = body(header.getCompressed_page_size(), header.getUncompressed_page_size(), dictionaryPage);
            values.dictionary(body, bodyOffset, header.getUncompressed_page_size(), dictionary.getNum_values(), dictionaryPage);
        }

        private long dataPage(final PageHeader header, final long levelsLeft) throws IOException, MalformedParquetException, CannotCheckException {
            final DataPageHeader data = header.getData_page_header();
            if (data == null) {
                throw new MalformedParquetException(dataPage + " without its data page header");
            }
            final long count = count(data.getNum_values(), levelsLeft);
            if (column.maxRepetition() > 0 && data.getRepetition_level_encoding() != Encoding.RLE
                    || column.maxDefinition() > 0 && data.getDefinition_level_encoding() != Encoding.RLE) {
                throw new CannotCheckException(dataPage + " holds levels in the encoding BIT_PACKED, which Whole File does not read");
            }
            sizes(header, dataPage);
            if (column.maxRepetition() == 0 && column.maxDefinition() == 0 && !values.readsValues()) {
                // a required scalar whose values do not matter: each level is a row
                discard(header.getCompressed_page_size(), dataPage);
                walk.page(HybridLevels.zeros(), HybridLevels.zeros(), count, empty(), dataPage);
                return count;
            }
            final SnappyFloats floats = chunk.getCodec() == org.apache.parquet.format.CompressionCodec.SNAPPY && values.plainFloats(data.getEncoding())
                    ? snappyFloats(header.getCompressed_page_size(), header.getUncompressed_page_size()) : null;
            final byte[] body = floats != null ? floats.out() : body(header.getCompressed_page_size(), header.getUncompressed_page_size(), dataPage);
            final int at = floats != null ? 0 : bodyOffset;
            final ByteBuffer section = ByteBuffer.wrap(body, at, header.getUncompressed_page_size()).slice().order(ByteOrder.LITTLE_ENDIAN);
            final ByteBuffer repetition = levels(section, column.maxRepetition(), "repetition");
            final ByteBuffer definition = levels(section, column.maxDefinition(), "definition");
            walkPage(repetition, definition, count, data.getEncoding(), body, at + section.position(), section.remaining(), floats);
            return count;
        }

        private long dataPageV2(final PageHeader header, final long levelsLeft) throws IOException, MalformedParquetException, CannotCheckException {
            final DataPageHeaderV2 data = header.getData_page_header_v2();
            if (data == null) {
                throw new MalformedParquetException(dataPage + " without its data page header (v2)");
            }
            final long count = count(data.getNum_values(), levelsLeft);
            final int repetitionBytes = data.getRepetition_levels_byte_length();
            final int definitionBytes = data.getDefinition_levels_byte_length();
            final int compressed = header.getCompressed_page_size();
            if (repetitionBytes < 0 || definitionBytes < 0 || (long) repetitionBytes + definitionBytes > compressed) {
                throw new MalformedParquetException(dataPage + " whose levels (" + repetitionBytes + " and " + definitionBytes
                        + " bytes) do not fit in its " + compressed + " bytes");
            }
            sizes(header, dataPage);
            final int levelBytes = repetitionBytes + definitionBytes;
            final int uncompressedValues = header.getUncompressed_page_size() - levelBytes;
            if (uncompressedValues < 0) {
                throw new MalformedParquetException(dataPage + " whose levels (" + levelBytes + " bytes) are longer than the page uncompressed ("
                        + header.getUncompressed_page_size() + " bytes)");
            }
            // v2 levels come first, never compressed: the values are read only when they matter
            final int needed = values.readsValues() ? compressed : levelBytes;
            if (bytes.fill(needed) < needed) {
                throw new MalformedParquetException(dataPage + " that ends past the end of the file");
            }
            final byte[] stored = bytes.buffer();
            final int at = bytes.position();
            // v2 levels are never compressed, and come first: the values are uncompressed only when they matter
            final ByteBuffer repetition = column.maxRepetition() == 0 ? null : ByteBuffer.wrap(stored, at, repetitionBytes).slice();
            final ByteBuffer definition = column.maxDefinition() == 0 ? null : ByteBuffer.wrap(stored, at + repetitionBytes, definitionBytes).slice();
            if (!values.readsValues()) {
                walkPage(repetition, definition, count, data.getEncoding(), stored, 0, 0);
            } else if (data.isSetIs_compressed() && !data.isIs_compressed() || chunk.getCodec() == org.apache.parquet.format.CompressionCodec.UNCOMPRESSED) {
                if (compressed - levelBytes != uncompressedValues) {
                    throw new MalformedParquetException(dataPage + " whose values are stored in " + (compressed - levelBytes) + " bytes, not the "
                            + uncompressedValues + " its header says");
                }
                walkPage(repetition, definition, count, data.getEncoding(), stored, at + levelBytes, uncompressedValues);
            } else {
                final byte[] page = pageFor(compressed - levelBytes, uncompressedValues, dataPage);
                PageBytes.uncompressInto(buffers.decompressors, chunk.getCodec(), stored, at + levelBytes, compressed - levelBytes, page,
                        uncompressedValues, dataPage);
                walkPage(repetition, definition, count, data.getEncoding(), page, 0, uncompressedValues);
            }
            discard(compressed, dataPage);
            return count;
        }

        /** Checks a page's values, then walks its levels, placing the faulty values in their rows. */
        private void walkPage(final ByteBuffer repetition, final ByteBuffer definition, final long count, final Encoding encoding, final byte[] b,
                              final int valuesOffset, final int valuesLength) throws MalformedParquetException, CannotCheckException {
            walkPage(repetition, definition, count, encoding, b, valuesOffset, valuesLength, null);
        }

        /** The same; {@code floats}, when not {@code null}, read the page, whose floats it checks. */
        private void walkPage(final ByteBuffer repetition, final ByteBuffer definition, final long count, final Encoding encoding, final byte[] b,
                              final int valuesOffset, final int valuesLength, final SnappyFloats floats)
                throws MalformedParquetException, CannotCheckException {
            final ValueFaults faults = buffers.faults;
            faults.clear();
            if (values.readsValues()) {
                final long present = column.maxDefinition() == 0 ? count
                        : HybridLevels.of(definition.duplicate(), column.maxDefinition(), dataPage, "definition", count).count(count, column.maxDefinition());
                if (floats != null) {
                    values.plainFloats(floats, valuesOffset, valuesLength, present, dataPage, faults);
                } else {
                    values.values(encoding, b, valuesOffset, valuesLength, present, dataPage, faults);
                }
            }
            walk.page(HybridLevels.of(repetition, column.maxRepetition(), dataPage, "repetition", count),
                    HybridLevels.of(definition, column.maxDefinition(), dataPage, "definition", count), count, faults, dataPage);
        }

        private ValueFaults empty() {
            buffers.faults.clear();
            return buffers.faults;
        }

        private void skip(final PageHeader header) throws IOException, MalformedParquetException {
            final String page = "a page of column " + column.name();
            if (header.getCompressed_page_size() < 0 || header.getCompressed_page_size() > bytes.left()) {
                throw new MalformedParquetException(page + " of " + header.getCompressed_page_size() + " bytes, where " + bytes.left() + " are left");
            }
            discard(header.getCompressed_page_size(), page);
        }

        /** Moves past a page's bytes, which the chunk's data holds (its size was checked). */
        private void discard(final int length, final String page) throws IOException, MalformedParquetException {
            if (!bytes.discard(length)) {
                throw new MalformedParquetException(page + " that ends past the end of the file");
            }
        }

        /**
         * A Snappy page of PLAIN floats read by {@link SnappyFloats} and moved past, or {@code null} when it does not suit (nothing
         * moved past: {@link #body} then uncompresses it whole).
         */
        private SnappyFloats snappyFloats(final int compressed, final int uncompressed) throws IOException, MalformedParquetException {
            if (bytes.fill(compressed) < compressed) {
                throw new MalformedParquetException(dataPage + " that ends past the end of the file");
            }
            final SnappyFloats floats = buffers.snappyFloats;
            if (!floats.read(bytes.buffer(), bytes.position(), compressed, pageFor(compressed, uncompressed, dataPage), uncompressed, column.maxRepetition() > 0,
                    column.maxDefinition() > 0)) {
                return null;
            }
            // the literals' bytes stay in the chunk's buffer, which changes only at its next fill
            bytes.skip(compressed);
            return floats;
        }

        /**
         * The buffer a page of {@code compressed} bytes uncompresses into. A Snappy page whose header says it uncompresses to more
         * than its bytes can make is refused before the buffer is sized by it: a tag of three bytes writes at most 64, so no Snappy
         * bytes make more than 22 times their length (and a few bytes).
         */
        private byte[] pageFor(final int compressed, final int uncompressed, final String page) throws MalformedParquetException {
            if (chunk.getCodec() == org.apache.parquet.format.CompressionCodec.SNAPPY && uncompressed > 32 + 22L * compressed) {
                throw new MalformedParquetException(page + " whose " + compressed + " SNAPPY bytes cannot uncompress to the " + uncompressed
                        + " bytes its header says");
            }
            return buffers.page(uncompressed);
        }

        /** Where {@link #body} left the page's bytes in the array it returned. */
        private int bodyOffset;

        /** A page's bytes, uncompressed: in the chunk's own buffer when stored so, else in the page buffer. Moves past them. */
        private byte[] body(final int compressed, final int uncompressed, final String page) throws IOException, MalformedParquetException {
            if (bytes.fill(compressed) < compressed) {
                throw new MalformedParquetException(page + " that ends past the end of the file");
            }
            final byte[] stored = bytes.buffer();
            final int at = bytes.position();
            bytes.skip(compressed);
            if (chunk.getCodec() == org.apache.parquet.format.CompressionCodec.UNCOMPRESSED) {
                if (compressed != uncompressed) {
                    throw new MalformedParquetException(page + " stored in " + compressed + " bytes, not the " + uncompressed + " its header says");
                }
                // still valid: the chunk's buffer changes only at its next fill
                bodyOffset = at;
                return stored;
            }
            final byte[] out = pageFor(compressed, uncompressed, page);
            PageBytes.uncompressInto(buffers.decompressors, chunk.getCodec(), stored, at, compressed, out, uncompressed, page);
            bodyOffset = 0;
            return out;
        }

        /** The next page header. */
        private PageHeader header() throws IOException, MalformedParquetException, CannotCheckException {
            final String what = "a page header of column " + column.name();
            int window = FIRST_HEADER_WINDOW;
            while (true) {
                final int available = bytes.fill(window);
                if (available == 0) {
                    throw new MalformedParquetException("a column chunk of column " + column.name() + " that ends before its " + chunk.getNum_values()
                            + " values");
                }
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
                        throw new CannotCheckException(what + " larger than " + MAX_HEADER_BYTES + " bytes, which Whole File does not read");
                    }
                    window = (int) Math.min(MAX_HEADER_BYTES, Math.max(4L * window, in.claimedEnd()));
                }
            }
        }

        private void sizes(final PageHeader header, final String page) throws MalformedParquetException, CannotCheckException {
            if (header.getCompressed_page_size() < 0 || header.getUncompressed_page_size() < 0) {
                throw new MalformedParquetException(page + " of a negative size (" + header.getCompressed_page_size() + " bytes stored, "
                        + header.getUncompressed_page_size() + " uncompressed)");
            }
            if (header.getCompressed_page_size() > bytes.left()) {
                throw new MalformedParquetException(page + " that ends past the end of the file");
            }
            if (header.getCompressed_page_size() > MAX_PAGE_BYTES || header.getUncompressed_page_size() > MAX_PAGE_BYTES) {
                throw new CannotCheckException(page + " of " + Math.max(header.getCompressed_page_size(), header.getUncompressed_page_size())
                        + " bytes, larger than the " + (MAX_PAGE_BYTES >> 20) + " MiB Whole File reads of a page");
            }
        }

        /** A data page's level count, which must stay within what the chunk declares. */
        private long count(final int declared, final long left) throws MalformedParquetException {
            if (declared < 0) {
                throw new MalformedParquetException(dataPage + " of " + declared + " values");
            }
            if (declared > left) {
                throw new MalformedParquetException(dataPage + " of " + declared + " values, more than its column chunk has left (" + left + ")");
            }
            return declared;
        }

        /** Levels of a v1 page: a 4-byte length, then that many bytes; none when the highest level is 0. */
        private ByteBuffer levels(final ByteBuffer section, final int maxLevel, final String kind) throws MalformedParquetException {
            if (maxLevel == 0) {
                return null;
            }
            final int length = section.remaining() >= 4 ? section.getInt() : -1;
            if (length < 0 || length > section.remaining()) {
                throw new MalformedParquetException(dataPage + " whose " + kind + " levels go past the end of the page");
            }
            final ByteBuffer levels = section.slice(section.position(), length);
            section.position(section.position() + length);
            return levels;
        }
    }
}
