package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an import job finds when it reads its files from the emulator's bucket, a local folder:
 * a file that is not there, one that cannot be read, or one that breaks the collection's schema,
 * each with the reason Milvus gives. Files are read whole, every row, one row at a time, with real readers
 * (Apache Parquet's, Jackson's), so the emulator's verdict does not share code with the validator's; a job
 * fails at its file's first bad row, as Milvus's do.
 */
public final class FileChecker {

    private final Path bucket;
    private final CollectionSchemas schemas;

    public FileChecker(final Path bucket, final CollectionSchemas schemas) {
        this.bucket = bucket.toAbsolutePath().normalize();
        this.schemas = schemas;
    }

    /** Why a job's file (one path, or a set of NumPy files) would fail in this collection, or {@code null}. */
    public String failure(final String collection, final List<String> group, final Map<String, String> options) {
        return read(collection, group, options).failure();
    }

    /** A job's file (one path, or a set of NumPy files) read as an import into this collection: why it fails, or what it imports. */
    public FileReport read(final String collection, final List<String> group, final Map<String, String> options) {
        final Schema schema = schemas.schema(collection);
        if (group.stream().allMatch(path -> path.toLowerCase(Locale.ROOT).endsWith(".npy"))) {
            final String problem = numpySet(schema, group);
            // a NumPy set's rows are not counted: its arrays are checked by their headers only
            return problem == null ? new FileReport(null, 0, Map.of()) : FileReport.failed(problem);
        }
        final String path = group.getFirst();
        final Path file = resolve(path);
        if (file == null || !Files.isRegularFile(file)) {
            return FileReport.failed("failed to get file size of '" + path + "': the file does not exist in the bucket");
        }
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        final ValueTally tally = new ValueTally(schema, name.endsWith(".parquet"));
        final String problem;
        if (name.endsWith(".parquet")) {
            problem = ParquetTable.check(file, types -> MilvusRules.checkColumns(schema, types),
                    tally.counting((index, row) -> atRow(MilvusRules.checkRow(schema, row, MilvusRules.Format.PARQUET, null), index)));
        } else if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            problem = TextTable.json(file, tally.counting((index, row) -> atRow(MilvusRules.checkRow(schema, row, MilvusRules.Format.JSON, null), index)));
        } else if (name.endsWith(".csv")) {
            final String sep = options.getOrDefault("sep", ",");
            final String nullKey = options.getOrDefault("nullkey", "");
            problem = TextTable.csv(file, sep.charAt(0), nullKey, tally.counting((index, row) -> atRow(MilvusRules.checkRow(schema, row,
                    MilvusRules.Format.CSV, nullKey), index)));
        } else {
            return FileReport.failed("unexpected file type, files should be Parquet, JSON, CSV or NumPy: " + path);
        }
        return problem == null ? new FileReport(null, tally.rows(), tally.values()) : FileReport.failed("failed to parse file " + path + ": " + problem);
    }

    /** A row's problem, naming the row (from 1), so that tests can tell which row failed: Milvus's own reasons do not. */
    private static String atRow(final String problem, final long index) {
        return problem == null ? null : problem + " (row " + (index + 1) + ")";
    }

    private String numpySet(final Schema schema, final List<String> group) {
        final Set<String> provided = new HashSet<>();
        for (final String path : group) {
            final Path file = resolve(path);
            if (file == null || !Files.isRegularFile(file)) {
                return "failed to get file size of '" + path + "': the file does not exist in the bucket";
            }
            final String field = file.getFileName().toString().replaceFirst("\\.npy$", "");
            provided.add(field);
            final String problem = NumpyRules.check(schema, field, file);
            if (problem != null) {
                return "failed to parse file " + path + ": " + problem;
            }
        }
        for (final Schema.Field field : schema.fields()) {
            if (!field.generated() && !field.optional() && !provided.contains(field.name())) {
                return "no file for field '" + field.name() + "' in the numpy files " + group;
            }
        }
        return null;
    }

    /** The file a job's path names inside the bucket: a path as Milvus gives it, or the key of an object URL; {@code null} outside the bucket. */
    private Path resolve(final String path) {
        String key = path;
        if (path.contains("://")) {
            final URI uri = URI.create(path);
            key = uri.getPath() == null ? "" : uri.getPath();
            if ("https".equalsIgnoreCase(uri.getScheme())) {
                // https://account.blob.core.windows.net/container/blob: the container is the bucket
                key = key.replaceFirst("^/[^/]+", "");
            }
        }
        final Path file = bucket.resolve(key.replaceFirst("^/+", "")).normalize();
        return file.startsWith(bucket) ? file : null;
    }

    /** NumPy's header against the field a file is named after, then its values. */
    static final class NumpyRules {

        private static final ObjectMapper STRICT_JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

        private NumpyRules() {
        }

        static String check(final Schema schema, final String fieldName, final Path file) {
            final Schema.Field field = schema.field(fieldName).orElse(null);
            if (field == null) {
                return "the field '" + fieldName + "' is not in the schema";
            }
            final NumpyFile array;
            try {
                array = NumpyFile.read(file);
            } catch (final IOException e) {
                return "failed to read numpy file: " + e.getMessage();
            }
            if (array.fortranOrder()) {
                return "fortran order is not supported";
            }
            final String type = array.type().replaceFirst("^[<>|=]", "");
            final boolean vector = field.isVector();
            final String expected = switch (field.type()) {
                case "Bool" -> "b1";
                case "Int8", "Int8Vector" -> "i1";
                case "Int16" -> "i2";
                case "Int32" -> "i4";
                case "Int64" -> "i8";
                case "Float" -> "f4";
                case "Double" -> "f8";
                case "FloatVector" -> type.equals("f8") ? "f8" : "f4";
                case "BinaryVector" -> "u1";
                case "Float16Vector", "BFloat16Vector" -> type.equals("f2") ? "f2" : "u1";
                case "VarChar", "String", "JSON" -> type.matches("[US]\\d+") ? type : "U";
                default -> null;
            };
            if (expected == null) {
                return "numpy import does not support field type " + field.type();
            }
            if (!type.equals(expected)) {
                return "illegal numpy data type " + array.type() + " for field '" + field.name() + "' of type " + field.type();
            }
            if (vector != (array.shape().length == 2)) {
                return "the shape of numpy file " + file.getFileName() + " does not fit field '" + field.name() + "'";
            }
            if (vector && field.dim() != null) {
                final long perRow = switch (field.type()) {
                    case "BinaryVector" -> field.dim() / 8;
                    case "Float16Vector", "BFloat16Vector" -> type.equals("u1") ? field.dim() * 2L : field.dim();
                    default -> field.dim();
                };
                if (array.shape()[1] != perRow) {
                    return "expected dim '" + field.dim() + "' for field '" + field.name() + "' with type '" + field.type() + "', got dim '"
                            + ("BinaryVector".equals(field.type()) ? array.shape()[1] * 8 : array.shape()[1]) + "'";
                }
            }
            try {
                return values(field, array, type, file);
            } catch (final IOException e) {
                return "failed to read numpy file: " + e.getMessage();
            }
        }

        /**
         * The numpy FieldReader's checks of every value: VerifyFloats32 / VerifyFloats64 of floats, CheckVarcharLength of each
         * decoded text (UTF-32 up to its first 0), json.Unmarshal of each JSON field's text.
         */
        private static String values(final Schema.Field field, final NumpyFile array, final String type, final Path file) throws IOException {
            final boolean floats = type.equals("f4") || type.equals("f8");
            final boolean text = type.matches("[US]\\d+");
            if (!floats && !text || floats && !List.of("FloatVector", "Float", "Double").contains(field.type())) {
                return null;
            }
            final int width = floats ? Integer.parseInt(type.substring(1)) : Integer.parseInt(type.substring(1)) * (type.startsWith("U") ? 4 : 1);
            final ByteOrder order = array.type().startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            final long perRow = array.shape().length == 2 ? array.shape()[1] : 1;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                in.skipNBytes(array.dataOffset());
                final byte[] item = new byte[width];
                // as many values as the shape says: text zero characters wide ('<U0') has no bytes to run out of
                final long values = array.shape().length == 0 ? 1 : array.shape()[0] * perRow;
                for (long index = 0; index < values && in.readNBytes(item, 0, width) == width; index++) {
                    final ByteBuffer value = ByteBuffer.wrap(item).order(order);
                    final String problem;
                    if (floats) {
                        final double number = width == 4 ? value.getFloat() : value.getDouble();
                        problem = Double.isFinite(number) && (width == 8 || Float.isFinite((float) number)) ? null
                                : "value '" + (Double.isNaN(number) ? "NaN" : number > 0 ? "+Inf" : "-Inf") + "' is not a number or infinity";
                    } else {
                        problem = text(field, item, type.startsWith("U"), order);
                    }
                    if (problem != null) {
                        return problem + " (row " + (index / perRow + 1) + ")";
                    }
                }
            }
            return null;
        }

        private static String text(final Schema.Field field, final byte[] item, final boolean utf32, final ByteOrder order) {
            final StringBuilder decoded = new StringBuilder();
            if (utf32) {
                final ByteBuffer buffer = ByteBuffer.wrap(item).order(order);
                while (buffer.remaining() >= 4) {
                    final int codePoint = buffer.getInt();
                    if (codePoint == 0) {
                        break;
                    }
                    decoded.appendCodePoint(codePoint);
                }
            } else {
                int end = 0;
                while (end < item.length && item[end] != 0) {
                    end++;
                }
                decoded.append(new String(item, 0, end, StandardCharsets.UTF_8));
            }
            final String value = decoded.toString();
            if ("JSON".equals(field.type())) {
                try {
                    STRICT_JSON.readTree(value);
                    return value.isBlank() ? "failed to parse value '' for JSON field '" + field.name() + "', error: unexpected end of JSON input" : null;
                } catch (final JsonProcessingException e) {
                    return "failed to parse value '" + value + "' for JSON field '" + field.name() + "', error: " + e.getOriginalMessage();
                }
            }
            final int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            return field.maxLength() != null && bytes > field.maxLength()
                    ? "value length(" + bytes + ") for field " + field.name() + " exceeds max_length(" + field.maxLength() + ")" : null;
        }
    }
}
