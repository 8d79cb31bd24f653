package io.github.bulkimport.nifi.processors.validate.parquet;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * SnappyFloats over any bytes, against uncompressing whole with SnappyBytes and checking every float as the oracle: it never
 * throws, never reads bytes SnappyBytes calls corrupt, and where it reads a page it finds the same non-finite floats at the
 * same ordinals. The prefix written out is small here, so that the fuzzer's small pages have literals and copies past it.
 */
class SnappyFloatsFuzzTest {

    private static final int MAX_SIZE = 1 << 16;

    @FuzzTest(maxDuration = "5m")
    void checkFloats(final FuzzedDataProvider data) {
        final int size = data.consumeInt(0, MAX_SIZE);
        final int prefix = data.consumeInt(0, 256);
        final int from = Math.min(size, data.consumeInt(0, 16));
        final long count = (size - from) / 4;
        final byte[] compressed = data.consumeRemainingAsBytes();

        final List<String> expected = SnappyFloatsTest.whole(compressed, 0, compressed.length, size, from, count);
        final List<String> found = SnappyFloatsTest.fused(prefix, compressed, 0, compressed.length, size, from, count);

        if (expected == null) {
            assertNull(found, "read bytes SnappyBytes calls corrupt");
        } else if (found != null) {
            assertEquals(expected, found, "other faults than uncompressing whole");
        }
    }
}
