package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    private final ExecutorService executor;

    RequestsInFlight(final int maxInFlight, final String threadNamePrefix) {
        this.maxInFlight = maxInFlight;
        this.executor = maxInFlight > 1 ? Executors.newFixedThreadPool(maxInFlight, daemonThreads(threadNamePrefix)) : null;
    }

    /**
     * Sends the batches, at most {@code maxInFlight} at a time, until all are sent, the handler asks to
     * stop, or {@code deadlineNanos} passes (the first is sent whatever the time); requests already sent
     * are always answered and handed over.
     *
     * @return the batches never sent
     */
    List<Batch> sendAll(final List<Batch> batches, final Sender sender, final AnswerHandler handler, final long deadlineNanos) {
        final List<CompletableFuture<Answer>> inFlight = new ArrayList<>(maxInFlight);
        boolean goOn = true;
        int next = 0;
        // the first request always leaves: on a loaded machine, taking the flowfiles alone may outlast the time budget
        while (next < batches.size() && goOn && (next == 0 || System.nanoTime() - deadlineNanos < 0)) {
            inFlight.add(send(batches.get(next++), sender));
            if (inFlight.size() >= maxInFlight) {
                goOn = handleAnswered(inFlight, handler);
            }
        }
        while (!inFlight.isEmpty()) {
            handleAnswered(inFlight, handler);
        }
        return new ArrayList<>(batches.subList(next, batches.size()));
    }

    private CompletableFuture<Answer> send(final Batch batch, final Sender sender) {
        if (executor == null) {
            return CompletableFuture.completedFuture(call(batch, sender));
        }
        return CompletableFuture.supplyAsync(() -> call(batch, sender), executor);
    }

    private static Answer call(final Batch batch, final Sender sender) {
        try {
            return new Answer(batch, sender.send(batch), null);
        } catch (final ImportApiException e) {
            return new Answer(batch, null, e);
        }
    }

    /** Waits for at least one answer, then hands over every answered one. */
    private static boolean handleAnswered(final List<CompletableFuture<Answer>> inFlight, final AnswerHandler handler) {
        try {
            CompletableFuture.anyOf(inFlight.toArray(CompletableFuture[]::new)).get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessException("Interrupted while waiting for the server to start a job; the flowfiles will be processed again", e);
        } catch (final ExecutionException unexpected) {
            // handed over below, where join() rethrows it
        }
        boolean goOn = true;
        for (final Iterator<CompletableFuture<Answer>> pending = inFlight.iterator(); pending.hasNext(); ) {
            final CompletableFuture<Answer> answer = pending.next();
            if (answer.isDone()) {
                pending.remove();
                try {
                    goOn &= handler.handle(answer.join());
                } catch (final CompletionException e) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
                }
            }
        }
        return goOn;
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
        if (executor != null) {
            executor.shutdown();
        }
    }
}
