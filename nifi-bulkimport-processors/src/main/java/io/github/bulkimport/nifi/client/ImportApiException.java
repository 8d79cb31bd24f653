package io.github.bulkimport.nifi.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call to the import API. The message is meant for users and has already been
 * stripped of every secret the client knows, so it may go to logs, bulletins and attributes.
 * It deliberately carries no cause: causes such as JSON parser errors quote response bodies.
 */
public class ImportApiException extends Exception {

    private final ErrorKind kind;
    private final Integer httpStatus;
    private final String errorCode;
    private final Duration retryAfter;

    public ImportApiException(final ErrorKind kind, final String message, final Integer httpStatus, final String errorCode, final Duration retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    public ImportApiException(final ErrorKind kind, final String message) {
        this(kind, message, null, null, null);
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
}
