package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

/**
 * Whether a typed column can fill a field, as Milvus's readers decide: for Parquet, Arrow's
 * conversions (an integer widens to a wider integer or to a float, a float to a double, never the
 * other way), for NumPy, the exact element type; and how long each row's list must be.
 */
final class KindRules {

    private KindRules() {
    }

    /** Whether the column's declared kind converts to the field's type. */
    static boolean converts(final FileColumn column, final FieldSchema field, final FileFormat format) {
        final ColumnKind kind = column.kind();
        if (kind == ColumnKind.NULL) {
            return field.nullable() || field.hasDefault();
        }
        final FieldType type = field.type();
        if (type.isDenseVector()) {
            return kind == ColumnKind.LIST && vectorElement(type, column.elementKind())
                    || kind == ColumnKind.BINARY && byteVector(type) && format == FileFormat.PARQUET;
        }
        return switch (type) {
            case ARRAY -> kind == ColumnKind.LIST && field.elementType() != null && scalar(column.elementKind(), field.elementType(), format);
            case SPARSE_FLOAT_VECTOR -> kind == ColumnKind.STRING || kind == ColumnKind.STRUCT && format == FileFormat.PARQUET;
            case OTHER -> true;
            default -> scalar(kind, type, format);
        };
    }

    /** A scalar: Parquet widens numbers as Arrow does; NumPy wants the exact type. */
    private static boolean scalar(final ColumnKind kind, final FieldType type, final FileFormat format) {
        if (kind == null) {
            return false;
        }
        return switch (type) {
            case BOOL -> kind == ColumnKind.BOOL;
            case INT8, INT16, INT32, INT64 -> kind.isInteger() && (format == FileFormat.NUMPY ? kind.integerBits() == bits(type)
                    : kind.integerBits() <= bits(type));
            case FLOAT -> format == FileFormat.NUMPY ? kind == ColumnKind.FLOAT : kind.isInteger() || kind.isFloating();
            case DOUBLE -> format == FileFormat.NUMPY ? kind == ColumnKind.DOUBLE : kind.isInteger() || kind.isFloating();
            case VARCHAR, STRING, JSON -> kind == ColumnKind.STRING;
            default -> false;
        };
    }

    private static boolean vectorElement(final FieldType type, final ColumnKind element) {
        if (element == null) {
            return false;
        }
        return switch (type) {
            case FLOAT_VECTOR -> element.isFloating() || element.isInteger();
            case BINARY_VECTOR -> element == ColumnKind.UINT8;
            case FLOAT16_VECTOR, BFLOAT16_VECTOR -> element == ColumnKind.UINT8 || element == ColumnKind.FLOAT16;
            case INT8_VECTOR -> element == ColumnKind.INT8;
            default -> false;
        };
    }

    private static boolean byteVector(final FieldType type) {
        return type == FieldType.BINARY_VECTOR || type == FieldType.FLOAT16_VECTOR || type == FieldType.BFLOAT16_VECTOR;
    }

    static int bits(final FieldType type) {
        return switch (type) {
            case INT8 -> 8;
            case INT16 -> 16;
            case INT32 -> 32;
            case INT64 -> 64;
            default -> 0;
        };
    }

    /**
     * How many elements each row's list must have for a dense vector of the field's dimension: bytes for
     * a binary vector (dimension / 8) and for half-precision vectors given as bytes (dimension × 2).
     */
    static Integer vectorLength(final FieldSchema field, final ColumnKind element) {
        if (field.dim() == null) {
            return null;
        }
        return switch (field.type()) {
            case BINARY_VECTOR -> field.dim() / 8;
            case FLOAT16_VECTOR, BFLOAT16_VECTOR -> element == ColumnKind.UINT8 ? field.dim() * 2 : field.dim();
            default -> field.dim();
        };
    }

    /** What a column of this kind must be for the field, as a message says it: {@code list<float>}. */
    static String expectedKind(final FieldSchema field, final FileFormat format) {
        return switch (field.type()) {
            case FLOAT_VECTOR -> "a list of floats";
            case BINARY_VECTOR -> "a list of uint8 (bytes)";
            case FLOAT16_VECTOR, BFLOAT16_VECTOR -> "a list of uint8 (2 bytes per value)";
            case INT8_VECTOR -> "a list of int8";
            case SPARSE_FLOAT_VECTOR -> "a JSON string" + (format == FileFormat.PARQUET ? " or a struct of indices and values" : "");
            case ARRAY -> "a list of " + (field.elementType() == null ? "?" : field.elementType().apiName());
            case VARCHAR, STRING, JSON -> "a string";
            case BOOL -> "bool";
            case INT8, INT16, INT32, INT64 -> format == FileFormat.NUMPY ? "int" + bits(field.type()) : "an integer of at most " + bits(field.type()) + " bits";
            case FLOAT -> format == FileFormat.NUMPY ? "float32" : "a number";
            case DOUBLE -> format == FileFormat.NUMPY ? "float64" : "a number";
            default -> field.type().apiName();
        };
    }
}
