package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.BINARY;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.I32;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.LIST;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.STRUCT;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.TITLE;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.VECTOR;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.concat;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.dataPage;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.header;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.rle;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.v1Levels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sound footers over first pages that lie: each once a crash, an IOException, a message ending in
 * "null", or seconds of work for a kilobyte; now unreadable with what is broken, or read, quickly,
 * when what the page claims is merely large.
 */
class ParquetPagesHostileTest {

    private static final CompressionCodec PLAIN = CompressionCodec.UNCOMPRESSED;
    private static final int MAX = Integer.MAX_VALUE;

    static Stream<Arguments> brokenPages() {
        final byte[] vectorPage = dataPage(8, HostileParquet.vectorBody(2, 4));
        return Stream.of(
                page("a column chunk past the end of the file", "a column chunk of column vector whose first page would start at byte 1000000",
                        () -> HostileParquet.file(vectorPage, HostileParquet.footer(VECTOR, 1_000_000, PLAIN, 8, 2))),
                page("a column chunk at a negative offset", "a column chunk of column vector whose first page would start at byte -5",
                        () -> HostileParquet.file(vectorPage, HostileParquet.footer(VECTOR, -5, PLAIN, 8, 2))),
                page("a column chunk inside the footer", "outside the file's pages (bytes 4 to " + (4 + vectorPage.length) + ")",
                        () -> HostileParquet.file(vectorPage, HostileParquet.footer(VECTOR, 4 + vectorPage.length, PLAIN, 8, 2))),
                page("a page header cut short", "a page header of column vector that ends past the end of the file",
                        () -> vectors(Arrays.copyOf(vectorPage, 5))),
                page("a page cut short", "a data page of column vector that ends past the end of the file",
                        () -> vectors(header(dataPage(8, 1000, 1000)), new byte[10])),
                page("garbage Snappy bytes", "a data page of column vector whose SNAPPY bytes cannot be uncompressed",
                        () -> compressed(CompressionCodec.SNAPPY, garbage(40), 100)),
                page("garbage GZIP bytes", "a data page of column vector whose GZIP bytes cannot be uncompressed",
                        () -> compressed(CompressionCodec.GZIP, garbage(40), 100)),
                page("garbage ZSTD bytes", "a data page of column vector whose ZSTD bytes cannot be uncompressed",
                        () -> compressed(CompressionCodec.ZSTD, garbage(40), 100)),
                page("Snappy bytes shorter than the header says", "whose SNAPPY bytes say they uncompress to 3 bytes, not the 100 its header says",
                        () -> compressed(CompressionCodec.SNAPPY, new byte[] {3, 8, 1, 2, 3}, 100)),
                page("Snappy bytes longer than the header says (fuzzing: an IllegalArgumentException)",
                        "whose SNAPPY bytes say they uncompress to 51 bytes, not the 50 its header says",
                        () -> compressed(CompressionCodec.SNAPPY, new byte[] {51, 8, 1, 2, 3}, 50)),
                page("GZIP bytes shorter than the header says", "whose GZIP bytes uncompress to 3 bytes, not the 100 its header says",
                        () -> compressed(CompressionCodec.GZIP, gzip(new byte[] {1, 2, 3}), 100)),
                page("a negative compressed size", "a data page of column vector of a negative size (-1 bytes stored, 100 uncompressed)",
                        () -> vectors(header(dataPage(8, -1, 100)))),
                page("a negative uncompressed size", "a data page of column vector of a negative size (10 bytes stored, -1 uncompressed)",
                        () -> vectors(header(dataPage(8, 10, -1)), new byte[10])),
                page("2^31 - 1 values in a page of two rows", "a data page of column vector whose repetition levels end before its 2147483647 values",
                        () -> vectors(dataPage(MAX, HostileParquet.vectorBody(2, 4)))),
                page("-1 values", "a data page of column vector of -1 values", () -> vectors(dataPage(-1, HostileParquet.vectorBody(2, 4)))),
                page("a data page without its data page header", "a data page of column vector without its data page header",
                        () -> vectors(header(new PageHeader(PageType.DATA_PAGE, 10, 10)), new byte[10])),
                page("a v2 data page without its header", "a data page of column vector without its data page header (v2)",
                        () -> vectors(header(new PageHeader(PageType.DATA_PAGE_V2, 10, 10)), new byte[10])),
                page("a dictionary page without its header", "a dictionary page of column title without its dictionary page header",
                        () -> titles(header(new PageHeader(PageType.DICTIONARY_PAGE, 10, 10)), new byte[10])),
                page("a dictionary page of -1 values", "a dictionary page of column title of -1 values",
                        () -> titles(header(HostileParquet.dictionaryPage(-1, 4, 4)), new byte[4])),
                page("v2 levels of a negative length", "a data page of column vector whose levels (-1 and 4 bytes) do not fit in its 40 bytes",
                        () -> vectors(header(HostileParquet.dataPageV2(8, 2, -1, 4, 40, 40, Encoding.PLAIN)), new byte[40])),
                page("v2 levels longer than the page", "a data page of column vector whose levels (30 and 30 bytes) do not fit in its 40 bytes",
                        () -> vectors(header(HostileParquet.dataPageV2(8, 2, 30, 30, 40, 40, Encoding.PLAIN)), new byte[40])),
                page("v2 levels of 2^31 - 1 bytes each", "whose levels (2147483647 and 2147483647 bytes) do not fit in its 40 bytes",
                        () -> vectors(header(HostileParquet.dataPageV2(8, 2, MAX, MAX, 40, 40, Encoding.PLAIN)), new byte[40])),
                page("v2 levels longer than the page uncompressed", "whose levels (2 bytes) are longer than the page uncompressed (1 bytes)",
                        () -> titles(header(HostileParquet.dataPageV2(1, 1, 0, 2, 10, 1, Encoding.PLAIN)), rle(1, 1), new byte[8])),
                page("a level above the column's highest", "a data page of column vector with a definition level of 7, above the column's highest (3)",
                        () -> vectors(dataPage(8, concat(v1Levels(rle(1, 0, 7, 1)), v1Levels(rle(8, 7)))))),
                page("v1 levels of a negative length", "a data page of column vector whose repetition levels go past the end of the page",
                        () -> vectors(dataPage(8, concat(HostileParquet.littleEndianInt(-1), new byte[8])))),
                page("v1 levels longer than the page", "a data page of column vector whose repetition levels go past the end of the page",
                        () -> vectors(dataPage(8, concat(HostileParquet.littleEndianInt(1000), new byte[8])))),
                page("a plain value longer than the page", "a data page of column title with a value of 1000 bytes, where 3 are left",
                        () -> titles(dataPage(1, concat(v1Levels(rle(1, 1)), HostileParquet.littleEndianInt(1000), new byte[3])))),
                page("a plain value of negative length", "a data page of column title with a value of -2 bytes",
                        () -> titles(dataPage(1, concat(v1Levels(rle(1, 1)), HostileParquet.littleEndianInt(-2), new byte[3])))),
                page("plain values that end early", "a data page of column title whose values end before its 3 values",
                        () -> titles(dataPage(3, concat(v1Levels(rle(3, 1)), HostileParquet.plain("a", "b"))))),
                page("delta lengths: a miniblock count that was cast to a negative int", "whose delta-encoded lengths have blocks of 3221225472 values in"
                        + " 3221225472 miniblocks", () -> deltaTitles(1, delta(3L << 30, 3L << 30, 1, 0))),
                page("delta lengths: 2^26 miniblocks in a few bytes", "a data page of column title whose delta-encoded lengths end before their 100 values",
                        () -> deltaTitles(100, delta(1L << 31, 1L << 26, 100, 0, 0))),
                page("delta lengths: a miniblock whose bytes overflow an int", "whose delta-encoded lengths end before their 100 values",
                        () -> deltaTitles(100, delta(1L << 30, 1, 100, 0, 0, 8))),
                page("delta lengths: a miniblock of 12 values whose bytes round down", "whose delta-encoded lengths have blocks of 12 values in 1 miniblocks",
                        () -> deltaTitles(12, delta(12, 1, 12, 0, 0, 3))),
                page("delta lengths: a header number of 33 bits", "whose delta-encoded lengths have a header number beyond 32 bits",
                        () -> deltaTitles(1, delta(1L << 33, 1, 1, 0))),
                page("delta lengths: deltas of 33 bits", "whose delta-encoded lengths take 33 bits each, above 32",
                        () -> deltaTitles(2, delta(128, 4, 2, 0, 0, 33, 0, 0, 0))),
                page("delta lengths: a length longer than the page", "a data page of column title with a value length outside 0 to",
                        () -> deltaTitles(1, delta(128, 4, 1, 1_000_000))),
                page("delta lengths: a negative length", "a data page of column title with a value length outside 0 to",
                        () -> deltaTitles(1, delta(128, 4, 1, -1))),
                page("delta lengths: 2^31 lengths growing by 1 in width-0 miniblocks", "a data page of column title with a value length outside 0 to",
                        () -> deltaTitles(MAX, delta(1L << 27, 1, MAX, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0,
                                2, 0, 2, 0, 2, 0))),
                page("delta strings: a prefix and suffix longer than the page", "a data page of column title with a value of 60 bytes, longer than the page",
                        () -> titles(deltaPage(1, Encoding.DELTA_BYTE_ARRAY, concat(delta(128, 4, 1, 30), delta(128, 4, 1, 30), new byte[30])))),
                page("a page header of a 2^31-byte binary", "a page header of column title that ends past the end of the file",
                        () -> titles(titleHeader().field(5, STRUCT).beginStruct().field(1, BINARY).binaryLength(1L << 31).bytes())),
                page("a page header of a binary of -1 bytes", "a page header of column title that ends past the end of the file",
                        () -> titles(titleHeader().field(5, STRUCT).beginStruct().field(1, BINARY).binaryLength(0xFFFF_FFFFL).bytes())),
                page("a page header of a list of 2^31 - 1 structures", "a page header of column title that ends past the end of the file",
                        () -> titles(titleHeader().field(100, LIST).listHeader(MAX, STRUCT).bytes())),
                page("a page header whose varint goes on to the footer", "a page header of column title that ends past the end of the file",
                        () -> titles(titleHeader().field(5, STRUCT).beginStruct().field(1, I32).raw(ones(40, 0xFF)).bytes())),
                page("a page header nested 100,000 deep", "a page header of column title that cannot be decoded (structures nested deeper than 64",
                        () -> titles(titleHeader().field(100, STRUCT).raw(ones(100_000, 0x1C)).bytes())));
    }

