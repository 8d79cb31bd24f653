package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A collection of every field type Milvus has, with small dimensions and lengths a fuzzer can hit, with its
 * dynamic field on and off; and the rules ValidateBulkImportFile applies to a file read for it, for the
 * readers' fuzz targets, which live in the readers' package.
 */
public final class RepresentativeSchema {

    public static final List<FieldSchema> FIELDS = List.of(
            field("id", FieldType.INT64, null, true, true, false, false, false, null, null, null),
            field("vector", FieldType.FLOAT_VECTOR, null, false, false, false, false, false, 4, null, null),
            field("title", FieldType.VARCHAR, null, false, false, false, false, false, null, 8, null),
            field("legacy", FieldType.STRING, null, false, false, true, false, false, null, 8, null),
            field("tags", FieldType.ARRAY, FieldType.INT64, false, false, false, false, false, null, null, 3),
            field("names", FieldType.ARRAY, FieldType.VARCHAR, false, false, true, false, false, null, 5, 2),
            field("count", FieldType.INT32, null, false, false, false, false, false, null, null, null),
            field("small", FieldType.INT8, null, false, false, true, false, false, null, null, null),
            field("mid", FieldType.INT16, null, false, false, false, true, false, null, null, null),
            field("score", FieldType.FLOAT, null, false, false, true, false, false, null, null, null),
            field("ratio", FieldType.DOUBLE, null, false, false, false, false, false, null, null, null),
            field("flag", FieldType.BOOL, null, false, false, false, false, false, null, null, null),
            field("meta", FieldType.JSON, null, false, false, true, false, false, null, null, null),
            field("bits", FieldType.BINARY_VECTOR, null, false, false, false, false, false, 16, null, null),
            field("half", FieldType.FLOAT16_VECTOR, null, false, false, true, false, false, 2, null, null),
            field("brain", FieldType.BFLOAT16_VECTOR, null, false, false, true, false, false, 2, null, null),
            field("bytes", FieldType.INT8_VECTOR, null, false, false, true, false, false, 4, null, null),
            field("sparse", FieldType.SPARSE_FLOAT_VECTOR, null, false, false, true, false, false, null, null, null),
            field("bm25", FieldType.SPARSE_FLOAT_VECTOR, null, false, false, false, false, true, null, null, null),
            field("tenant", FieldType.VARCHAR, null, false, false, false, true, false, null, 16, null),
            field("other", FieldType.OTHER, null, false, false, true, false, false, null, null, null));

    public static final CollectionSchema DYNAMIC = new CollectionSchema("docs", true, FIELDS);
    public static final CollectionSchema STRICT = new CollectionSchema("strict", false, FIELDS);

    private RepresentativeSchema() {
    }

    private static FieldSchema field(final String name, final FieldType type, final FieldType elementType, final boolean primaryKey,
                                     final boolean autoId, final boolean nullable, final boolean hasDefault, final boolean functionOutput,
                                     final Integer dim, final Integer maxLength, final Integer maxCapacity) {
        return new FieldSchema(name, type, elementType, primaryKey, autoId, "tenant".equals(name), nullable, hasDefault, functionOutput, dim,
                maxLength, maxCapacity);
    }

    /**
     * What Validation Depth Whole File finds in every row of a file whose first pages were read ({@code contents}), against one of
     * the collections, the dynamic field on or off as the file's size is even or odd (reading every row is linear in the file: a
     * fuzz target reads it once): a line per column and rule, and what broke the reading or stopped it. No report is written.
     *
     * @param csvSeparator for a CSV file, its separator
     */
    public static List<String> wholeFileProblems(final Content content, final FileContents contents, final char csvSeparator) throws IOException {
        final List<String> problems = new ArrayList<>();
        if (contents.unreadable() != null) {
            return problems;
        }
        for (final CollectionSchema schema : List.of(content.size() % 2 == 0 ? DYNAMIC : STRICT)) {
            final BadRowTally tally = new BadRowTally(new Expectations(schema), text -> text, null);
            final WholeFile read = WholeFileScan.scan(content, schema, contents, new WholeFileScan.Csv(csvSeparator, ""), tally);
            problems.addAll(tally.problems());
            problems.addAll(tally.firstBadRows());
            if (read.unreadable() != null) {
                problems.add(read.unreadable());
            }
            if (read.uncheckable() != null) {
                problems.add(read.uncheckable());
            }
            if (read.rows() < 0 || tally.badRows() < 0) {
                throw new AssertionError("bad rows " + tally.badRows() + " of " + read.rows() + " rows read");
            }
        }
        return problems;
    }

    /** The problems ValidateBulkImportFile finds in what was read of a file, against both collections. */
    public static List<String> problems(final FileContents contents) {
        final List<String> problems = new ArrayList<>();
        for (final CollectionSchema schema : List.of(DYNAMIC, STRICT)) {
            problems.addAll(SchemaRules.check(new SchemaRules.Target(schema, null, contents.bytesRead(), 16L << 30, "Milvus"), contents));
        }
        return problems;
    }
}
