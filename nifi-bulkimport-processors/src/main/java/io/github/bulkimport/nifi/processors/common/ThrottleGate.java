package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.processor.ProcessContext;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Slows a processor down when the server asks for it: remembers until when the server's
 * {@code Retry-After} lasts, and makes the processor yield while it does, and whenever the server is
 * throttling or unavailable. A request refused for now (the server's active-job limit, a rate limit)
 * closes it for a wait that starts short and doubles with each refusal in a row, up to
 * {@link #MAX_BACKOFF}: a free job slot is probed for soon, a full server is not hammered. A start the
 * connection service refused itself (its slots full, {@link BulkImportConnectionService#SLOTS_FULL}) cost
 * no call: the wait is the service's, not doubled.
 */
public final class ThrottleGate {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final LongSupplier nanoTime;
    private volatile long openAtNanos;
    private int refusalsInARow;

    public ThrottleGate(final LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.openAtNanos = nanoTime.getAsLong();
    }

    /** Whether the processor must not call the server now; if so, it has yielded. */
    public boolean holdsBack(final ProcessContext context) {
        if (nanoTime.getAsLong() - openAtNanos < 0) {
            context.yield();
            return true;
        }
        return false;
    }

    /** After a failed call: closes the gate for the server's Retry-After, and yields when every call would meet the same trouble. */
    public void slowDown(final ProcessContext context, final ImportApiException e) {
        if (e.getKind() == ErrorKind.THROTTLED) {
            e.getRetryAfter().ifPresent(this::closeFor);
        }
        if (e.getKind().yields()) {
            context.yield();
        }
    }

    /**
     * Requests refused for now: closes the gate for the backoff of this many refusals in a row, or the
     * server's Retry-After if longer. When the server took other requests meanwhile, a slot was free a
     * moment ago and another may be soon: the backoff starts short again.
     */
    public void refused(final ImportApiException e, final boolean othersAdmitted) {
        if (e.getErrorCode().filter(BulkImportConnectionService.SLOTS_FULL::equals).isPresent()) {
            // the service refused it without a call, and says when it will know whether a slot is free: no reason to wait longer
            closeFor(e.getRetryAfter().orElse(FIRST_BACKOFF));
            return;
        }
        final int before;
        synchronized (this) {
            if (othersAdmitted) {
                refusalsInARow = 0;
            }
            before = refusalsInARow++;
        }
        final Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(before, 10));
        final Duration wait = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
        closeFor(e.getRetryAfter().filter(retryAfter -> retryAfter.compareTo(wait) > 0).orElse(wait));
    }

    /** A request the server took: the next refusal starts the backoff short again. */
    public synchronized void admitted() {
        refusalsInARow = 0;
    }

    public void closeFor(final Duration wait) {
        if (wait == null || wait.isZero() || wait.isNegative()) {
            return;
        }
        final long candidate = nanoTime.getAsLong() + wait.toNanos();
        synchronized (this) {
            if (candidate - openAtNanos > 0) {
                openAtNanos = candidate;
            }
        }
    }

    public void open() {
        openAtNanos = nanoTime.getAsLong();
        admitted();
    }
}
