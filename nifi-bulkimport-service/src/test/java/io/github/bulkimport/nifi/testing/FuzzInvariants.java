package io.github.bulkimport.nifi.testing;

import java.time.Duration;

/**
 * What every fuzz target asserts of each input, beyond "no Throwable escapes" (which Jazzer itself
 * reports): the input is handled within {@link #PER_INPUT}, and no secret reaches a message. Memory is
 * bounded by the fuzzing JVM's heap (256 MB, the surefire execution {@code fuzz}).
 */
public final class FuzzInvariants {

    /**
     * The most one input may take: 100 ms when the corpus is replayed (CI), 1 s while Jazzer fuzzes (JAZZER_FUZZ set), whose
     * coverage instrumentation slows every loop some fifty times (an input of 40,000 bad CSV rows: 2.2 ms replayed, 150 to
     * 250 ms fuzzed). A blow-up beyond linear still shows in either: 1 MB taking seconds.
     */
    public static final Duration PER_INPUT = System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty()
            ? Duration.ofMillis(100) : Duration.ofSeconds(1);

    /** The largest input a target takes: what is beyond is cut off, so that a slow input is slow for its shape, not its size. */
    public static final int MAX_INPUT_BYTES = 1024 * 1024;

    /** Code under test, which may throw only what it documents. */
    @FunctionalInterface
    public interface Target<T> {
        T run() throws Exception;
    }

    private FuzzInvariants() {
    }

    /**
     * Runs the target and returns what it returns; fails when it takes longer than {@link #PER_INPUT}
     * twice in a row (a first slow run may be the JIT compiling or a collection).
     */
    public static <T> T withinBudget(final Target<T> target) throws Exception {
        final long start = System.nanoTime();
        final T first = target.run();
        if (System.nanoTime() - start <= PER_INPUT.toNanos()) {
            return first;
        }
        final long again = System.nanoTime();
        final T second = target.run();
        final long took = System.nanoTime() - again;
        if (took > PER_INPUT.toNanos()) {
            throw new AssertionError("one input took " + took / 1_000_000 + " ms, twice, where the budget is " + PER_INPUT.toMillis() + " ms");
        }
        return second;
    }

    private static final SecretRuns SECRET_RUNS = new SecretRuns(Secrets.ALL);

    /** Fails when a text meant for users holds a run of {@value SecretRuns#RUN} characters of a configured secret, raw or encoded. */
    public static void noSecret(final String where, final String text) {
        final String run = SECRET_RUNS.find(text);
        if (run != null) {
            throw new AssertionError("a run of a secret (" + run + ") in " + where + ": " + text);
        }
    }
}
