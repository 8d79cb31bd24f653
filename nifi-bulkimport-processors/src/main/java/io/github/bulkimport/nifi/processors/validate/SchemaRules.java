package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.processors.validate.file.Fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what was read of a file against a collection's schema, as the server would check it
 * during the import, and says every problem on a line of its own: the field, what it expected, what
 * it found. The rules follow Milvus's import readers: a field the server generates (an auto-ID
 * primary key, a function's output) must be left out, a nullable field or one with a default may
 * be, every other one must be there and convert to its type; dynamic fields travel in {@code $meta}
 * (and, in JSON and CSV rows, as keys of their own).
 */
final class SchemaRules {

    /** The longest name of a file's column a message shows: a file may name its columns anything. */
    private static final int SHOWN_NAME = 100;

    /** What the file is checked against besides its columns. */
    record Target(CollectionSchema schema, String partition, long fileSize, long maxFileBytes, String limitOwner) {
    }

    private final Target target;
    private final FileContents contents;
    /** Whether every row's values are checked elsewhere (Whole File): only what the file declares is checked here. */
    private final boolean rowsCheckedWhole;
    private final List<String> problems = new ArrayList<>();
    /** The file's columns and the schema's field names, looked up by name: a file may have thousands of columns. */
    private final Map<String, FileColumn> columns = new HashMap<>();
    private final Set<String> fieldNames = new HashSet<>();

    private SchemaRules(final Target target, final FileContents contents, final boolean rowsCheckedWhole) {
        this.target = target;
        this.contents = contents;
        this.rowsCheckedWhole = rowsCheckedWhole;
        for (final FileColumn column : contents.columns()) {
            columns.putIfAbsent(column.name(), column);
        }
        for (final FieldSchema field : target.schema().fields()) {
            fieldNames.add(field.name());
        }
    }

    /** Every problem found, one per line; empty when the file would import. */
    static List<String> check(final Target target, final FileContents contents) {
        return check(target, contents, false);
    }

    /**
     * @param rowsCheckedWhole whether every row is checked on its own (Whole File): the values of the first rows are then left to
     *                         that check, and only what the file declares (columns, types, a NumPy shape) is checked here; a JSON
     *                         file declares nothing, each row naming its keys
     */
    static List<String> check(final Target target, final FileContents contents, final boolean rowsCheckedWhole) {
        final SchemaRules rules = new SchemaRules(target, contents, rowsCheckedWhole);
        rules.checkFile();
        return rules.problems;
    }

    private void problem(final String subject, final String expected, final String found) {
        problems.add(subject + ": expected " + expected + ", found " + found);
    }

    private void checkFile() {
        final CollectionSchema schema = target.schema();
        if (target.fileSize() > target.maxFileBytes()) {
            problem("file", "at most " + gigabytes(target.maxFileBytes()) + " (" + target.limitOwner() + "'s limit for one file)", gigabytes(target.fileSize()));
        }
        if (target.partition() != null && schema.partitionKey().isPresent()) {
            problem("Partition Name", "none, since collection " + schema.name() + " has the partition key " + schema.partitionKey().get().name(),
                    "\"" + target.partition() + "\"");
        }
        if (contents.unreadable() != null) {
            problem("file", "a " + contents.format().displayName() + " file as Milvus reads it", contents.unreadable());
            return;
        }
        if (contents.format() == FileFormat.NUMPY) {
            checkNumpyField(contents.columns().getFirst());
            return;
        }
        if (rowsCheckedWhole && contents.format() == FileFormat.JSON) {
            return;
        }
        for (final FieldSchema field : schema.fields()) {
            checkField(field);
        }
        for (final FileColumn column : contents.columns()) {
            if (!fieldNames.contains(column.name())) {
                checkExtraColumn(column);
            }
        }
    }

    private void checkNumpyField(final FileColumn column) {
        final FieldSchema field = target.schema().field(column.name()).orElse(null);
        if (field == null) {
            problem(shown(column.name()), "a field of collection " + target.schema().name() + " (a NumPy file holds the field it is named after)",
                    "no field of that name");
            return;
        }
        if (field.forbidden()) {
            problem(field.name(), "no file, since " + whyForbidden(field), "one");
            return;
        }
        if (field.type() == FieldType.ARRAY || field.type() == FieldType.SPARSE_FLOAT_VECTOR) {
            problem(field.name(), "no NumPy file: Milvus does not import " + field.type().apiName() + " fields from NumPy", "one");
            return;
        }
        checkTyped(field, column);
    }

    private void checkField(final FieldSchema field) {
        final FileColumn column = columns.get(field.name());
        if (field.forbidden()) {
            if (column != null) {
                problem(field.name(), "no " + columnWord() + ", since " + whyForbidden(field), "one");
            }
            return;
        }
        if (column == null) {
            if (field.required()) {
                problem(field.name(), field.describeType(), "no " + (contents.format() == FileFormat.JSON ? "such key in any row checked" : "column"));
            }
            return;
        }
        if (column.isTyped()) {
            checkTyped(field, column);
        } else if (!rowsCheckedWhole) {
            checkValues(field, column);
        }
    }

