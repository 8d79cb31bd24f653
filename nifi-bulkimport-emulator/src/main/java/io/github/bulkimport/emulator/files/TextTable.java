package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads JSON rows (a list, {@code {"rows": [...]}} or JSON Lines) and CSV files whole, one row at a time, as
 * Milvus's readers do: JSON values as Java values, CSV cells as text (the null key as {@code null}).
 */
final class TextTable {

    /**
     * What a CSV byte that is not UTF-8 is read as: a lone low surrogate, which no UTF-8 text decodes to. Go's CSV reader keeps
     * such bytes as they are, and Milvus then refuses them in a VarChar cell (a JSON cell's parser reads them as U+FFFD).
     */
    static final char NOT_UTF8 = '\uDFFF';

    private static final ObjectMapper JSON = new ObjectMapper();

    private TextTable() {
    }

    /** @return why the file fails (its text's, or a row's), or {@code null} */
    static String json(final Path path, final RowCheck rows) {
        try {
            if (path.getFileName().toString().endsWith(".jsonl")) {
                try (BufferedReader lines = Files.newBufferedReader(path)) {
                    long index = 0;
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (!line.isBlank()) {
                            final String problem = row(JSON.readTree(line), index++, rows);
                            if (problem != null) {
                                return problem;
                            }
                        }
                    }
                }
                return null;
            }
            try (JsonParser parser = JSON.createParser(path.toFile())) {
                JsonToken token = parser.nextToken();
                if (token == JsonToken.START_OBJECT) {
                    if (parser.nextToken() != JsonToken.FIELD_NAME || !"rows".equals(parser.currentName())
                            || parser.nextToken() != JsonToken.START_ARRAY) {
                        return "invalid JSON format, the content should be started with '{' or '[' and its root key should be 'rows'";
                    }
                } else if (token != JsonToken.START_ARRAY) {
                    return "invalid JSON format, the content should be started with '{' or '['";
                }
                long index = 0;
                for (token = parser.nextToken(); token != null && token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                    final String problem = row(JSON.readTree(parser), index++, rows);
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            return null;
        } catch (final IOException e) {
            return "failed to decode the JSON file, error: " + e.getMessage();
        }
    }

    private static String row(final JsonNode row, final long index, final RowCheck rows) {
        if (!row.isObject()) {
            return "invalid JSON format, each row should be a key-value map";
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> values = JSON.convertValue(row, LinkedHashMap.class);
        return rows.row(index, values);
    }

    /**
     * Reads as Milvus's CSV reader does: a header Go's reader refuses fails the file; a row it refuses comes back with the
     * cells before the break, which then do not match the header, or, none read, empty.
     * <p>
     * A record Go returns empty (a bare quote in a row's first cell) ends Milvus's read batch: rows read in the batch before it
     * are imported and the next batch reads on past it, but at a batch's start it ends the file. Batches are taken as long as the
     * file, so the emulator skips such a row after rows and stops at one that follows the header or another such row.
     *
     * @return why the file fails (its text's, or a row's), or {@code null}
     */
    static String csv(final Path path, final char separator, final String nullKey, final RowCheck rows) {
        try (Reader text = new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE).replaceWith(String.valueOf(NOT_UTF8))))) {
            final GoCsv csv = new GoCsv(text, separator);
            final GoCsv.Record header = csv.read();
            if (header == null) {
                return "failed to read csv header, error: EOF";
            }
            if (header.error() != null) {
                return "failed to read csv header, error: " + header.error();
            }
            long index = 0;
            boolean batchStarts = true;
            for (GoCsv.Record record = csv.read(); record != null; record = csv.read()) {
                if (record.cells().isEmpty()) {
                    if (batchStarts) {
                        break;
                    }
                    batchStarts = true;
                    continue;
                }
                batchStarts = false;
                if (record.cells().size() != header.cells().size()) {
                    return "failed to parse row, error: the number of fields in the row is not equal to the header, row " + (index + 1);
                }
                final Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < header.cells().size(); i++) {
                    final String cell = record.cells().get(i);
                    row.put(header.cells().get(i), cell.equals(nullKey) ? null : cell);
                }
                final String problem = rows.row(index++, row);
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        } catch (final IOException | RuntimeException e) {
            return "failed to read the CSV file, error: " + e.getMessage();
        }
    }
}
