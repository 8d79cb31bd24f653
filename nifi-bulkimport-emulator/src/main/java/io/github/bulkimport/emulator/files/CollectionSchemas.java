package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schemas the emulator answers {@code collections/describe} with: those it was given, and for any
 * other collection a default one (an auto-ID Int64 primary key {@code id}, a FloatVector(8)
 * {@code vector}, the dynamic field on).
 */
public final class CollectionSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT = """
            {"autoId": true, "enableDynamicField": true, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true, "partitionKey": false, "nullable": false},
              {"name": "vector", "type": "FloatVector", "primaryKey": false, "autoId": false, "partitionKey": false, "nullable": false,
               "params": [{"key": "dim", "value": "8"}]}]}""";

    private final Map<String, ObjectNode> given;

    /** @param given collection name to the {@code data} of its describe answer */
    public CollectionSchemas(final Map<String, ? extends JsonNode> given) {
        this.given = new LinkedHashMap<>();
        given.forEach((name, data) -> this.given.put(name, (ObjectNode) data.deepCopy()));
    }

    /** Reads {@code {"collection": {describe data}, ...}}. */
    public static Map<String, JsonNode> parse(final String json) throws JsonProcessingException {
        final Map<String, JsonNode> schemas = new LinkedHashMap<>();
        JSON.readTree(json).properties().forEach(entry -> schemas.put(entry.getKey(), entry.getValue()));
        return schemas;
    }

    /** The {@code data} of the describe answer for a collection. */
    public ObjectNode describe(final String collection) {
        final ObjectNode data;
        try {
            data = given.containsKey(collection) ? given.get(collection).deepCopy() : (ObjectNode) JSON.readTree(DEFAULT);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("the default schema is not JSON", e);
        }
        data.put("collectionName", collection);
        return data;
    }

    public Schema schema(final String collection) {
        return Schema.of(describe(collection));
    }
}
