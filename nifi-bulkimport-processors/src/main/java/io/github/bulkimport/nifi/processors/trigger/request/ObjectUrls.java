package io.github.bulkimport.nifi.processors.trigger.request;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits, checks and converts object URLs into the file entries one deployment expects:
 * Zilliz Cloud reads the URL itself; Milvus wants the path inside its own bucket.
 */
public final class ObjectUrls {

    private static final Set<String> ZILLIZ_SCHEMES = Set.of("s3", "gs", "https");
    private static final Set<String> MILVUS_BUCKET_SCHEMES = Set.of("s3", "s3a", "gs", "minio");
    private static final Pattern NEWLINES = Pattern.compile("\\R");
    private static final Pattern AZURE_HOST = Pattern.compile("^[a-z0-9]+\\.(blob|dfs)\\.core\\.windows\\.net$");
    private static final Pattern S3_VIRTUAL_HOST = Pattern.compile("^(.+)\\.s3[.-]([a-z0-9-]+\\.)?amazonaws\\.com(\\.cn)?$");
    private static final String GCS_HOST = "storage.googleapis.com";
    /** The longest host name DNS allows: a longer "host" is none, and the host patterns see no more. */
    private static final int MAX_HOST = 253;
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final int MAX_QUOTED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectUrls() {
    }

    /**
     * Splits a list of URLs: on line breaks when there is any (object keys may hold commas),
     * otherwise on commas. Blank entries are dropped.
     */
    public static List<String> split(final String value) {
        final List<String> urls = new ArrayList<>();
        if (value == null) {
            return urls;
        }
        final String[] parts = value.contains("\n") || value.contains("\r") ? NEWLINES.split(value) : value.split(",");
        for (final String part : parts) {
            final String trimmed = part.strip();
            if (!trimmed.isEmpty()) {
                urls.add(trimmed);
            }
        }
        return urls;
    }

    /**
     * The files of a list, each a group of one or more paths: a JSON array (of strings, each one file,
     * or of arrays of strings, each a set of NumPy files), or else a list {@link #split} the usual way.
     */
    static List<List<String>> groups(final String value, final String source) throws InvalidInputException {
        final String trimmed = value.strip();
        if (!trimmed.startsWith("[")) {
            final List<String> urls = split(value);
            if (urls.isEmpty()) {
                throw new InvalidInputException(source + " evaluated to separators only; give at least one object URL");
            }
            return urls.stream().map(List::of).toList();
        }
        final JsonNode array;
        try (JsonParser parser = JSON.createParser(trimmed)) {
            try {
                array = JSON.readTree(parser);
            } catch (final IOException e) {
                throw new InvalidInputException(source + " starts with [ but is not a JSON array; write [[\"a.npy\", \"b.npy\"], ...] or a plain list");
            }
            if (nextToken(parser)) {
                // two arrays one after the other would import only the first: one document or nothing
                throw new InvalidInputException(source + " holds more after its JSON array (a second array?); put every file in one array: "
                        + "[[\"a.npy\", \"b.npy\"], [\"c.npy\", \"d.npy\"]]");
            }
        } catch (final IOException closing) {
            throw new InvalidInputException(source + " starts with [ but is not a JSON array; write [[\"a.npy\", \"b.npy\"], ...] or a plain list");
        }
        final List<List<String>> groups = new ArrayList<>();
        for (final JsonNode entry : array) {
            final List<String> group = new ArrayList<>();
            if (entry.isTextual()) {
                group.add(entry.asText().strip());
            } else if (entry.isArray()) {
                for (final JsonNode path : entry) {
                    if (!path.isTextual()) {
                        throw new InvalidInputException(source + " holds a JSON array whose inner arrays must hold only strings");
                    }
                    group.add(path.asText().strip());
                }
            } else {
                throw new InvalidInputException(source + " holds a JSON array whose entries must be strings or arrays of strings");
            }
            if (group.isEmpty() || group.stream().anyMatch(String::isEmpty)) {
                throw new InvalidInputException(source + " holds an empty file or an empty array in its JSON array");
            }
            groups.add(group);
        }
        if (groups.isEmpty()) {
            throw new InvalidInputException(source + " holds an empty JSON array; give at least one file");
        }
        return groups;
    }

    /** Whether anything but whitespace follows the document the parser has read. */
    private static boolean nextToken(final JsonParser parser) {
        try {
            return parser.nextToken() != null;
        } catch (final IOException garbage) {
            return true;
        }
    }

    /** Checks a path inside a Zilliz Cloud volume: relative, no scheme, no control character. */
    static String toVolumePath(final String path, final String source) throws InvalidInputException {
        if (hasControlCharacter(path)) {
            throw new InvalidInputException(source + " holds a path with a control character; remove it");
        }
        if (ParsedUrl.schemeEnd(path) >= 0) {
            throw new InvalidInputException(source + " holds " + quoted(path) + ", a URL; with Volume Name, give paths inside the volume");
        }
        return path;
    }

