package io.github.bulkimport.nifi.service.client;

/**
 * Where on Zilliz Cloud jobs run: a cluster, or a project and region (project databases).
 * Unused for Milvus. Blank values are stored as {@code null}.
 */
public record CloudLocation(String clusterId, String projectId, String regionId) {

    public static final CloudLocation NONE = new CloudLocation(null, null, null);

    public CloudLocation {
        clusterId = blankToNull(clusterId);
        projectId = blankToNull(projectId);
        regionId = blankToNull(regionId);
    }

    static String blankToNull(final String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
