package io.github.bulkimport.nifi.api;

/**
 * How a failed call should be handled by the caller.
 */
public enum ErrorKind {
    /** A broken exchange (connection reset, cut-off or oversized answer): the same call may succeed later. */
    TRANSIENT(true, false),
    /**
     * The server cannot be reached, is too slow, or answers HTTP 408 or 5xx: retry later, and yield
     * rather than keep every task waiting out timeouts.
     */
    UNAVAILABLE(true, true),
    /** HTTP 429, a rate limit or the server's active-job limit: retry later and slow down. */
    THROTTLED(true, true),
    /** The job asked about is unknown to the server (never existed, or already cleaned up). */
    JOB_NOT_FOUND(false, false),
    /** Anything that will fail again unchanged: bad credentials, bad request, unknown collection. */
    TERMINAL(false, false);

    private final boolean retryable;
    private final boolean yields;

    ErrorKind(final boolean retryable, final boolean yields) {
        this.retryable = retryable;
        this.yields = yields;
    }

    public boolean isRetryable() {
        return retryable;
    }

    /** Whether the processor should yield: every call would meet the same trouble for a while. */
    public boolean yields() {
        return yields;
    }
}
