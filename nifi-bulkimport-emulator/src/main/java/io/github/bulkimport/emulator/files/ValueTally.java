package io.github.bulkimport.emulator.files;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many rows of an importable file give each field a value: present and not null (a null, or the
 * CSV null key, leaves a nullable field null and a field with a default its default). The dynamic
 * field {@code $meta} counts the rows with at least one key for it: a {@code $meta} object that is not
 * empty, or a key (a CSV column) the schema lacks.
 */
final class ValueTally {

    private static final String META = "$meta";

    private ValueTally() {
    }

    static Map<String, Long> of(final Schema schema, final Table table) {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (final Schema.Field field : schema.fields()) {
            if (!field.generated()) {
                values.put(field.name(), 0L);
            }
        }
        if (schema.dynamic()) {
            values.put(META, 0L);
        }
        for (final Map<String, Object> row : table.rows()) {
            for (final Schema.Field field : schema.fields()) {
                if (!field.generated() && row.get(field.name()) != null) {
                    values.merge(field.name(), 1L, Long::sum);
                }
            }
            if (schema.dynamic() && holdsDynamicFields(schema, row, table.typed())) {
                values.merge(META, 1L, Long::sum);
            }
        }
        return values;
    }

    private static boolean holdsDynamicFields(final Schema schema, final Map<String, Object> row, final boolean typed) {
        final Object meta = row.get(META);
        if (meta instanceof Map<?, ?> map && !map.isEmpty() || meta instanceof String text && !text.isBlank() && !text.strip().equals("{}")) {
            return true;
        }
        // a Parquet file's columns the schema lacks are skipped, not kept as dynamic fields
        return !typed && row.entrySet().stream().anyMatch(entry -> !META.equals(entry.getKey()) && entry.getValue() != null
                && schema.field(entry.getKey()).isEmpty());
    }
}
