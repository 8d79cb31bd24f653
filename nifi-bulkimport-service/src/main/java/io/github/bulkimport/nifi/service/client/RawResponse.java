package io.github.bulkimport.nifi.service.client;

/**
 * An HTTP answer read in full (within a size bound), before any interpretation.
 */
record RawResponse(int status, String contentType, String retryAfter, String location, byte[] body) {
}
