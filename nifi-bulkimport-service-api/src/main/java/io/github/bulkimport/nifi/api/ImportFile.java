package io.github.bulkimport.nifi.api;

import java.util.List;

/**
 * One file of an import job, one inner list of the request's {@code objectUrls}, {@code files} or
 * {@code dataPaths}: a single file, a set of NumPy files (one per field), or a folder.
 *
 * @param paths the URLs or paths, at least one
 */
public record ImportFile(List<String> paths) {

    public ImportFile {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("a file of a job names at least one path");
        }
    }

    public static ImportFile of(final String path) {
        return new ImportFile(List.of(path));
    }

    /** As attributes and messages show it: the paths of a set joined by " + ". */
    public String display() {
        return String.join(" + ", paths);
    }
}
