package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes {@code flows/}: builds each {@link FlowDefinition} in a real NiFi through the REST API,
 * downloads it as the UI's "Download flow definition" does, and names NiFi's standard and UpdateAttribute
 * NARs where the tests' NiFi has its stand-ins. Run by hand after changing a definition:
 * <pre>
 * mvn -B -DskipTests package
 * java -cp "nifi-bulkimport-system-tests/target/classes:nifi-bulkimport-system-tests/target/lib/*" \
 *     io.github.bulkimport.systemtest.FlowDefinitionWriter .
 * </pre>
 */
public final class FlowDefinitionWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FlowDefinitionWriter() {
    }

    public static void main(final String[] args) throws Exception {
        final Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        final Path work = root.resolve("target/flow-definitions");
        NiFiInstance.delete(work);
        final List<Path> nars = List.of(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")).getFirst(),
                NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")).getFirst());
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), work.resolve("nifi"), nars, "flow-definitions");
        nifi.start(Duration.ofMinutes(4));
        try {
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            Files.createDirectories(root.resolve("flows"));
            double y = 0;
            for (final FlowDefinition definition : FlowDefinition.values()) {
                final String group = definition.build(rest, rest.rootGroupId(), 0, y);
                y += 300;
                final Path file = definition.file(root.resolve("flows"));
                Files.writeString(file, stable(withNiFisStandardBundle(rest.downloadFlowDefinition(group)), definition.fileName()) + "\n");
                System.out.println("wrote " + root.relativize(file));
            }
        } finally {
            nifi.stop();
        }
    }

    /**
     * The definition with identifiers derived from what each component is (kind, name, ends) rather than
     * drawn at random, and its components in a fixed order: written again, an unchanged flow gives the same file.
     */
    static String stable(final String definition, final String fileName) throws IOException {
        final ObjectNode root = (ObjectNode) JSON.readTree(definition);
        final Map<String, String> renamed = new HashMap<>();
        collectIdentifiers(root, fileName, renamed);
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sorted(root));
        for (final Map.Entry<String, String> identifier : renamed.entrySet()) {
            text = text.replace(identifier.getKey(), identifier.getValue());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sorted(JSON.readTree(text)));
    }

    private static void collectIdentifiers(final JsonNode node, final String fileName, final Map<String, String> renamed) {
        if (node.isObject()) {
            if (node.has("identifier") && node.has("componentType")) {
                final String what = fileName + "|" + node.path("componentType").asText() + "|" + node.path("name").asText() + "|"
                        + node.path("source").path("name").asText() + ">" + node.path("destination").path("name").asText() + "|"
                        + node.path("selectedRelationships");
                renamed.put(node.path("identifier").asText(), UUID.nameUUIDFromBytes(what.getBytes(StandardCharsets.UTF_8)).toString());
                if (node.hasNonNull("instanceIdentifier")) {
                    renamed.put(node.path("instanceIdentifier").asText(),
                            UUID.nameUUIDFromBytes((what + "|instance").getBytes(StandardCharsets.UTF_8)).toString());
                }
            }
            node.elements().forEachRemaining(child -> collectIdentifiers(child, fileName, renamed));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collectIdentifiers(child, fileName, renamed));
        }
    }

    /** Arrays of components ordered by identifier, arrays of names by name, object fields by name. */
    private static JsonNode sorted(final JsonNode node) {
        if (node.isObject()) {
            final ObjectNode ordered = JSON.createObjectNode();
            final List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            names.forEach(name -> ordered.set(name, sorted(node.get(name))));
            return ordered;
        }
        if (node.isArray()) {
            final List<JsonNode> elements = new ArrayList<>();
            node.elements().forEachRemaining(element -> elements.add(sorted(element)));
            if (elements.stream().allMatch(element -> element.has("identifier"))) {
                elements.sort(Comparator.comparing(element -> element.path("identifier").asText()));
            } else if (elements.stream().allMatch(JsonNode::isTextual)) {
                // relationships, resource types: sets, which NiFi writes in any order
                elements.sort(Comparator.comparing(JsonNode::asText));
            }
            final ArrayNode array = JSON.createArrayNode();
            elements.forEach(array::add);
            return array;
        }
        return node;
    }

    private static String withNiFisStandardBundle(final String definition) {
        return definition.replaceAll("\"group\" : \"io\\.github\\.bulkimport\",(\\s+)\"artifact\" : \"test-runtime-update-attribute-nar\",(\\s+)\"version\" : \"[^\"]+\"",
                "\"group\" : \"org.apache.nifi\",$1\"artifact\" : \"nifi-update-attribute-nar\",$2\"version\" : \"2.3.0\"").replaceAll("\"group\" : \"io\\.github\\.bulkimport\",(\\s+)\"artifact\" : \"test-runtime-standard-nar\",(\\s+)\"version\" : \"[^\"]+\"",
                "\"group\" : \"org.apache.nifi\",$1\"artifact\" : \"nifi-standard-nar\",$2\"version\" : \"2.3.0\"");
    }
}
