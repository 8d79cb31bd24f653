package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.processor.ProcessContext;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Slows a processor down when the server asks for it: remembers until when the server's
 * {@code Retry-After} lasts, and makes the processor yield while it does, and whenever the server is
 * throttling or unavailable.
 */
public final class ThrottleGate {

    private final LongSupplier nanoTime;
    private volatile long openAtNanos;

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
    }
}
