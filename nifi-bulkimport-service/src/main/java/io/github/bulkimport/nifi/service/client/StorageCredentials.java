package io.github.bulkimport.nifi.service.client;

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

    @Override
    public String toString() {
        return "StorageCredentials[accessKey=" + SecretRedactor.shown(accessKey) + ", secretKey=" + SecretRedactor.shown(secretKey)
                + ", sessionToken=" + SecretRedactor.shown(sessionToken) + "]";
    }
}
