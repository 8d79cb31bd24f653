package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The flow definitions in {@code flows/}, which a user uploads onto a canvas ("Upload flow definition"):
 * how each is built through the REST API (for {@link FlowDefinitionWriter}, which downloads them into
 * {@code flows/}), and how the tests and the demo upload the files as committed.
 */
public enum FlowDefinition {

    AFTER_UPLOAD("bulk-import-after-upload.json", "Bulk import after upload"),
    DATASET("all-or-nothing-dataset.json", "All-or-nothing dataset import"),
    RECORDS("records-to-milvus.json", "Records to Milvus");

    /** The parameters of the connection service, in each definition's parameter context. */
    public static final String DEPLOYMENT = "Deployment";
    public static final String ENDPOINT_URL = "Endpoint URL";
    public static final String API_KEY = "API Key or Token";
    public static final String COLLECTION = "Collection Name";
    public static final String CLUSTER_ENDPOINT = "Cluster Endpoint";
    /** The connection service's name in each definition. */
    public static final String SERVICE = "Milvus or Zilliz Cloud connection";

    private final String fileName;
    private final String groupName;

    FlowDefinition(final String fileName, final String groupName) {
        this.fileName = fileName;
        this.groupName = groupName;
    }

    public String fileName() {
        return fileName;
    }

    public String groupName() {
        return groupName;
    }

    /** Builds the definition in a new group of {@code parentId}, as it is to be downloaded; returns the group's ID. */
    public String build(final NiFiRestClient rest, final String parentId, final double x, final double y) throws IOException {
        final String group = rest.createProcessGroup(parentId, groupName, x, y);
        final List<NiFiRestClient.Parameter> parameters = new java.util.ArrayList<>(List.of(
                new NiFiRestClient.Parameter(DEPLOYMENT, "MILVUS", false, "MILVUS (self-hosted) or ZILLIZ_CLOUD; Zilliz Cloud also needs "
                        + "the service's Cluster ID"),
                new NiFiRestClient.Parameter(ENDPOINT_URL, "http://localhost:19530", false, "Milvus's address (its REST port), or "
                        + "Zilliz Cloud's control plane, e.g. https://api.cloud.zilliz.com"),
                new NiFiRestClient.Parameter(API_KEY, null, true, "Milvus's user:password or token, or a Zilliz Cloud API key"),
                new NiFiRestClient.Parameter(COLLECTION, null, false, "The collection to import into"),
                new NiFiRestClient.Parameter(CLUSTER_ENDPOINT, null, false, "Zilliz Cloud only: the cluster's own endpoint (its Public "
                        + "Endpoint), where ValidateBulkImportFile reads the collection's schema; Milvus serves it at Endpoint URL")));
        if (this == RECORDS) {
            parameters.addAll(RecordsFlow.fileParameters());
        }
        rest.createParameterContext(group, groupName, parameters);
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, SERVICE, Map.of(
                "Deployment", "#{" + DEPLOYMENT + "}",
                "Endpoint URL", "#{" + ENDPOINT_URL + "}",
                "API Key or Token", "#{" + API_KEY + "}",
                "Cluster Endpoint", "#{" + CLUSTER_ENDPOINT + "}"));
        switch (this) {
            case AFTER_UPLOAD -> BulkImportFlow.buildDefinition(rest, group, service);
            case DATASET -> DatasetFlow.buildDefinition(rest, group, service);
            case RECORDS -> RecordsFlow.buildDefinition(rest, group, service);
        }
        return group;
    }

    /** Uploads the committed file as a new group of {@code parentId}; returns the group's ID. */
    public String upload(final NiFiRestClient rest, final String parentId, final String name, final double x, final double y) throws IOException {
        return rest.uploadFlowDefinition(parentId, name, x, y, Files.readAllBytes(file(directory())));
    }

    /** A definition uploaded for the harness: its group, what the group holds, and its enabled connection service. */
    public record Installed(String groupId, NiFiRestClient.GroupContents contents, String serviceId) {
    }

    /**
     * Uploads the committed file into {@code outer} as the harness runs it: a parameter context of its own
     * with the settings' endpoint, token and collection; a Response Timeout of 5 s; the service enabled;
     * the polling processors scheduled at once and penalized for the settings' penalty, and a Maximum
     * Wait Time of 10 min.
     */
    public Installed install(final NiFiRestClient rest, final String outer, final BulkImportFlow.Settings settings) throws IOException {
        final String group = upload(rest, outer, groupName, 480, 300);
        final NiFiRestClient.GroupContents contents = rest.contents(group);
        final String parameters = rest.copyParameterContext(group, groupName + ": " + settings.name());
        rest.setParameters(parameters, Map.of(ENDPOINT_URL, settings.endpoint(), API_KEY, settings.token(), COLLECTION, settings.collection()),
                Duration.ofSeconds(60));
        final String service = contents.service(SERVICE);
        rest.updateControllerServiceProperties(service, Map.of("Response Timeout", "5 secs"));
        rest.enableControllerService(service, Duration.ofSeconds(30));
        for (final Map.Entry<String, String> processor : contents.processors().entrySet()) {
            if (processor.getKey().contains("BulkImport")) {
                rest.updateProcessorConfig(processor.getValue(), Map.of("penaltyDuration", settings.penalty().toMillis() + " ms",
                        "yieldDuration", "1 sec", "schedulingPeriod", "0 sec"));
            }
        }
        rest.updateProcessorProperties(contents.processor("GetBulkImportProgress"), Map.of("Maximum Wait Time", "10 min"));
        return new Installed(group, contents, service);
    }

    public Path file(final Path flowsDirectory) {
        return flowsDirectory.resolve(fileName);
    }

    /** {@code flows/} of the project: under the working directory, or its parent's (a module's tests run in the module). */
    public static Path directory() {
        for (final Path candidate : List.of(Path.of("flows"), Path.of("..", "flows"))) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("no flows/ directory in " + Path.of("").toAbsolutePath() + " or its parent");
    }
}
