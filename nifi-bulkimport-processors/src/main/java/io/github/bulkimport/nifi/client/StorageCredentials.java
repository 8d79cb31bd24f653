package io.github.bulkimport.nifi.client;

/**
 * Keys Zilliz Cloud uses to read the bucket (for Azure: account name and key). All optional;
 * {@link #toString()} never shows them.
 */
public record StorageCredentials(String accessKey, String secretKey, String sessionToken) {

    public static final StorageCredentials NONE = new StorageCredentials(null, null, null);

    public StorageCredentials {
        accessKey = CloudLocation.blankToNull(accessKey);
        secretKey = CloudLocation.blankToNull(secretKey);
        sessionToken = CloudLocation.blankToNull(sessionToken);
    }

    public boolean isEmpty() {
        return accessKey == null && secretKey == null && sessionToken == null;
    }

    @Override
    public String toString() {
        return "StorageCredentials[accessKey=" + mask(accessKey) + ", secretKey=" + mask(secretKey) + ", sessionToken=" + mask(sessionToken) + "]";
    }

    static String mask(final String value) {
        return value == null ? "unset" : SecretRedactor.MASK;
    }
}
