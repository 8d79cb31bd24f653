package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

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
        final String answer = exchange(request.build(), method, path);
        return answer.isEmpty() ? JSON.createObjectNode() : JSON.readTree(answer);
    }

    private String exchange(final HttpRequest request, final String method, final String path) throws IOException {
        final HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private JsonNode get(final String path) throws IOException {
        return send("GET", path, null);
    }

    private static ObjectNode entity(final long revision) {
        final ObjectNode entity = JSON.createObjectNode();
        entity.putObject("revision").put("version", revision);
        return entity;
    }

    /** Changes a component at its current revision: {@code change} fills in the component's fields to change. */
    private void update(final String path, final String id, final Consumer<ObjectNode> change) throws IOException {
        final ObjectNode entity = entity(get(path + id).path("revision").path("version").asLong());
        change.accept(entity.putObject("component").put("id", id));
        send("PUT", path + id, entity);
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

    /** One end of a connection: a component, the group it is in, and its type (PROCESSOR, FUNNEL, INPUT_PORT, OUTPUT_PORT). */
    public record End(String id, String groupId, String type) {

        public static End processor(final String groupId, final String id) {
            return new End(id, groupId, "PROCESSOR");
        }
    }

    /**
     * Connects a processor to a processor or funnel through a bend point, where NiFi draws the
     * connection's label.
     *
     * @param bend {x, y}: a loop from a processor to itself needs one to be drawn
     */
    public String connect(final String groupId, final String sourceId, final String destinationId, final String destinationType,
                          final List<String> relationships, final double[] bend) throws IOException {
        return connect(groupId, End.processor(groupId, sourceId), new End(destinationId, groupId, destinationType), relationships, bend);
    }

    /**
     * Connects any two components of a group, or of a group and its child groups' ports.
     *
     * @param relationships the source processor's relationships; empty for a port or funnel
     * @param bend          {x, y}, or {@code null} for a straight line
     */
    public String connect(final String groupId, final End source, final End destination, final List<String> relationships, final double[] bend)
            throws IOException {
        final ObjectNode entity = entity(0);
        final ObjectNode component = entity.putObject("component");
        component.putObject("source").put("id", source.id()).put("groupId", source.groupId()).put("type", source.type());
        component.putObject("destination").put("id", destination.id()).put("groupId", destination.groupId()).put("type", destination.type());
        final ArrayNode selected = component.putArray("selectedRelationships");
        relationships.forEach(selected::add);
        if (bend != null) {
            component.putArray("bends").addObject().put("x", bend[0]).put("y", bend[1]);
        }
        return send("POST", "/process-groups/" + groupId + "/connections", entity).path("id").asText();
    }

    /** Creates an input or output port. */
    public String createPort(final String groupId, final PortType type, final String name, final double x, final double y) throws IOException {
        final ObjectNode entity = entity(0);
        position(entity.putObject("component").put("name", name), x, y);
        return send("POST", "/process-groups/" + groupId + "/" + type.path, entity).path("id").asText();
    }

    /** The two kinds of port, with their REST paths and connection types. */
    public enum PortType {
        INPUT("input-ports", "INPUT_PORT"), OUTPUT("output-ports", "OUTPUT_PORT");

        private final String path;
        private final String connectableType;

        PortType(final String path, final String connectableType) {
            this.path = path;
            this.connectableType = connectableType;
        }

        public End end(final String groupId, final String portId) {
            return new End(portId, groupId, connectableType);
        }
    }

    /** Starts or stops a port. */
    public void setPortState(final PortType type, final String portId, final String state) throws IOException {
        final JsonNode port = get("/" + type.path + "/" + portId);
        final ObjectNode runStatus = entity(port.path("revision").path("version").asLong());
        runStatus.put("state", state);
        send("PUT", "/" + type.path + "/" + portId + "/run-status", runStatus);
    }

    /** Sets how many flowfiles a connection holds before back pressure stops its source. */
    public void setBackPressure(final String connectionId, final long objects) throws IOException {
        update("/connections/", connectionId, component -> component.put("backPressureObjectThreshold", objects));
    }

    /** Sets both back pressure thresholds of a connection: flowfiles, and data size (e.g. "1 TB"). */
    public void setBackPressure(final String connectionId, final long objects, final String dataSize) throws IOException {
        update("/connections/", connectionId, component -> component.put("backPressureObjectThreshold", objects)
                .put("backPressureDataSizeThreshold", dataSize));
    }

    /** Balances a connection's flowfiles across the cluster's nodes, round robin. */
    public void loadBalanceRoundRobin(final String connectionId) throws IOException {
        update("/connections/", connectionId, component -> component.put("loadBalanceStrategy", "ROUND_ROBIN"));
    }

    /**
     * Sends every flowfile with the same value of {@code attribute} to the same node of the cluster,
     * as MergeContent's input needs for a dataset's fragments.
     */
    public void loadBalanceByAttribute(final String connectionId, final String attribute) throws IOException {
        update("/connections/", connectionId, component -> component.put("loadBalanceStrategy", "PARTITION_BY_ATTRIBUTE")
                .put("loadBalancePartitionAttribute", attribute));
    }

    /** Where a stopped processor runs in a cluster: ALL or PRIMARY. */
    public void setExecutionNode(final String processorId, final String executionNode) throws IOException {
        updateProcessorConfig(processorId, Map.of("executionNode", executionNode));
    }

    /** Changes settings of a stopped processor's {@code config}, e.g. schedulingPeriod. */
    public void updateProcessorConfig(final String processorId, final Map<String, String> config) throws IOException {
        update("/processors/", processorId, component -> config.forEach(component.putObject("config")::put));
    }

    /** How many flowfiles a processor sent out in the last five minutes, over the cluster. */
    public int flowFilesOut(final String processorId) throws IOException {
        return processorStatus(processorId).path("flowFilesOut").asInt();
    }

    /** The JVM's figures: usedHeapBytes, maxHeapBytes, heapUtilization... */
    public JsonNode systemDiagnostics() throws IOException {
        return get("/system-diagnostics").path("systemDiagnostics").path("aggregateSnapshot");
    }

    /** A processor's figures over the last 5 minutes: flowFilesIn, flowFilesOut, bytesRead, taskCount... */
    public JsonNode processorStatus(final String processorId) throws IOException {
        return get("/flow/processors/" + processorId + "/status").path("processorStatus").path("aggregateSnapshot");
    }

    /** Changes properties of a stopped processor. */
    public void updateProcessorProperties(final String processorId, final Map<String, String> properties) throws IOException {
        update("/processors/", processorId, component -> properties.forEach(component.putObject("config").putObject("properties")::put));
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

    /** Changes properties of a disabled controller service. */
    public void updateControllerServiceProperties(final String serviceId, final Map<String, String> properties) throws IOException {
        update("/controller-services/", serviceId, component -> properties.forEach(component.putObject("properties")::put));
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

    /** Disables a controller service (what references it must be stopped) and waits until it is disabled. */
    public void disableControllerService(final String serviceId, final Duration timeout) throws IOException {
        final JsonNode service = get("/controller-services/" + serviceId);
        final ObjectNode runStatus = entity(service.path("revision").path("version").asLong());
        runStatus.put("state", "DISABLED");
        send("PUT", "/controller-services/" + serviceId + "/run-status", runStatus);
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if ("DISABLED".equals(get("/controller-services/" + serviceId).path("component").path("state").asText())) {
                return;
            }
            sleep(200);
        }
        throw new IOException("controller service " + serviceId + " did not become disabled");
    }

    // ---- parameters and flow definitions -----------------------------------------------------------

    /** One parameter of a parameter context. */
    public record Parameter(String name, String value, boolean sensitive, String description) {
    }

    /** Creates a parameter context and makes it the group's. */
    public String createParameterContext(final String groupId, final String name, final List<Parameter> parameters) throws IOException {
        final ObjectNode entity = entity(0);
        final ObjectNode component = entity.putObject("component").put("name", name);
        final ArrayNode list = component.putArray("parameters");
        for (final Parameter parameter : parameters) {
            final ObjectNode node = list.addObject().putObject("parameter").put("name", parameter.name()).put("sensitive", parameter.sensitive())
                    .put("description", parameter.description());
            if (parameter.value() != null) {
                node.put("value", parameter.value());
            }
        }
        final String contextId = send("POST", "/parameter-contexts", entity).path("id").asText();
        final JsonNode group = get("/process-groups/" + groupId);
        final ObjectNode update = entity(group.path("revision").path("version").asLong());
        update.putObject("component").put("id", groupId).putObject("parameterContext").put("id", contextId);
        send("PUT", "/process-groups/" + groupId, update);
        return contextId;
    }

    /**
     * Gives a group a parameter context of its own, a copy of the one it has: an upload reuses a context
     * of the same name, so two groups uploaded from one definition would otherwise share their settings.
     * Returns the new context's ID.
     */
    public String copyParameterContext(final String groupId, final String name) throws IOException {
        final JsonNode context = get("/parameter-contexts/" + parameterContextOf(groupId)).path("component");
        final List<Parameter> parameters = new ArrayList<>();
        for (final JsonNode entry : context.path("parameters")) {
            final JsonNode parameter = entry.path("parameter");
            final boolean sensitive = parameter.path("sensitive").asBoolean();
            parameters.add(new Parameter(parameter.path("name").asText(), sensitive || parameter.path("value").isNull() ? null
                    : parameter.path("value").asText(), sensitive, parameter.path("description").asText()));
        }
        return createParameterContext(groupId, name, parameters);
    }

    /** The ID of the group's parameter context. */
    public String parameterContextOf(final String groupId) throws IOException {
        return get("/process-groups/" + groupId).path("component").path("parameterContext").path("id").asText();
    }

    /**
     * Sets parameter values, as the UI does: through an update request, which NiFi applies by stopping
     * and restarting what refers to them; waits until it is done.
     */
    public void setParameters(final String contextId, final Map<String, String> values, final Duration timeout) throws IOException {
        final JsonNode context = get("/parameter-contexts/" + contextId);
        final ObjectNode entity = entity(context.path("revision").path("version").asLong());
        entity.put("id", contextId);
        final ObjectNode component = entity.putObject("component").put("id", contextId);
        final ArrayNode list = component.putArray("parameters");
        final Map<String, Boolean> sensitive = new HashMap<>();
        context.path("component").path("parameters").forEach(p -> sensitive.put(p.path("parameter").path("name").asText(),
                p.path("parameter").path("sensitive").asBoolean()));
        values.forEach((name, value) -> list.addObject().putObject("parameter").put("name", name).put("value", value)
                .put("sensitive", sensitive.getOrDefault(name, false)));
        JsonNode request = send("POST", "/parameter-contexts/" + contextId + "/update-requests", entity).path("request");
        final String requestId = request.path("requestId").asText();
        final long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!request.path("complete").asBoolean() && System.nanoTime() < deadline) {
                sleep(200);
                request = get("/parameter-contexts/" + contextId + "/update-requests/" + requestId).path("request");
            }
            if (!request.path("complete").asBoolean() || !request.path("failureReason").isMissingNode() && !request.path("failureReason").isNull()) {
                throw new IOException("parameters of " + contextId + " not set: " + request.path("failureReason").asText("not done in " + timeout));
            }
        } finally {
            send("DELETE", "/parameter-contexts/" + contextId + "/update-requests/" + requestId, null);
        }
    }

    /** The group as a flow definition, as the UI's "Download flow definition" gives it. */
    public String downloadFlowDefinition(final String groupId) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(get("/process-groups/" + groupId + "/download"));
    }

    /** Uploads a flow definition as a new child group, as the UI's "Upload flow definition" does; returns the new group's ID. */
    public String uploadFlowDefinition(final String parentId, final String name, final double x, final double y, final byte[] definition)
            throws IOException {
        final String boundary = "flow-definition-" + UUID.randomUUID();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final Map<String, String> fields = new LinkedHashMap<>();
        fields.put("groupName", name);
        fields.put("positionX", String.valueOf(x));
        fields.put("positionY", String.valueOf(y));
        fields.put("clientId", UUID.randomUUID().toString());
        fields.put("disconnectedNodeAcknowledged", "false");
        for (final Map.Entry<String, String> field : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n" + field.getValue()
                    + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + ".json\"\r\n"
                + "Content-Type: application/json\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(definition);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        final HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/process-groups/" + parentId + "/process-groups/upload"))
                .timeout(Duration.ofSeconds(60)).header("Accept", "application/json").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return JSON.readTree(exchange(request, "POST", "/process-groups/" + parentId + "/process-groups/upload")).path("id").asText();
    }

    /** What a group holds, by kind and name: processors, input ports, output ports; and its connections. */
    public record GroupContents(Map<String, String> processors, Map<String, String> inputPorts, Map<String, String> outputPorts,
                                List<Connection> connections, Map<String, String> services) {

        /** The ID of the connection from one component to another. */
        public String connection(final String sourceId, final String destinationId) {
            return connections.stream().filter(c -> c.sourceId().equals(sourceId) && c.destinationId().equals(destinationId)).findFirst()
                    .map(Connection::id).orElseThrow(() -> new IllegalStateException("no connection from " + sourceId + " to " + destinationId));
        }

        public String processor(final String name) {
            return named(processors, name);
        }

        public String inputPort(final String name) {
            return named(inputPorts, name);
        }

        public String outputPort(final String name) {
            return named(outputPorts, name);
        }

        public String service(final String name) {
            return named(services, name);
        }

        private static String named(final Map<String, String> components, final String name) {
            final String id = components.get(name);
            if (id == null) {
                throw new IllegalStateException("no component named '" + name + "' among " + components.keySet());
            }
            return id;
        }
    }

    /** One connection of a group. */
    public record Connection(String id, String sourceId, String destinationId) {
    }

    /** The components of a group (not of its child groups), with the controller services defined in it. */
    public GroupContents contents(final String groupId) throws IOException {
        final JsonNode flow = get("/flow/process-groups/" + groupId).path("processGroupFlow").path("flow");
        final List<Connection> connections = new ArrayList<>();
        flow.path("connections").forEach(c -> connections.add(new Connection(c.path("id").asText(), c.path("sourceId").asText(),
                c.path("destinationId").asText())));
        final Map<String, String> services = new HashMap<>();
        for (final JsonNode service : get("/flow/process-groups/" + groupId + "/controller-services?includeAncestorGroups=false")
                .path("controllerServices")) {
            services.put(service.path("component").path("name").asText(), service.path("id").asText());
        }
        return new GroupContents(byName(flow.path("processors")), byName(flow.path("inputPorts")), byName(flow.path("outputPorts")),
                connections, services);
    }

    private static Map<String, String> byName(final JsonNode entities) {
        final Map<String, String> byName = new HashMap<>();
        entities.forEach(e -> byName.put(e.path("component").path("name").asText(), e.path("id").asText()));
        return byName;
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

    /** The flowfiles queued in a connection, node by node (by API port); one entry, port 0, outside a cluster. */
    public Map<Integer, Integer> queuedByNode(final String connectionId) throws IOException {
        final Map<Integer, Integer> byNode = new HashMap<>();
        final JsonNode status = get("/flow/connections/" + connectionId + "/status?nodewise=true").path("connectionStatus");
        for (final JsonNode node : status.path("nodeSnapshots")) {
            byNode.put(node.path("apiPort").asInt(), node.path("statusSnapshot").path("flowFilesQueued").asInt());
        }
        if (byNode.isEmpty()) {
            byNode.put(0, status.path("aggregateSnapshot").path("flowFilesQueued").asInt());
        }
        return byNode;
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

    /** The group a processor is in. */
    public String parentGroupOf(final String processorId) throws IOException {
        return get("/processors/" + processorId).path("component").path("parentGroupId").asText();
    }

    /** A component's state as the UI shows it (View state): key to value, local and cluster state together. */
    public Map<String, String> state(final String processorId) throws IOException {
        final Map<String, String> state = new HashMap<>();
        final JsonNode componentState = get("/processors/" + processorId + "/state").path("componentState");
        for (final String scope : List.of("localState", "clusterState")) {
            componentState.path(scope).path("state").forEach(entry -> state.put(entry.path("key").asText(), entry.path("value").asText()));
        }
        return state;
    }

    /** What a processor or controller service of a group is, as NiFi loaded it: its type, bundle, and whether its extension is missing (a ghost). */
    public record Loaded(String name, String type, String bundle, boolean ghost) {
    }

    /** The processors and controller services of a group (not of its child groups), as NiFi loaded them. */
    public List<Loaded> loaded(final String groupId) throws IOException {
        final List<Loaded> loaded = new ArrayList<>();
        for (final JsonNode processor : get("/process-groups/" + groupId + "/processors").path("processors")) {
            loaded.add(loaded(processor.path("component")));
        }
        for (final JsonNode service : get("/flow/process-groups/" + groupId + "/controller-services?includeAncestorGroups=false")
                .path("controllerServices")) {
            loaded.add(loaded(service.path("component")));
        }
        return loaded;
    }

    private static Loaded loaded(final JsonNode component) {
        final JsonNode bundle = component.path("bundle");
        return new Loaded(component.path("name").asText(), component.path("type").asText(),
                bundle.path("group").asText() + ":" + bundle.path("artifact").asText() + ":" + bundle.path("version").asText(),
                component.path("extensionMissing").asBoolean());
    }

    /** Bulletins currently shown for a process group. */
    public List<String> bulletins(final String groupId) throws IOException {
        final List<String> messages = new ArrayList<>();
        get("/flow/bulletin-board?groupId=" + groupId).path("bulletinBoard").path("bulletins")
                .forEach(b -> messages.add(b.path("bulletin").path("message").asText()));
        return messages;
    }
}