    @ParameterizedTest
    @MethodSource("brokenPages")
    void aBrokenFirstPageMakesTheFileUnreadable(final Supplier<byte[]> file, final String expected) throws Exception {
        final String why = Reading.unreadable(file.get());
        assertTrue(why.contains(expected), why);
    }

    @Test
    void aSoundPageIsRead() throws Exception {
        assertEquals(List.of(4, 4, 4), Reading.readable(HostileParquet.vectorFile(3, 4)).column("vector").orElseThrow().lengths());
        assertEquals(5, Reading.readable(HostileParquet.titleFile("a", "abcde", "abc")).column("title").orElseThrow().longestText());
    }

    /** Pages that claim much, and are read all the same: quickly, the runs they declare taken whole. */
    static Stream<Named<Supplier<byte[]>>> readablePages() {
        return Stream.of(
                Named.of("a page larger than read", ParquetPagesHostileTest::pageLargerThanRead),
                Named.of("a page header larger than read", ParquetPagesHostileTest::headerLargerThanRead),
                Named.of("2^31 - 1 null rows in runs", ParquetPagesHostileTest::nullRowsInRuns),
                Named.of("one row of 2^31 - 1 elements in runs", ParquetPagesHostileTest::oneRowInRuns),
                Named.of("a bit-packed run of 2^31 - 1 groups", ParquetPagesHostileTest::bitPackedRunOf2To31Groups),
                Named.of("delta lengths: 2^31 - 1 values in width-0 miniblocks", ParquetPagesHostileTest::deltaLengthsInWidth0Miniblocks),
                Named.of("delta strings: 2^31 - 1 values in width-0 miniblocks", ParquetPagesHostileTest::deltaStringsInWidth0Miniblocks));
    }

