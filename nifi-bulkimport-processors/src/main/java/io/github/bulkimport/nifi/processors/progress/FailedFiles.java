package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.FileProgress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files a Failed job's describe answer names as failed, and whether a flowfile's files are among
 * them. Each name is taken whole, as the server sent it ({@link FileProgress#wholeName}), and compared
 * with the whole of each file the flowfile sent, as servers render a file: the Go rendering of its path
 * list ({@code [a/1.parquet]}, a NumPy set {@code [a/id.npy a/vector.npy]}), the protobuf text of Milvus's
 * import file ({@code id:7 paths:"a/1.parquet"}), or, on Zilliz Cloud, the object's key in its bucket
 * (percent-decoded for an https URL). Nothing is split or cut, and a name matches a file only when it is
 * one of these renderings of it, whole: a key holding spaces, commas or brackets, or 1,024 bytes long,
 * matches only itself. The names are read once, so a run's matching costs in proportion to its names and
 * files, not their product.
 */
final class FailedFiles {

    /** Each name whole; the inside of each {@code [...]}; and the paths of each protobuf text. */
    private final Set<String> whole = new HashSet<>();
    private final Set<String> bracketed = new HashSet<>();
    private final Set<List<String>> proto = new HashSet<>();
    private final boolean wholeNames;
    private final boolean any;

    FailedFiles(final List<FileProgress> failed) {
        boolean allWhole = true;
        for (final FileProgress file : failed) {
            final String name = file.wholeName();
            if (name == null || name.isEmpty()) {
                allWhole = false;
                continue;
            }
            whole.add(name);
            if (name.length() >= 2 && name.startsWith("[") && name.endsWith("]")) {
                bracketed.add(name.substring(1, name.length() - 1));
            }
            final List<String> paths = ProtoImportFile.paths(name);
            if (paths != null) {
                proto.add(paths);
            }
        }
        this.wholeNames = allWhole;
        this.any = !failed.isEmpty();
    }

    /** True when the answer named each failed file, whole: only then can a flowfile be told innocent. */
    boolean named() {
        return wholeNames && any;
    }

    /** True when none of the files the flowfile sent (each a list of paths) is among the failed ones. */
    boolean spares(final List<List<String>> files) {
        for (final List<String> file : files) {
            if (failed(file)) {
                return false;
            }
        }
        return true;
    }

    private boolean failed(final List<String> paths) {
        for (final List<String> rendered : renderings(paths)) {
            if (proto.contains(rendered) || bracketed.contains(String.join(" ", rendered)) || rendered.size() == 1 && whole.contains(rendered.getFirst())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a server's name of a file is this file: a name read alone, as the whole answer's names are. */
    static boolean names(final String name, final List<String> paths) {
        return !new FailedFiles(List.of(new FileProgress(name, null, null, null, null, null, null, null, null, name))).spares(List.of(paths));
    }

    /** The file as it was sent, and as a server may name it: each path by its key in the bucket, percent-decoded for an https URL. */
    private static List<List<String>> renderings(final List<String> paths) {
        final List<List<String>> renderings = new ArrayList<>();
        renderings.add(paths);
        final List<List<String>> keys = new ArrayList<>();
        for (final String path : paths) {
            keys.add(keysOf(path));
        }
        final int forms = keys.stream().mapToInt(List::size).max().orElse(0);
        for (int form = 0; form < forms; form++) {
            final List<String> rendered = new ArrayList<>(paths.size());
            for (int i = 0; i < paths.size(); i++) {
                final List<String> ofPath = keys.get(i);
                rendered.add(ofPath.isEmpty() ? paths.get(i) : ofPath.get(Math.min(form, ofPath.size() - 1)));
            }
            renderings.add(rendered);
        }
        return renderings;
    }

    /**
     * The names an object URL's object goes by in its bucket: after {@code s3://bucket/} or {@code gs://bucket/}; after an https
     * URL's host (its key, virtual-hosted) and after its first segment (path-style, or an Azure container), each as sent and
     * percent-decoded. None for a path inside Milvus's bucket, which the server names as it was sent.
     */
    private static List<String> keysOf(final String path) {
        final int scheme = path.indexOf("://");
        if (scheme < 0) {
            return List.of();
        }
        final int afterHost = path.indexOf('/', scheme + 3);
        if (afterHost < 0) {
            return List.of();
        }
        final List<String> keys = new ArrayList<>();
        final String afterHostPart = path.substring(afterHost + 1);
        final boolean https = path.regionMatches(true, 0, "https", 0, scheme);
        if (!https) {
            keys.add(afterHostPart);
            return keys;
        }
        final int firstSegment = afterHostPart.indexOf('/');
        for (final String key : firstSegment < 0 ? List.of(afterHostPart) : List.of(afterHostPart, afterHostPart.substring(firstSegment + 1))) {
            keys.add(key);
            final String decoded = percentDecoded(key);
            if (decoded != null && !decoded.equals(key)) {
                keys.add(decoded);
            }
        }
        return keys;
    }

    /** A URL path's %-escapes decoded as UTF-8, or {@code null} when one is malformed. */
    private static String percentDecoded(final String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0 || Character.digit(text.charAt(i + 2), 16) < 0) {
                return null;
            }
            bytes.write(Character.digit(text.charAt(i + 1), 16) << 4 | Character.digit(text.charAt(i + 2), 16));
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
