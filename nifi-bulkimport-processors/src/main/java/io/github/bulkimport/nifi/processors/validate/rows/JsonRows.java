package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the first rows of a JSON file as Milvus does: a list of rows ({@code [{...}, ...]}), the
 * older {@code {"rows": [...]}}, or JSON Lines (a {@code .jsonl} file, one row per line). Each row
 * must be an object; its keys are the fields.
 */
public final class JsonRows {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROWS_KEY = "rows";

    private JsonRows() {
    }

    public static FileContents read(final Content content, final int maxRows) throws IOException {
        final boolean lines = content.fileName() != null && content.fileName().toLowerCase(Locale.ROOT).endsWith(".jsonl");
        try (CountingStream in = new CountingStream(content.openAt(0)); JsonParser parser = JSON.createParser(in)) {
            try {
                final String notRows = lines ? null : openRows(parser);
                if (notRows != null) {
                    return FileContents.unreadable(FileFormat.JSON, notRows, in.count());
                }
                return readRows(parser, maxRows, lines, in);
            } catch (final JsonProcessingException e) {
                return FileContents.unreadable(FileFormat.JSON, "text that is not JSON (" + e.getOriginalMessage() + ")", in.count());
            }
        }
    }

    /** Moves the parser into the list of rows; returns why it cannot, or {@code null}. */
    private static String openRows(final JsonParser parser) throws IOException {
        final JsonToken first = parser.nextToken();
        if (first == JsonToken.START_ARRAY) {
            return null;
        }
        if (first == JsonToken.START_OBJECT) {
            final JsonToken key = parser.nextToken();
            if (key != JsonToken.FIELD_NAME || !ROWS_KEY.equalsIgnoreCase(parser.currentName())) {
                return "a JSON object whose first key is " + (key == JsonToken.FIELD_NAME ? "\"" + parser.currentName() + "\"" : "missing")
                        + ", where Milvus reads a list of rows, or {\"rows\": [...]}";
            }
            return parser.nextToken() == JsonToken.START_ARRAY ? null : "\"rows\" that is not a list of rows";
        }
        return first == null ? "an empty file" : "JSON that starts with " + first.asString() + ", where Milvus reads '[' or '{'";
    }

    private static FileContents readRows(final JsonParser parser, final int maxRows, final boolean lines, final CountingStream in) throws IOException {
        final Map<String, List<JsonNode>> columns = new LinkedHashMap<>();
        int rows = 0;
        while (rows < maxRows) {
            final JsonToken token = parser.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) {
                break;
            }
            if (token != JsonToken.START_OBJECT) {
                return FileContents.unreadable(FileFormat.JSON, "row " + (rows + 1) + " is " + describe(token) + ", where each row must be a "
                        + "JSON object of field names and values", in.count());
            }
            final JsonNode row = parser.readValueAsTree();
            for (final Map.Entry<String, JsonNode> field : row.properties()) {
                final List<JsonNode> values = columns.computeIfAbsent(field.getKey(), name -> new ArrayList<>());
                pad(values, rows);
                values.add(field.getValue());
            }
            rows++;
        }
        final List<FileColumn> found = new ArrayList<>(columns.size());
        for (final Map.Entry<String, List<JsonNode>> column : columns.entrySet()) {
            pad(column.getValue(), rows);
            found.add(FileColumn.values(column.getKey(), column.getValue(), false));
        }
        return new FileContents(FileFormat.JSON, found, rows, rows == 0 ? "no rows" : null, in.count());
    }

    /** Fills the rows that did not have the field with missing values. */
    private static void pad(final List<JsonNode> values, final int rows) {
        while (values.size() < rows) {
            values.add(MissingNode.getInstance());
        }
    }

    private static String describe(final JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString();
        };
    }
}
