package io.github.bulkimport.nifi.service.client;

import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.concurrent.Cancellable;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds one HTTP call: once a connection is ready, the request must be answered in full within
 * Response Timeout, however slowly the server drips its answer; when the time is up the exchange is
 * cancelled and its connection closed. It also abandons an answer too large to read, without
 * draining it.
 */
final class CallDeadline {

    /** The context attribute under which a call carries its deadline. */
    static final String ATTRIBUTE = "io.github.bulkimport.call-deadline";

    private final Cancellable exchange;
    private final Duration timeout;
    private final ScheduledExecutorService timer;
    private volatile ScheduledFuture<?> alarm;
    private volatile boolean expired;

    CallDeadline(final Cancellable exchange, final Duration timeout, final ScheduledExecutorService timer) {
        this.exchange = exchange;
        this.timeout = timeout;
        this.timer = timer;
    }

    /** Placed just before the request is written, after the connection is made, so connecting keeps its own timeout. */
    static ExecChainHandler starter() {
        return (request, scope, chain) -> {
            final Object deadline = scope.clientContext.getAttribute(ATTRIBUTE);
            if (deadline instanceof CallDeadline callDeadline) {
                callDeadline.start();
            }
            return chain.proceed(request, scope);
        };
    }

    void start() {
        if (alarm == null) {
            alarm = timer.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire() {
        expired = true;
        exchange.cancel();
    }

    /** Closes the connection at once, so that the rest of an answer is never read. */
    void abandon() {
        exchange.cancel();
    }

    /** Whether the call was cut off because the time was up. */
    boolean expired() {
        return expired;
    }

    void finish() {
        final ScheduledFuture<?> pending = alarm;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
