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

    private final Schema schema;
    private final boolean typed;
    private final Map<String, Long> values = new LinkedHashMap<>();
    private long rows;

    /** @param typed whether the file's columns are typed (Parquet): then columns the schema lacks are skipped, not dynamic fields */
    ValueTally(final Schema schema, final boolean typed) {
        this.schema = schema;
        this.typed = typed;
        for (final Schema.Field field : schema.fields()) {
            if (!field.generated()) {
                values.put(field.name(), 0L);
            }
        }
        if (schema.dynamic()) {
            values.put(META, 0L);
        }
    }

    /** Counts a row the import takes. */
    void add(final Map<String, Object> row) {
        rows++;
        for (final Schema.Field field : schema.fields()) {
            if (!field.generated() && row.get(field.name()) != null) {
                values.merge(field.name(), 1L, Long::sum);
            }
        }
        if (schema.dynamic() && holdsDynamicFields(schema, row, typed)) {
            values.merge(META, 1L, Long::sum);
        }
    }

    /** Wraps a row check so that every row it lets through is counted. */
    RowCheck counting(final RowCheck check) {
        return (index, row) -> {
            final String problem = check.row(index, row);
            if (problem == null) {
                add(row);
            }
            return problem;
        };
    }

    long rows() {
        return rows;
    }

    Map<String, Long> values() {
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
