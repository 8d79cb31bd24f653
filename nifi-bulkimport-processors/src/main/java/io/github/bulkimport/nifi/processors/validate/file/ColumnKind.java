package io.github.bulkimport.nifi.processors.validate.file;

/** What a typed file (Parquet, NumPy) declares a column to hold, in the terms Milvus's readers check. */
public enum ColumnKind {
    BOOL("bool"),
    INT8("int8"),
    INT16("int16"),
    INT32("int32"),
    INT64("int64"),
    UINT8("uint8"),
    FLOAT16("float16"),
    FLOAT("float"),
    DOUBLE("double"),
    STRING("string"),
    BINARY("binary"),
    FIXED_BINARY("fixed-size binary"),
    LIST("list"),
    STRUCT("struct"),
    NULL("null"),
    OTHER("a type Milvus does not read");

    private final String text;

    ColumnKind(final String text) {
        this.text = text;
    }

    /** How messages name the kind. */
    public String text() {
        return text;
    }

    public boolean isInteger() {
        return this == INT8 || this == INT16 || this == INT32 || this == INT64;
    }

    /** Bits of an integer kind, for widening: a narrower integer converts to a wider one. */
    public int integerBits() {
        return switch (this) {
            case INT8 -> 8;
            case INT16 -> 16;
            case INT32 -> 32;
            case INT64 -> 64;
            default -> 0;
        };
    }

    public boolean isFloating() {
        return this == FLOAT || this == DOUBLE;
    }
}
