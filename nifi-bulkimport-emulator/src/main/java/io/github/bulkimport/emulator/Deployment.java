package io.github.bulkimport.emulator;

import java.util.Locale;

/**
 * Which server the emulator pretends to be: the same two deployments the bundle speaks to.
 */
public enum Deployment {
    /** Self-hosted Milvus: {@code files} relative to Milvus's bucket, no paging in {@code list}. */
    MILVUS(1_024),
    /** Zilliz Cloud's control plane: {@code clusterId}, {@code objectUrls}, paged {@code list}. */
    ZILLIZ_CLOUD(1_000);

    private final int maxFiles;

    Deployment(final int maxFiles) {
        this.maxFiles = maxFiles;
    }

    public int maxFiles() {
        return maxFiles;
    }

    public static Deployment parse(final String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "milvus" -> MILVUS;
            case "zilliz", "zilliz-cloud", "zilliz_cloud" -> ZILLIZ_CLOUD;
            default -> throw new IllegalArgumentException("unknown deployment '" + text + "': use milvus or zilliz-cloud");
        };
    }
}
