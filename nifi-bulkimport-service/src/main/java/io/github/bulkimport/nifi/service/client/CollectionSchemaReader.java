package io.github.bulkimport.nifi.service.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads the {@code data} of {@code collections/describe} into a {@link CollectionSchema}: each field's
 * type, keys, nullability, default, function output, and the type parameters ({@code dim},
 * {@code max_length}, {@code max_capacity}) the server lists as key-value pairs.
 */
final class CollectionSchemaReader {

    private final UnaryOperator<String> visible;

    /** @param visible the text funnel: field names are the server's text and end up in messages */
    CollectionSchemaReader(final UnaryOperator<String> visible) {
        this.visible = visible;
    }

    /** Returns {@code null} when the answer holds no list of fields. */
    CollectionSchema read(final JsonNode data, final String requestedName) {
        final JsonNode fields = data.get("fields");
        if (fields == null || !fields.isArray()) {
            return null;
        }
        final List<FieldSchema> schema = new ArrayList<>();
        for (final JsonNode field : fields) {
            final String name = JsonValues.text(field.get("name"));
            if (name != null && !CollectionSchema.META_FIELD.equals(name)) {
                schema.add(field(field, visible.apply(name)));
            }
        }
        final String name = JsonValues.text(data.get("collectionName"));
        return new CollectionSchema(visible.apply(name == null ? requestedName : name), data.path("enableDynamicField").asBoolean(false), schema);
    }

    private static FieldSchema field(final JsonNode field, final String name) {
        final Map<String, String> params = new HashMap<>();
        for (final JsonNode param : field.path("params")) {
            final String key = JsonValues.text(param.get("key"));
            if (key != null) {
                params.put(key, JsonValues.text(param.get("value")));
            }
        }
        final String elementType = JsonValues.text(field.get("elementType"));
        return new FieldSchema(name, FieldType.fromApiName(JsonValues.text(field.get("type"))),
                elementType == null ? null : FieldType.fromApiName(elementType),
                field.path("primaryKey").asBoolean(false), field.path("autoId").asBoolean(false), field.path("partitionKey").asBoolean(false),
                field.path("nullable").asBoolean(false), field.hasNonNull("defaultValue"), field.path("isFunctionOutput").asBoolean(false),
                number(params.get("dim")), number(params.get("max_length")), number(params.get("max_capacity")));
    }

    private static Integer number(final String value) {
        if (value == null) {
            return null;
        }
        try {
            final int number = Integer.parseInt(value.trim());
            return number > 0 ? number : null;
        } catch (final NumberFormatException notANumber) {
            return null;
        }
    }
}
