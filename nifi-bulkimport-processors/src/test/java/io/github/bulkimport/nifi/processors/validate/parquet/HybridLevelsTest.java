package io.github.bulkimport.nifi.processors.validate.parquet;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Levels read stretch by stretch (bit-packed runs short and long, RLE runs, levels of one to three bits) are the levels
 * written, as are the levels counted; a bit-packed run cut short reads 0 past its bytes.
 */
class HybridLevelsTest {

    @Test
    void readsWhatWasWritten() throws MalformedParquetException {
        final Random random = new Random(11);
        for (int round = 0; round < 400; round++) {
            final int maxLevel = 1 + random.nextInt(round % 3 == 0 ? 1 : 7);
            final int[] levels = new int[1 + random.nextInt(3000)];
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < levels.length; ) {
                final int n = Math.min(levels.length - i, 1 + random.nextInt(random.nextBoolean() ? 8 : 900));
                if (random.nextBoolean()) {
                    final int level = random.nextInt(maxLevel + 1);
                    Arrays.fill(levels, i, i + n, level);
                    rle(out, n, level, maxLevel);
                    i += n;
                } else {
                    // whole groups of eight, the levels past the page's count written as well
                    final int groups = (n + 7) / 8;
                    final int[] packed = new int[groups * 8];
                    final int repeated = random.nextInt(maxLevel + 1);
                    for (int k = 0; k < packed.length; k++) {
                        packed[k] = random.nextInt(4) == 0 ? random.nextInt(maxLevel + 1) : repeated;
                    }
                    System.arraycopy(packed, 0, levels, i, Math.min(packed.length, levels.length - i));
                    packed(out, packed, maxLevel);
                    i += packed.length;
                }
            }
            final byte[] bytes = out.toByteArray();
            assertArrayEquals(levels, walked(bytes, maxLevel, levels.length), "round " + round);
            final int target = random.nextInt(maxLevel + 1);
            assertEquals(Arrays.stream(levels).filter(level -> level == target).count(),
                    HybridLevels.of(ByteBuffer.wrap(bytes), maxLevel, "a page", "definition", levels.length).count(levels.length, target), "round " + round);
        }
    }

    @Test
    void readsZerosPastTheBytesOfARunCutShort() throws MalformedParquetException {
        // a run of 16 groups of one-bit levels declared, two bytes of them given: 1s, then 0s to the run's end
        final byte[] bytes = {(byte) (16 << 1 | 1), (byte) 0xFF, (byte) 0xFF};
        final int[] levels = new int[128];
        Arrays.fill(levels, 0, 16, 1);
        assertArrayEquals(levels, walked(bytes, 1, levels.length));
    }

    private static int[] walked(final byte[] bytes, final int maxLevel, final int count) throws MalformedParquetException {
        final HybridLevels levels = HybridLevels.of(ByteBuffer.wrap(bytes), maxLevel, "a page", "repetition", count);
        final int[] read = new int[count];
        for (int i = 0; i < count; ) {
            final int n = (int) Math.min(count - i, levels.span());
            Arrays.fill(read, i, i + n, levels.level());
            levels.advance(n);
            i += n;
        }
        return read;
    }

    private static void rle(final ByteArrayOutputStream out, final int n, final int level, final int maxLevel) {
        varInt(out, n << 1);
        for (int b = 0; b < (HybridLevels.bitWidth(maxLevel) + 7) / 8; b++) {
            out.write(level >>> (8 * b) & 0xFF);
        }
    }

    private static void packed(final ByteArrayOutputStream out, final int[] levels, final int maxLevel) {
        final int width = HybridLevels.bitWidth(maxLevel);
        varInt(out, levels.length / 8 << 1 | 1);
        final byte[] bits = new byte[levels.length * width / 8];
        for (int i = 0; i < levels.length; i++) {
            for (int k = 0; k < width; k++) {
                if ((levels[i] >>> k & 1) != 0) {
                    final int bit = i * width + k;
                    bits[bit >>> 3] |= (byte) (1 << (bit & 7));
                }
            }
        }
        out.writeBytes(bits);
    }

    private static void varInt(final ByteArrayOutputStream out, final int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.write(v & 0x7F | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}
