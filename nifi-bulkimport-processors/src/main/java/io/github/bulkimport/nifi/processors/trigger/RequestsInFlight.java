package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps up to a number of {@code create} requests waiting for their answers at once, and hands each
 * answer back on the calling thread as soon as it arrives, so that a slow answer does not hold back
 * the others. With one request in flight, requests are sent on the calling thread, in order.
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

    /** Receives each answer; returns whether to send more requests. */
    @FunctionalInterface
    interface AnswerHandler {
        boolean handle(Answer answer);
    }

    private final int maxInFlight;
    private final Executor executor;
    private final ExecutorService pool;

    RequestsInFlight(final int maxInFlight, final String threadNamePrefix) {
        this.maxInFlight = maxInFlight;
        this.pool = maxInFlight > 1 ? Executors.newFixedThreadPool(maxInFlight, daemonThreads(threadNamePrefix)) : null;
        this.executor = pool == null ? Runnable::run : pool;
    }

    /**
     * Sends the batches, at most {@code maxInFlight} at a time, until all are sent, the handler asks to
     * stop, or {@code budget} has passed since the first was sent (the first is sent whatever the time);
     * requests already sent are always answered and handed over. The budget counts from here, not from the
     * start of the run: what the run took and marked is sent, not put back to be taken again. Counted from
     * the run's start, a run that took 10,000 queued flowfiles on a loaded machine (longer than the budget)
     * sent one job and put back the rest, run after run: a burst of 20,000 uploads took minutes to start.
     *
     * @return the batches never sent
     */
    List<Batch> sendAll(final List<Batch> batches, final Sender sender, final AnswerHandler handler, final Duration budget) {
        final long deadlineNanos = System.nanoTime() + budget.toNanos();
        final Round round = new Round(sender, handler);
        int next = 0;
        while (next < batches.size() && round.goOn && (next == 0 || System.nanoTime() - deadlineNanos < 0)) {
            round.send(batches.get(next++));
            if (round.inFlight >= maxInFlight) {
                round.handleAnswered();
            }
        }
        while (round.inFlight > 0) {
            round.handleAnswered();
        }
        return new ArrayList<>(batches.subList(next, batches.size()));
    }

    /** The requests of one {@link #sendAll} call, handed back in the order they are answered. */
    private final class Round {
        private final CompletionService<Answer> answers = new ExecutorCompletionService<>(executor);
        private final Sender sender;
        private final AnswerHandler handler;
        private int inFlight;
        private boolean goOn = true;

        Round(final Sender sender, final AnswerHandler handler) {
            this.sender = sender;
            this.handler = handler;
        }

        void send(final Batch batch) {
            answers.submit(() -> call(batch));
            inFlight++;
        }

        private Answer call(final Batch batch) {
            try {
                return new Answer(batch, sender.send(batch), null);
            } catch (final ImportApiException e) {
                return new Answer(batch, null, e);
            }
        }

        /** Waits for one answer, then hands over it and every other answer already in. */
        void handleAnswered() {
            try {
                for (Future<Answer> answer = answers.take(); answer != null; answer = answers.poll()) {
                    inFlight--;
                    goOn &= handler.handle(answerOf(answer));
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProcessException("Interrupted while waiting for the server to start a job; the flowfiles will be processed again", e);
            }
        }

        private static Answer answerOf(final Future<Answer> done) throws InterruptedException {
            try {
                return done.get();
            } catch (final ExecutionException e) {
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
