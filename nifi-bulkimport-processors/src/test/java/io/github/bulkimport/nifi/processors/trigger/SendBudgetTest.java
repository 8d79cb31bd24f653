package io.github.bulkimport.nifi.processors.trigger;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run's time budget for sending counts from its first request. Counted from the run's start, a run
 * whose taking of a large queue outlasted the budget (10,000 flowfiles on a loaded machine) sent one job
 * and put the others back, run after run: the makespan benchmark's burst of 20,000 uploads took 316 s to
 * start 158 jobs against a server taking 64 at once.
 */
class SendBudgetTest {

    @Test
    void batchesTakenAfterALongTakeAreAllSentWhenTheirRequestsFitTheBudget() throws InterruptedException {
        final List<Batch> taken = OneFileBatches.of(20);
        // the run spent longer than its budget taking them
        Thread.sleep(TriggerBulkImport.TRIGGER_TIME_BUDGET.toMillis() + 100);
        final AtomicInteger sent = new AtomicInteger();
        try (RequestsInFlight inFlight = new RequestsInFlight(4, "test-")) {
            final List<Batch> unsent = inFlight.sendAll(taken, batch -> "job-" + sent.incrementAndGet(), answer -> { },
                    TriggerBulkImport.TRIGGER_TIME_BUDGET);
            assertEquals(List.of(), unsent);
        }
        assertEquals(20, sent.get());
    }

    @Test
    void sendingStopsOnceTheBudgetHasPassedSinceTheFirstRequest() {
        final List<Batch> taken = OneFileBatches.of(20);
        final AtomicInteger sent = new AtomicInteger();
        try (RequestsInFlight inFlight = new RequestsInFlight(1, "test-")) {
            final List<Batch> unsent = inFlight.sendAll(taken, batch -> {
                try {
                    Thread.sleep(60);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "job-" + sent.incrementAndGet();
            }, answer -> { }, Duration.ofMillis(150));
            assertTrue(sent.get() >= 2 && sent.get() < 20, "sent " + sent.get());
            assertEquals(20 - sent.get(), unsent.size());
        }
    }
}
