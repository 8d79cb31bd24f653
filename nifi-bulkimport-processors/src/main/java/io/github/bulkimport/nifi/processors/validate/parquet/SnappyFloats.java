package io.github.bulkimport.nifi.processors.validate.parquet;

import java.util.Arrays;

/**
 * A Snappy data page (version 1) of PLAIN floats checked without writing most of it out: its first bytes (the levels) are
 * uncompressed as {@link SnappyBytes} does, and past them only the copies are; a float in a literal is checked where the
 * literal lies in the stored bytes. Writing a page of incompressible floats out costs about a fifth of a whole-file check,
 * and such a page is nearly all literals. Any page this way does not suit (levels past the first bytes, many elements or copied
 * bytes, bytes that are not Snappy's) is left to be uncompressed whole, which judges it as before: the two ways never disagree.
 */
final class SnappyFloats {

    /** The bytes always written out: a page's levels come first, and take a few kilobytes. */
    static final int PREFIX = 64 * 1024;
    /** More literals and copies than this past the prefix, or more bytes copied: uncompressing the page whole is cheaper. */
    private static final int MAX_ELEMENTS = 4096;
    private static final int MAX_COPIED = 64 * 1024;

    private final int prefix;

    SnappyFloats() {
        this(PREFIX);
    }

    /** @param prefix the bytes always written out (tests make it small, so that small pages have literals past it) */
    SnappyFloats(final int prefix) {
        this.prefix = prefix;
    }

    /** Past the prefix, the literals and copies in order: where each starts in the output, and where a literal's bytes are stored (-1: a copy, written out). */
    private int[] outStarts = new int[64];
    private int[] inStarts = new int[64];
    private int elements;
    /** The output written out from 0 up to here, and the copies past it. */
    private int prefixEnd;
    private byte[] in;
    private byte[] out;
    private int size;

    /** The output buffer: the prefix and the copies written, the rest stale. */
    byte[] out() {
        return out;
    }

    /**
     * Reads the {@code length} Snappy bytes of {@code in} from {@code offset}, which uncompress to {@code size} bytes, into {@code out}
     * as far as this class writes; returns whether the page suits (its bytes are sound Snappy, and its levels, led by their lengths
     * as {@code repetition} and {@code definition} say, lie in the prefix), else the caller uncompresses it whole. {@code in} must
     * stay as it is while the page's floats are checked.
     */
    boolean read(final byte[] in, final int offset, final int length, final byte[] out, final int size, final boolean repetition,
                 final boolean definition) {
        this.in = in;
        this.out = out;
        this.size = size;
        elements = 0;
        prefixEnd = size;
        final int end = offset + length;
        int ip = SnappyBytes.afterLength(in, offset, end, size);
        if (ip < 0) {
            return false;
        }
        int op = 0;
        int copied = 0;
        while (ip < end) {
            final int tag = in[ip++] & 0xFF;
            final int kind = tag & 3;
            if (kind == SnappyBytes.LITERAL) {
                long literal = tag >>> 2;
                if (literal >= SnappyBytes.LONG_LITERAL) {
                    final int bytes = (int) literal - SnappyBytes.LONG_LITERAL + 1;
                    if (end - ip < bytes) {
                        return false;
                    }
                    literal = SnappyBytes.littleEndian(in, ip, bytes);
                    ip += bytes;
                }
                literal++;
                if (literal > end - ip || literal > size - op) {
                    return false;
                }
                if (op < prefix) {
                    System.arraycopy(in, ip, out, op, (int) literal);
                } else if (!element(op, ip)) {
                    return false;
                }
                ip += (int) literal;
                op += (int) literal;
                continue;
            }
            final int copy;
            final long distance;
            if (kind == SnappyBytes.COPY_1_BYTE_OFFSET) {
                if (end - ip < 1) {
                    return false;
                }
                copy = 4 + (tag >>> 2 & 7);
                distance = (tag & 0xE0) << 3 | in[ip] & 0xFF;
                ip++;
            } else {
                final int bytes = kind == SnappyBytes.COPY_2_BYTE_OFFSET ? 2 : 4;
                if (end - ip < bytes) {
                    return false;
                }
                copy = 1 + (tag >>> 2);
                distance = SnappyBytes.littleEndian(in, ip, bytes);
                ip += bytes;
            }
            if (distance <= 0 || distance > op || copy > size - op) {
                return false;
            }
            if (op < prefix) {
                op = SnappyBytes.repeat(out, op, (int) distance, copy);
                continue;
            }
            copied += copy;
            if (copied > MAX_COPIED || !element(op, -1)) {
                return false;
            }
            // byte by byte, in order: a copy that overlaps itself reads the bytes it has just written
            for (int i = 0; i < copy; i++) {
                out[op + i] = byteAt(op + i - (int) distance);
            }
            op += copy;
        }
        return op == size && levelsInPrefix(repetition, definition);
    }

