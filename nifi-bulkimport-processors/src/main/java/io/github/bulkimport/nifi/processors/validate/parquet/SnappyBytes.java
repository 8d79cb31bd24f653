package io.github.bulkimport.nifi.processors.validate.parquet;

/**
 * Uncompresses Snappy's raw format (a varint of the uncompressed length, then literals and copies), as strictly as Go's
 * snappy package that Milvus reads Parquet with: a copy from offset 0 or from before the output's start, a literal or a copy
 * past the output's end or a literal past the input's end is corrupt, and so is an output shorter than its length says.
 * Literals are copied with {@link System#arraycopy}: a page of incompressible floats is nearly all literals, which aircompressor's
 * decoder copies eight bytes at a time. Every index is checked before it is used, so that no bytes make it throw.
 */
final class SnappyBytes {

    /** What {@link #uncompress} returns for bytes that are not Snappy's. */
    static final int CORRUPT = -1;

    static final int LITERAL = 0;
    static final int COPY_1_BYTE_OFFSET = 1;
    static final int COPY_2_BYTE_OFFSET = 2;
    /** Literal tags from 60 on give the length in the next one to four bytes. */
    static final int LONG_LITERAL = 60;

    private SnappyBytes() {
    }

    /**
     * Uncompresses the {@code length} bytes of {@code in} from {@code offset} into the first {@code size} bytes of {@code out}
     * (which holds them), {@code size} the length the bytes must start with. Returns {@code size}, or {@link #CORRUPT}.
     */
    static int uncompress(final byte[] in, final int offset, final int length, final byte[] out, final int size) {
        final int end = offset + length;
        int ip = afterLength(in, offset, end, size);
        if (ip < 0) {
            return CORRUPT;
        }
        int op = 0;
        while (ip < end) {
            final int tag = in[ip++] & 0xFF;
            final int kind = tag & 3;
            if (kind == LITERAL) {
                long literal = tag >>> 2;
                if (literal >= LONG_LITERAL) {
                    final int bytes = (int) literal - LONG_LITERAL + 1;
                    if (end - ip < bytes) {
                        return CORRUPT;
                    }
                    literal = littleEndian(in, ip, bytes);
                    ip += bytes;
                }
                literal++;
                if (literal > end - ip || literal > size - op) {
                    return CORRUPT;
                }
                System.arraycopy(in, ip, out, op, (int) literal);
                ip += (int) literal;
                op += (int) literal;
                continue;
            }
            final int copy;
            final long distance;
            if (kind == COPY_1_BYTE_OFFSET) {
                if (end - ip < 1) {
                    return CORRUPT;
                }
                copy = 4 + (tag >>> 2 & 7);
                distance = (tag & 0xE0) << 3 | in[ip] & 0xFF;
                ip++;
            } else {
                final int bytes = kind == COPY_2_BYTE_OFFSET ? 2 : 4;
                if (end - ip < bytes) {
                    return CORRUPT;
                }
                copy = 1 + (tag >>> 2);
                distance = littleEndian(in, ip, bytes);
                ip += bytes;
            }
            if (distance <= 0 || distance > op || copy > size - op) {
                return CORRUPT;
            }
            op = repeat(out, op, (int) distance, copy);
        }
        return op == size ? size : CORRUPT;
    }

    /** Copies {@code copy} bytes from {@code distance} back to {@code op}; where they overlap, the bytes repeat. Returns the new end. */
    static int repeat(final byte[] out, final int op, final int distance, final int copy) {
        final int from = op - distance;
        int at = op;
        int left = copy;
        while (left > 0) {
            // out[from, at) is the pattern repeated so far: it grows with each copy
            final int n = Math.min(left, at - from);
            System.arraycopy(out, from, out, at, n);
            at += n;
            left -= n;
        }
        return at;
    }

    /** Where the bytes after the leading length start, or {@link #CORRUPT} when it is not {@code size} in a varint of at most five bytes. */
    static int afterLength(final byte[] in, final int offset, final int end, final int size) {
        long value = 0;
        for (int i = offset; i < end && i < offset + 5; i++) {
            value |= (long) (in[i] & 0x7F) << (7 * (i - offset));
            if ((in[i] & 0x80) == 0) {
                return value == size ? i + 1 : CORRUPT;
            }
        }
        return CORRUPT;
    }

    static long littleEndian(final byte[] in, final int at, final int bytes) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= (long) (in[at + i] & 0xFF) << (8 * i);
        }
        return value;
    }
}
