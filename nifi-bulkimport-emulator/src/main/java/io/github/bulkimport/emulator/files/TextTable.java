package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON rows (a list, {@code {"rows": [...]}} or JSON Lines) and CSV files whole, as Milvus's
 * readers do: JSON values as Java values, CSV cells as text (the null key as {@code null}).
 */
final class TextTable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();

    private TextTable() {
    }

    static Table json(final Path path, final int maxRows) {
        try {
            final List<JsonNode> rows = new ArrayList<>();
            if (path.getFileName().toString().endsWith(".jsonl")) {
                for (final String line : Files.readAllLines(path)) {
                    if (!line.isBlank()) {
                        rows.add(JSON.readTree(line));
                    }
                }
            } else {
                final JsonNode root = JSON.readTree(path.toFile());
                final JsonNode list = root != null && root.isObject() ? root.get("rows") : root;
                if (list == null || !list.isArray()) {
                    return Table.unreadable("invalid JSON format, the content should be started with '{' or '['"
                            + (root != null && root.isObject() ? " and its root key should be 'rows'" : ""));
                }
                list.forEach(rows::add);
            }
            final List<Map<String, Object>> table = new ArrayList<>();
            for (final JsonNode row : rows.subList(0, Math.min(rows.size(), maxRows))) {
                if (!row.isObject()) {
                    return Table.unreadable("invalid JSON format, each row should be a key-value map");
                }
                @SuppressWarnings("unchecked")
                final Map<String, Object> values = JSON.convertValue(row, LinkedHashMap.class);
                table.add(values);
            }
            return new Table(Map.of(), table, null);
        } catch (final IOException e) {
            return Table.unreadable("failed to decode the JSON file, error: " + e.getMessage());
        }
    }

    static Table csv(final Path path, final char separator, final String nullKey, final int maxRows) {
        try (MappingIterator<String[]> lines = CSV.readerForArrayOf(String.class).with(CsvSchema.emptySchema().withColumnSeparator(separator))
                .readValues(path.toFile())) {
            if (!lines.hasNext()) {
                return Table.unreadable("the CSV file has no header");
            }
            final String[] header = lines.next();
            final List<Map<String, Object>> rows = new ArrayList<>();
            while (lines.hasNext() && rows.size() < maxRows) {
                final String[] cells = lines.next();
                if (cells.length != header.length) {
                    return Table.unreadable("the number of fields in the row is not equal to the header, row " + (rows.size() + 1));
                }
                final Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    row.put(header[i], cells[i].equals(nullKey) ? null : cells[i]);
                }
                rows.add(row);
            }
            return new Table(Map.of(), rows, null);
        } catch (final IOException | RuntimeException e) {
            return Table.unreadable("failed to read the CSV file, error: " + e.getMessage());
        }
    }
}
