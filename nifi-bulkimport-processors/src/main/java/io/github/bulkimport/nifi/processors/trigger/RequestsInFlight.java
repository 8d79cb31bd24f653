package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps up to a number of {@code create} requests waiting for their answers at once, each sent as soon
 * as a connection is free, and hands the answers over on the calling thread once all are in. With one
 * request in flight, requests are sent on the calling thread, in order.
 */
final class RequestsInFlight implements AutoCloseable {

    static final PropertyDescriptor MAX_REQUESTS_IN_FLIGHT = new PropertyDescriptor.Builder()
            .name("Max Requests in Flight")
            .description("How many create requests one task keeps waiting for answers at once. Above 1, requests for the next jobs go out "
                    + "while earlier ones are answered, which hides network latency; the connection service's Max Connections is shared "
                    + "by all tasks. 1 sends one request at a time. Mind Zilliz Cloud's limit of 20 requests per second.")
            .required(true)
            .defaultValue("4")
            .addValidator(StandardValidators.createLongValidator(1, 64, true))
            .build();

    /** Sends one batch's request; returns the job ID. */
    @FunctionalInterface
    interface Sender {
        String send(Batch batch) throws ImportApiException;
    }

    /** What became of a request: a job ID, or the failure. */
    record Answer(Batch batch, String jobId, ImportApiException failure) {
    }

    /** Receives each answer. */
    @FunctionalInterface
    interface AnswerHandler {
        void handle(Answer answer);
    }

    private final Executor executor;
    private final ExecutorService pool;

    RequestsInFlight(final int maxInFlight, final String threadNamePrefix) {
        this.pool = maxInFlight > 1 ? Executors.newFixedThreadPool(maxInFlight, daemonThreads(threadNamePrefix)) : null;
        this.executor = pool == null ? Runnable::run : pool;
    }

    /**
     * Sends the batches, at most {@code maxInFlight} at a time, until all are sent, one is answered with a
     * transient failure (the next would most likely fail too), or {@code budget} has passed since the first
     * was sent (the first is sent whatever the time); then hands every answer over, in the order they came.
     * <p>Requests go out as soon as a connection is free, and answers are handed over only once the last is
     * in: handing over an answer routes every flowfile of its job, and on two cores that routing took the CPU
     * the requests still to go needed (the 51 jobs of a burst of 20,000 were created over 1.15 s while
     * answers were handed over as they came, and the next request waited for it). The budget counts from
     * here, not from the start of the run: what the run took and marked is sent, not put back to be taken
     * again. Counted from the run's start, a run that took 10,000 queued flowfiles on a loaded machine
     * (longer than the budget) sent one job and put back the rest, run after run.
     * <p>Whatever goes wrong (an unexpected error of a request or of a hand-over, an interrupt), every
     * request that left is waited for and every answer is handed over, so that the jobs started are
     * remembered before the run rolls back; then {@link Stopped} is thrown, with the batches never sent.
     *
     * @return the batches never sent
     * @throws Stopped after every answer is handed over, when something unexpected happened
     */
    List<Batch> sendAll(final List<Batch> batches, final Sender sender, final AnswerHandler handler, final Duration budget) {
        final Round round = new Round(sender, System.nanoTime() + budget.toNanos());
        for (int i = 0; i < batches.size(); i++) {
            round.send(batches.get(i), i == 0);
        }
        final List<Answer> answers = new ArrayList<>(batches.size());
        RuntimeException unexpected = null;
        for (int i = 0; i < batches.size(); i++) {
            try {
                round.nextAnswer().ifPresent(answers::add);
            } catch (final RuntimeException e) {
                unexpected = together(unexpected, e);
            }
        }
        for (final Answer answer : answers) {
            try {
                handler.handle(answer);
            } catch (final RuntimeException e) {
                unexpected = together(unexpected, e);
            }
        }
        final List<Batch> unsent = new ArrayList<>(round.unsent);
        if (round.interrupted) {
            Thread.currentThread().interrupt();
            unexpected = together(new ProcessException("Interrupted while waiting for the server to start a job; the flowfiles will be processed again"),
                    unexpected);
        }
        if (unexpected != null) {
            throw new Stopped(unsent, unexpected);
        }
        return unsent;
    }

    private static RuntimeException together(final RuntimeException first, final RuntimeException next) {
        if (first == null) {
            return next;
        }
        if (next != null) {
            first.addSuppressed(next);
        }
        return first;
    }

    /** Sending stopped on something unexpected, once every answer was handed over; carries the batches never sent. */
    static final class Stopped extends RuntimeException {

        private final transient List<Batch> unsent;

        Stopped(final List<Batch> unsent, final RuntimeException failure) {
            super(failure.getMessage(), failure, false, false);
            this.unsent = List.copyOf(unsent);
        }

        List<Batch> unsent() {
            return unsent;
        }

        RuntimeException failure() {
            return (RuntimeException) getCause();
        }
    }

    /** The requests of one {@link #sendAll} call. */
    private final class Round {
        private final CompletionService<Optional<Answer>> answers = new ExecutorCompletionService<>(executor);
        private final Sender sender;
        private final long deadlineNanos;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Queue<Batch> unsent = new ConcurrentLinkedQueue<>();
        private boolean interrupted;

        Round(final Sender sender, final long deadlineNanos) {
            this.sender = sender;
            this.deadlineNanos = deadlineNanos;
        }

        void send(final Batch batch, final boolean first) {
            answers.submit(() -> call(batch, first));
        }

        /** The answer, or none when the batch is left unsent. */
        private Optional<Answer> call(final Batch batch, final boolean first) {
            // with one in flight this runs on the caller's thread, whose interrupt stops what has not left
            if (!first && (stopped.get() || Thread.currentThread().isInterrupted() || System.nanoTime() - deadlineNanos >= 0)) {
                unsent.add(batch);
                return Optional.empty();
            }
            try {
                return Optional.of(new Answer(batch, sender.send(batch), null));
            } catch (final ImportApiException e) {
                if (e.getKind().isRetryable()) {
                    stopped.set(true);
                }
                return Optional.of(new Answer(batch, null, e));
            } catch (final RuntimeException | Error e) {
                stopped.set(true);
                throw e;
            }
        }

        /** Waits for the next request to be answered or left unsent: an interrupt stops what has not left, and what has is still waited for. */
        Optional<Answer> nextAnswer() {
            while (true) {
                try {
                    return answerOf(answers.take());
                } catch (final InterruptedException e) {
                    interrupted = true;
                    stopped.set(true);
                }
            }
        }

        private Optional<Answer> answerOf(final Future<Optional<Answer>> done) throws InterruptedException {
            try {
                return done.get();
            } catch (final ExecutionException e) {
                stopped.set(true);
                throw e.getCause() instanceof RuntimeException runtime ? runtime : new ProcessException(e.getCause());
            }
        }
    }

    private static ThreadFactory daemonThreads(final String prefix) {
        final AtomicInteger number = new AtomicInteger();
        return runnable -> {
            final Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
