package io.github.bulkimport.nifi.api;

import org.apache.nifi.components.DescribedValue;

/**
 * The two servers that speak the bulk-import API. They differ in how files are named
 * ({@code objectUrls} versus {@code files}), in who reads the bucket, and in limits.
 */
public enum Deployment implements DescribedValue {
    ZILLIZ_CLOUD("Zilliz Cloud", 1_000, 10L << 30,
            "Zilliz Cloud control plane: files are object-store URLs (s3://, gs://, https://) read with the storage keys of the service."),
    MILVUS("Milvus", 1_024, 16L << 30,
            "Self-hosted Milvus: files are paths inside the bucket Milvus itself is configured with.");

    private final String displayName;
    private final int maxFilesPerRequest;
    private final long maxFileBytes;
    private final String description;

    Deployment(final String displayName, final int maxFilesPerRequest, final long maxFileBytes, final String description) {
        this.displayName = displayName;
        this.maxFilesPerRequest = maxFilesPerRequest;
        this.maxFileBytes = maxFileBytes;
        this.description = description;
    }

    /** The largest file an import reads: 10 GB on Zilliz Cloud, 16 GB on Milvus. */
    public long maxFileBytes() {
        return maxFileBytes;
    }

    /** The most files (inner lists) one {@code create} request may carry. */
    public int maxFilesPerRequest() {
        return maxFilesPerRequest;
    }

    @Override
    public String getValue() {
        return name();
    }

    @Override
    public String getDisplayName() {
        return displayName;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
