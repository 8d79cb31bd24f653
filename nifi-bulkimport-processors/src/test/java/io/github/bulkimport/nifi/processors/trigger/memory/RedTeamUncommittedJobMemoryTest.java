package io.github.bulkimport.nifi.processors.trigger.memory;

import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Red team, 7e254ad at JobMemory level: the protection of started entries of sessions not yet committed. */
class RedTeamUncommittedJobMemoryTest {

    private static final long T0 = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();

    private final MockStateManager state = new MockStateManager(new TriggerBulkImport());
    private final RedTeamJobMemoryTest.MovingClock clock = new RedTeamJobMemoryTest.MovingClock(T0);

    private JobMemory memory(final int size, final Duration age) {
        return new JobMemory(state, Scope.LOCAL, size, age, clock);
    }

    private Map<String, String> stored() throws IOException {
        return state.getState(Scope.LOCAL).toMap();
    }

    private static long startedIn(final Map<String, String> stored) {
        return RedTeamJobMemoryTest.startedIn(stored);
    }

    private static Map<String, RememberedJob> jobs(final String prefix, final int n, final long at) {
        return RedTeamJobMemoryTest.jobs(prefix, n, at);
    }

    /** Long run, every session committing, bursts above the bound, marks between: state back within the bound after each write. */
    @Test
    void manyCommittedSessionsStayBoundedAndLeaveNothingProtected() throws IOException {
        final JobMemory memory = memory(10, Duration.ofHours(1));
        for (int i = 0; i < 500; i++) {
            clock.advance(100);
            final Map<String, RememberedJob> burst = jobs("s" + i + "-", 1 + i % 13, clock.peek());
            memory.markPending(Map.of("m" + i, "request-" + i));
            memory.remember(burst);
            assertTrue(startedIn(stored()) <= Math.max(10, burst.size()), "step " + i + ": " + startedIn(stored()));
            memory.sessionCommitted(List.of("m" + i), burst.keySet());
        }
        memory.markPending(Map.of("last", "request-last"));
        assertTrue(startedIn(stored()) <= 10, stored().toString());
        assertTrue(stored().size() <= 12, "committed marks forgotten: " + stored().size());
    }

    /**
     * Rolled-back sessions (no sessionCommitted): their protection ends after 5 minutes, by the next scanning write; the in-memory map
     * does not outgrow what was remembered within the last 5 minutes (plus one expiry scan interval).
     */
    @Test
    void rolledBackSessionsProtectForFiveMinutesThenTheStateComesBackWithinTheBound() throws IOException {
        final JobMemory memory = memory(4, Duration.ofHours(1));
        for (int i = 0; i < 100; i++) {
            clock.advance(10_000); // one rolled-back run of 3 every 10 s
            memory.remember(jobs("r" + i + "-", 3, clock.peek()));
            // 5 min of 3 every 10 s = 90, plus the 30 s between scans: at most 102 protected (+ 3 just added)
            assertTrue(startedIn(stored()) <= 105, "step " + i + ": " + startedIn(stored()));
        }
        clock.advance(Duration.ofMinutes(5).toMillis() + 1);
        memory.remember(jobs("last", 1, clock.peek()));
        memory.sessionCommitted(List.of(), Set.of("last0"));
        memory.markPending(Map.of("x", "request-x"));
        assertTrue(startedIn(stored()) <= 4, stored().toString());
    }

    /** Expiry by age ignores the protection, as documented for the age bound; a replay could not recall such an entry anyway. */
    @Test
    void expiryByAgeAppliesToProtectedEntriesAndRecallAgrees() throws IOException {
        final JobMemory memory = memory(10, Duration.ofSeconds(1));
        memory.remember(jobs("a", 2, T0));
        clock.advance(2_000);
        assertTrue(memory.snapshot().recall("a0").isEmpty(), "older than Job Memory Age: not recalled, protected or not");
        clock.advance(30_000); // expired entries are looked for at most every 30 s below the bound
        memory.remember(jobs("b", 1, clock.peek()));
        assertEquals(Set.of("k.b0"), stored().keySet());
    }

    /**
     * Broke (low), fixed by counting the sessions that rely on a share (not reachable through TriggerBulkImport as far as found: SharesInFlight and the re-read after a release keep a
     * second session from starting a job for a share whose job is remembered). Protection is per memory key, not per session: A and B
     * both remember K, A's commit lifts K's protection although B's session, whose entry it now is, has not committed; the next write
     * over the bound prunes it.
     */
    @Test
    void oneSessionsCommitKeepsTheProtectionOfAnotherSessionThatRememberedTheSameKey() throws IOException {
        final JobMemory memory = memory(2, Duration.ofHours(1));
        memory.remember(Map.of("k", new RememberedJob("job-A", T0, 0, 1)));     // session A
        clock.advance(10);
        memory.remember(Map.of("k", new RememberedJob("job-B", T0 + 10, 0, 1))); // session B, same share
        memory.sessionCommitted(List.of(), Set.of("k"));                          // A commits
        clock.advance(10);
        memory.remember(jobs("c", 3, clock.peek()));                              // another task's burst

        assertTrue(memory.snapshot().recall("k").isPresent(), "B's session has not committed: its entry must be kept: " + stored());
    }
}
