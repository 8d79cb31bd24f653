package io.github.bulkimport.nifi.processors.trigger.memory;

import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportTarget;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Deterministic {@code Idempotency-Key} values. A flowfile's key depends only on what survives a
 * crash, a session rollback or a copy made by NiFi (the upload it comes from, else its UUID, and
 * the request it makes), so a replay sends the same key and the server returns the job it already
 * started. A previous Failed job of the flowfile is part of the key, so that sending a failed
 * flowfile back starts a new job.
 */
public final class IdempotencyKeys {

    private static final String VERSION = "nifi-bulkimport/1";
    private static final HexFormat HEX = HexFormat.of();
    /** Looking a digest up costs more than the digest itself; digest() resets it for the next use. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(IdempotencyKeys::newSha256);

    private IdempotencyKeys() {
    }

    /**
     * The key of one flowfile's share of a request.
     *
     * @param flowFileUuid        the flowfile's {@code uuid}: what tells the flowfile apart when it has no upload identity
     * @param uploadIdentity      what identifies the upload the flowfile comes from (its ETag...), or {@code null}: flowfiles
     *                            of one upload share a key, whatever their uuid (NiFi gives a load-balanced copy a new one)
     * @param volume              the volume the files are in, or {@code null}
     * @param previousFailedJobId the job this flowfile started before and that Failed, or {@code null}
     */
    public static String forFlowFile(final String flowFileUuid, final String uploadIdentity, final ImportTarget target, final String volume,
                                     final List<ImportFile> files, final String previousFailedJobId) {
        final StringBuilder text = new StringBuilder(128 + files.size() * 64);
        field(text, VERSION);
        // no uuid starts so: an upload identity is told apart from a uuid
        field(text, uploadIdentity == null ? flowFileUuid : "upload:" + uploadIdentity);
        field(text, target.collection());
        field(text, target.partition());
        field(text, target.database());
        for (final Map.Entry<String, String> option : target.options().entrySet()) {
            field(text, option.getKey());
            field(text, option.getValue());
        }
        field(text, String.valueOf(files.size()));
        for (final ImportFile file : files) {
            if (file.paths().size() > 1) {
                // no field of a path can read "-2:": a set is told apart from single files
                text.append("-2:\n");
                field(text, String.valueOf(file.paths().size()));
            }
            file.paths().forEach(path -> field(text, path));
        }
        field(text, previousFailedJobId);
        if (volume != null) {
            text.append("-3:\n");
            field(text, volume);
        }
        return sha256(text.toString());
    }

    /** The key of a request made for several flowfiles: independent of their order. */
    public static String forBatch(final List<String> memberKeys) {
        if (memberKeys.size() == 1) {
            return memberKeys.getFirst();
        }
        final List<String> sorted = new ArrayList<>(memberKeys);
        sorted.sort(null);
        final StringBuilder text = new StringBuilder(sorted.size() * 66);
        field(text, VERSION + "/batch");
        sorted.forEach(key -> field(text, key));
        return sha256(text.toString());
    }

    /**
     * The key a custom Idempotency Key sends. A flowfile sent back after its job Failed (or was
     * aborted) needs a new job, and servers return the failed job for a key they have seen: its key is
     * then derived from the custom one and the failed job, so that it changes whatever the expression.
     *
     * @param previousFailedJobId the job this flowfile started before and that Failed, or {@code null}
     */
    public static String forCustomKey(final String customKey, final String previousFailedJobId) {
        if (previousFailedJobId == null) {
            return customKey;
        }
        final StringBuilder text = new StringBuilder(customKey.length() + 64);
        field(text, VERSION + "/custom");
        field(text, customKey);
        field(text, previousFailedJobId);
        return sha256(text.toString());
    }

    /**
     * A short, fixed-length digest of a key, used to remember it in state and in attributes. Scoped
     * as servers scope keys, to the collection and its database, whatever the key: a custom key
     * reused for another collection names another job.
     */
    public static String memoryKey(final ImportTarget target, final String key) {
        final StringBuilder text = new StringBuilder(key.length() + 96);
        field(text, VERSION + "/memory");
        field(text, target.database());
        field(text, target.collection());
        field(text, key);
        return sha256(text.toString()).substring(0, 32);
    }

    private static void field(final StringBuilder text, final String value) {
        // length-prefixed, so that no two different field lists produce the same text
        if (value == null) {
            text.append("-1:");
        } else {
            text.append(value.length()).append(':').append(value);
        }
        text.append('\n');
    }

    private static String sha256(final String text) {
        return HEX.formatHex(SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
