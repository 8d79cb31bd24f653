package io.github.bulkimport.nifi.processors.trigger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers since when the flowfiles of a bound request have been coming back without all of the
 * others (they were penalized a moment apart, or one of them was taken elsewhere), so that waiting
 * for the rest ends after {@link #PATIENCE} instead of going on for ever.
 */
final class WaitingRequests {

    /** How long the flowfiles of a bound request may wait for the others. */
    static final Duration PATIENCE = Duration.ofMinutes(10);

    private final Map<String, Long> waitingSince = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    /** @param nanoTime the processor's clock, which tests set */
    WaitingRequests(final LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Notes that the request is still incomplete; returns whether it has waited longer than {@link #PATIENCE}. */
    boolean overdue(final String requestKey) {
        final long now = nanoTime.getAsLong();
        // requests whose flowfiles never came back at all are forgotten after a while
        waitingSince.values().removeIf(since -> now - since > 2 * PATIENCE.toNanos());
        final Long since = waitingSince.putIfAbsent(requestKey, now);
        return since != null && now - since > PATIENCE.toNanos();
    }

    void settled(final String requestKey) {
        waitingSince.remove(requestKey);
    }
}
