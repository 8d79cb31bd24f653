package io.github.bulkimport.nifi.processors.validate.file;

/**
 * What every row of one column must hold, as the collection's field asks, for a whole-file check: the
 * value rules Milvus's import readers apply row by row. A rule left {@code null} (or NONE, or false) is
 * not checked.
 *
 * @param column      the file's column, named as the field it fills
 * @param listLength  each row's list must hold exactly this many elements (a dense vector's dimension, in elements)
 * @param maxElements each row's list at most this many elements (an array's capacity)
 * @param maxBytes    each text value (or each text element of an array) at most this many UTF-8 bytes
 * @param utf8        each text value must be valid UTF-8
 * @param json        whether each text value must be JSON, or a JSON object
 * @param finite      whether each number (or each element of a vector) must be finite, and as which type
 * @param sparse      each value is a sparse vector, given as JSON
 * @param nullable    whether a row may hold null
 */
public record ColumnRules(String column, Integer listLength, Integer maxElements, Integer maxBytes, boolean utf8, Json json, Finite finite,
                          boolean sparse, boolean nullable) {

    /** What a text value must be as JSON. */
    public enum Json {
        NONE,
        /** Any JSON document: a JSON field. */
        ANY,
        /** A JSON object: the dynamic fields ({@code $meta}). */
        OBJECT
    }

    /** Which numbers must be finite: none, as a 32-bit float (Float fields, float vectors), or as a 64-bit float (Double fields). */
    public enum Finite {
        NONE,
        FLOAT32,
        FLOAT64
    }

    /** Whether the column's values themselves (not only their presence and list lengths) must be read. */
    public boolean readsValues() {
        return maxBytes != null || utf8 || json != Json.NONE || finite != Finite.NONE || sparse;
    }

    /** Whether anything at all is checked of the column's rows. */
    public boolean checksRows() {
        return readsValues() || listLength != null || maxElements != null || !nullable;
    }
}
