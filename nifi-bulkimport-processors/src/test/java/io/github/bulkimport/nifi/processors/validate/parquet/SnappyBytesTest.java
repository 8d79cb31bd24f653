package io.github.bulkimport.nifi.processors.validate.parquet;

import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SnappyBytes against aircompressor's decoder: the same bytes from what aircompressor's compressor wrote (incompressible,
 * repetitive, mixed), and, for bytes damaged at random, never accepting what aircompressor refuses, nor throwing.
 */
class SnappyBytesTest {

    @Test
    void uncompressesWhatWasCompressed() {
        final Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            final byte[] data = data(random, random.nextInt(round < 10 ? 20 : 200_000));
            final byte[] compressed = compress(data);
            final byte[] out = new byte[data.length + random.nextInt(16)];
            assertEquals(data.length, SnappyBytes.uncompress(compressed, 0, compressed.length, out, data.length), "round " + round);
            assertArrayEquals(data, Arrays.copyOf(out, data.length), "round " + round);
        }
    }

    @Test
    void acceptsNoDamagedBytesThatAircompressorRefuses() {
        final Random random = new Random(4);
        for (int round = 0; round < 3000; round++) {
            final byte[] data = data(random, 1 + random.nextInt(3000));
            final byte[] compressed = compress(data);
            final int offset = random.nextInt(3);
            final byte[] damaged = new byte[offset + compressed.length + random.nextInt(3) - 1];
            System.arraycopy(compressed, 0, damaged, offset, Math.min(compressed.length, damaged.length - offset));
            for (int k = random.nextInt(4); k > 0; k--) {
                damaged[offset + random.nextInt(damaged.length - offset)] = (byte) random.nextInt(256);
            }
            final int length = damaged.length - offset;
            final byte[] ours = new byte[data.length];
            final int result = SnappyBytes.uncompress(damaged, offset, length, ours, data.length);
            byte[] theirs = new byte[data.length];
            int theirResult;
            try {
                theirResult = SnappyDecompressor.getUncompressedLength(damaged, offset) == data.length
                        ? new SnappyDecompressor().decompress(damaged, offset, length, theirs, 0, data.length) : SnappyBytes.CORRUPT;
            } catch (final RuntimeException refused) {
                theirResult = SnappyBytes.CORRUPT;
            }
            if (result != SnappyBytes.CORRUPT) {
                assertEquals(data.length, theirResult, "round " + round + ": accepted bytes aircompressor refuses");
                assertArrayEquals(theirs, ours, "round " + round);
            }
        }
    }

    @Test
    void refusesACopyFromOffsetZero() {
        // 8 bytes: a literal of 4, then a copy of 4 from offset 0 (aircompressor copies the output's stale bytes)
        final byte[] bytes = {8, 3 << 2, 'a', 'b', 'c', 'd', 1, 0};
        assertEquals(SnappyBytes.CORRUPT, SnappyBytes.uncompress(bytes, 0, bytes.length, new byte[8], 8));
        final byte[] fromOffsetFour = {8, 3 << 2, 'a', 'b', 'c', 'd', 1, 4};
        final byte[] out = new byte[8];
        assertEquals(8, SnappyBytes.uncompress(fromOffsetFour, 0, fromOffsetFour.length, out, 8));
        assertArrayEquals("abcdabcd".getBytes(java.nio.charset.StandardCharsets.US_ASCII), out);
    }

    @Test
    void refusesALiteralOfFourGigabytes() {
        final byte[] bytes = {4, (byte) (63 << 2), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4};
        assertEquals(SnappyBytes.CORRUPT, SnappyBytes.uncompress(bytes, 0, bytes.length, new byte[4], 4));
    }

    @Test
    void repeatsAPatternShorterThanItsCopy() {
        // "ab", then a copy of 11 bytes from 2 back: "ab" repeated, cut in the middle
        final byte[] bytes = {13, 1 << 2, 'a', 'b', (byte) (7 << 2 | 1), 2};
        final byte[] out = new byte[13];
        assertEquals(13, SnappyBytes.uncompress(bytes, 0, bytes.length, out, 13));
        assertArrayEquals("ababababababa".getBytes(java.nio.charset.StandardCharsets.US_ASCII), out);
    }

    private static byte[] data(final Random random, final int size) {
        final byte[] data = new byte[size];
        final int kind = random.nextInt(3);
        for (int i = 0; i < size; i++) {
            data[i] = switch (kind) {
                case 0 -> (byte) random.nextInt();
                case 1 -> (byte) (i % (1 + i / 1000 % 7));
                default -> random.nextInt(10) == 0 ? (byte) random.nextInt() : (byte) (i / 64);
            };
        }
        return data;
    }

    private static byte[] compress(final byte[] data) {
        final SnappyCompressor compressor = new SnappyCompressor();
        final byte[] out = new byte[compressor.maxCompressedLength(data.length)];
        return Arrays.copyOf(out, compressor.compress(data, 0, data.length, out, 0, out.length));
    }
}
