package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.processors.validate.file.JsonTree;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the first rows of a JSON file as Milvus does: a list of rows ({@code [{...}, ...]}), the
 * older {@code {"rows": [...]}}, or JSON Lines (a {@code .jsonl} file, one row per line). Each row
 * must be an object; its keys are the fields. Reads within {@link RowLimits}: past
 * {@link RowLimits#ROWS_BYTES} or {@link RowLimits#MAX_VALUES} no further row is started.
 */
public final class JsonRows {

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(RowLimits.JACKSON).build()).build();
    private static final String ROWS_KEY = "rows";
    private static final int QUOTED = 40;
    /** The most keys a row may have left in the map the next row is read into. */
    private static final int REUSED_KEYS = 64;

    private final RowSource source;
    private final JsonParser parser;
    private final Map<String, List<JsonNode>> columns = new LinkedHashMap<>();
    /** The nodes the lists and objects of the rows kept may still make (First Pages: all the rows read; Whole File: each row). */
    private JsonTree.Budget nodes = JsonTree.Budget.full();
    private int rows;
    /** Rows read by {@link #each}, which may be many more than an int counts. */
    private long wholeRows;
    /** The map of the row before, in a whole-file read. */
    private Map<String, JsonNode> reused;

    private JsonRows(final RowSource source, final JsonParser parser) {
        this.source = source;
        this.parser = parser;
    }

    public static FileContents read(final Content content, final int maxRows) throws IOException {
        final boolean lines = content.fileName() != null && content.fileName().toLowerCase(Locale.ROOT).endsWith(".jsonl");
        try (RowSource source = RowSource.open(content, RowSource.Text.JSON); JsonParser parser = JSON.createParser(source.reader())) {
            final JsonRows reader = new JsonRows(source, parser);
            try {
                return reader.read(maxRows, lines);
            } catch (final IOException e) {
                return unreadable(ReadProblem.describe("JSON", source.parsingProblem(e), reader.rows + 1), source);
            }
        }
    }

    /**
     * Reads every row of the file, each handed to {@code visitor} as it is read: memory follows a row, never the file.
     * A row must be at most {@link RowLimits#MAX_BYTES} long and hold at most {@link RowLimits#MAX_COLUMNS} keys; where
     * the text stops being rows of JSON, the read stops, saying why.
     *
     * @throws IOException only when reading the content itself failed
     */
    public static WholeFile each(final Content content, final RowVisitor visitor) throws IOException {
        final boolean lines = content.fileName() != null && content.fileName().toLowerCase(Locale.ROOT).endsWith(".jsonl");
        try (RowSource source = RowSource.wholeFile(content, RowSource.Text.JSON); JsonParser parser = JSON.createParser(source.reader())) {
            final JsonRows reader = new JsonRows(source, parser);
            try {
                return reader.each(lines, visitor);
            } catch (final IOException e) {
                return new WholeFile(reader.wholeRows, ReadProblem.describe("JSON", source.parsingProblem(e), reader.wholeRows + 1), null, source.bytesRead());
            }
        }
    }

    private WholeFile each(final boolean lines, final RowVisitor visitor) throws IOException {
        if (source.startsWithByteOrderMark()) {
            return new WholeFile(0, "a byte order mark (BOM) at its start, which Milvus's JSON reader does not skip", null, source.bytesRead());
        }
        final String notRows = lines ? null : openRows();
        if (notRows != null) {
            return new WholeFile(0, notRows, null, source.bytesRead());
        }
        while (true) {
            source.rowStarts();
            final JsonToken token = parser.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) {
                break;
            }
            if (token != JsonToken.START_OBJECT) {
                return new WholeFile(wholeRows, "row " + (wholeRows + 1) + " is " + describe(token) + ", where each row must be a JSON object of field "
                        + "names and values", null, source.bytesRead());
            }
            nodes = JsonTree.Budget.full();
            final Map<String, JsonNode> row;
            try {
                row = row(eachRow());
            } catch (final JsonTree.TooManyNodesException e) {
                return new WholeFile(wholeRows, null, "row " + (wholeRows + 1) + " with " + e.getMessage(), source.bytesRead());
            }
            if (row == null) {
                return new WholeFile(wholeRows, null, "row " + (wholeRows + 1) + " with more than " + RowLimits.MAX_COLUMNS + " keys, more than the "
                        + "validator reads", source.bytesRead());
            }
            visitor.row(wholeRows, row);
            wholeRows++;
        }
        return new WholeFile(wholeRows, null, null, source.bytesRead());
    }

    private FileContents read(final int maxRows, final boolean lines) throws IOException {
        if (source.startsWithByteOrderMark()) {
            return unreadable("a byte order mark (BOM) at its start, which Milvus's JSON reader does not skip; save the file as UTF-8 without "
                    + "a BOM", source);
        }
        final String notRows = lines ? null : openRows();
        if (notRows != null) {
            return unreadable(notRows, source);
        }
        while (rows < maxRows && (rows == 0 || source.bytesRead() < RowLimits.ROWS_BYTES)) {
            final JsonToken token = parser.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) {
                break;
            }
            if (token != JsonToken.START_OBJECT) {
                return unreadable("row " + (rows + 1) + " is " + describe(token) + ", where each row must be a JSON object of field names "
                        + "and values", source);
            }
            final Map<String, JsonNode> row;
            try {
                row = row(new LinkedHashMap<>());
            } catch (final JsonTree.TooManyNodesException e) {
                if (rows == 0) {
                    return unreadable("row 1 with " + e.getMessage(), source);
                }
                break;
            }
            if (row == null || columns.size() + row.size() > RowLimits.MAX_COLUMNS
                    || (long) (columns.size() + row.size()) * (rows + 1) > RowLimits.MAX_VALUES) {
                if (rows == 0) {
                    return unreadable("row 1 with more than " + RowLimits.MAX_COLUMNS + " keys, more than the validator reads", source);
                }
                break;
            }
            add(row);
        }
        final List<FileColumn> found = new ArrayList<>(columns.size());
        for (final Map.Entry<String, List<JsonNode>> column : columns.entrySet()) {
            pad(column.getValue(), rows);
            found.add(FileColumn.values(column.getKey(), column.getValue()));
        }
        return new FileContents(FileFormat.JSON, found, rows, rows == 0 ? "no rows" : null, source.bytesRead());
    }

    /** Moves the parser into the list of rows; returns why it cannot, or {@code null}. */
    private String openRows() throws IOException {
        final JsonToken first = parser.nextToken();
        if (first == JsonToken.START_ARRAY) {
            return null;
        }
        if (first == JsonToken.START_OBJECT) {
            final JsonToken key = parser.nextToken();
            if (key != JsonToken.FIELD_NAME || !ROWS_KEY.equalsIgnoreCase(parser.currentName())) {
                return "a JSON object whose first key is " + (key == JsonToken.FIELD_NAME ? quoted(parser.currentName()) : "missing")
                        + ", where Milvus reads a list of rows, or {\"rows\": [...]}";
            }
            return parser.nextToken() == JsonToken.START_ARRAY ? null : "\"rows\" that is not a list of rows";
        }
        return first == null ? "an empty file" : "JSON that starts with " + describe(first) + ", where Milvus reads '[' or '{'";
    }

    /**
     * The map the next row of a whole-file read is read into: the one before, emptied (a visitor reads a row no more once
     * it returns), so that a file of many short rows does not make a map and its table for each; a new one after a row of
     * more than {@link #REUSED_KEYS} keys, whose emptying would cost that row's table again for every later row.
     */
    private Map<String, JsonNode> eachRow() {
        if (reused == null || reused.size() > REUSED_KEYS) {
            reused = new LinkedHashMap<>();
        } else {
            reused.clear();
        }
        return reused;
    }

    /**
     * The keys and values of the row the parser is in (past its '{'), the last value of a key named twice, as
     * Go's decoder keeps it; {@code null} once there are more keys than {@link RowLimits#MAX_COLUMNS}, read no further.
     */
    private Map<String, JsonNode> row(final Map<String, JsonNode> fields) throws IOException {
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            final String name = parser.currentName();
            parser.nextToken();
            fields.put(name, value());
            if (fields.size() > RowLimits.MAX_COLUMNS) {
                return null;
            }
        }
        return fields;
    }

    /**
     * The value the parser is at, as Jackson's tree reads it (an int, long or big integer node by the number's size, a double
     * node for a fraction), its lists and objects within what {@link #nodes} has left: a list of five million empty objects
     * is 16 MiB of text, and would be 400 MB of tree.
     */
    private JsonNode value() throws IOException {
        return JsonTree.read(parser, nodes);
    }

    private void add(final Map<String, JsonNode> row) {
        for (final Map.Entry<String, JsonNode> field : row.entrySet()) {
            final List<JsonNode> values = columns.computeIfAbsent(field.getKey(), name -> new ArrayList<>());
            pad(values, rows);
            values.add(field.getValue());
        }
        rows++;
    }

    /** Fills the rows that did not have the field with missing values. */
    private static void pad(final List<JsonNode> values, final int rows) {
        if (values.size() < rows) {
            values.addAll(Collections.nCopies(rows - values.size(), MissingNode.getInstance()));
        }
    }

    private static String describe(final JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> String.valueOf(token.asString());
        };
    }

    private static String quoted(final String text) {
        return "\"" + VisibleText.bound(VisibleText.clean(VisibleText.bound(text, 4 * QUOTED)), QUOTED) + "\"";
    }

    private static FileContents unreadable(final String why, final RowSource source) {
        return FileContents.unreadable(FileFormat.JSON, why, source.bytesRead());
    }
}
