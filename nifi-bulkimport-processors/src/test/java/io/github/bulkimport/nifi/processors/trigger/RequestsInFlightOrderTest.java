package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a run's requests go out: each as soon as a connection is free, the answers handed over (which
 * routes every flowfile of a job) only once all are in, and nothing more sent after a transient failure.
 * Handing answers over as they came made the next request wait for the routing of a whole job: a burst of
 * 20,000 took 1.15 s to create its 51 jobs on two cores, 0.25 s after.
 */
class RequestsInFlightOrderTest {

    private static final Duration BUDGET = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {1, 4})
    void everyRequestIsSentBeforeAnyAnswerIsHandedOver(final int inFlight) {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (RequestsInFlight requests = new RequestsInFlight(inFlight, "test-")) {
            final List<Batch> unsent = requests.sendAll(OneFileBatches.of(20), batch -> {
                events.add("sent");
                return "job-" + OneFileBatches.number(batch);
            }, answer -> events.add("handed over " + answer.jobId()), BUDGET);
            assertEquals(List.of(), unsent);
        }
        assertEquals(40, events.size());
        assertEquals(Collections.nCopies(20, "sent"), events.subList(0, 20), "an answer was handed over before the last request left: " + events);
        final Set<String> handed = new HashSet<>(events.subList(20, 40));
        for (int i = 0; i < 20; i++) {
            assertTrue(handed.contains("handed over job-" + i), "job-" + i + " not handed over: " + events);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TRANSIENT", "UNAVAILABLE", "THROTTLED"})
    void aTransientFailureLeavesTheRequestsNotYetSentUnsentAndEverySentOneHandedOver(final ErrorKind kind) {
        final AtomicInteger sent = new AtomicInteger();
        final List<RequestsInFlight.Answer> handed = new ArrayList<>();
        try (RequestsInFlight requests = new RequestsInFlight(1, "test-")) {
            final List<Batch> unsent = requests.sendAll(OneFileBatches.of(20), batch -> {
                sent.incrementAndGet();
                if (OneFileBatches.number(batch) == 3) {
                    throw new ImportApiException(kind, "the server is busy");
                }
                return "job-" + OneFileBatches.number(batch);
            }, handed::add, BUDGET);
            assertEquals(4, sent.get(), "no request after the failure");
            assertEquals(16, unsent.size());
            assertEquals(List.of(4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), unsent.stream().map(OneFileBatches::number).sorted().toList());
        }
        assertEquals(4, handed.size());
        assertEquals(1, handed.stream().filter(answer -> answer.failure() != null).count());
    }

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {2, 4})
    void withSeveralInFlightATransientFailureStopsWhatHasNotLeftAndNoBatchIsLost(final int inFlight) {
        final AtomicInteger sent = new AtomicInteger();
        final List<RequestsInFlight.Answer> handed = Collections.synchronizedList(new ArrayList<>());
        try (RequestsInFlight requests = new RequestsInFlight(inFlight, "test-")) {
            final List<Batch> unsent = requests.sendAll(OneFileBatches.of(40), batch -> {
                sent.incrementAndGet();
                if (OneFileBatches.number(batch) == 0) {
                    throw new ImportApiException(ErrorKind.TRANSIENT, "connection reset");
                }
                sleep(20);
                return "job-" + OneFileBatches.number(batch);
            }, handed::add, BUDGET);
            assertTrue(sent.get() < 40, "sent " + sent.get() + " of 40 after a transient failure");
            assertEquals(40, handed.size() + unsent.size(), "every batch either answered or left unsent");
            assertEquals(sent.get(), handed.size());
        }
    }

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {1, 4})
    void aRequestRefusedForItselfDoesNotStopTheOthers(final int inFlight) {
        final List<RequestsInFlight.Answer> handed = Collections.synchronizedList(new ArrayList<>());
        try (RequestsInFlight requests = new RequestsInFlight(inFlight, "test-")) {
            final List<Batch> unsent = requests.sendAll(OneFileBatches.of(20), batch -> {
                if (OneFileBatches.number(batch) == 2) {
                    throw new ImportApiException(ErrorKind.TERMINAL, "file type not supported");
                }
                return "job-" + OneFileBatches.number(batch);
            }, handed::add, BUDGET);
            assertEquals(List.of(), unsent);
        }
        assertEquals(20, handed.size());
        assertEquals(1, handed.stream().filter(answer -> answer.failure() != null).count());
    }

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {1, 4})
    void anUnexpectedErrorOfOneRequestIsThrownOnceTheJobsOfTheOthersAreHandedOver(final int inFlight) {
        final List<RequestsInFlight.Answer> handed = Collections.synchronizedList(new ArrayList<>());
        final Set<String> started = Collections.synchronizedSet(new HashSet<>());
        try (RequestsInFlight requests = new RequestsInFlight(inFlight, "test-")) {
            final RequestsInFlight.Stopped thrown = assertThrows(RequestsInFlight.Stopped.class, () -> requests.sendAll(OneFileBatches.of(10), batch -> {
                if (OneFileBatches.number(batch) == 5) {
                    throw new IllegalStateException("the connection service is not enabled");
                }
                started.add("job-" + OneFileBatches.number(batch));
                return "job-" + OneFileBatches.number(batch);
            }, handed::add, BUDGET));
            assertEquals("the connection service is not enabled", thrown.failure().getMessage());
            assertTrue(thrown.failure() instanceof IllegalStateException);
            assertEquals(10, started.size() + 1 + thrown.unsent().size(), "every batch started, failed or left unsent: " + thrown.unsent());
        }
        // every job started is handed over, so that the run remembers it before it rolls back
        assertTrue(started.containsAll(List.of("job-0", "job-1", "job-2", "job-3", "job-4").subList(0, inFlight == 1 ? 5 : 1)), "started: " + started);
        assertEquals(started, new HashSet<>(handed.stream().map(RequestsInFlight.Answer::jobId).toList()));
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
