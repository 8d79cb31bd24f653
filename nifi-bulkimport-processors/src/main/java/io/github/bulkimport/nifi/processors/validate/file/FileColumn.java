package io.github.bulkimport.nifi.processors.validate.file;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One column (a field) of a file, as far as a check needs it and as cheaply as it can be read.
 * A typed file (Parquet, NumPy) declares {@link #kind} (and the element kind of a list); a JSON or
 * CSV file carries values, one per row checked: JSON values (a missing node for a row without the key),
 * or, from CSV, each cell as text.
 *
 * @param kind        the declared kind, or {@code null} when the file carries values instead
 * @param elementKind for a list, the kind of its elements; else {@code null}
 * @param values      the values of the rows checked (JSON, CSV); empty for a typed file
 * @param cells       whether {@code values} are CSV cells, text to be read as the field's type
 * @param nullKey     for CSV cells, the text that stands for null in a nullable field (elsewhere it is read as its field's type)
 * @param lengths     for a list, the lengths of the rows checked (NumPy: the second dimension); empty when not read
 * @param longestText for text, the longest value read, in UTF-8 bytes; {@code null} when not read
 */
public record FileColumn(String name, ColumnKind kind, ColumnKind elementKind, List<JsonNode> values, boolean cells, String nullKey,
                         List<Integer> lengths, Integer longestText) {

    public FileColumn {
        values = List.copyOf(values);
        lengths = List.copyOf(lengths);
    }

    public static FileColumn typed(final String name, final ColumnKind kind, final ColumnKind elementKind, final List<Integer> lengths,
                                   final Integer longestText) {
        return new FileColumn(name, kind, elementKind, List.of(), false, null, lengths, longestText);
    }

    /** JSON values of the rows read. */
    public static FileColumn values(final String name, final List<JsonNode> values) {
        return new FileColumn(name, null, null, values, false, null, List.of(), null);
    }

    /** CSV cells of the rows read, each as its text; {@code nullKey} stands for null where the field is nullable. */
    public static FileColumn cells(final String name, final List<JsonNode> cells, final String nullKey) {
        return new FileColumn(name, null, null, cells, true, nullKey, List.of(), null);
    }

    public boolean isTyped() {
        return kind != null;
    }

    /** How a message names what the column declares: {@code list<float>}, {@code string}. */
    public String describeKind() {
        if (kind == ColumnKind.LIST) {
            return "list<" + (elementKind == null ? "?" : elementKind.text()) + ">";
        }
        return kind == null ? "values" : kind.text();
    }
}
