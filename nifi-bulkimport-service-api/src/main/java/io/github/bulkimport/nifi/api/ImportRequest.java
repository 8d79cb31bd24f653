package io.github.bulkimport.nifi.api;

import java.util.List;
import java.util.Objects;

/**
 * What a {@code create} call imports, as the processors see it: where the rows land, and the files
 * to load, each becoming one inner list of {@code objectUrls} (Zilliz Cloud), {@code files} (Milvus)
 * or {@code dataPaths} (a Zilliz Cloud volume). Credentials and cluster coordinates are added by the
 * connection service.
 *
 * @param volume the Zilliz Cloud volume the files are in, or {@code null} for object storage
 */
public record ImportRequest(ImportTarget target, String volume, List<ImportFile> files) {

    public ImportRequest {
        Objects.requireNonNull(target, "target");
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("an import needs at least one file");
        }
    }

    /** An import from object storage. */
    public ImportRequest(final ImportTarget target, final List<ImportFile> files) {
        this(target, null, files);
    }
}
