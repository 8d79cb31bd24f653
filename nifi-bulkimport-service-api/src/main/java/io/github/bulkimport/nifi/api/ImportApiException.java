package io.github.bulkimport.nifi.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call to the import API. The message is meant for users: it has been made safe by
 * {@link VisibleText} (no secret, no control character, bounded), so it may go to logs, bulletins
 * and attributes. It deliberately carries no cause: causes such as JSON parser errors quote
 * response bodies.
 */
public class ImportApiException extends Exception {

    private final ErrorKind kind;
    private final Integer httpStatus;
    private final String errorCode;
    private final Duration retryAfter;
    private final boolean outcomeUnknown;

    public ImportApiException(final ErrorKind kind, final String message, final Integer httpStatus, final String errorCode, final Duration retryAfter,
                              final boolean outcomeUnknown) {
        super(message, null, false, false);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
        this.outcomeUnknown = outcomeUnknown;
    }

    public ImportApiException(final ErrorKind kind, final String message) {
        this(kind, message, null, null, null, false);
    }

    public ErrorKind getKind() {
        return kind;
    }

    /** The HTTP status of the answer, absent when no answer arrived. */
    public Optional<Integer> getHttpStatus() {
        return Optional.ofNullable(httpStatus);
    }

    /**
     * The {@code code} of the server's JSON envelope, or a short name of this client's own
     * classification ({@code IO_ERROR}, {@code TIMEOUT}, {@code NOT_JSON}, ...).
     */
    public Optional<String> getErrorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** How long the server asked callers to wait, already bounded. */
    public Optional<Duration> getRetryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * Whether the server may have carried the request out although no valid answer came back (the
     * answer was lost, cut off, late, unreadable, or an HTTP 5xx). A request whose outcome is unknown
     * must be sent again with the same content and the same Idempotency-Key, never recomposed.
     */
    public boolean isOutcomeUnknown() {
        return outcomeUnknown;
    }
}
