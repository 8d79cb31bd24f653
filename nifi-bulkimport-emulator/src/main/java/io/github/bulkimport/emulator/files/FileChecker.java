package io.github.bulkimport.emulator.files;

import java.io.IOException;
import java.net.URI;
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
 * each with the reason Milvus gives. Files are read whole, with real readers (Apache Parquet's,
 * Jackson's), so the emulator's verdict does not share code with the validator's.
 */
public final class FileChecker {

    /** Rows read of each file: enough for the tests' files, bounded for big ones. */
    private static final int MAX_ROWS = 100_000;

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
        final Table table;
        final boolean cells = name.endsWith(".csv");
        if (name.endsWith(".parquet")) {
            table = ParquetTable.read(file, MAX_ROWS);
        } else if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            table = TextTable.json(file, MAX_ROWS);
        } else if (cells) {
            final String sep = options.getOrDefault("sep", ",");
            table = TextTable.csv(file, sep.charAt(0), options.getOrDefault("nullkey", ""), MAX_ROWS);
        } else {
            return FileReport.failed("unexpected file type, files should be Parquet, JSON, CSV or NumPy: " + path);
        }
        if (table.unreadable() != null) {
            return FileReport.failed(table.unreadable());
        }
        final String problem = MilvusRules.check(schema, table, cells);
        return problem == null ? new FileReport(null, table.rows().size(), ValueTally.of(schema, table))
                : FileReport.failed("failed to parse file " + path + ": " + problem);
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

    /** NumPy's header against the field a file is named after. */
    static final class NumpyRules {

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
            if (field.maxLength() != null && type.matches("[US]\\d+") && Integer.parseInt(type.substring(1)) > field.maxLength()) {
                return "length of varchar field " + field.name() + " exceeds max length, max length: " + field.maxLength();
            }
            return null;
        }
    }
}
