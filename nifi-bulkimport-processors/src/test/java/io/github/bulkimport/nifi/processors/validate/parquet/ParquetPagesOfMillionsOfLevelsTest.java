package io.github.bulkimport.nifi.processors.validate.parquet;

import io.airlift.compress.zstd.ZstdCompressor;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;

import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.TITLE;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.VECTOR;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.concat;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.dataPage;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.header;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.littleEndianInt;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.rle;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.v1Levels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Parquet file of under 2 KB whose first page, ZSTD-compressed, uncompresses to 16 MiB of bit-packed levels of one bit
 * (134 million levels) or of delta-packed lengths of width 1 (found by a red team: each read took seconds). The first pages
 * are read for the rows they check and no further; a stretch of equal bit-packed levels is counted ahead 64 at a time,
 * once. Not yet in the Parquet fuzz corpus: uncompressing 16 MiB alone takes about 100 ms under the fuzzer's instrumentation.
 */
class ParquetPagesOfMillionsOfLevelsTest {

    static final int PAGE = FirstPages.MAX_PAGE_BYTES;

    /** The whole 16 MiB page compressed with ZSTD: a few hundred bytes. */
    static byte[] zstd(final byte[] page) {
        final ZstdCompressor compressor = new ZstdCompressor();
        final byte[] out = new byte[compressor.maxCompressedLength(page.length)];
        final int n = compressor.compress(page, 0, page.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    /** An optional title column, v1 page, PLAIN values: definition levels one bit-packed run of 16 MiB of 1s, no values. */
    static byte[] bitPackedDefinitionsFile() {
        final byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte) 0xFF);
        final byte[] runHeader = new CompactThrift().varint((1L << 28) << 1 | 1).bytes();
        System.arraycopy(littleEndianInt(PAGE - 4), 0, page, 0, 4);
        System.arraycopy(runHeader, 0, page, 4, runHeader.length);
        final byte[] compressed = zstd(page);
        return HostileParquet.file(TITLE, CompressionCodec.ZSTD, Integer.MAX_VALUE, 1,
                concat(header(dataPage(Integer.MAX_VALUE, compressed.length, PAGE)), compressed));
    }

    /** An optional vector column: repetition levels a bit-packed run of 16 MiB of 1s (a row that never ends), definition 3. */
    static byte[] bitPackedRepetitionsFile() {
        final byte[] definitions = v1Levels(rle(Integer.MAX_VALUE, 3));
        final int repetitionBytes = PAGE - 4 - definitions.length;
        final byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte) 0xFF);
        System.arraycopy(littleEndianInt(repetitionBytes), 0, page, 0, 4);
        final byte[] runHeader = new CompactThrift().varint((1L << 28) << 1 | 1).bytes();
        System.arraycopy(runHeader, 0, page, 4, runHeader.length);
        page[4 + runHeader.length] = (byte) 0xFE; // the first level 0: a row starts, then continues for ever
        System.arraycopy(definitions, 0, page, 4 + repetitionBytes, definitions.length);
        final byte[] compressed = zstd(page);
        return HostileParquet.file(VECTOR, CompressionCodec.ZSTD, Integer.MAX_VALUE, 1,
                concat(header(dataPage(Integer.MAX_VALUE, compressed.length, PAGE)), compressed));
    }

    /** A title column, DELTA_LENGTH_BYTE_ARRAY: blocks of 128 lengths of 0 in miniblocks of bit width 1 (21 bytes a block). */
    static byte[] deltaWidthOneFile() {
        final byte[] levels = v1Levels(rle(Integer.MAX_VALUE, 1));
        final byte[] deltaHeader = new CompactThrift().varint(128).varint(4).varint(0xFFFF_FFFFL).i64(0).bytes();
        final byte[] page = new byte[PAGE];
        System.arraycopy(levels, 0, page, 0, levels.length);
        System.arraycopy(deltaHeader, 0, page, levels.length, deltaHeader.length);
        int at = levels.length + deltaHeader.length;
        while (at + 21 <= PAGE) {
            page[at] = 0;                  // min delta 0
            page[at + 1] = 1;              // four miniblocks of width 1
            page[at + 2] = 1;
            page[at + 3] = 1;
            page[at + 4] = 1;
            at += 21;                      // 4 x 4 bytes of zero deltas
        }
        final byte[] compressed = zstd(page);
        return HostileParquet.file(TITLE, CompressionCodec.ZSTD, Integer.MAX_VALUE, 1,
                concat(header(dataPage(Integer.MAX_VALUE, compressed.length, PAGE, Encoding.DELTA_LENGTH_BYTE_ARRAY)), compressed));
    }

    /**
     * A guard against work that follows the levels one by one, not a measure of speed: each read took 2.5 to 3.5 s, and takes
     * some 20 ms now; a second of a shared machine tells the two apart.
     */
    private static FileContents readWithinASecond(final byte[] file) throws Exception {
        ParquetFile.read(new BytesContent(file), Set.of("vector"), Set.of("title"), 100);
        final long start = System.nanoTime();
        final FileContents contents = ParquetFile.read(new BytesContent(file), Set.of("vector"), Set.of("title"), 100);
        final long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took < 1_000, "a " + file.length + "-byte file took " + took + " ms");
        return contents;
    }

    @Test
    void aKilobyteOfBitPackedDefinitionLevelsIsReadForItsFirstRowsOnly() throws Exception {
        assertEquals("a data page of column title whose values end before its 100 values", readWithinASecond(bitPackedDefinitionsFile()).unreadable());
    }

    @Test
    void aKilobyteOfBitPackedRepetitionLevelsIsReadAStretchOfEqualLevelsAtATime() throws Exception {
        final FileContents contents = readWithinASecond(bitPackedRepetitionsFile());
        assertEquals(134_217_576, contents.column("vector").orElseThrow().lengths().getFirst(), "one row of every level but the last's");
    }

    @Test
    void aKilobyteOfDeltaLengthsOfWidthOneIsReadForItsFirstRowsOnly() throws Exception {
        assertEquals(0, readWithinASecond(deltaWidthOneFile()).column("title").orElseThrow().longestText());
    }
}
