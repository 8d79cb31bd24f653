package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.processors.validate.rows.PythonLiteral.Bool;
import io.github.bulkimport.nifi.processors.validate.rows.PythonLiteral.Dict;
import io.github.bulkimport.nifi.processors.validate.rows.PythonLiteral.Items;
import io.github.bulkimport.nifi.processors.validate.rows.PythonLiteral.Text;
import io.github.bulkimport.nifi.processors.validate.rows.PythonLiteral.Value;
import io.github.bulkimport.nifi.processors.validate.rows.PythonLiteral.Whole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a {@code .npy} file's header, which is all Milvus checks before it reads the data: the
 * array's element type ({@code descr}), order and shape, and whether the file is long enough for the
 * data the header declares. A NumPy file holds one field, named by the file (for {@code vector.npy},
 * the field {@code vector}).
 */
public final class NumpyHeader {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 64 * 1024;
    private static final int QUOTED = 80;

    private NumpyHeader() {
    }

    /** @param field the field the file holds */
    public static FileContents read(final Content content, final String field) throws IOException {
        try (CountingStream in = new CountingStream(content.openAt(0))) {
            final Object header = header(in);
            if (header instanceof String problem) {
                return unreadable(problem, in);
            }
            final Raw raw = (Raw) header;
            return contents(raw.text(), field, content.size() - raw.dataOffset(), in.count());
        }
    }

    /**
     * Where the data of a file whose header is sound starts, its element type and its shape: for reading every value.
     *
     * @param descr the element type as the header writes it ({@code <f4})
     * @param shape the dimensions, each at least 0
     */
    public record Layout(long dataOffset, String descr, List<Long> shape) {
    }

    /** The layout of a file {@link #read} found sound; {@code null} when it is not. */
    public static Layout layout(final Content content) throws IOException {
        try (CountingStream in = new CountingStream(content.openAt(0))) {
            if (!(header(in) instanceof Raw raw)) {
                return null;
            }
            final Dict dictionary;
            try {
                if (!(PythonLiteral.parse(raw.text()) instanceof Dict dict)) {
                    return null;
                }
                dictionary = dict;
            } catch (final PythonLiteral.Malformed e) {
                return null;
            }
            if (problem(dictionary, content.size() - raw.dataOffset()) != null || !(dictionary.entries().get("descr") instanceof Text descr)) {
                return null;
            }
            return new Layout(raw.dataOffset(), descr.text(), dimensions((Items) dictionary.entries().get("shape")));
        }
    }

    /** A header's text, and where the data after it starts. */
    private record Raw(String text, long dataOffset) {
    }

    /** The header's text, or why it cannot be read (a String). */
    private static Object header(final CountingStream in) throws IOException {
        final byte[] start = in.readNBytes(MAGIC.length + 2);
        for (int i = 0; i < MAGIC.length; i++) {
            if (start.length < MAGIC.length || start[i] != MAGIC[i]) {
                return "no NumPy magic (\\x93NUMPY) at its start";
            }
        }
        if (start.length < MAGIC.length + 2) {
            return "a file that ends before its NumPy format version";
        }
        final int major = start[MAGIC.length] & 0xFF;
        final int minor = start[MAGIC.length + 1] & 0xFF;
        if (major < 1 || major > 3) {
            return "NumPy format version " + major + "." + minor + ", where NumPy writes 1.0, 2.0 or 3.0";
        }
        final int lengthBytes = major == 1 ? 2 : 4;
        final byte[] length = in.readNBytes(lengthBytes);
        if (length.length < lengthBytes) {
            return "a file that ends before the length of its NumPy header";
        }
        final long headerLength = littleEndian(length);
        if (headerLength > MAX_HEADER) {
            return "a NumPy header of " + headerLength + " bytes, where NumPy writes a few hundred (at most " + MAX_HEADER + " are read)";
        }
        final byte[] header = in.readNBytes((int) headerLength);
        if (header.length < headerLength) {
            return "a file that ends inside its NumPy header (" + header.length + " of its " + headerLength + " bytes)";
        }
        return new Raw(new String(header, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1),
                MAGIC.length + 2 + lengthBytes + headerLength);
    }