    /**
     * Checks one URL and returns what to send for it.
     *
     * @param source the property or attribute the URL came from, named in error messages
     */
    public static String toFileEntry(final String url, final Deployment deployment, final String source) throws InvalidInputException {
        if (hasControlCharacter(url)) {
            throw new InvalidInputException(source + " holds an object URL with a control character; remove it");
        }
        final ParsedUrl parsed = ParsedUrl.parse(url);
        if (parsed != null && parsed.userInfo() != null) {
            throw new InvalidInputException(source + " holds an object URL with credentials embedded (" + quoted(parsed.withoutUserInfo())
                    + "); remove them from the URL and set the storage keys on the connection service");
        }
        return deployment == Deployment.MILVUS ? toMilvusPath(url, parsed, source) : toZillizUrl(url, parsed, source);
    }

    private static String toZillizUrl(final String url, final ParsedUrl parsed, final String source) throws InvalidInputException {
        if (parsed == null) {
            throw new InvalidInputException(source + " holds \"" + quoted(url) + "\", which is not a URL; Zilliz Cloud needs s3://bucket/key, gs://bucket/key or an https:// object URL");
        }
        if (!ZILLIZ_SCHEMES.contains(parsed.scheme())) {
            throw new InvalidInputException(source + " holds a " + parsed.scheme() + ":// URL (" + quoted(parsed.withoutUserInfo())
                    + "); Zilliz Cloud imports only s3://, gs:// and https:// object URLs");
        }
        if (parsed.host().isEmpty()) {
            throw new InvalidInputException(source + " holds " + quoted(url) + ", which names no bucket or host");
        }
        if ("https".equals(parsed.scheme())) {
            rejectQuery(parsed, source);
            if (parsed.path().isEmpty() || "/".equals(parsed.path())) {
                throw new InvalidInputException(source + " holds " + quoted(parsed.withoutQuery()) + ", which names no object or folder");
            }
            final String host = parsed.host().toLowerCase(Locale.ROOT);
            if (host.endsWith(".dfs.core.windows.net")) {
                // Data Lake (PutAzureDataLakeStorage) URLs name the same blobs through the blob endpoint
                return "https://" + host.substring(0, host.length() - ".dfs.core.windows.net".length()) + ".blob.core.windows.net" + parsed.path();
            }
            return url;
        }
        if (parsed.path().isEmpty()) {
            throw new InvalidInputException(source + " holds " + quoted(url) + ", which names a bucket but no object; add the key, or a trailing / for a folder");
        }
        return url;
    }

    private static String toMilvusPath(final String url, final ParsedUrl parsed, final String source) throws InvalidInputException {
        final String path;
        if (parsed == null) {
            if (url.contains(":/") || url.startsWith("//")) {
                throw new InvalidInputException(source + " holds \"" + quoted(url) + "\", which is neither a URL nor a path inside the Milvus bucket");
            }
            path = url;
        } else if (MILVUS_BUCKET_SCHEMES.contains(parsed.scheme())) {
            path = parsed.path();
        } else if ("https".equals(parsed.scheme())) {
            rejectQuery(parsed, source);
            path = httpsObjectKey(parsed, source);
        } else {
            throw new InvalidInputException(source + " holds a " + parsed.scheme() + ":// URL (" + quoted(parsed.withoutUserInfo())
                    + "); for Milvus give s3://bucket/key, gs://bucket/key, an Azure blob URL or a path inside the Milvus bucket");
        }
        final String relative = stripLeadingSlashes(path);
        if (relative.isEmpty()) {
            throw new InvalidInputException(source + " holds " + quoted(url) + ", which names no object inside the bucket");
        }
        return relative;
    }

