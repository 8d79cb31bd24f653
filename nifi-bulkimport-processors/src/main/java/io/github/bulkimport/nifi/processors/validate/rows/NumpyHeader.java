package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .npy} file's header, which is all Milvus checks before it reads the data: the
 * array's element type ({@code descr}), order and shape. A NumPy file holds one field, named by the
 * file (for {@code vector.npy}, the field {@code vector}).
 */
public final class NumpyHeader {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 64 * 1024;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Text: unicode ({@code <U8}) or bytes ({@code |S8}), both of which Milvus reads for VarChar and JSON fields. */
    private static final Pattern STRING_TYPE = Pattern.compile("[<>|=]?[US](\\d+)");

    private NumpyHeader() {
    }

    /** @param field the field the file holds */
    public static FileContents read(final Content content, final String field) throws IOException {
        try (CountingStream in = new CountingStream(content.openAt(0))) {
            final byte[] start = in.readNBytes(MAGIC.length + 2);
            for (int i = 0; i < MAGIC.length; i++) {
                if (start.length < MAGIC.length || start[i] != MAGIC[i]) {
                    return FileContents.unreadable(FileFormat.NUMPY, "no NumPy magic (\\x93NUMPY) at its start", in.count());
                }
            }
            final int major = start.length > MAGIC.length ? start[MAGIC.length] : 0;
            final long headerLength = major == 1 ? littleEndian(in.readNBytes(2)) : littleEndian(in.readNBytes(4));
            if (headerLength < 0 || headerLength > MAX_HEADER) {
                return FileContents.unreadable(FileFormat.NUMPY, "a NumPy header of " + headerLength + " bytes", in.count());
            }
            final String header = new String(in.readNBytes((int) headerLength), major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            return contents(header, field, in.count());
        }
    }

    private static FileContents contents(final String header, final String field, final long bytesRead) {
        final Matcher descr = DESCR.matcher(header);
        final Matcher fortran = FORTRAN.matcher(header);
        final Matcher shape = SHAPE.matcher(header);
        if (!descr.find() || !shape.find()) {
            return FileContents.unreadable(FileFormat.NUMPY, "a NumPy header without descr or shape: " + header.strip(), bytesRead);
        }
        if (fortran.find() && "True".equals(fortran.group(1))) {
            return FileContents.unreadable(FileFormat.NUMPY, "an array in Fortran order, which Milvus does not read; save it in C order", bytesRead);
        }
        final List<Long> dimensions = new ArrayList<>();
        for (final String dimension : shape.group(1).split(",")) {
            if (!dimension.isBlank()) {
                dimensions.add(Long.parseLong(dimension.strip()));
            }
        }
        if (dimensions.isEmpty() || dimensions.size() > 2) {
            return FileContents.unreadable(FileFormat.NUMPY, "an array of shape (" + shape.group(1).strip() + "), where Milvus reads one row "
                    + "per entry of the first dimension: (rows,) or (rows, dim)", bytesRead);
        }
        final String type = descr.group(1);
        final ColumnKind kind = kindOf(type);
        final Matcher text = STRING_TYPE.matcher(type);
        final Integer longestText = text.matches() ? Integer.valueOf(text.group(1)) : null;
        final int rows = (int) Math.min(Integer.MAX_VALUE, dimensions.get(0));
        final FileColumn column = dimensions.size() == 2
                ? FileColumn.typed(field, ColumnKind.LIST, kind, List.of((int) Math.min(Integer.MAX_VALUE, dimensions.get(1))), null)
                : FileColumn.typed(field, kind, null, List.of(), longestText);
        return new FileContents(FileFormat.NUMPY, List.of(column), rows, null, bytesRead);
    }

    /** The kind of a NumPy type string: {@code <f4} is float, {@code |u1} uint8, {@code <U32} and {@code |S32} text (either byte order). */
    static ColumnKind kindOf(final String type) {
        final String bare = type.replaceFirst("^[<>|=]", "");
        return switch (bare) {
            case "b1", "?" -> ColumnKind.BOOL;
            case "i1" -> ColumnKind.INT8;
            case "i2" -> ColumnKind.INT16;
            case "i4" -> ColumnKind.INT32;
            case "i8" -> ColumnKind.INT64;
            case "u1" -> ColumnKind.UINT8;
            case "f2" -> ColumnKind.FLOAT16;
            case "f4" -> ColumnKind.FLOAT;
            case "f8" -> ColumnKind.DOUBLE;
            default -> STRING_TYPE.matcher(type).matches() ? ColumnKind.STRING : ColumnKind.OTHER;
        };
    }

    private static long littleEndian(final byte[] bytes) {
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = value << 8 | bytes[i] & 0xFF;
        }
        return value;
    }
}
