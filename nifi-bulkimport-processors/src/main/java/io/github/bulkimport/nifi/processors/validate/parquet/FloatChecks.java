package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Fault;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the numbers that are not finite (NaN, infinities) among a page's floats and doubles, straight from
 * the page's bytes: blocks of values are folded into one test without a branch per value, and only a
 * block that holds a non-finite value is looked into. A double that becomes infinite as a 32-bit float
 * (Milvus converts a float vector's doubles) is not finite as one.
 */
final class FloatChecks {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int FLOAT_EXPONENT = 0x7F80_0000;
    private static final long FLOAT_EXPONENTS = 0x7F80_0000_7F80_0000L;
    private static final long EXPONENT_ONE = 0x0080_0000L;
    private static final long EXPONENT_ONES = 0x0080_0000_0080_0000L;
    private static final long SIGNS = 0x8000_0000_8000_0000L;
    private static final long DOUBLE_EXPONENT = 0x7FF0_0000_0000_0000L;
    private static final int BLOCK = 512;

    private FloatChecks() {
    }

    /** PLAIN floats: {@code count} little-endian values from {@code offset}. */
    static void plainFloats(final byte[] b, final int offset, final long count, final ValueFaults faults) {
        plainFloats(b, offset, count, 0, faults);
    }

    /** The same, the first of them value {@code firstOrdinal} of its page. */
    static void plainFloats(final byte[] b, final int offset, final long count, final long firstOrdinal, final ValueFaults faults) {
        for (long block = 0; block < count; block += BLOCK) {
            final int n = (int) Math.min(BLOCK, count - block);
            final int start = offset + (int) (block << 2);
            if (anyExponentAllOnes(b, start, n)) {
                for (int i = 0; i < n; i++) {
                    final float value = Float.intBitsToFloat((int) INT.get(b, start + (i << 2)));
                    if (!Float.isFinite(value)) {
                        faults.add(firstOrdinal + block + i, 1, nonFinite(value));
                    }
                }
            }
        }
    }

    /**
     * Whether any of the {@code n} floats from {@code start} has an exponent of all ones (NaN, infinity), two floats a long:
     * adding one to an exponent field carries into the float's sign bit only when the field is all ones, and never into the
     * next float once the sign bits are cleared.
     */
    private static boolean anyExponentAllOnes(final byte[] b, final int start, final int n) {
        long carries = 0;
        final int pairs = n >>> 1;
        for (int i = 0; i < pairs; i++) {
            carries |= ((long) LONG.get(b, start + (i << 3)) & FLOAT_EXPONENTS) + EXPONENT_ONES;
        }
        if ((n & 1) != 0) {
            carries |= ((int) INT.get(b, start + ((n - 1) << 2)) & FLOAT_EXPONENT) + EXPONENT_ONE;
        }
        return (carries & SIGNS) != 0;
    }

    /** PLAIN doubles, finite as doubles or, with {@code asFloat}, as the 32-bit floats Milvus makes of them. */
    static void plainDoubles(final byte[] b, final int offset, final long count, final boolean asFloat, final ValueFaults faults) {
        for (long block = 0; block < count; block += BLOCK) {
            final int n = (int) Math.min(BLOCK, count - block);
            final int start = offset + (int) (block << 3);
            boolean suspect = false;
            if (asFloat) {
                for (int i = 0; i < n; i++) {
                    suspect |= !Float.isFinite((float) Double.longBitsToDouble((long) LONG.get(b, start + (i << 3))));
                }
            } else {
                long folded = -1;
                for (int i = 0; i < n; i++) {
                    folded &= ((long) LONG.get(b, start + (i << 3)) & DOUBLE_EXPONENT) - DOUBLE_EXPONENT;
                }
                suspect = folded >= 0;
            }
            if (suspect) {
                for (int i = 0; i < n; i++) {
                    final double value = Double.longBitsToDouble((long) LONG.get(b, start + (i << 3)));
                    if (asFloat ? !Float.isFinite((float) value) : !Double.isFinite(value)) {
                        faults.add(block + i, 1, nonFinite(value));
                    }
                }
            }
        }
    }

    /**
     * BYTE_STREAM_SPLIT: the values' first bytes, then their second bytes, and so on ({@code width} streams of
     * {@code count} bytes). A float's exponent is in its two last bytes, a double's in its two last.
     */
    static void streamSplit(final byte[] b, final int offset, final int count, final int width, final boolean asFloat, final ValueFaults faults) {
        final int high = offset + (width - 1) * count;
        final int next = offset + (width - 2) * count;
        for (int i = 0; i < count; i++) {
            final int top = b[high + i] & 0x7F;
            final int below = b[next + i] & 0xFF;
            final boolean allOnes = width == 4 ? top == 0x7F && (below & 0x80) != 0 : top == 0x7F && (below & 0xF0) == 0xF0;
            if (allOnes || width == 8 && asFloat) {
                final double value = width == 4 ? Float.intBitsToFloat(gather(b, offset, count, i, 4)) : Double.longBitsToDouble(gatherLong(b, offset, count, i));
                if (asFloat ? !Float.isFinite((float) value) : !Double.isFinite(value)) {
                    faults.add(i, 1, nonFinite(value));
                }
            }
        }
    }

    private static int gather(final byte[] b, final int offset, final int count, final int i, final int width) {
        int bits = 0;
        for (int k = 0; k < width; k++) {
            bits |= (b[offset + k * count + i] & 0xFF) << (8 * k);
        }
        return bits;
    }

    private static long gatherLong(final byte[] b, final int offset, final int count, final int i) {
        long bits = 0;
        for (int k = 0; k < 8; k++) {
            bits |= (long) (b[offset + k * count + i] & 0xFF) << (8 * k);
        }
        return bits;
    }

    /** The fault of a value that is not finite, named as Go prints it: NaN, +Inf, -Inf, or the number beyond a float. */
    static Fault nonFinite(final double value) {
        if (Double.isNaN(value)) {
            return NAN;
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? PLUS_INFINITY : MINUS_INFINITY;
        }
        return new Fault(Fault.Kind.NON_FINITE, value + ", beyond a 32-bit float");
    }

    private static final Fault NAN = new Fault(Fault.Kind.NON_FINITE, "NaN");
    private static final Fault PLUS_INFINITY = new Fault(Fault.Kind.NON_FINITE, "+Inf");
    private static final Fault MINUS_INFINITY = new Fault(Fault.Kind.NON_FINITE, "-Inf");
}