    /** The object key inside the bucket (or Azure container) of a cloud https URL. */
    private static String httpsObjectKey(final ParsedUrl parsed, final String source) throws InvalidInputException {
        final String host = parsed.host().toLowerCase(Locale.ROOT);
        final String decodedPath = PercentDecoding.decode(parsed.path());
        if (decodedPath == null) {
            throw new InvalidInputException(source + " holds " + quoted(parsed.withoutQuery()) + ", whose path has a % that is not followed by two "
                    + "hex digits; write a % in a key as %25");
        }
        if (hasControlCharacter(decodedPath)) {
            throw new InvalidInputException(source + " holds " + quoted(parsed.withoutQuery()) + ", whose path escapes a control character "
                    + "(%00 to %1F or %7F); remove it");
        }
        if (host.length() > MAX_HOST) {
            throw new InvalidInputException(source + " holds an https URL whose host is longer than " + MAX_HOST + " characters, which is no host");
        }
        if (AZURE_HOST.matcher(host).matches() || GCS_HOST.equals(host) || host.startsWith("s3.") && host.endsWith("amazonaws.com")) {
            // path style: /<container or bucket>/<key>
            final String withoutLeading = stripLeadingSlashes(decodedPath);
            final int slash = withoutLeading.indexOf('/');
            return slash < 0 ? "" : withoutLeading.substring(slash + 1);
        }
        if (S3_VIRTUAL_HOST.matcher(host).matches()) {
            return decodedPath;
        }
        throw new InvalidInputException(source + " holds " + quoted(parsed.withoutQuery()) + ", an https URL whose bucket cannot be told apart from its key; "
                + "for Milvus give s3://bucket/key or a path inside the Milvus bucket");
    }

    private static void rejectQuery(final ParsedUrl parsed, final String source) throws InvalidInputException {
        if (parsed.query() != null) {
            throw new InvalidInputException(source + " holds " + quoted(parsed.withoutQuery())
                    + " with a query string; bulk import reads objects with the service's storage keys, so remove the query (signed URLs and SAS tokens are not used)");
        }
    }

    /** A URL as an error message quotes it: long ones are cut, so that a message stays readable. */
    private static String quoted(final String url) {
        return VisibleText.bound(url, MAX_QUOTED);
    }

    static boolean hasControlCharacter(final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static String stripLeadingSlashes(final String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        return path.substring(start);
    }

    /**
     * {@code scheme://[userinfo@]host/path[?query]}, split by hand: object keys may hold spaces and
     * other characters {@link java.net.URI} rejects.
     */
    record ParsedUrl(String scheme, String userInfo, String host, String path, String query) {

        static ParsedUrl parse(final String url) {
            final int schemeEnd = schemeEnd(url);
            if (schemeEnd < 0) {
                return null;
            }
            final String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            final String rest = url.substring(schemeEnd + "://".length());
            final int userInfoEnd = userInfoEnd(rest);
            final String userInfo = userInfoEnd < 0 ? null : rest.substring(0, userInfoEnd);
            final String afterUserInfo = rest.substring(userInfoEnd + 1);
            final int slash = afterUserInfo.indexOf('/');
            String host = slash < 0 ? afterUserInfo : afterUserInfo.substring(0, slash);
            String path = slash < 0 ? "" : afterUserInfo.substring(slash);
            String query = null;
            if ("https".equals(scheme) || "http".equals(scheme)) {
                final int hostQuery = host.indexOf('?');
                if (hostQuery >= 0) {
                    path = host.substring(hostQuery) + path;
                    host = host.substring(0, hostQuery);
                }
                final int hash = path.indexOf('#');
                if (hash >= 0) {
                    path = path.substring(0, hash);
                }
                final int q = path.indexOf('?');
                if (q >= 0) {
                    query = path.substring(q + 1);
                    path = path.substring(0, q);
                }
            }
            return new ParsedUrl(scheme, userInfo, host, path, query);
        }

        /** The length of the scheme a text starts with, a letter then letters, digits, + . or - up to "://"; or -1. */
        static int schemeEnd(final String text) {
            if (text.isEmpty() || !isAsciiLetter(text.charAt(0))) {
                return -1;
            }
            int end = 1;
            while (end < text.length() && (isAsciiLetter(text.charAt(end)) || text.charAt(end) >= '0' && text.charAt(end) <= '9'
                    || text.charAt(end) == '+' || text.charAt(end) == '.' || text.charAt(end) == '-')) {
                end++;
            }
            return text.startsWith("://", end) ? end : -1;
        }

        private static boolean isAsciiLetter(final char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
        }

        /**
         * Where embedded credentials end (the index of their {@code @}), or -1. A secret key may hold
         * {@code /}, so {@code user:secret/with/slashes@bucket} counts as credentials too; a colon
         * followed by digits only is a port.
         */
        private static int userInfoEnd(final String rest) {
            final int slash = rest.indexOf('/');
            final String authority = slash < 0 ? rest : rest.substring(0, slash);
            if (authority.indexOf('@') >= 0) {
                return authority.lastIndexOf('@');
            }
            final int colon = authority.indexOf(':');
            if (colon >= 0 && !PORT.matcher(authority.substring(colon + 1)).matches()) {
                return rest.indexOf('@');
            }
            return -1;
        }

        /** The URL without credentials, safe to show. */
        String withoutUserInfo() {
            return scheme + "://" + host + path + (query == null ? "" : "?...");
        }

        String withoutQuery() {
            return scheme + "://" + host + path;
        }
    }
}
