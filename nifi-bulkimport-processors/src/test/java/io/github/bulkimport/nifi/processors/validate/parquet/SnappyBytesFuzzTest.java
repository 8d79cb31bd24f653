package io.github.bulkimport.nifi.processors.validate.parquet;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.airlift.compress.snappy.SnappyDecompressor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SnappyBytes over any bytes, against aircompressor's decoder as the oracle: it returns the size it was given or
 * CORRUPT, never throws, and accepts nothing aircompressor refuses, with the same bytes out where it accepts. The size
 * is the page header's uncompressed size, which the caller has checked against the page's bounds: here at most 64 KiB.
 */
class SnappyBytesFuzzTest {

    private static final int MAX_SIZE = 1 << 16;

    @FuzzTest(maxDuration = "5m")
    void uncompress(final FuzzedDataProvider data) {
        final int size = data.consumeInt(0, MAX_SIZE);
        final int offset = data.consumeInt(0, 3);
        final byte[] compressed = data.consumeRemainingAsBytes();
        final byte[] in = new byte[offset + compressed.length];
        System.arraycopy(compressed, 0, in, offset, compressed.length);
        final byte[] ours = new byte[size];

        final int result = SnappyBytes.uncompress(in, offset, compressed.length, ours, size);

        if (result == SnappyBytes.CORRUPT) {
            return;
        }
        assertEquals(size, result);
        final byte[] theirs = new byte[size];
        final int theirResult;
        try {
            theirResult = new SnappyDecompressor().decompress(in, offset, compressed.length, theirs, 0, size);
        } catch (final RuntimeException refused) {
            throw new AssertionError("accepted bytes aircompressor refuses: " + refused.getMessage());
        }
        assertEquals(size, theirResult, "aircompressor made another length of the same bytes");
        assertArrayEquals(theirs, ours, "other bytes than aircompressor's");
    }
}