    @Test
    void aPageLargerThanReadIsLeftUnread() throws Exception {
        assertEquals(List.of(), Reading.readable(pageLargerThanRead()).column("vector").orElseThrow().lengths());
    }

    @Test
    void aPageHeaderLargerThanReadIsLeftUnread() throws Exception {
        assertEquals(null, Reading.readable(headerLargerThanRead()).column("title").orElseThrow().longestText());
    }

    @Test
    void rowsOf2To31ValuesInRunsAreReadRunByRun() throws Exception {
        assertEquals(Collections.nCopies(Reading.ROWS, 0), Reading.readable(nullRowsInRuns()).column("vector").orElseThrow().lengths());
        assertEquals(List.of(MAX), Reading.readable(oneRowInRuns()).column("vector").orElseThrow().lengths());
    }

    @Test
    void aBitPackedRunOf2To31GroupsIsReadAsFarAsItsBytes() throws Exception {
        assertEquals(Collections.nCopies(8, 1), Reading.readable(bitPackedRunOf2To31Groups()).column("vector").orElseThrow().lengths());
    }

    @Test
    void deltaLengthsOf2To31ValuesInWidth0MiniblocksAreReadSpanBySpan() throws Exception {
        assertEquals(3, Reading.readable(deltaLengthsInWidth0Miniblocks()).column("title").orElseThrow().longestText());
    }

    @Test
    void deltaStringsAreReadSpanBySpan() throws Exception {
        assertEquals(3, Reading.readable(deltaStringsInWidth0Miniblocks()).column("title").orElseThrow().longestText());
    }

    /** A page whose uncompressed size is over 16 MB: left unread. */
    private static byte[] pageLargerThanRead() {
        return vectors(header(dataPage(8, 40, MAX)), new byte[40]);
    }

