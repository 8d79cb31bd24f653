package io.github.bulkimport.nifi.service.client;

import java.net.URI;

/**
 * Where on Zilliz Cloud jobs run: a cluster, or a project and region (project databases); and the
 * cluster's own endpoint, which serves its collections. Unused for Milvus. Blank values are stored
 * as {@code null}.
 *
 * @param clusterEndpoint the cluster's endpoint (collection operations), or {@code null}
 */
public record CloudLocation(String clusterId, String projectId, String regionId, URI clusterEndpoint) {

    public static final CloudLocation NONE = new CloudLocation(null, null, null, null);

    public CloudLocation {
        clusterId = blankToNull(clusterId);
        projectId = blankToNull(projectId);
        regionId = blankToNull(regionId);
    }

    public CloudLocation(final String clusterId, final String projectId, final String regionId) {
        this(clusterId, projectId, regionId, null);
    }

    static String blankToNull(final String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
