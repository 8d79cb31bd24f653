package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * What every row of a typed file's columns (Parquet, NumPy) must hold, from the collection's fields: the value
 * rules of Milvus's import readers, each where its reader applies it. A column whose declared type does not
 * convert to its field's is left out: its problem is the file's, said once.
 * <ul>
 *   <li>float vectors: the dimension in every row (Parquet reader's checkVectorAligned), each value finite as a 32-bit
 *       float (typeutil.VerifyFloats32, which the JSON, CSV and NumPy readers apply, and the Parquet reader since
 *       Milvus pull request 50705); other dense vectors: the dimension (in bytes for binary and half-precision ones given as bytes);</li>
 *   <li>Float and Double fields: finite values (VerifyFloats32 / VerifyFloats64, in every reader);</li>
 *   <li>VarChar: valid UTF-8 and at most max_length bytes (common.CheckValidUTF8 and CheckVarcharLength), for an Array
 *       of VarChar each element;</li>
 *   <li>Array: at most max_capacity elements (common.CheckArrayCapacity);</li>
 *   <li>JSON: one JSON document in every row (json.Unmarshal); the dynamic fields ({@code $meta}) a JSON object;</li>
 *   <li>SparseFloatVector given as JSON text: as typeutil's CreateSparseFloatRowFromJSON and ValidateSparseFloatRows take it;</li>
 *   <li>every field that is not nullable and has no default: no null (the readers' "not nullable, but has null value").</li>
 * </ul>
 */
final class WholeFileRules {

    private WholeFileRules() {
    }

    /** The rules of each column of a typed file whose field's rows something is checked of. */
    static List<ColumnRules> of(final CollectionSchema schema, final FileContents contents) {
        final List<ColumnRules> rules = new ArrayList<>();
        for (final FileColumn column : contents.columns()) {
            if (CollectionSchema.META_FIELD.equals(column.name()) && schema.dynamicField() && column.kind() == ColumnKind.STRING) {
                rules.add(new ColumnRules(column.name(), null, null, null, false, ColumnRules.Json.OBJECT, ColumnRules.Finite.NONE, false, true));
                continue;
            }
            final FieldSchema field = schema.field(column.name()).orElse(null);
            if (field == null || field.forbidden() || !KindRules.converts(column, field, contents.format())) {
                continue;
            }
            rules.add(of(field, column, contents.format()));
        }
        return rules;
    }

    private static ColumnRules of(final FieldSchema field, final FileColumn column, final FileFormat format) {
        final boolean nullable = field.nullable() || field.hasDefault();
        final FieldType type = field.type();
        final ColumnKind values = column.kind() == ColumnKind.LIST ? column.elementKind() : column.kind();
        final boolean floats = values == ColumnKind.FLOAT || values == ColumnKind.DOUBLE;
        if (type.isDenseVector()) {
            // a NumPy file's shape gives every row's dimension, checked as the file's; a byte vector given as binary has no list to count
            final Integer length = format == FileFormat.NUMPY || column.kind() != ColumnKind.LIST ? null
                    : KindRules.vectorLength(field, column.elementKind());
            final ColumnRules.Finite finite = type == FieldType.FLOAT_VECTOR && floats ? ColumnRules.Finite.FLOAT32 : ColumnRules.Finite.NONE;
            return new ColumnRules(field.name(), length, null, null, false, ColumnRules.Json.NONE, finite, false, nullable);
        }
        return switch (type) {
            case FLOAT -> new ColumnRules(field.name(), null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.FLOAT32, false, nullable);
            case DOUBLE -> new ColumnRules(field.name(), null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.FLOAT64, false, nullable);
            case VARCHAR, STRING -> new ColumnRules(field.name(), null, null, field.maxLength(), true, ColumnRules.Json.NONE, ColumnRules.Finite.NONE,
                    false, nullable);
            case JSON -> new ColumnRules(field.name(), null, null, null, false, ColumnRules.Json.ANY, ColumnRules.Finite.NONE, false, nullable);
            case ARRAY -> {
                final boolean text = field.elementType() != null && field.elementType().isText();
                yield new ColumnRules(field.name(), null, field.maxCapacity(), text ? field.maxLength() : null, text, ColumnRules.Json.NONE,
                        ColumnRules.Finite.NONE, false, nullable);
            }
            case SPARSE_FLOAT_VECTOR -> new ColumnRules(field.name(), null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.NONE,
                    column.kind() == ColumnKind.STRING, nullable);
            default -> new ColumnRules(field.name(), null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, nullable);
        };
    }
}
