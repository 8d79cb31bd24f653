package io.github.bulkimport.nifi.processors.validate.parquet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PLAIN floats checked two a long find every value that is not finite, wherever it sits in its block and its page. */
class FloatChecksTest {

    private static final float[] NOT_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7FC0_0001),
        Float.intBitsToFloat(0xFF80_0001)};
    private static final float[] EDGES = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0.0f, 0.0f, Float.intBitsToFloat(0x7F7F_FFFF),
        Float.intBitsToFloat(0x0080_0000), 1.0f, -1.0f};

    @Test
    void findsEachValueThatIsNotFiniteAtEveryPlace() {
        for (final int count : new int[] {1, 2, 3, 511, 512, 513, 1025}) {
            for (final int offset : new int[] {0, 1, 3}) {
                for (final int at : new int[] {0, 1, count / 2, count - 2, count - 1}) {
                    if (at < 0 || at >= count) {
                        continue;
                    }
                    for (final float bad : NOT_FINITE) {
                        final float[] values = finite(count, at + count);
                        values[at] = bad;
                        assertEquals(naive(values), found(values, offset), count + " values, " + bad + " at " + at + ", offset " + offset);
                    }
                }
            }
        }
    }

    @Test
    void takesTheLargestAndSmallestFiniteFloatsAsFinite() {
        final float[] values = new float[EDGES.length * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = EDGES[i % EDGES.length];
        }
        assertEquals(List.of(), found(values, 1));
    }

    @Test
    void findsManyAmongRandomBits() {
        final Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            final float[] values = new float[1 + random.nextInt(2000)];
            for (int i = 0; i < values.length; i++) {
                // one exponent in sixteen all ones
                final int bits = random.nextInt();
                values[i] = Float.intBitsToFloat(random.nextInt(16) == 0 ? bits | 0x7F80_0000 : bits);
            }
            assertEquals(naive(values), found(values, round % 5), "round " + round);
        }
    }

    private static float[] finite(final int count, final int seed) {
        final Random random = new Random(seed);
        final float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = EDGES[random.nextInt(EDGES.length)] * (random.nextBoolean() ? 1 : 0.5f);
        }
        return values;
    }

    private static List<String> naive(final float[] values) {
        final List<String> faults = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                faults.add(i + ": " + FloatChecks.nonFinite(values[i]));
            }
        }
        return faults;
    }

    private static List<String> found(final float[] values, final int offset) {
        final ByteBuffer bytes = ByteBuffer.allocate(offset + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            bytes.putFloat(offset + 4 * i, values[i]);
        }
        final ValueFaults faults = new ValueFaults();
        FloatChecks.plainFloats(bytes.array(), offset, values.length, faults);
        final List<String> found = new ArrayList<>();
        while (faults.anyBefore(Long.MAX_VALUE)) {
            for (long i = faults.start(); i < faults.end(); i++) {
                found.add(i + ": " + faults.fault());
            }
            faults.placedUpTo(faults.end());
        }
        return found;
    }
}
