package io.github.bulkimport.nifi.processors;

import java.time.Duration;

/**
 * Remembers until when the server asked us (through {@code Retry-After}) not to call again.
 * While closed, processors yield without taking flowfiles.
 */
final class ThrottleGate {

    private volatile long openAtNanos = System.nanoTime();

    boolean isClosed() {
        return System.nanoTime() - openAtNanos < 0;
    }

    void closeFor(final Duration wait) {
        if (wait == null || wait.isZero() || wait.isNegative()) {
            return;
        }
        final long candidate = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            if (candidate - openAtNanos > 0) {
                openAtNanos = candidate;
            }
        }
    }

    void open() {
        openAtNanos = System.nanoTime();
    }
}