    /** What a field is in this file: a JSON row's key, a column elsewhere. */
    private String columnWord() {
        return contents.format() == FileFormat.JSON ? "key" : "column";
    }

    static String whyForbidden(final FieldSchema field) {
        return field.functionOutput() ? "a function of the collection fills it" : "the server generates this primary key (autoId)";
    }

    private void checkTyped(final FieldSchema field, final FileColumn column) {
        final FileFormat format = contents.format();
        if (!KindRules.converts(column, field, format)) {
            problem(field.name(), field.describeType() + " (" + KindRules.expectedKind(field, format) + ")", column.describeKind());
            return;
        }
        if (field.type().isDenseVector()) {
            final Integer length = KindRules.vectorLength(field, column.elementKind());
            final int row = firstRowNot(column.lengths(), length);
            if (row >= 0) {
                problem(field.name(), field.describeType() + " (" + length + " " + (column.elementKind() == ColumnKind.UINT8 ? "bytes" : "values")
                        + " a row)", "a list of " + column.lengths().get(row) + rowText(row, format));
            }
        } else if (field.maxCapacity() != null) {
            for (int row = 0; row < column.lengths().size(); row++) {
                if (column.lengths().get(row) > field.maxCapacity()) {
                    problem(field.name(), field.describeType(), "a list of " + column.lengths().get(row) + rowText(row, format));
                    break;
                }
            }
        }
        if (field.maxLength() != null && column.longestText() != null && column.longestText() > field.maxLength() && !rowsCheckedWhole) {
            problem(field.name(), field.describeType() + " (at most " + field.maxLength() + " bytes)", format == FileFormat.NUMPY
                    ? "text up to " + column.longestText() + " long (the width of the file's NumPy type)"
                    : "a value of " + column.longestText() + " bytes in the first rows");
        }
    }

    /** The index of the first length that is not {@code expected}, or -1. */
    private static int firstRowNot(final List<Integer> lengths, final Integer expected) {
        if (expected == null) {
            return -1;
        }
        for (int row = 0; row < lengths.size(); row++) {
            if (!lengths.get(row).equals(expected)) {
                return row;
            }
        }
        return -1;
    }

    private static String rowText(final int row, final FileFormat format) {
        return format == FileFormat.NUMPY ? " in every row" : " in row " + (row + 1);
    }

    private void checkValues(final FieldSchema field, final FileColumn column) {
        final List<JsonNode> values = column.values();
        for (int row = 0; row < values.size(); row++) {
            final Fault fault = ValueRules.rowFault(values.get(row), field, column.cells() ? column.nullKey() : null);
            if (fault != null) {
                problem(field.name(), field.describeType() + (field.nullable() ? " or null" : ""), fault.found() + " in row " + (row + 1));
                return;
            }
        }
    }

    private void checkExtraColumn(final FileColumn column) {
        final CollectionSchema schema = target.schema();
        if (CollectionSchema.META_FIELD.equals(column.name())) {
            if (!schema.dynamicField()) {
                problem(shown(column.name()), "no " + columnWord() + ", since the dynamic field of collection " + schema.name() + " is off", "one");
            } else if (column.isTyped() && column.kind() != ColumnKind.STRING) {
                problem(shown(column.name()), "the dynamic fields as a string of a JSON object", column.describeKind());
            } else if (!column.isTyped() && !rowsCheckedWhole) {
                checkDynamicValues(column);
            }
            return;
        }
        if (!schema.dynamicField()) {
            problem(shown(column.name()), "no " + columnWord() + ", since collection " + schema.name() + " has no such field and its dynamic field is off "
                    + "(Milvus 2.6 and later skip it, earlier servers refuse the file)", "one");
        } else if (contents.format() == FileFormat.PARQUET) {
            problem(shown(column.name()), "it inside $meta, since Milvus reads a Parquet file's dynamic fields only from $meta and skips other columns",
                    "a column of its own");
        }
    }

    private void checkDynamicValues(final FileColumn column) {
        for (int row = 0; row < column.values().size(); row++) {
            final JsonNode value = column.values().get(row);
            final boolean nullKey = column.cells() && value.asText().equals(column.nullKey());
            if (!value.isMissingNode() && !value.isNull() && !nullKey && !ValueRules.dynamicFields(value)) {
                problem(shown(column.name()), "the dynamic fields as a JSON object (or a string of one)", ValueRules.describe(value) + " in row " + (row + 1));
                return;
            }
        }
    }

    private static String shown(final String name) {
        return name == null ? "null" : VisibleText.bound(name, SHOWN_NAME);
    }

    private static String gigabytes(final long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}
