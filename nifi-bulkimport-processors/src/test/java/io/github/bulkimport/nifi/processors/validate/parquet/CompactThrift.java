package io.github.bulkimport.nifi.processors.validate.parquet;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Thrift's compact protocol written by hand, for messages no writer produces: a list that claims
 * 2^31 elements, a binary of 2^32 - 1 bytes, structures nested 200,000 deep.
 */
public final class CompactThrift {

    public static final int I32 = 5;
    public static final int I64 = 6;
    public static final int BINARY = 8;
    public static final int LIST = 9;
    public static final int STRUCT = 12;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Deque<Integer> lastIds = new ArrayDeque<>();
    private int lastId;

    /** A field's header: its id and compact type. */
    public CompactThrift field(final int id, final int type) {
        final int delta = id - lastId;
        if (delta > 0 && delta <= 15) {
            out.write(delta << 4 | type);
        } else {
            out.write(type);
            varint(zigZag(id));
        }
        lastId = id;
        return this;
    }

    public CompactThrift i32(final int value) {
        return varint(zigZag(value));
    }

    public CompactThrift i64(final long value) {
        return varint(zigZag(value));
    }

    /** A binary's or string's header, with any length (as the unsigned varint Thrift reads). */
    public CompactThrift binaryLength(final long length) {
        return varint(length);
    }

    public CompactThrift string(final String value) {
        final byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        varint(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    /** A list's header with any size (as the unsigned varint Thrift reads). */
    public CompactThrift listHeader(final long size, final int elementType) {
        if (size >= 0 && size < 15) {
            out.write((int) size << 4 | elementType);
        } else {
            out.write(0xF0 | elementType);
            varint(size);
        }
        return this;
    }

    /** Starts a structure (a field's value or a list's element): field ids start again. */
    public CompactThrift beginStruct() {
        lastIds.push(lastId);
        lastId = 0;
        return this;
    }

    public CompactThrift endStruct() {
        out.write(0);
        lastId = lastIds.isEmpty() ? 0 : lastIds.pop();
        return this;
    }

    public CompactThrift raw(final int... bytes) {
        for (final int b : bytes) {
            out.write(b);
        }
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** An unsigned varint of the value's low 64 bits. */
    public CompactThrift varint(final long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.write((int) (rest & 0x7F | 0x80));
            rest >>>= 7;
        }
        out.write((int) rest);
        return this;
    }

    private static long zigZag(final long value) {
        return value << 1 ^ value >> 63;
    }
}
