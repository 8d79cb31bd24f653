package io.github.bulkimport.nifi.api;

import java.util.List;
import java.util.Objects;

/**
 * One {@code create} call as the processors see it: a target and the files to load, each entry
 * becoming one inner list of {@code objectUrls} (Zilliz Cloud) or {@code files} (Milvus).
 * Credentials and cluster coordinates are added by the connection service.
 */
public record ImportRequest(ImportTarget target, List<String> files) {

    public ImportRequest {
        Objects.requireNonNull(target, "target");
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("an import needs at least one file");
        }
    }
}
