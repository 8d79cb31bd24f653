package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads JSON rows (a list, {@code {"rows": [...]}} or JSON Lines) and CSV files whole, one row at a time, as
 * Milvus's readers do: JSON values as Java values, CSV cells as text (the null key as {@code null}).
 */
final class TextTable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();

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

    /** @return why the file fails (its text's, or a row's), or {@code null} */
    static String csv(final Path path, final char separator, final String nullKey, final RowCheck rows) {
        try (MappingIterator<String[]> lines = CSV.readerForArrayOf(String.class).with(CsvSchema.emptySchema().withColumnSeparator(separator))
                .readValues(path.toFile())) {
            if (!lines.hasNext()) {
                return "the CSV file has no header";
            }
            final String[] header = lines.next();
            long index = 0;
            while (lines.hasNext()) {
                final String[] cells = lines.next();
                if (cells.length != header.length) {
                    return "the number of fields in the row is not equal to the header, row " + (index + 1);
                }
                final Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    row.put(header[i], cells[i].equals(nullKey) ? null : cells[i]);
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
