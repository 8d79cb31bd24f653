package io.github.bulkimport.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits, before a clock starts, until this machine's CPUs are nearly idle: the work that set a run up
 * must not be measured as the work of the flow under test (queueing 20,000 uploads has NiFi index 20,000
 * provenance events and compile GenerateFlowFile and its session's provenance code, single compilations of
 * 0.4 to 0.6 s in a JFR recording of 2026-12-06; on that machine it was all done within the second the
 * benchmark pauses before it asks).
 */
final class QuietMachine {

    private static final Path STAT = Path.of("/proc/stat");
    private static final long WINDOW_MILLIS = 250;
    private static final double QUIET_SHARE = 0.10;
    private static final int QUIET_WINDOWS = 2;

    private QuietMachine() {
    }

    /**
     * Waits until {@value #QUIET_WINDOWS} windows in a row of {@value #WINDOW_MILLIS} ms have the CPUs busy
     * less than a tenth of the time, or {@code max} has passed; returns how long it waited. Without Linux's
     * {@code /proc/stat}, waits one second.
     */
    static Duration await(final Duration max) throws InterruptedException {
        final long began = System.nanoTime();
        if (!Files.isReadable(STAT)) {
            Thread.sleep(1_000);
            return Duration.ofNanos(System.nanoTime() - began);
        }
        final long deadline = began + max.toNanos();
        int quiet = 0;
        long[] before = ticks();
        while (quiet < QUIET_WINDOWS && System.nanoTime() < deadline) {
            Thread.sleep(WINDOW_MILLIS);
            final long[] after = ticks();
            final long total = after[0] - before[0];
            final long busy = after[1] - before[1];
            quiet = total > 0 && busy < QUIET_SHARE * total ? quiet + 1 : 0;
            before = after;
        }
        return Duration.ofNanos(System.nanoTime() - began);
    }

    /** All ticks and busy ticks (neither idle nor waiting for I/O) of all CPUs so far, from the first line of /proc/stat. */
    private static long[] ticks() {
        try {
            final String[] fields = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                total += Long.parseLong(fields[i]);
            }
            final long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[]{total, total - idle};
        } catch (final IOException | RuntimeException e) {
            return new long[]{0, 0};
        }
    }
}
