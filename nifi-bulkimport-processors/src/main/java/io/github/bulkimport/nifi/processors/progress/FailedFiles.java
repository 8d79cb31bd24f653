package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.FileProgress;

import java.util.ArrayList;
import java.util.List;

/**
 * The files a Failed job's describe answer names as failed, and whether a flowfile's files are among
 * them. Each name is taken whole, as the server sent it ({@link FileProgress#wholeName}), and compared
 * with the whole of each file the flowfile sent, rendered as servers render a file: the Go rendering of
 * its path list ({@code [a/1.parquet]}, a NumPy set {@code [a/id.npy a/vector.npy]}), the protobuf text
 * of Milvus's import file ({@code id:7 paths:"a/1.parquet"}), or, on Zilliz Cloud, the object's key in
 * its bucket. Nothing is split or cut: a key holding spaces, commas or brackets, or 1,024 bytes long,
 * matches only itself.
 */
final class FailedFiles {

    private final List<String> names = new ArrayList<>();
    private final boolean wholeNames;

    FailedFiles(final List<FileProgress> failed) {
        boolean whole = true;
        for (final FileProgress file : failed) {
            if (file.wholeName() == null || file.wholeName().isEmpty()) {
                whole = false;
            } else {
                names.add(file.wholeName());
            }
        }
        this.wholeNames = whole;
    }

    /** True when the answer named each failed file, whole: only then can a flowfile be told innocent. */
    boolean named() {
        return wholeNames && !names.isEmpty();
    }

    /** True when none of the files the flowfile sent (each a list of paths) is among the failed ones. */
    boolean spares(final List<List<String>> files) {
        for (final List<String> file : files) {
            for (final String name : names) {
                if (names(name, file)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a server's name of a file is this file. */
    static boolean names(final String name, final List<String> paths) {
        if (name.startsWith("[") && name.endsWith("]")) {
            return same(List.of(name.substring(1, name.length() - 1)), List.of(String.join(" ", paths)));
        }
        final List<String> proto = ProtoImportFile.paths(name);
        if (proto != null) {
            return same(proto, paths);
        }
        return same(List.of(name), paths);
    }

    /** The same paths in the same order, each named whole or by its key within the bucket (the part after a '/'). */
    private static boolean same(final List<String> named, final List<String> paths) {
        if (named.size() != paths.size()) {
            return false;
        }
        for (int i = 0; i < named.size(); i++) {
            final String name = named.get(i);
            final String path = paths.get(i);
            if (!path.equals(name) && !(path.endsWith(name) && path.length() > name.length() && path.charAt(path.length() - name.length() - 1) == '/')) {
                return false;
            }
        }
        return true;
    }
}