    private static FileContents contents(final String header, final String field, final long dataBytes, final long bytesRead) {
        final Dict dictionary;
        try {
            if (!(PythonLiteral.parse(header) instanceof Dict dict)) {
                return FileContents.unreadable(FileFormat.NUMPY, "a NumPy header that is not a dictionary: " + quoted(header.strip()), bytesRead);
            }
            dictionary = dict;
        } catch (final PythonLiteral.Malformed e) {
            return FileContents.unreadable(FileFormat.NUMPY, "a NumPy header that is not a Python literal (" + e.getMessage() + ")", bytesRead);
        }
        final String problem = problem(dictionary, dataBytes);
        if (problem != null) {
            return FileContents.unreadable(FileFormat.NUMPY, problem, bytesRead);
        }
        final List<Long> dimensions = dimensions((Items) dictionary.entries().get("shape"));
        final NumpyType type = dictionary.entries().get("descr") instanceof Text descr ? NumpyType.of(descr.text())
                : new NumpyType(ColumnKind.OTHER, 0, -1);
        final int rows = (int) Math.min(Integer.MAX_VALUE, dimensions.get(0));
        final FileColumn column = dimensions.size() == 2
                ? FileColumn.typed(field, ColumnKind.LIST, type.kind(), List.of((int) Math.min(Integer.MAX_VALUE, dimensions.get(1))), null)
                : FileColumn.typed(field, type.kind(), null, List.of(), type.isText() ? (int) type.textWidth() : null);
        return new FileContents(FileFormat.NUMPY, List.of(column), rows, null, bytesRead);
    }

    /** What is wrong with the header's dictionary, or {@code null}: the keys NumPy writes, a C-order array, a shape Milvus reads. */
    private static String problem(final Dict dictionary, final long dataBytes) {
        for (final String key : List.of("descr", "fortran_order", "shape")) {
            if (!dictionary.entries().containsKey(key)) {
                return "a NumPy header without '" + key + "'";
            }
        }
        if (!(dictionary.entries().get("fortran_order") instanceof Bool fortran)) {
            return "a NumPy header whose fortran_order is neither True nor False";
        }
        if (fortran.value()) {
            return "an array in Fortran order, which Milvus does not read; save it in C order";
        }
        final String shapeProblem = shapeProblem(dictionary.entries().get("shape"));
        if (shapeProblem != null) {
            return shapeProblem;
        }
        if (!(dictionary.entries().get("descr") instanceof Text descr)) {
            return null;
        }
        final NumpyType type = NumpyType.of(descr.text());
        if (type.textWidth() > Integer.MAX_VALUE) {
            return "a NumPy type " + quoted(descr.text()) + " of text wider than " + Integer.MAX_VALUE + " characters";
        }
        return dataProblem((Items) dictionary.entries().get("shape"), descr.text(), type, dataBytes);
    }

    private static String shapeProblem(final Value value) {
        if (!(value instanceof Items shape) || !shape.tuple() || !shape.items().stream().allMatch(Whole.class::isInstance)) {
            return "a NumPy header whose shape is not a tuple of whole numbers";
        }
        final String written = written(shape);
        if (shape.items().stream().anyMatch(item -> ((Whole) item).pythonTwoLong())) {
            return "a NumPy header written by Python 2 (shape " + written + "): Milvus's NumPy reader does not read the L suffix; "
                    + "load the array and save it again with Python 3";
        }
        if (shape.items().stream().anyMatch(item -> ((Whole) item).nonNegativeOrMinusOne() < 0)) {
            return "an array of shape " + written + ", a dimension of which is negative or beyond " + Long.MAX_VALUE;
        }
        if (shape.items().isEmpty() || shape.items().size() > 2) {
            return "an array of shape " + written + ", where Milvus reads one row per entry of the first dimension: (rows,) or (rows, dim)";
        }
        return null;
    }

    /** Whether the file holds the bytes its header declares: rows × dim × the type's bytes. */
    private static String dataProblem(final Items shape, final String descr, final NumpyType type, final long dataBytes) {
        if (type.itemBytes() == 0) {
            return null;
        }
        long declared = type.itemBytes();
        for (final long dimension : dimensions(shape)) {
            if (dimension != 0 && declared > Long.MAX_VALUE / dimension) {
                return "an array of shape " + written(shape) + " of " + quoted(descr) + ", more data than a file can hold";
            }
            declared *= dimension;
        }
        if (declared > dataBytes) {
            return "an array of shape " + written(shape) + " of " + quoted(descr) + ", " + declared + " bytes of data, where the file holds "
                    + Math.max(0, dataBytes) + " after its header";
        }
        return null;
    }

    private static List<Long> dimensions(final Items shape) {
        final List<Long> dimensions = new ArrayList<>(shape.items().size());
        for (final Value item : shape.items()) {
            dimensions.add(((Whole) item).nonNegativeOrMinusOne());
        }
        return dimensions;
    }

    /** A shape as Python writes it: {@code (3, 4)}, {@code (3,)}, {@code (3L, 4L)}. */
    private static String written(final Items shape) {
        final String items = shape.items().stream().map(Value::toString).collect(Collectors.joining(", "));
        return VisibleText.bound("(" + items + (shape.items().size() == 1 ? ",)" : ")"), QUOTED);
    }

    private static String quoted(final String text) {
        return "'" + VisibleText.bound(VisibleText.clean(text), QUOTED) + "'";
    }

    private static FileContents unreadable(final String why, final CountingStream in) {
        return FileContents.unreadable(FileFormat.NUMPY, why, in.count());
    }

    private static long littleEndian(final byte[] bytes) {
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = value << 8 | bytes[i] & 0xFF;
        }
        return value;
    }
}
