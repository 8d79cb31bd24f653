package io.github.bulkimport.nifi.client;

/**
 * How a failed call should be handled by the caller.
 */
public enum ErrorKind {
    /** I/O trouble, timeouts, HTTP 408 or 5xx: the same call may succeed later. */
    TRANSIENT(true),
    /** HTTP 429, a rate limit or the server's active-job limit: retry later and slow down. */
    THROTTLED(true),
    /** The job asked about is unknown to the server (never existed, or already cleaned up). */
    JOB_NOT_FOUND(false),
    /** Anything that will fail again unchanged: bad credentials, bad request, unknown collection. */
    TERMINAL(false);

    private final boolean retryable;

    ErrorKind(final boolean retryable) {
        this.retryable = retryable;
    }

    public boolean isRetryable() {
        return retryable;
    }
}
