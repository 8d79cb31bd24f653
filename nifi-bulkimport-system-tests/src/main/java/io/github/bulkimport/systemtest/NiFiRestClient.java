package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few calls of NiFi's REST API needed to build, run and inspect a flow.
 */
public final class NiFiRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public NiFiRestClient(final String api) {
        this.api = api;
    }

    // ---- plumbing ---------------------------------------------------------------------------------

    private JsonNode send(final String method, final String path, final JsonNode body) throws IOException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        final HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private JsonNode get(final String path) throws IOException {
        return send("GET", path, null);
    }

    private static ObjectNode entity(final long revision) {
        final ObjectNode entity = JSON.createObjectNode();
        entity.putObject("revision").put("version", revision);
        return entity;
    }

    private static ObjectNode position(final ObjectNode component, final double x, final double y) {
        component.putObject("position").put("x", x).put("y", y);
        return component;
    }

    private static void sleep(final long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ---- types ------------------------------------------------------------------------------------

    private JsonNode bundleOf(final String listing, final String arrayField, final String type) throws IOException {
        for (final JsonNode candidate : get(listing).path(arrayField)) {
            if (type.equals(candidate.path("type").asText())) {
                return candidate.path("bundle");
            }
        }
        throw new IOException(type + " is not installed in this NiFi (no entry in " + listing + ")");
    }

    /** Waits until NiFi lists a processor type, e.g. after a NAR was dropped into extensions/. */
    public void awaitProcessorType(final String type, final Duration timeout) throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                bundleOf("/flow/processor-types", "processorTypes", type);
                return;
            } catch (final IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                sleep(500);
            }
        }
    }

    // ---- building -----------------------------------------------------------------------------------

    public String rootGroupId() throws IOException {
        return get("/flow/process-groups/root").path("processGroupFlow").path("id").asText();
    }

    public String createProcessGroup(final String parentId, final String name, final double x, final double y) throws IOException {
        final ObjectNode entity = entity(0);
        position(entity.putObject("component").put("name", name), x, y);
        return send("POST", "/process-groups/" + parentId + "/process-groups", entity).path("id").asText();
    }

    /**
     * Creates a processor.
     *
     * @param config scheduling and other settings of the component's {@code config}, e.g. penaltyDuration
     */
    public String createProcessor(final String groupId, final String type, final String name, final double x, final double y,
                                  final Map<String, String> properties, final Map<String, String> config, final List<String> autoTerminated)
            throws IOException {
        final ObjectNode entity = entity(0);
        final ObjectNode component = position(entity.putObject("component"), x, y);
        component.put("type", type).put("name", name);
        component.set("bundle", bundleOf("/flow/processor-types", "processorTypes", type));
        final ObjectNode configNode = component.putObject("config");
        final ObjectNode props = configNode.putObject("properties");
        properties.forEach(props::put);
        config.forEach(configNode::put);
        final ArrayNode terminated = configNode.putArray("autoTerminatedRelationships");
        autoTerminated.forEach(terminated::add);
        return send("POST", "/process-groups/" + groupId + "/processors", entity).path("id").asText();
    }

    public String createFunnel(final String groupId, final double x, final double y) throws IOException {
        final ObjectNode entity = entity(0);
        position(entity.putObject("component"), x, y);
        return send("POST", "/process-groups/" + groupId + "/funnels", entity).path("id").asText();
    }

    /**
     * Connects a processor to a processor or funnel through a bend point, where NiFi draws the
     * connection's label.
     *
     * @param bend {x, y}: a loop from a processor to itself needs one to be drawn
     */
    public String connect(final String groupId, final String sourceId, final String destinationId, final String destinationType,
                          final List<String> relationships, final double[] bend) throws IOException {
        final ObjectNode entity = entity(0);
        final ObjectNode component = entity.putObject("component");
        component.putObject("source").put("id", sourceId).put("groupId", groupId).put("type", "PROCESSOR");
        component.putObject("destination").put("id", destinationId).put("groupId", groupId).put("type", destinationType);
        final ArrayNode selected = component.putArray("selectedRelationships");
        relationships.forEach(selected::add);
        component.putArray("bends").addObject().put("x", bend[0]).put("y", bend[1]);
        return send("POST", "/process-groups/" + groupId + "/connections", entity).path("id").asText();
    }

    /** Sets how many flowfiles a connection holds before back pressure stops its source. */
    public void setBackPressure(final String connectionId, final long objects) throws IOException {
        final JsonNode connection = get("/connections/" + connectionId);
        final ObjectNode entity = entity(connection.path("revision").path("version").asLong());
        entity.putObject("component").put("id", connectionId).put("backPressureObjectThreshold", objects);
        send("PUT", "/connections/" + connectionId, entity);
    }

    /** Balances a connection's flowfiles across the cluster's nodes, round robin. */
    public void loadBalanceRoundRobin(final String connectionId) throws IOException {
        final JsonNode connection = get("/connections/" + connectionId);
        final ObjectNode entity = entity(connection.path("revision").path("version").asLong());
        entity.putObject("component").put("id", connectionId).put("loadBalanceStrategy", "ROUND_ROBIN");
        send("PUT", "/connections/" + connectionId, entity);
    }

    /**
     * Sends every flowfile with the same value of {@code attribute} to the same node of the cluster,
     * as MergeContent's input needs for a dataset's fragments.
     */
    public void loadBalanceByAttribute(final String connectionId, final String attribute) throws IOException {
        final JsonNode connection = get("/connections/" + connectionId);
        final ObjectNode entity = entity(connection.path("revision").path("version").asLong());
        entity.putObject("component").put("id", connectionId).put("loadBalanceStrategy", "PARTITION_BY_ATTRIBUTE")
                .put("loadBalancePartitionAttribute", attribute);
        send("PUT", "/connections/" + connectionId, entity);
    }

    /** Where a stopped processor runs in a cluster: ALL or PRIMARY. */
    public void setExecutionNode(final String processorId, final String executionNode) throws IOException {
        updateProcessorConfig(processorId, Map.of("executionNode", executionNode));
    }

    /** Changes settings of a stopped processor's {@code config}, e.g. schedulingPeriod. */
    public void updateProcessorConfig(final String processorId, final Map<String, String> config) throws IOException {
        final JsonNode processor = get("/processors/" + processorId);
        final ObjectNode entity = entity(processor.path("revision").path("version").asLong());
        final ObjectNode node = entity.putObject("component").put("id", processorId).putObject("config");
        config.forEach(node::put);
        send("PUT", "/processors/" + processorId, entity);
    }

    /** How many flowfiles a processor sent out in the last five minutes, over the cluster. */
    public int flowFilesOut(final String processorId) throws IOException {
        return get("/flow/processors/" + processorId + "/status").path("processorStatus").path("aggregateSnapshot").path("flowFilesOut").asInt();
    }

    /** Changes properties of a stopped processor. */
    public void updateProcessorProperties(final String processorId, final Map<String, String> properties) throws IOException {
        final JsonNode processor = get("/processors/" + processorId);
        final ObjectNode entity = entity(processor.path("revision").path("version").asLong());
        final ObjectNode props = entity.putObject("component").put("id", processorId).putObject("config").putObject("properties");
        properties.forEach(props::put);
        send("PUT", "/processors/" + processorId, entity);
    }

    public String createControllerService(final String groupId, final String type, final String name, final Map<String, String> properties)
            throws IOException {
        final ObjectNode entity = entity(0);
        final ObjectNode component = entity.putObject("component");
        component.put("type", type).put("name", name);
        component.set("bundle", bundleOf("/flow/controller-service-types", "controllerServiceTypes", type));
        final ObjectNode props = component.putObject("properties");
        properties.forEach(props::put);
        return send("POST", "/process-groups/" + groupId + "/controller-services", entity).path("id").asText();
    }

    /** Enables a controller service and waits until it is enabled; fails with its validation errors. */
    public void enableControllerService(final String serviceId, final Duration timeout) throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode service = get("/controller-services/" + serviceId);
        while ("VALIDATING".equals(service.path("component").path("validationStatus").asText()) && System.nanoTime() < deadline) {
            sleep(200);
            service = get("/controller-services/" + serviceId);
        }
        if (!"VALID".equals(service.path("component").path("validationStatus").asText())) {
            throw new IOException("controller service " + serviceId + " is not valid: " + service.path("component").path("validationErrors"));
        }
        final ObjectNode runStatus = entity(service.path("revision").path("version").asLong());
        runStatus.put("state", "ENABLED");
        send("PUT", "/controller-services/" + serviceId + "/run-status", runStatus);
        while (System.nanoTime() < deadline) {
            if ("ENABLED".equals(get("/controller-services/" + serviceId).path("component").path("state").asText())) {
                return;
            }
            sleep(200);
        }
        throw new IOException("controller service " + serviceId + " did not become enabled");
    }

    // ---- running ------------------------------------------------------------------------------------

    public void setGroupState(final String groupId, final String state) throws IOException {
        final ObjectNode body = JSON.createObjectNode().put("id", groupId).put("state", state);
        send("PUT", "/flow/process-groups/" + groupId, body);
    }

    public void setProcessorState(final String processorId, final String state) throws IOException {
        final JsonNode processor = get("/processors/" + processorId);
        final ObjectNode runStatus = entity(processor.path("revision").path("version").asLong());
        runStatus.put("state", state);
        send("PUT", "/processors/" + processorId + "/run-status", runStatus);
    }

    /** Triggers a stopped processor once and waits until it is stopped again. */
    public void runOnce(final String processorId, final Duration timeout) throws IOException {
        setProcessorState(processorId, "RUN_ONCE");
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final JsonNode processor = get("/processors/" + processorId);
            if ("STOPPED".equals(processor.path("component").path("state").asText())
                    && processor.path("status").path("aggregateSnapshot").path("activeThreadCount").asInt() == 0) {
                return;
            }
            sleep(100);
        }
        throw new IOException("processor " + processorId + " did not stop after running once");
    }

    /** Validation errors of a processor, empty when valid. */
    public List<String> validationErrors(final String processorId) throws IOException {
        final List<String> errors = new ArrayList<>();
        get("/processors/" + processorId).path("component").path("validationErrors").forEach(e -> errors.add(e.asText()));
        return errors;
    }

    // ---- inspecting ---------------------------------------------------------------------------------

    public int queued(final String connectionId) throws IOException {
        return get("/connections/" + connectionId).path("status").path("aggregateSnapshot").path("flowFilesQueued").asInt();
    }

    /** The attributes of every flowfile queued in a connection (at most 100, as the API lists). */
    public List<Map<String, String>> queuedAttributes(final String connectionId) throws IOException {
        JsonNode listing = send("POST", "/flowfile-queues/" + connectionId + "/listing-requests", null).path("listingRequest");
        final String requestId = listing.path("id").asText();
        try {
            while (!listing.path("finished").asBoolean()) {
                sleep(100);
                listing = get("/flowfile-queues/" + connectionId + "/listing-requests/" + requestId).path("listingRequest");
            }
            final List<Map<String, String>> result = new ArrayList<>();
            for (final JsonNode summary : listing.path("flowFileSummaries")) {
                // in a cluster, a flowfile is read from the node that holds it
                final String node = summary.path("clusterNodeId").asText("");
                final JsonNode flowFile = get("/flowfile-queues/" + connectionId + "/flowfiles/" + summary.path("uuid").asText()
                        + (node.isEmpty() ? "" : "?clusterNodeId=" + node)).path("flowFile");
                final Map<String, String> attributes = new HashMap<>();
                flowFile.path("attributes").properties().forEach(entry -> attributes.put(entry.getKey(), entry.getValue().asText()));
                result.add(attributes);
            }
            return result;
        } finally {
            send("DELETE", "/flowfile-queues/" + connectionId + "/listing-requests/" + requestId, null);
        }
    }

    /** One node of a cluster, as the cluster coordinator sees it. */
    public record ClusterNode(String nodeId, int apiPort, String status, List<String> roles) {

        public boolean isPrimary() {
            return roles.contains("Primary Node");
        }
    }

    /** The nodes of the cluster this NiFi belongs to. */
    public List<ClusterNode> clusterNodes() throws IOException {
        final List<ClusterNode> nodes = new ArrayList<>();
        for (final JsonNode node : get("/controller/cluster").path("cluster").path("nodes")) {
            final List<String> roles = new ArrayList<>();
            node.path("roles").forEach(role -> roles.add(role.asText()));
            nodes.add(new ClusterNode(node.path("nodeId").asText(), node.path("apiPort").asInt(), node.path("status").asText(), roles));
        }
        return nodes;
    }

    /**
     * NiFi's counters, summed over the cluster's nodes and over components: name to value. NiFi keeps
     * each counter per component and once more for all components of a type ("All TriggerBulkImport's"):
     * these are what is summed.
     */
    public Map<String, Long> counters() throws IOException {
        final Map<String, Long> counters = new HashMap<>();
        for (final JsonNode counter : get("/counters").path("counters").path("aggregateSnapshot").path("counters")) {
            if (counter.path("context").asText().startsWith("All ")) {
                counters.merge(counter.path("name").asText(), counter.path("valueCount").asLong(), Long::sum);
            }
        }
        return counters;
    }

    /** How many flowfiles a processor took in over the last five minutes, node by node (by API port). */
    public Map<Integer, Integer> flowFilesInByNode(final String processorId) throws IOException {
        final Map<Integer, Integer> byNode = new HashMap<>();
        for (final JsonNode node : get("/flow/processors/" + processorId + "/status?nodewise=true").path("processorStatus").path("nodeSnapshots")) {
            byNode.put(node.path("apiPort").asInt(), node.path("statusSnapshot").path("flowFilesIn").asInt());
        }
        return byNode;
    }

    /** Drops every flowfile queued in a connection and waits until they are gone. */
    public void emptyQueue(final String connectionId) throws IOException {
        JsonNode drop = send("POST", "/flowfile-queues/" + connectionId + "/drop-requests", null).path("dropRequest");
        final String requestId = drop.path("id").asText();
        while (!drop.path("finished").asBoolean()) {
            sleep(100);
            drop = get("/flowfile-queues/" + connectionId + "/drop-requests/" + requestId).path("dropRequest");
        }
        send("DELETE", "/flowfile-queues/" + connectionId + "/drop-requests/" + requestId, null);
    }

    /** Bulletins currently shown for a process group. */
    public List<String> bulletins(final String groupId) throws IOException {
        final List<String> messages = new ArrayList<>();
        get("/flow/bulletin-board?groupId=" + groupId).path("bulletinBoard").path("bulletins")
                .forEach(b -> messages.add(b.path("bulletin").path("message").asText()));
        return messages;
    }
}
