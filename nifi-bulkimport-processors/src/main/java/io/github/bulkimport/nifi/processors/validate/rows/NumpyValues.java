package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.Fault;
import io.github.bulkimport.nifi.processors.validate.file.TextValue;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads every value of a NumPy file whose header is sound, a buffer at a time: 32- and 64-bit floats checked
 * for being finite (as Milvus checks a float vector's), and text (fixed-width UTF-32 {@code U} or bytes
 * {@code S}, each value ending at its first NUL) checked for its length in UTF-8 bytes, its encoding and, for a
 * JSON field, its JSON. A row is one entry of the first dimension; a value's fault is its row's.
 */
public final class NumpyValues {

    private static final int BUFFER = 1 << 20;

    private final BadRows sink;
    private final ColumnRules rules;
    private long lastRow = -1;

    private NumpyValues(final ColumnRules rules, final BadRows sink) {
        this.rules = rules;
        this.sink = sink;
    }

    /**
     * Checks every value of the file as {@code rules} says; a file whose values are not read for these rules is checked at no cost.
     *
     * @throws IOException only when reading the content itself failed
     */
    public static WholeFile check(final Content content, final NumpyHeader.Layout layout, final ColumnRules rules, final BadRows sink)
            throws IOException {
        final NumpyType type = NumpyType.of(layout.descr());
        final long rows = layout.shape().getFirst();
        final long perRow = layout.shape().size() == 2 ? layout.shape().get(1) : 1;
        final boolean floats = rules.finite() != ColumnRules.Finite.NONE && (type.kind() == ColumnKind.FLOAT || type.kind() == ColumnKind.DOUBLE);
        final boolean text = type.isText() && (rules.maxBytes() != null || rules.utf8() || rules.json() != ColumnRules.Json.NONE);
        if (!floats && !text || rows == 0 || perRow == 0) {
            return new WholeFile(rows, null, null, 0);
        }
        if (type.itemBytes() == 0) {
            // text zero characters wide ('<U0', 'S0'): every value is the empty text, checked once for all the rows
            final Fault fault = TextValue.fault(new byte[0], 0, 0, rules);
            if (fault != null) {
                sink.bad(0, rows, rules.column(), fault);
            }
            return new WholeFile(rows, null, null, 0);
        }
        if (type.itemBytes() > BUFFER) {
            return new WholeFile(0, null, "text " + type.textWidth() + " characters wide, more than the validator reads of one value", 0);
        }
        final ByteOrder order = layout.descr().startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final NumpyValues values = new NumpyValues(rules, sink);
        final int itemBytes = (int) type.itemBytes();
        final byte[] buffer = new byte[BUFFER - BUFFER % itemBytes];
        final long count = rows * perRow;
        long read = 0;
        try (InputStream in = content.openAt(layout.dataOffset())) {
            long index = 0;
            while (index < count) {
                final int items = (int) Math.min(count - index, buffer.length / itemBytes);
                final int n = in.readNBytes(buffer, 0, items * itemBytes);
                read += n;
                if (n < items * itemBytes) {
                    return new WholeFile(index / perRow, "a file that ends inside its data", null, read);
                }
                final ByteBuffer view = ByteBuffer.wrap(buffer, 0, n).order(order);
                for (int i = 0; i < items; i++) {
                    final Fault fault = floats ? values.number(view, i, itemBytes) : values.text(buffer, i * itemBytes, type, order);
                    if (fault != null) {
                        values.bad((index + i) / perRow, fault);
                    }
                }
                index += items;
            }
        }
        return new WholeFile(rows, null, null, read);
    }

    private Fault number(final ByteBuffer view, final int i, final int itemBytes) {
        final double value = itemBytes == 4 ? view.getFloat(i * 4) : view.getDouble(i * 8);
        final boolean finite = rules.finite() == ColumnRules.Finite.FLOAT32 ? Float.isFinite((float) value) : Double.isFinite(value);
        if (finite) {
            return null;
        }
        return new Fault(Fault.Kind.NON_FINITE, Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf")
                : value + ", beyond a 32-bit float");
    }

    /** A fixed-width text value: its bytes up to the first NUL ({@code S}), or its UTF-32 code points up to the first 0 ({@code U}), as UTF-8. */
    private Fault text(final byte[] b, final int offset, final NumpyType type, final ByteOrder order) {
        final int width = (int) type.textWidth();
        if (type.itemBytes() == width) {
            int end = offset;
            while (end < offset + width && b[end] != 0) {
                end++;
            }
            return TextValue.fault(b, offset, end, rules);
        }
        final byte[] utf8 = new byte[4 * width];
        int length = 0;
        for (int k = 0; k < width; k++) {
            final int at = offset + 4 * k;
            final int codePoint = order == ByteOrder.LITTLE_ENDIAN
                    ? b[at] & 0xFF | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24
                    : b[at + 3] & 0xFF | (b[at + 2] & 0xFF) << 8 | (b[at + 1] & 0xFF) << 16 | (b[at] & 0xFF) << 24;
            if (codePoint == 0) {
                break;
            }
            if (codePoint < 0 || codePoint > Character.MAX_CODE_POINT || codePoint >= 0xD800 && codePoint <= 0xDFFF) {
                return new Fault(Fault.Kind.NOT_UTF8, "text that is not valid UTF-32 (the code point " + Integer.toHexString(codePoint) + ")");
            }
            length = encode(codePoint, utf8, length);
        }
        return TextValue.fault(utf8, 0, length, rules);
    }

    private static int encode(final int codePoint, final byte[] out, final int at) {
        if (codePoint < 0x80) {
            out[at] = (byte) codePoint;
            return at + 1;
        }
        if (codePoint < 0x800) {
            out[at] = (byte) (0xC0 | codePoint >> 6);
            out[at + 1] = (byte) (0x80 | codePoint & 0x3F);
            return at + 2;
        }
        if (codePoint < 0x10000) {
            out[at] = (byte) (0xE0 | codePoint >> 12);
            out[at + 1] = (byte) (0x80 | codePoint >> 6 & 0x3F);
            out[at + 2] = (byte) (0x80 | codePoint & 0x3F);
            return at + 3;
        }
        out[at] = (byte) (0xF0 | codePoint >> 18);
        out[at + 1] = (byte) (0x80 | codePoint >> 12 & 0x3F);
        out[at + 2] = (byte) (0x80 | codePoint >> 6 & 0x3F);
        out[at + 3] = (byte) (0x80 | codePoint & 0x3F);
        return at + 4;
    }

    /** A row told once, whatever the number of its faulty values. */
    private void bad(final long row, final Fault fault) {
        if (row != lastRow) {
            lastRow = row;
            sink.bad(row, 1, rules.column(), fault);
        }
    }
}
