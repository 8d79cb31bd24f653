package io.github.bulkimport.nifi.service.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retry-After, as any server or gateway may send it: a bounded wait or none, never an exception. */
class RetryAfterFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"), ZoneOffset.UTC);

    @FuzzTest(maxDuration = "5m")
    void retryAfter(final byte[] input) throws Exception {
        final String header = new String(input, 0, Math.min(input.length, FuzzInvariants.MAX_INPUT_BYTES), StandardCharsets.ISO_8859_1);
        final Duration wait = FuzzInvariants.withinBudget(() -> RetryAfter.parse(header, CLOCK));
        if (wait != null) {
            assertTrue(!wait.isNegative() && wait.compareTo(RetryAfter.MAXIMUM) <= 0, "a wait out of bounds: " + wait);
        }
    }
}
