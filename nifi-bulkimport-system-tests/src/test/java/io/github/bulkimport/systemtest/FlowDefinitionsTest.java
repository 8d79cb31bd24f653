package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user's NiFi needs of the committed flow definitions, read from the files alone (the system tests
 * upload and run them): bundles a real NiFi has, no secret, settings in parameters, and the cluster
 * settings the README's recipes call for.
 */
class FlowDefinitionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The bundle, and NiFi's own NARs that a NiFi 2.x installation holds. */
    private static final Set<String> BUNDLES = Set.of("io.github.bulkimport:nifi-bulkimport-nar", "org.apache.nifi:nifi-standard-nar",
            "org.apache.nifi:nifi-update-attribute-nar", "org.apache.nifi:nifi-record-serialization-services-nar");

    private static JsonNode read(final FlowDefinition definition) throws IOException {
        return JSON.readTree(definition.file(FlowDefinition.directory()).toFile());
    }

    private static List<JsonNode> components(final JsonNode flow) {
        final List<JsonNode> components = new ArrayList<>();
        flow.path("flowContents").path("processors").forEach(components::add);
        flow.path("flowContents").path("controllerServices").forEach(components::add);
        return components;
    }

    @ParameterizedTest
    @EnumSource(FlowDefinition.class)
    void everyComponentComesFromABundleARealNiFiHas(final FlowDefinition definition) throws IOException {
        for (final JsonNode component : components(read(definition))) {
            final JsonNode bundle = component.path("bundle");
            assertTrue(BUNDLES.contains(bundle.path("group").asText() + ":" + bundle.path("artifact").asText()),
                    component.path("name").asText() + " comes from " + bundle);
        }
    }

    @ParameterizedTest
    @EnumSource(FlowDefinition.class)
    void theConnectionIsSetInParametersAndTheKeyIsASensitiveOneWithNoValue(final FlowDefinition definition) throws IOException {
        final JsonNode flow = read(definition);
        final Map<String, JsonNode> parameters = new HashMap<>();
        flow.path("parameterContexts").path(definition.groupName()).path("parameters").forEach(p -> parameters.put(p.path("name").asText(), p));
        final Set<String> expected = new java.util.HashSet<>(Set.of(FlowDefinition.DEPLOYMENT, FlowDefinition.ENDPOINT_URL, FlowDefinition.API_KEY,
                FlowDefinition.COLLECTION, FlowDefinition.CLUSTER_ENDPOINT));
        if (definition == FlowDefinition.RECORDS) {
            expected.addAll(Set.of(RecordsFlow.ROWS_PER_FILE, RecordsFlow.MAX_FILE_SIZE, RecordsFlow.MAX_FILE_WAIT));
        }
        assertEquals(expected, parameters.keySet());
        assertTrue(parameters.get(FlowDefinition.API_KEY).path("sensitive").asBoolean());
        assertFalse(parameters.get(FlowDefinition.API_KEY).has("value"), "no secret in a file users share");
        assertFalse(parameters.get(FlowDefinition.COLLECTION).has("value"), "the collection is the user's to name");

        final JsonNode service = components(flow).stream().filter(c -> c.path("type").asText().equals(BulkImportFlow.SERVICE_TYPE)).findFirst()
                .orElseThrow();
        assertEquals(FlowDefinition.SERVICE, service.path("name").asText());
        assertEquals("#{" + FlowDefinition.API_KEY + "}", service.path("properties").path("API Key or Token").asText());
        assertEquals("#{" + FlowDefinition.ENDPOINT_URL + "}", service.path("properties").path("Endpoint URL").asText());
        for (final JsonNode component : components(flow)) {
            component.path("properties").properties().forEach(property -> assertFalse(
                    component.path("propertyDescriptors").path(property.getKey()).path("sensitive").asBoolean()
                            && !property.getValue().isNull() && !property.getValue().asText().startsWith("#{"),
                    component.path("name").asText() + "'s sensitive " + property.getKey() + " holds a value"));
        }
    }

    @ParameterizedTest
    @EnumSource(FlowDefinition.class)
    void uploadsSpreadOverAClusterAndADatasetMeetsAgainOnOneNode(final FlowDefinition definition) throws IOException {
        final List<String> strategies = new ArrayList<>();
        read(definition).path("flowContents").path("connections").forEach(connection -> {
            final String strategy = connection.path("loadBalanceStrategy").asText();
            final String attribute = connection.path("partitioningAttribute").asText("");
            if (!"DO_NOT_LOAD_BALANCE".equals(strategy)) {
                strategies.add(strategy + " " + connection.path("destination").path("name").asText() + (attribute.isEmpty() ? "" : " " + attribute));
            }
        });
        assertEquals(definition == FlowDefinition.DATASET
                ? Set.of("ROUND_ROBIN TriggerBulkImport (auto_commit = false)", "PARTITION_BY_ATTRIBUTE One flowfile per dataset (Defragment) fragment.identifier")
                : Set.of("ROUND_ROBIN ValidateBulkImportFile"), Set.copyOf(strategies));
    }

    @org.junit.jupiter.api.Test
    void theRecordsAreMergedIntoFilesOfRowsNamedForTheirFormat() throws IOException {
        final JsonNode flow = read(FlowDefinition.RECORDS);
        final JsonNode merge = components(flow).stream().filter(c -> c.path("type").asText().equals(RecordsFlow.MERGE_RECORD_TYPE)).findFirst()
                .orElseThrow();
        assertEquals("#{" + RecordsFlow.ROWS_PER_FILE + "}", merge.path("properties").path("min-records").asText());
        assertEquals("#{" + RecordsFlow.MAX_FILE_SIZE + "}", merge.path("properties").path("max-bin-size").asText());
        assertEquals("#{" + RecordsFlow.MAX_FILE_WAIT + "}", merge.path("properties").path("max-bin-age").asText());
        final JsonNode writer = components(flow).stream().filter(c -> c.path("type").asText().equals(RecordsFlow.JSON_WRITER_TYPE)).findFirst()
                .orElseThrow();
        assertEquals("output-array", writer.path("properties").path("output-grouping").asText(), "a JSON array of rows, as Milvus reads it");
        assertEquals(writer.path("identifier").asText(), merge.path("properties").path("record-writer").asText());
        final JsonNode name = components(flow).stream().filter(c -> c.path("type").asText().equals(RecordsFlow.UPDATE_ATTRIBUTE_TYPE)).findFirst()
                .orElseThrow();
        assertEquals("${uuid}.${mime.type:substringAfter('/')}", name.path("properties").path("filename").asText(),
                "Milvus tells the format by the extension");
    }
}