    private boolean element(final int outStart, final int inStart) {
        if (elements == 0) {
            prefixEnd = outStart;
        }
        if (elements == MAX_ELEMENTS) {
            return false;
        }
        if (elements == outStarts.length) {
            outStarts = Arrays.copyOf(outStarts, elements * 2);
            inStarts = Arrays.copyOf(inStarts, elements * 2);
        }
        outStarts[elements] = outStart;
        inStarts[elements] = inStart;
        elements++;
        return true;
    }

    /** Whether the levels' lengths and bytes lie in the prefix, so that reading them reads what was written. */
    private boolean levelsInPrefix(final boolean repetition, final boolean definition) {
        long at = 0;
        for (final boolean present : new boolean[] {repetition, definition}) {
            if (present) {
                if (at + 4 > prefixEnd) {
                    return false;
                }
                final long length = SnappyBytes.littleEndian(out, (int) at, 4);
                at += 4 + length;
            }
        }
        return at <= prefixEnd;
    }

    /** Output byte {@code p}, which lies before the output written so far. */
    private byte byteAt(final int p) {
        if (p < prefixEnd) {
            return out[p];
        }
        int low = 0;
        int high = elements - 1;
        while (low < high) {
            final int middle = (low + high + 1) >>> 1;
            if (outStarts[middle] <= p) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return inStarts[low] < 0 ? out[p] : in[inStarts[low] + p - outStarts[low]];
    }

    /** Checks {@code count} floats from output byte {@code from} (the caller has checked that the page holds them), as FloatChecks does. */
    void checkFloats(final int from, final long count, final ValueFaults faults) {
        final long to = from + 4 * count;
        int p = from;
        final int inPrefix = (int) ((Math.min(prefixEnd, to) - from) / 4);
        if (inPrefix > 0) {
            FloatChecks.plainFloats(out, from, inPrefix, faults);
            p += 4 * inPrefix;
        }
        int e = 0;
        while (p < to) {
            while (e + 1 < elements && outStarts[e + 1] <= p) {
                e++;
            }
            final int elementEnd = e + 1 < elements ? outStarts[e + 1] : size;
            final long ordinal = (p - from) / 4;
            if (p >= outStarts[e] && p + 4 <= elementEnd) {
                final int n = (int) ((Math.min(elementEnd, to) - p) / 4);
                if (inStarts[e] < 0) {
                    FloatChecks.plainFloats(out, p, n, ordinal, faults);
                } else {
                    FloatChecks.plainFloats(in, inStarts[e] + p - outStarts[e], n, ordinal, faults);
                }
                p += 4 * n;
            } else {
                // a float across two elements (or across the prefix's end)
                final int bits = byteAt(p) & 0xFF | (byteAt(p + 1) & 0xFF) << 8 | (byteAt(p + 2) & 0xFF) << 16 | (byteAt(p + 3) & 0xFF) << 24;
                final float value = Float.intBitsToFloat(bits);
                if (!Float.isFinite(value)) {
                    faults.add(ordinal, 1, FloatChecks.nonFinite(value));
                }
                p += 4;
            }
        }
    }
}
