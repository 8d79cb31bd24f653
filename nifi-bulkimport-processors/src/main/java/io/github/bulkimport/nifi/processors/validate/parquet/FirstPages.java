package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the first pages of one column chunk, no more: the dictionary page for the longest text, and
 * the first data page for the list length of each of its first rows (from repetition and definition
 * levels) and, when its values are plain byte arrays, their lengths. What cannot be read this way
 * (an unknown codec, a page over {@link #MAX_PAGE_BYTES}) is left unread: nothing is claimed of it.
 */
final class FirstPages {

    /** A larger page is not read: checking must not cost as much as importing. */
    static final int MAX_PAGE_BYTES = 16 * 1024 * 1024;

    /** What the first pages tell: list lengths of the first rows, and the longest byte array seen. */
    record Sample(List<Integer> lengths, Integer longestText) {
        static final Sample NONE = new Sample(List.of(), null);
    }

    private final Content content;
    private long bytesRead;

    /** @param dataEnd where the file's pages end: where its footer starts */
    FirstPages(final Content content, final long dataEnd) {
        this.content = content;
    }

    /** How many bytes were read from the content for pages so far. */
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
        try (CountingStream counted = new CountingStream(content.openAt(start)); InputStream in = new BufferedInputStream(counted, 64 * 1024)) {
            Integer longest = null;
            PageHeader header = Util.readPageHeader(in);
            if (header.getType() == PageType.DICTIONARY_PAGE) {
                final byte[] dictionary = body(in, chunk, header, header.getCompressed_page_size(), header.getUncompressed_page_size());
                if (dictionary == null) {
                    return Sample.NONE;
                }
                if (column.binaryValues()) {
                    longest = ValueLengths.longest(ByteBuffer.wrap(dictionary).order(ByteOrder.LITTLE_ENDIAN), Encoding.PLAIN,
                            header.getDictionary_page_header().getNum_values());
                }
                header = Util.readPageHeader(in);
            }
            final Sample sample = switch (header.getType()) {
                case DATA_PAGE -> dataPage(in, chunk, header, column, maxRows);
                case DATA_PAGE_V2 -> dataPageV2(in, chunk, header, column, maxRows);
                default -> Sample.NONE;
            };
            final Integer longestText = longest == null ? sample.longestText() : sample.longestText() == null ? longest
                    : Integer.valueOf(Math.max(longest, sample.longestText()));
            bytesRead += counted.count();
            return new Sample(sample.lengths(), longestText);
        }
    }

    private static Sample dataPage(final InputStream in, final ColumnMetaData chunk, final PageHeader header, final ParquetColumn column,
                                   final int maxRows) throws IOException {
        final DataPageHeader page = header.getData_page_header();
        if (column.maxRepetition() > 0 && page.getRepetition_level_encoding() != Encoding.RLE
                || column.maxDefinition() > 0 && page.getDefinition_level_encoding() != Encoding.RLE) {
            return Sample.NONE;
        }
        final byte[] bytes = body(in, chunk, header, header.getCompressed_page_size(), header.getUncompressed_page_size());
        if (bytes == null) {
            return Sample.NONE;
        }
        final ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int count = page.getNum_values();
        final int[] repetition = column.maxRepetition() > 0 ? levels(data, column.maxRepetition(), count) : new int[count];
        final int[] definition = column.maxDefinition() > 0 ? levels(data, column.maxDefinition(), count) : filled(count, 0);
        return sample(data, page.getEncoding(), repetition, definition, column, maxRows, count == chunk.getNum_values());
    }

    private static Sample dataPageV2(final InputStream in, final ColumnMetaData chunk, final PageHeader header, final ParquetColumn column,
                                     final int maxRows) throws IOException {
        final DataPageHeaderV2 page = header.getData_page_header_v2();
        final int levelBytes = page.getRepetition_levels_byte_length() + page.getDefinition_levels_byte_length();
        if (header.getCompressed_page_size() > MAX_PAGE_BYTES || levelBytes > header.getCompressed_page_size()) {
            return Sample.NONE;
        }
        final byte[] levels = in.readNBytes(levelBytes);
        final int count = page.getNum_values();
        final int[] repetition = HybridLevels.decode(ByteBuffer.wrap(levels, 0, page.getRepetition_levels_byte_length()),
                HybridLevels.bitWidth(column.maxRepetition()), count);
        final int[] definition = HybridLevels.decode(ByteBuffer.wrap(levels, page.getRepetition_levels_byte_length(),
                page.getDefinition_levels_byte_length()), HybridLevels.bitWidth(column.maxDefinition()), count);
        if (!column.binaryValues() || !textEncoding(page.getEncoding())) {
            return sample(ByteBuffer.allocate(0), page.getEncoding(), repetition, definition, column, maxRows, count == chunk.getNum_values());
        }
        final int compressedValues = header.getCompressed_page_size() - levelBytes;
        final int uncompressedValues = header.getUncompressed_page_size() - levelBytes;
        final byte[] raw = in.readNBytes(compressedValues);
        final byte[] values = page.isSetIs_compressed() && !page.isIs_compressed() ? raw : PageBytes.uncompress(chunk.getCodec(), raw, uncompressedValues);
        return sample(ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN), page.getEncoding(), repetition, definition, column, maxRows,
                count == chunk.getNum_values());
    }

    /** A page's body, uncompressed, or {@code null} when it is too large to read. */
    private static byte[] body(final InputStream in, final ColumnMetaData chunk, final PageHeader header, final int compressed,
                               final int uncompressed) throws IOException {
        if (compressed > MAX_PAGE_BYTES || uncompressed > MAX_PAGE_BYTES || compressed < 0 || uncompressed < 0) {
            return null;
        }
        final byte[] raw = in.readNBytes(compressed);
        if (raw.length < compressed) {
            throw new IOException("the file ends inside a page of column " + String.join(".", chunk.getPath_in_schema()));
        }
        return PageBytes.uncompress(chunk.getCodec(), raw, uncompressed);
    }

    /** Levels of a v1 page: a 4-byte length, then that many bytes of hybrid encoding. */
    private static int[] levels(final ByteBuffer data, final int maxLevel, final int count) {
        final int length = data.remaining() >= 4 ? data.getInt() : 0;
        final int end = Math.min(data.limit(), data.position() + Math.max(0, length));
        final ByteBuffer section = data.duplicate().limit(end);
        data.position(end);
        return HybridLevels.decode(section, HybridLevels.bitWidth(maxLevel), count);
    }

    private static int[] filled(final int count, final int value) {
        final int[] levels = new int[count];
        Arrays.fill(levels, value);
        return levels;
    }

    /**
     * The list length of each of the first rows (a row starts where the repetition level is 0; a level
     * at or above the column's element threshold is one element), and the longest plain byte array.
     */
    private static Sample sample(final ByteBuffer values, final Encoding encoding, final int[] repetition, final int[] definition,
                                 final ParquetColumn column, final int maxRows, final boolean wholeChunk) {
        final List<Integer> lengths = new ArrayList<>();
        if (column.maxRepetition() > 0) {
            int length = -1;
            for (int i = 0; i < repetition.length; i++) {
                if (repetition[i] == 0) {
                    if (length >= 0) {
                        lengths.add(length);
                        if (lengths.size() == maxRows) {
                            break;
                        }
                    }
                    length = 0;
                }
                if (definition[i] >= column.elementThreshold()) {
                    length++;
                }
            }
            // the page's last row may go on in the next page: its length is known only when the page holds the whole chunk
            if (length >= 0 && lengths.size() < maxRows && wholeChunk) {
                lengths.add(length);
            }
        }
        Integer longest = null;
        if (column.binaryValues() && textEncoding(encoding)) {
            int present = 0;
            for (final int level : definition) {
                if (level == column.maxDefinition()) {
                    present++;
                }
            }
            longest = ValueLengths.longest(values, encoding, present);
        }
        return new Sample(lengths, longest);
    }

    /** Encodings whose values tell their lengths (dictionary-encoded pages hold indexes instead). */
    private static boolean textEncoding(final Encoding encoding) {
        return encoding == Encoding.PLAIN || encoding == Encoding.DELTA_LENGTH_BYTE_ARRAY || encoding == Encoding.DELTA_BYTE_ARRAY;
    }
}
