package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.Fault;
import io.github.bulkimport.nifi.processors.validate.rows.CellRow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one row of a JSON or CSV file against the collection, as Milvus's row parsers do for every row: every
 * field the row must hold is there and not null, each value reads as its field's type and fits it (a vector's
 * dimension and finite values, text within its length, an array within its capacity, JSON that parses, a
 * sparse vector Milvus takes), no key the server fills, the dynamic fields where they may be. Faults go to a
 * {@link BadRows}, one per field and row.
 */
final class RowRules {

    private static final Fault PRESENT = new Fault(Fault.Kind.UNEXPECTED, "one");

    private final CollectionSchema schema;
    /** For CSV, the null key; {@code null} for JSON. */
    private final String nullKey;
    private final BadRows sink;
    /** The fields a row is checked for: every field in JSON, in CSV those the header names (a missing column is the file's problem). */
    private final List<FieldSchema> checked = new ArrayList<>();
    /** For CSV: the header's columns. */
    private final Set<String> columns;
    /** For CSV: where each field checked is in the header, looked up at the first row. */
    private int[] positions;
    /** For JSON: each field's place among those checked, and which of them the row holds. */
    private final Map<String, Integer> positionOf = new HashMap<>();
    private final boolean[] seen;

    /**
     * @param nullKey for CSV, the text that stands for null in a nullable field (the values are then cells, text read as each
     *                field's type); {@code null} for JSON
     * @param columns for CSV, the header's column names; {@code null} for JSON, whose rows name their own keys
     */
    RowRules(final CollectionSchema schema, final String nullKey, final Set<String> columns, final BadRows sink) {
        this.schema = schema;
        this.nullKey = nullKey;
        this.columns = columns;
        this.sink = sink;
        for (final FieldSchema field : schema.fields()) {
            if (columns == null || columns.contains(field.name())) {
                positionOf.put(field.name(), checked.size());
                checked.add(field);
            }
        }
        seen = new boolean[checked.size()];
    }

    /** Checks row {@code index} (from 0): its keys (or cells) and their values. */
    void check(final long index, final Map<String, JsonNode> row) {
        if (row instanceof CellRow cells) {
            checkCells(index, cells);
        } else {
            checkKeys(index, row);
        }
    }

    /** A CSV row: the cell of each field the header names, by its position. */
    private void checkCells(final long index, final CellRow row) {
        if (positions == null) {
            positions = new int[checked.size()];
            for (int i = 0; i < checked.size(); i++) {
                positions[i] = row.header().indexOf(checked.get(i).name());
            }
        }
        for (int i = 0; i < checked.size(); i++) {
            final FieldSchema field = checked.get(i);
            if (!field.forbidden()) {
                fault(index, field, ValueRules.rowFault(row.cell(positions[i]), field, nullKey));
            }
        }
        if (schema.dynamicField() && row.containsKey(CollectionSchema.META_FIELD)) {
            final JsonNode meta = row.get(CollectionSchema.META_FIELD);
            if (!meta.asText().equals(nullKey)) {
                meta(index, meta);
            }
        }
    }

    /**
     * A JSON row: each of its keys looked up once (a field, the dynamic fields, or a key Milvus refuses or, from 2.6, drops),
     * then each field it lacks: the work follows the row's keys and the schema's fields, one lookup a key.
     */
    private void checkKeys(final long index, final Map<String, JsonNode> row) {
        java.util.Arrays.fill(seen, false);
        for (final Map.Entry<String, JsonNode> key : row.entrySet()) {
            final Integer at = positionOf.get(key.getKey());
            if (at != null) {
                seen[at] = true;
                final FieldSchema field = checked.get(at);
                fault(index, field, field.forbidden() ? PRESENT : ValueRules.rowFault(key.getValue(), field, null));
            } else if (!schema.dynamicField()) {
                sink.bad(index, 1, key.getKey(), PRESENT);
            } else if (CollectionSchema.META_FIELD.equals(key.getKey())) {
                meta(index, key.getValue());
            }
        }
        for (int i = 0; i < checked.size(); i++) {
            if (!seen[i] && !checked.get(i).forbidden()) {
                fault(index, checked.get(i), ValueRules.rowFault(null, checked.get(i), null));
            }
        }
    }

    private void fault(final long index, final FieldSchema field, final Fault fault) {
        if (fault != null) {
            sink.bad(index, 1, field.name(), fault);
        }
    }

    private void meta(final long index, final JsonNode value) {
        if (!value.isMissingNode() && !value.isNull() && !ValueRules.dynamicFields(value)) {
            sink.bad(index, 1, CollectionSchema.META_FIELD, new Fault(Fault.Kind.NOT_OBJECT, ValueRules.describe(value)));
        }
    }
}
