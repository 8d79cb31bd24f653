package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.ImportApiException;

import java.util.HashMap;
import java.util.Map;

/**
 * The calls of one run of a processor. A call that failed is not made again in the run for the same
 * thing (another flowfile of the same collection or job gets the same failure), and once the server
 * refused a call for now (throttled, or unavailable: every call would meet the same trouble), the run
 * makes no more calls at all: its other flowfiles get that refusal, and a hanging server costs the
 * Response Timeout once per run, not once per flowfile. A broken exchange (a connection dropped, an answer
 * cut off or too large) stops the run too: the next call would most likely meet the same trouble, and the
 * run's flowfiles are retried anyway.
 */
public final class RunCalls {

    /** A call to the server. */
    @FunctionalInterface
    public interface Call<T> {
        T make() throws ImportApiException;
    }

    private final Map<Object, ImportApiException> failed = new HashMap<>();
    private ImportApiException refusal;

    /**
     * Makes the call for {@code what} (a collection, a job, a listing), unless this run already failed it or
     * was refused by the server for now; then throws that failure, without a call.
     */
    public <T> T call(final Object what, final Call<T> call) throws ImportApiException {
        final ImportApiException known = failed.get(what);
        if (known != null) {
            throw known;
        }
        if (refusal != null) {
            throw heldBack(refusal);
        }
        try {
            return call.make();
        } catch (final ImportApiException e) {
            failed.put(what, e);
            if (e.getKind().isRetryable()) {
                refusal = e;
            }
            throw e;
        }
    }

    /** Whether a call of this run failed for a reason that may pass, so that the run makes no more. */
    public boolean refused() {
        return refusal != null;
    }

    private static ImportApiException heldBack(final ImportApiException refusal) {
        return new ImportApiException(refusal.getKind(), "Not sent: the server refused an earlier call of this run for now ("
                + refusal.getMessage() + ")", refusal.getHttpStatus().orElse(null), refusal.getErrorCode().orElse(null),
                refusal.getRetryAfter().orElse(null), false);
    }
}
