package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;

/**
 * A NumPy element type as a header's {@code descr} writes it ({@code <f4}, {@code |u1}, {@code <U32}, {@code |S32}):
 * the kind Milvus reads it as, the bytes one element takes, and for text its width.
 *
 * @param itemBytes the bytes of one element, at most {@link Long#MAX_VALUE}; 0 when the type is not one Milvus reads
 * @param textWidth for text, its width in characters ({@code U}) or bytes ({@code S}), at most {@link Long#MAX_VALUE};
 *                  else -1
 */
record NumpyType(ColumnKind kind, long itemBytes, long textWidth) {

    private static final String BYTE_ORDERS = "<>|=";

    /** The type of a descr; text (unicode or bytes) is what Milvus reads for VarChar and JSON fields. */
    static NumpyType of(final String descr) {
        final String bare = !descr.isEmpty() && BYTE_ORDERS.indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
        return switch (bare) {
            case "b1", "?" -> new NumpyType(ColumnKind.BOOL, 1, -1);
            case "i1" -> new NumpyType(ColumnKind.INT8, 1, -1);
            case "i2" -> new NumpyType(ColumnKind.INT16, 2, -1);
            case "i4" -> new NumpyType(ColumnKind.INT32, 4, -1);
            case "i8" -> new NumpyType(ColumnKind.INT64, 8, -1);
            case "u1" -> new NumpyType(ColumnKind.UINT8, 1, -1);
            case "f2" -> new NumpyType(ColumnKind.FLOAT16, 2, -1);
            case "f4" -> new NumpyType(ColumnKind.FLOAT, 4, -1);
            case "f8" -> new NumpyType(ColumnKind.DOUBLE, 8, -1);
            default -> text(bare);
        };
    }

    private static NumpyType text(final String bare) {
        if (bare.length() < 2 || bare.charAt(0) != 'U' && bare.charAt(0) != 'S') {
            return new NumpyType(ColumnKind.OTHER, 0, -1);
        }
        long width = 0;
        for (int i = 1; i < bare.length(); i++) {
            final char c = bare.charAt(i);
            if (c < '0' || c > '9') {
                return new NumpyType(ColumnKind.OTHER, 0, -1);
            }
            width = width > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : width * 10 + (c - '0');
        }
        // a unicode character takes 4 bytes (UTF-32), a bytes character 1
        final long itemBytes = bare.charAt(0) == 'U' ? (width > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : width * 4) : width;
        return new NumpyType(ColumnKind.STRING, itemBytes, width);
    }

    boolean isText() {
        return textWidth >= 0;
    }
}
