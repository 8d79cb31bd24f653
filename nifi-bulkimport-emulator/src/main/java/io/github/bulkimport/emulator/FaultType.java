package io.github.bulkimport.emulator;

import java.util.Locale;

/**
 * Misbehaviours the emulator can be told to show.
 */
public enum FaultType {
    /** HTTP 500 with a JSON envelope; the request is not processed. */
    HTTP_500(false),
    /** HTTP 502 with an nginx-style HTML page, as a gateway sends; not processed. */
    HTTP_502(false),
    /** HTTP 503 with a JSON envelope; not processed. */
    HTTP_503(false),
    /** HTTP 429, with {@code Retry-After} when the fault has a retry-after; not processed. */
    HTTP_429(false),
    /** HTTP 200 with "The number of jobs has reached the limit" (code 2100); not processed. */
    JOB_LIMIT(false),
    /** HTTP 200 with the rate-limit envelope (code 1807); not processed. */
    RATE_LIMIT(false),
    /** HTTP 200 with an HTML body; not processed. */
    NON_JSON(false),
    /** HTTP 200 with a 10 MB body; not processed. */
    HUGE_BODY(false),
    /** The connection is closed before processing: no answer at all. */
    DROP(false),
    /** Waits {@code delayMillis}, then answers normally. */
    SLOW(true),
    /** Processed normally (a job may be created), then the connection is closed without the answer. */
    LOST_REPLY(true),
    /** Processed normally, then only half of the answer is sent. */
    TRUNCATED(true),
    /**
     * An error that echoes the request's credentials back, in several encodings (raw, JSON-escaped,
     * URL-encoded, base64) and cut off at awkward places: as a JSON envelope, a plain-text HTTP 500 or
     * an HTML HTTP 400, in turn. Not processed.
     */
    ECHO_SECRETS(false),
    /** Processed normally, then the answer is sent one byte every {@code delayMillis}. */
    DRIP(true),
    /** Announces a 20 GB body and streams filler until the client hangs up; not processed. */
    HUGE_DECLARED(false),
    /**
     * Processed normally, but the answer's job ID, state, times and reason carry control characters,
     * ANSI escapes and forged log lines, and its numbers are out of range.
     */
    HOSTILE_VALUES(true),
    /**
     * Processed normally, then the answer names a credential of the request as a job ID: {@code create}
     * answers with the bearer token as its {@code jobId}, {@code list} adds a record whose {@code jobId}
     * is the token.
     */
    SECRET_JOB_ID(true),
    /**
     * Processed normally, then the answer's JSON is cut in half and delivered as a whole HTTP answer
     * (its Content-Length that of the cut body), as a proxy that truncates bodies does.
     */
    CUT_JSON(true),
    /**
     * Processed normally, but {@code list} misses a job: a Zilliz Cloud page after the first starts one
     * record later, as if a job on an earlier page had been removed meanwhile (the job at the boundary is
     * never shown); a Milvus listing does not show its newest job.
     */
    SHIFTED_PAGE(true);

    private final boolean processes;

    FaultType(final boolean processes) {
        this.processes = processes;
    }

    /** Whether the request still takes effect on the server. */
    public boolean processes() {
        return processes;
    }

    /** Accepts any case, with or without separators: {@code http503}, {@code HTTP_503}, {@code lost-reply}. */
    public static FaultType parse(final String text) {
        final String wanted = squash(text);
        for (final FaultType type : values()) {
            if (squash(type.name()).equals(wanted)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown fault type '" + text + "'");
    }

    private static String squash(final String text) {
        return text.trim().toUpperCase(Locale.ROOT).replace("_", "").replace("-", "");
    }
}
