package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.FileProgress;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The files a Failed job's describe answer names as failed, and whether a flowfile's files are among
 * them. Servers name a file as the Go rendering of its path list ({@code [a/1.parquet]}, a NumPy set
 * {@code [a/id.npy a/vector.npy]}) or as {@code id:… paths:…}; a flowfile names its files as paths in
 * the bucket (Milvus) or object URLs (Zilliz Cloud), so a path matches a name's path when either ends
 * with the other at a {@code /}.
 */
final class FailedFiles {

    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\[\\],\"]+");
    private static final String NUMPY_SET = " + ";

    private final Set<String> paths = new HashSet<>();

    FailedFiles(final List<FileProgress> failed) {
        for (final FileProgress file : failed) {
            if (file.name() == null) {
                continue;
            }
            for (final String token : SEPARATORS.split(file.name())) {
                final String path = token.startsWith("paths:") ? token.substring("paths:".length()) : token;
                if (!path.isEmpty() && !path.startsWith("id:")) {
                    paths.add(path);
                }
            }
        }
    }

    /** True when the answer named at least one failed file by a path this class can read. */
    boolean named() {
        return !paths.isEmpty();
    }

    /**
     * True when none of a flowfile's files ({@code bulkimport.object.urls}: one per line, a NumPy set's
     * paths joined by {@code " + "}) is among the failed ones; false when it names no file at all.
     */
    boolean spares(final String objectUrls) {
        if (objectUrls == null || objectUrls.isBlank()) {
            return false;
        }
        for (final String line : objectUrls.split("\n")) {
            for (final String file : line.split(Pattern.quote(NUMPY_SET))) {
                if (isFailed(file.strip())) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean isFailed(final String file) {
        for (final String path : paths) {
            if (path.equals(file) || path.endsWith("/" + file) || file.endsWith("/" + path)) {
                return true;
            }
        }
        return false;
    }
}
