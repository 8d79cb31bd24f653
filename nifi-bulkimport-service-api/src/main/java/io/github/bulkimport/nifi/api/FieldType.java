package io.github.bulkimport.nifi.api;

import java.util.Arrays;

/**
 * The data types of a collection's fields, by the names {@code collections/describe} gives them.
 * A name this bundle does not know is {@link #OTHER}: its fields are not checked.
 */
public enum FieldType {
    BOOL("Bool"),
    INT8("Int8"),
    INT16("Int16"),
    INT32("Int32"),
    INT64("Int64"),
    FLOAT("Float"),
    DOUBLE("Double"),
    VARCHAR("VarChar"),
    STRING("String"),
    JSON("JSON"),
    ARRAY("Array"),
    FLOAT_VECTOR("FloatVector"),
    FLOAT16_VECTOR("Float16Vector"),
    BFLOAT16_VECTOR("BFloat16Vector"),
    BINARY_VECTOR("BinaryVector"),
    INT8_VECTOR("Int8Vector"),
    SPARSE_FLOAT_VECTOR("SparseFloatVector"),
    OTHER("Other");

    private final String apiName;

    FieldType(final String apiName) {
        this.apiName = apiName;
    }

    /** The name the server gives the type. */
    public String apiName() {
        return apiName;
    }

    public static FieldType fromApiName(final String name) {
        return Arrays.stream(values()).filter(type -> type.apiName.equalsIgnoreCase(name)).findFirst().orElse(OTHER);
    }

    /** A dense vector, whose rows all have the field's dimension. */
    public boolean isDenseVector() {
        return this == FLOAT_VECTOR || this == FLOAT16_VECTOR || this == BFLOAT16_VECTOR || this == BINARY_VECTOR || this == INT8_VECTOR;
    }

    public boolean isInteger() {
        return this == INT8 || this == INT16 || this == INT32 || this == INT64;
    }

    /** Text: VarChar, and String, its older name. */
    public boolean isText() {
        return this == VARCHAR || this == STRING;
    }
}
