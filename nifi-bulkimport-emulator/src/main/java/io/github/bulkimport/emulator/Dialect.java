package io.github.bulkimport.emulator;

import java.util.Locale;

/**
 * Which server the emulator pretends to be.
 */
public enum Dialect {
    /** Self-hosted Milvus: {@code files} relative to Milvus's bucket, no paging in {@code list}. */
    MILVUS(1_024),
    /** Zilliz Cloud's control plane: {@code clusterId}, {@code objectUrls}, paged {@code list}. */
    ZILLIZ(1_000);

    private final int maxFiles;

    Dialect(final int maxFiles) {
        this.maxFiles = maxFiles;
    }

    public int maxFiles() {
        return maxFiles;
    }

    public static Dialect parse(final String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "milvus" -> MILVUS;
            case "zilliz", "zilliz-cloud", "zilliz_cloud" -> ZILLIZ;
            default -> throw new IllegalArgumentException("unknown dialect '" + text + "': use milvus or zilliz");
        };
    }
}
