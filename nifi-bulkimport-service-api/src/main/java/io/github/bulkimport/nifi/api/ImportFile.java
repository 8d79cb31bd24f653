package io.github.bulkimport.nifi.api;

import java.util.List;
import java.util.TreeSet;

/**
 * One file of an import job, one inner list of the request's {@code objectUrls}, {@code files} or
 * {@code dataPaths}: a single file, a set of NumPy files (one per field), or a folder.
 * <p>
 * A set is a set: the server matches each NumPy file to its field by name, so the order it is named
 * in says nothing, and a path named twice is one file. Its paths are kept sorted and distinct, so that
 * the same set named in another order is the same file of a job (and makes the same request).
 *
 * @param paths the URLs or paths, at least one
 */
public record ImportFile(List<String> paths) {

    public ImportFile {
        paths = paths.size() > 1 ? List.copyOf(new TreeSet<>(paths)) : List.copyOf(paths);
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
