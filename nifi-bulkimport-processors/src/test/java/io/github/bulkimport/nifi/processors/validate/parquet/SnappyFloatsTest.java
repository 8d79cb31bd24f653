package io.github.bulkimport.nifi.processors.validate.parquet;

import io.airlift.compress.snappy.SnappyCompressor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SnappyFloats finds the same non-finite floats at the same ordinals as uncompressing the page whole and checking it, or
 * declines the page: on incompressible floats (nearly all literals), on repeating ones (copies, overlapping ones among them),
 * with NaN and infinities planted anywhere (across a literal's end as well), whatever the prefix written out.
 */
class SnappyFloatsTest {

    private static final int[] PREFIXES = {0, 3, 64, 1000, SnappyFloats.PREFIX};

    /** The faults as text, stretch by stretch: start, end, what. */
    static List<String> drained(final ValueFaults faults) {
        final List<String> stretches = new ArrayList<>();
        while (faults.anyBefore(Long.MAX_VALUE)) {
            stretches.add(faults.start() + "-" + faults.end() + " " + faults.fault().kind());
            faults.placedUpTo(faults.end());
        }
        return stretches;
    }

    /** The faults of uncompressing whole and checking, or {@code null} for bytes that are not Snappy's. */
    static List<String> whole(final byte[] compressed, final int offset, final int length, final int size, final int from, final long count) {
        final byte[] out = new byte[size];
        if (SnappyBytes.uncompress(compressed, offset, length, out, size) == SnappyBytes.CORRUPT) {
            return null;
        }
        final ValueFaults faults = new ValueFaults();
        FloatChecks.plainFloats(out, from, count, faults);
        return drained(faults);
    }

    /** The faults SnappyFloats finds, or {@code null} when it declines the page. */
    static List<String> fused(final int prefix, final byte[] compressed, final int offset, final int length, final int size, final int from,
                              final long count) {
        final SnappyFloats floats = new SnappyFloats(prefix);
        final byte[] out = new byte[size];
        Arrays.fill(out, (byte) 0x7F);
        if (!floats.read(compressed, offset, length, out, size, false, false)) {
            return null;
        }
        final ValueFaults faults = new ValueFaults();
        floats.checkFloats(from, count, faults);
        return drained(faults);
    }

    private static byte[] page(final float[] values, final int lead) {
        final ByteBuffer page = ByteBuffer.allocate(lead + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        page.position(lead);
        for (final float value : values) {
            page.putFloat(value);
        }
        return page.array();
    }

    private static byte[] snappy(final byte[] page) {
        final SnappyCompressor compressor = new SnappyCompressor();
        final byte[] compressed = new byte[compressor.maxCompressedLength(page.length)];
        return Arrays.copyOf(compressed, compressor.compress(page, 0, page.length, compressed, 0, compressed.length));
    }

    private static void agree(final byte[] page, final int lead, final boolean mustRead) {
        final byte[] compressed = snappy(page);
        final long count = (page.length - lead) / 4;
        final List<String> expected = whole(compressed, 0, compressed.length, page.length, lead, count);
        for (final int prefix : PREFIXES) {
            final List<String> found = fused(prefix, compressed, 0, compressed.length, page.length, lead, count);
            if (mustRead) {
                assertTrue(found != null, "declined a page it suits, prefix " + prefix);
            }
            if (found != null) {
                assertEquals(expected, found, "prefix " + prefix);
            }
        }
    }

    @Test
    void incompressibleFloatsWithBadOnesAnywhere() {
        final Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            final float[] values = new float[1 + random.nextInt(20_000)];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextFloat() * 2 - 1;
            }
            for (int bad = random.nextInt(4); bad > 0; bad--) {
                values[random.nextInt(values.length)] = switch (random.nextInt(3)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.POSITIVE_INFINITY;
                    default -> Float.NEGATIVE_INFINITY;
                };
            }
            agree(page(values, random.nextInt(9)), random.nextInt(9) & ~3, false);
        }
    }

    @Test
    void repeatingFloatsAreCopiesThatOverlap() {
        final Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            final float[] values = new float[1 + random.nextInt(5_000)];
            final float[] pattern = {random.nextFloat(), Float.NaN, random.nextFloat(), Float.NEGATIVE_INFINITY, random.nextFloat()};
            final int period = 1 + random.nextInt(pattern.length);
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(50) == 0 ? random.nextFloat() : pattern[i % period];
            }
            agree(page(values, 0), 0, false);
        }
    }

    @Test
    void aPageOfLiteralsIsReadWithoutWritingItOut() {
        final float[] values = new float[300_000];
        final Random random = new Random(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        values[123_457] = Float.NaN;
        values[299_999] = Float.POSITIVE_INFINITY;
        final byte[] page = page(values, 0);
        agree(page, 0, true);
        final byte[] compressed = snappy(page);
        final byte[] out = new byte[page.length];
        assertTrue(new SnappyFloats().read(compressed, 0, compressed.length, out, page.length, false, false));
        // past the prefix only the copies were written: the literals' floats were checked where they are stored
        assertFalse(Arrays.equals(page, out));
        assertEquals(List.of("123457-123458 NON_FINITE", "299999-300000 NON_FINITE"), fused(SnappyFloats.PREFIX, compressed, 0, compressed.length,
                page.length, 0, values.length));
    }

    @Test
    void aBadFloatAcrossTwoLiteralsIsFound() {
        // Snappy's writers compress 64 KiB blocks, whose literals end at the block's end: two bytes into the page, a float lies
        // across each such end
        final float[] values = new float[70_000];
        final Random random = new Random(13);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        values[16_383] = Float.NaN;
        values[32_767] = Float.NEGATIVE_INFINITY;
        final byte[] page = page(values, 2);
        agree(page, 2, true);
        final byte[] compressed = snappy(page);
        assertEquals(List.of("16383-16384 NON_FINITE", "32767-32768 NON_FINITE"), fused(SnappyFloats.PREFIX, compressed, 0, compressed.length,
                page.length, 2, values.length));
    }

    @Test
    void bytesThatAreNotSnappysAreDeclined() {
        final Random random = new Random(5);
        final float[] values = new float[30_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        final byte[] page = page(values, 0);
        final byte[] compressed = snappy(page);
        for (int round = 0; round < 500; round++) {
            final byte[] broken = compressed.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                broken[random.nextInt(broken.length)] ^= (byte) (1 << random.nextInt(8));
            }
            final int length = random.nextInt(10) == 0 ? random.nextInt(broken.length) : broken.length;
            final List<String> expected = whole(broken, 0, length, page.length, 0, values.length);
            for (final int prefix : PREFIXES) {
                final List<String> found = fused(prefix, broken, 0, length, page.length, 0, values.length);
                if (expected == null) {
                    assertEquals(null, found, "read bytes SnappyBytes calls corrupt, prefix " + prefix);
                } else if (found != null) {
                    assertEquals(expected, found, "prefix " + prefix);
                }
            }
        }
    }

    @Test
    void levelsPastThePrefixAreDeclined() {
        final ByteBuffer page = ByteBuffer.allocate(200_000).order(ByteOrder.LITTLE_ENDIAN);
        page.putInt(100_000);
        final Random random = new Random(9);
        for (int i = 4; i < page.capacity(); i++) {
            page.put(i, (byte) random.nextInt());
        }
        final byte[] compressed = snappy(page.array());
        final byte[] out = new byte[page.capacity()];
        assertFalse(new SnappyFloats().read(compressed, 0, compressed.length, out, out.length, true, false));
        assertTrue(new SnappyFloats().read(compressed, 0, compressed.length, out, out.length, false, false));
        page.putInt(0, 1_000);
        final byte[] near = snappy(page.array());
        assertTrue(new SnappyFloats().read(near, 0, near.length, out, out.length, true, false));
        assertFalse(new SnappyFloats().read(near, 0, near.length, out, out.length, true, true), "the definition levels' length is random bytes");
    }
}
