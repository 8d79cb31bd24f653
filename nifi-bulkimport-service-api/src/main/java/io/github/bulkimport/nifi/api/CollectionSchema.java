package io.github.bulkimport.nifi.api;

import java.util.List;
import java.util.Optional;

/**
 * A collection's schema, as {@code collections/describe} reports it: what a file imported into it
 * must hold.
 *
 * @param name         the collection's name
 * @param dynamicField whether rows may carry fields the schema does not name (kept in {@code $meta})
 * @param fields       its fields, in the server's order ({@code $meta} itself is not among them)
 */
public record CollectionSchema(String name, boolean dynamicField, List<FieldSchema> fields) {

    /** The field that holds the dynamic fields of a row. */
    public static final String META_FIELD = "$meta";

    public CollectionSchema {
        fields = List.copyOf(fields);
    }

    public Optional<FieldSchema> field(final String fieldName) {
        return fields.stream().filter(field -> field.name().equals(fieldName)).findFirst();
    }

    public Optional<FieldSchema> partitionKey() {
        return fields.stream().filter(FieldSchema::partitionKey).findFirst();
    }
}
