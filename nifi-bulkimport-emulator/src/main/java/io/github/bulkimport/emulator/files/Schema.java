package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A collection's schema as the emulator holds it: the {@code data} of its {@code collections/describe}
 * answer, read into fields.
 */
public record Schema(String name, boolean dynamic, List<Field> fields) {

    /**
     * One field.
     *
     * @param type        Milvus's type name (Int64, FloatVector, ...)
     * @param elementType for an Array, its elements' type name; else {@code null}
     */
    public record Field(String name, String type, String elementType, boolean primaryKey, boolean autoId, boolean partitionKey, boolean nullable,
                        boolean hasDefault, boolean functionOutput, Integer dim, Integer maxLength, Integer maxCapacity) {

        boolean generated() {
            return primaryKey && autoId || functionOutput;
        }

        boolean optional() {
            return nullable || hasDefault;
        }

        boolean isVector() {
            return type.endsWith("Vector") && !"SparseFloatVector".equals(type);
        }
    }

    public static Schema of(final JsonNode data) {
        final List<Field> fields = new ArrayList<>();
        for (final JsonNode field : data.path("fields")) {
            Integer dim = null;
            Integer maxLength = null;
            Integer maxCapacity = null;
            for (final JsonNode param : field.path("params")) {
                final String key = param.path("key").asText();
                final int value = Integer.parseInt(param.path("value").asText("0"));
                switch (key) {
                    case "dim" -> dim = value;
                    case "max_length" -> maxLength = value;
                    case "max_capacity" -> maxCapacity = value;
                    default -> { }
                }
            }
            fields.add(new Field(field.path("name").asText(), field.path("type").asText(), field.hasNonNull("elementType") ? field.get("elementType").asText() : null,
                    field.path("primaryKey").asBoolean(), field.path("autoId").asBoolean(), field.path("partitionKey").asBoolean(),
                    field.path("nullable").asBoolean(), field.hasNonNull("defaultValue"), field.path("isFunctionOutput").asBoolean(),
                    dim, maxLength, maxCapacity));
        }
        return new Schema(data.path("collectionName").asText(), data.path("enableDynamicField").asBoolean(), fields);
    }

    public Optional<Field> field(final String fieldName) {
        return fields.stream().filter(field -> field.name().equals(fieldName)).findFirst();
    }

    public Optional<Field> partitionKey() {
        return fields.stream().filter(Field::partitionKey).findFirst();
    }
}