    /** A page header whose statistics take 2 MB: left unread. */
    private static byte[] headerLargerThanRead() {
        final byte[] header = titleHeader().field(5, STRUCT).beginStruct().field(1, I32).i32(1).field(2, I32).i32(0).field(3, I32).i32(3)
                .field(4, I32).i32(3).field(5, STRUCT).beginStruct().field(1, BINARY).binaryLength(2_000_000).raw(new int[2_000_000])
                .endStruct().endStruct().raw(0).bytes();
        return titles(header, v1Levels(rle(1, 1)), HostileParquet.plain("abcdefghij"));
    }

    /** 2^31 - 1 values, each a row of its own, null: rows of no element. */
    private static byte[] nullRowsInRuns() {
        return vectors(dataPage(MAX, concat(v1Levels(rle(MAX, 0)), v1Levels(rle(MAX, 0)))));
    }

    /** One row of 2^31 - 1 elements. */
    private static byte[] oneRowInRuns() {
        return HostileParquet.file(VECTOR, PLAIN, MAX, 1, dataPage(MAX, concat(v1Levels(rle(1, 0, MAX - 1, 1)), v1Levels(rle(MAX, 3)))));
    }

    /** A run header of 2^31 - 1 groups of 8 levels, and 2 bytes: 16 levels of 0 (each value starts a row), then zeros. */
    private static byte[] bitPackedRunOf2To31Groups() {
        final byte[] repetition = new CompactThrift().varint((long) MAX << 1 | 1).raw(0, 0).bytes();
        return HostileParquet.file(VECTOR, PLAIN, 8, 8, dataPage(8, concat(v1Levels(repetition), v1Levels(rle(8, 3)), new byte[32])));
    }

    /** 2^31 - 1 lengths of 3, in miniblocks of 2^27 values of bit width 0: 16 blocks of 2 bytes. */
    private static byte[] deltaLengthsInWidth0Miniblocks() {
        return deltaTitles(MAX, delta(1L << 27, 1, MAX, 3, new long[2 * 16]));
    }

    /** 2^31 - 1 values of no prefix and a suffix of 3 bytes, in miniblocks of 2^27 values of bit width 0. */
    private static byte[] deltaStringsInWidth0Miniblocks() {
        final long[] blocks = new long[2 * 16];
        return titles(deltaPage(MAX, Encoding.DELTA_BYTE_ARRAY, concat(delta(1L << 27, 1, MAX, 0, blocks), delta(1L << 27, 1, MAX, 3, blocks),
                "abc".getBytes())));
    }

    private static Arguments page(final String name, final String expected, final Supplier<byte[]> file) {
        return Arguments.of(Named.of(name, file), expected);
    }

    /** A file of the vector column whose pages are these bytes, uncompressed, of 8 values in 2 rows. */
    private static byte[] vectors(final byte[]... pages) {
        return HostileParquet.file(VECTOR, PLAIN, 8, 2, pages);
    }

    private static byte[] titles(final byte[]... pages) {
        return HostileParquet.file(TITLE, PLAIN, 1, 1, pages);
    }

    private static byte[] compressed(final CompressionCodec codec, final byte[] body, final int uncompressed) {
        return HostileParquet.file(VECTOR, codec, 8, 2, header(dataPage(8, body.length, uncompressed)), body);
    }

    /** A v1 page of titles, none null, whose values are these bytes in this encoding. */
    private static byte[] deltaPage(final int values, final Encoding encoding, final byte[] encoded) {
        final byte[] body = concat(v1Levels(rle(values, 1)), encoded);
        return concat(header(dataPage(values, body.length, body.length, encoding)), body);
    }

    private static byte[] deltaTitles(final int values, final byte[] encoded) {
        return titles(deltaPage(values, Encoding.DELTA_LENGTH_BYTE_ARRAY, encoded));
    }

    /**
     * DELTA_BINARY_PACKED bytes: the header (block size, miniblocks, total, first value), then raw bytes
     * (each block: its minimum delta as a zigzag varint, the miniblocks' widths, their bytes).
     */
    private static byte[] delta(final long blockSize, final long miniblocks, final long total, final long first, final long... blocks) {
        final CompactThrift bytes = new CompactThrift().varint(blockSize).varint(miniblocks).varint(total).i64(first);
        for (final long b : blocks) {
            bytes.raw((int) b);
        }
        return bytes.bytes();
    }

    /** A page header's first fields: a data page of 10 bytes. */
    private static CompactThrift titleHeader() {
        return new CompactThrift().field(1, I32).i32(0).field(2, I32).i32(10).field(3, I32).i32(10);
    }

    private static byte[] gzip(final byte[] bytes) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] garbage(final int length) {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xFF);
        return bytes;
    }

    private static int[] ones(final int count, final int value) {
        final int[] bytes = new int[count];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
