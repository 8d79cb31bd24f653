package io.github.bulkimport.nifi.processors.trigger.request;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.blankToNull;

/**
 * Builds the object URL of a file from the attributes an upload processor wrote, so that
 * TriggerBulkImport works right after PutS3Object, PutGCSObject or PutAzureBlobStorage_v12 with no
 * configuration. Their own URL attributes are not import URLs ({@code s3.url} is an https URL of
 * the endpoint, {@code gcs.uri} a JSON-API link), so bucket and key are combined instead.
 */
public final class UploadAttributes {

    public static final String S3_BUCKET = "s3.bucket";
    public static final String S3_KEY = "s3.key";
    public static final String GCS_BUCKET = "gcs.bucket";
    public static final String GCS_KEY = "gcs.key";
    public static final String AZURE_PRIMARY_URI = "azure.primaryUri";

    /**
     * What identifies one upload of an object, as the upload processors write it: the object's ETag
     * and, where the store keeps versions, its version or generation.
     */
    private static final List<String> UPLOAD_IDENTITY = List.of("s3.etag", "s3.version", "gcs.etag", "gcs.generation", "azure.etag");

    /** What the processor's documentation and error messages say it looks for. */
    public static final String EXPECTED = S3_BUCKET + " and " + S3_KEY + " (PutS3Object), " + GCS_BUCKET + " and " + GCS_KEY
            + " (PutGCSObject), or " + AZURE_PRIMARY_URI + " (PutAzureBlobStorage_v12)";

    /** Where upload and listing processors write an object's size: PutGCSObject, PutAzureBlobStorage_v12, ListS3. */
    private static final List<String> SIZE = List.of("gcs.size", "azure.length", "s3.length");
    /** More digits than this make no size of an object (S3's largest is 5 TiB). */
    private static final int MAX_SIZE_DIGITS = 18;

    private UploadAttributes() {
    }

    /** The object's size as an upload processor wrote it, when one did: whole digits only. */
    public static OptionalLong size(final Map<String, String> attributes) {
        for (final String name : SIZE) {
            final String value = blankToNull(attributes.get(name));
            if (value != null && value.length() <= MAX_SIZE_DIGITS && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return OptionalLong.of(Long.parseLong(value));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The object URL and the attribute names it was built from, or empty when no upload
     * processor's attributes are present.
     */
    public static Optional<Source> objectUrl(final Map<String, String> attributes) {
        final String s3Bucket = blankToNull(attributes.get(S3_BUCKET));
        final String s3Key = blankToNull(attributes.get(S3_KEY));
        if (s3Bucket != null && s3Key != null) {
            return Optional.of(new Source("s3://" + s3Bucket + "/" + stripLeadingSlash(s3Key), S3_BUCKET + " and " + S3_KEY));
        }
        final String gcsBucket = blankToNull(attributes.get(GCS_BUCKET));
        final String gcsKey = blankToNull(attributes.get(GCS_KEY));
        if (gcsBucket != null && gcsKey != null) {
            return Optional.of(new Source("gs://" + gcsBucket + "/" + stripLeadingSlash(gcsKey), GCS_BUCKET + " and " + GCS_KEY));
        }
        final String azureUri = blankToNull(attributes.get(AZURE_PRIMARY_URI));
        if (azureUri != null) {
            return Optional.of(new Source(azureUri.strip(), AZURE_PRIMARY_URI));
        }
        return Optional.empty();
    }

    /**
     * The identity of the upload a flowfile comes from ({@code s3.etag}, {@code s3.version},
     * {@code gcs.etag}, {@code gcs.generation}, {@code azure.etag}, those present), or {@code null}
     * when it has none. A copy of the flowfile made by NiFi (a load-balanced connection gives the copy
     * a new uuid) has the same identity; a new upload of the object has another.
     */
    public static String uploadIdentity(final Map<String, String> attributes) {
        final StringBuilder identity = new StringBuilder();
        for (final String name : UPLOAD_IDENTITY) {
            final String value = blankToNull(attributes.get(name));
            if (value != null) {
                identity.append(name).append('=').append(value).append('\n');
            }
        }
        return identity.isEmpty() ? null : identity.toString();
    }

    /** Names the attributes that are present but incomplete, for a precise error message. */
    public static String describeMissing(final Map<String, String> attributes) {
        if (blankToNull(attributes.get(S3_BUCKET)) != null || blankToNull(attributes.get(S3_KEY)) != null) {
            return "the flowfile has only one of " + S3_BUCKET + " and " + S3_KEY + " (both are needed)";
        }
        if (blankToNull(attributes.get(GCS_BUCKET)) != null || blankToNull(attributes.get(GCS_KEY)) != null) {
            return "the flowfile has only one of " + GCS_BUCKET + " and " + GCS_KEY + " (both are needed)";
        }
        return "the flowfile has none of " + EXPECTED;
    }

    private static String stripLeadingSlash(final String key) {
        return key.startsWith("/") ? key.substring(1) : key;
    }

    /** An object URL and the attributes it came from. */
    public record Source(String url, String attributes) {
    }
}
