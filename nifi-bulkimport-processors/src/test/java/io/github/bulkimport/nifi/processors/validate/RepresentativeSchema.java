package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;

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

    /** The problems ValidateBulkImportFile finds in what was read of a file, against both collections. */
    public static List<String> problems(final FileContents contents) {
        final List<String> problems = new ArrayList<>();
        for (final CollectionSchema schema : List.of(DYNAMIC, STRICT)) {
            problems.addAll(SchemaRules.check(new SchemaRules.Target(schema, null, contents.bytesRead(), 16L << 30, "Milvus"), contents));
        }
        return problems;
    }
}
