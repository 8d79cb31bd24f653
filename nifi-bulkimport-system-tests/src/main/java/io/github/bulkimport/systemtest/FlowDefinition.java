package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The flow definitions in {@code flows/}, which a user uploads onto a canvas ("Upload flow definition"):
 * how each is built through the REST API (for {@link FlowDefinitionWriter}, which downloads them into
 * {@code flows/}), and how the tests and the demo upload the files as committed.
 */
public enum FlowDefinition {

    AFTER_UPLOAD("bulk-import-after-upload.json", "Bulk import after upload"),
    DATASET("all-or-nothing-dataset.json", "All-or-nothing dataset import");

    /** The parameters of the connection service, in each definition's parameter context. */
    public static final String DEPLOYMENT = "Deployment";
    public static final String ENDPOINT_URL = "Endpoint URL";
    public static final String API_KEY = "API Key or Token";
    public static final String COLLECTION = "Collection Name";
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
        rest.createParameterContext(group, groupName, List.of(
                new NiFiRestClient.Parameter(DEPLOYMENT, "MILVUS", false, "MILVUS (self-hosted) or ZILLIZ_CLOUD; Zilliz Cloud also needs "
                        + "the service's Cluster ID"),
                new NiFiRestClient.Parameter(ENDPOINT_URL, "http://localhost:19530", false, "Milvus's address (its REST port), or "
                        + "Zilliz Cloud's control plane, e.g. https://api.cloud.zilliz.com"),
                new NiFiRestClient.Parameter(API_KEY, null, true, "Milvus's user:password or token, or a Zilliz Cloud API key"),
                new NiFiRestClient.Parameter(COLLECTION, null, false, "The collection to import into")));
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, SERVICE, Map.of(
                "Deployment", "#{" + DEPLOYMENT + "}",
                "Endpoint URL", "#{" + ENDPOINT_URL + "}",
                "API Key or Token", "#{" + API_KEY + "}"));
        switch (this) {
            case AFTER_UPLOAD -> BulkImportFlow.buildDefinition(rest, group, service);
            case DATASET -> DatasetFlow.buildDefinition(rest, group, service);
        }
        return group;
    }

    /** Uploads the committed file as a new group of {@code parentId}; returns the group's ID. */
    public String upload(final NiFiRestClient rest, final String parentId, final String name, final double x, final double y) throws IOException {
        return rest.uploadFlowDefinition(parentId, name, x, y, Files.readAllBytes(file(directory())));
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
