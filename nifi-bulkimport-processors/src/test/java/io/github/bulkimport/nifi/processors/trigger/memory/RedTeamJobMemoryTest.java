package io.github.bulkimport.nifi.processors.trigger.memory;

import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red-team review of JobMemory's forget -> prune -> add order (a9cbeb0): regression tests of the promises that held, and of the
 * three it broke, fixed since (the started entries of a session not yet committed are kept from size pruning; a mark leaves the
 * entry it replaces out of the count).
 */
class RedTeamJobMemoryTest {

    private static final long T0 = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();

    private final MockStateManager state = new MockStateManager(new TriggerBulkImport());
    private final MovingClock clock = new MovingClock(T0);

    private JobMemory memory(final int size, final Duration age) {
        return memory(state, size, age);
    }

    private JobMemory memory(final StateManager manager, final int size, final Duration age) {
        return new JobMemory(manager, Scope.LOCAL, size, age, clock);
    }

    private Map<String, String> stored() throws IOException {
        return state.getState(Scope.LOCAL).toMap();
    }

    static long startedIn(final Map<String, String> stored) {
        return stored.entrySet().stream().filter(e -> e.getKey().startsWith("k.") && !e.getValue().startsWith("?")).count();
    }

    private static long marksIn(final Map<String, String> stored) {
        return stored.entrySet().stream().filter(e -> e.getKey().startsWith("k.") && e.getValue().startsWith("?")).count();
    }

    private static RememberedJob job(final String id, final long at) {
        return new RememberedJob(id, at, 0, 1);
    }

    /** n started jobs named prefix0..prefix(n-1), the first the oldest. */
    static Map<String, RememberedJob> jobs(final String prefix, final int n, final long at) {
        final Map<String, RememberedJob> jobs = new HashMap<>();
        for (int i = 0; i < n; i++) {
            jobs.put(prefix + i, new RememberedJob("job-" + prefix, at + i, i, n));
        }
        return jobs;
    }

    // ---------------------------------------------------------------- promises that hold

    /** The gain of a9cbeb0: before it, the marks of the very write were pruned as expired once the clock moved past writtenAt. */
    @Test
    void aBurstsMarksSurviveTheirOwnWriteWhenAgeIsZeroAndTheClockMoves() throws IOException {
        clock.tick = 1;
        final JobMemory memory = memory(4, Duration.ZERO);
        final Map<String, String> burst = Map.of("a", "request-1", "b", "request-1", "c", "request-2");

        assertTrue(memory.markPending(burst), "the marks are written");

        final JobMemory.Snapshot marked = memory.snapshot();
        burst.forEach((memoryKey, request) -> assertEquals(Optional.of(request), marked.pendingRequest(memoryKey), memoryKey));
    }

    @Test
    void aKeyCommittedAndMarkedAgainInTheSameWriteKeepsItsNewMark() throws IOException {
        final JobMemory memory = memory(10, Duration.ofHours(1));
        memory.markPending(Map.of("a", "request-1", "b", "request-1"));
        memory.sessionCommitted(List.of("a", "b"));

        memory.markPending(Map.of("a", "request-2"));

        assertEquals(Optional.of("request-2"), memory.snapshot().pendingRequest("a"), "forget runs before add");
        assertTrue(memory.snapshot().pendingRequest("b").isEmpty(), "the committed mark is forgotten");

        memory.markPending(Map.of("c", "request-3"));
        memory.sessionCommitted(List.of("c"));
        memory.remember(Map.of("c", job("job-c", T0)));
        assertTrue(memory.snapshot().recall("c").isPresent(), "forgetting a committed mark never drops the started entry written with it");
    }

    @Test
    void markingAKeyAgainReplacesItsMark() throws IOException {
        final JobMemory memory = memory(2, Duration.ofHours(1));
        memory.markPending(Map.of("a", "request-1"));
        clock.advance(1_000);
        memory.markPending(Map.of("a", "request-2"));

        assertEquals(Map.of("k.a", "?request-2|" + (T0 + 1_000)), stored());
    }

    @Test
    void startedEntriesStayWithinTinyBoundsAfterEveryRememberAndMarksAreNeverCounted() throws IOException {
        for (int size = 1; size <= 4; size++) {
            final MockStateManager own = new MockStateManager(new TriggerBulkImport());
            final JobMemory memory = memory(own, size, Duration.ofHours(1));
            final long openedAt = clock.peek();
            memory.markPending(Map.of("open", "request-open"));
            for (int i = 0; i < 80; i++) {
                clock.advance(1_000);
                final Map<String, RememberedJob> started = jobs("s" + i + "-", 1 + i % Math.min(2, size), clock.peek());
                memory.remember(started);
                final Map<String, String> now = own.getState(Scope.LOCAL).toMap();
                assertTrue(startedIn(now) <= size, "size " + size + " step " + i + ": " + now);
                started.keySet().forEach(key -> assertTrue(now.containsKey("k." + key), key + " just remembered: " + now));
                memory.sessionCommitted(List.of(), started.keySet());
                if (i % 7 == 0) {
                    memory.markPending(Map.of("q" + i, "request-q" + i));
                    memory.sessionCommitted(List.of("q" + i));
                }
                assertEquals("?request-open|" + openedAt, now.get("k.open"), "a mark of a session still open stays, whatever the bound");
            }
            assertTrue(marksIn(own.getState(Scope.LOCAL).toMap()) <= 2, "committed marks do not pile up: " + own.getState(Scope.LOCAL).toMap());
        }
    }

    @Test
    void moreThanTheBoundAtOnceIsAllKeptAndTheNextWriteOfEitherKindBringsItBack() throws IOException {
        final JobMemory memory = memory(2, Duration.ofHours(1));
        final Map<String, RememberedJob> burst = jobs("burst", 5, T0);
        memory.remember(burst);
        assertEquals(5, startedIn(stored()), "the entries being added are kept whatever their number");
        memory.sessionCommitted(burst.keySet());

        clock.advance(1_000);
        memory.markPending(Map.of("x", "request-x"));

        assertTrue(startedIn(stored()) <= 2, stored().toString());
        assertEquals(Optional.of("request-x"), memory.snapshot().pendingRequest("x"));
    }

    @Test
    void withMemoryOffMarksStillWorkAndStartedLeftoversGo() throws IOException {
        memory(10, Duration.ofHours(1)).remember(jobs("old", 3, T0));
        final JobMemory off = memory(0, Duration.ofHours(1));
        assertFalse(off.remembersJobs());

        off.markPending(Map.of("a", "request-1", "b", "request-1"));
        assertEquals(0, startedIn(stored()), "started entries of a larger Job Memory Size go with the first write: " + stored());
        assertFalse(off.remember(Map.of("a", job("job-a", T0))), "nothing written with the memory off");
        assertEquals(Optional.of("request-1"), off.snapshot().pendingRequest("a"), "the mark stays until its session commits");

        off.sessionCommitted(List.of("a", "b"));
        off.markPending(Map.of("c", "request-2"));
        assertEquals(Map.of("k.c", "?request-2|" + T0), stored());
    }

    @Test
    void foreignKeysSurviveEveryKindOfWriteAndPrune() throws IOException {
        final Map<String, String> foreign = Map.of("other", "z", "k", "x", "kk.a", "w", "K.a", "v", "", "y", "k-", "?1|0");
        state.setState(foreign, Scope.LOCAL);
        clock.tick = 1;
        final JobMemory memory = memory(1, Duration.ZERO);

        memory.remember(jobs("a", 3, clock.peek()));
        memory.markPending(Map.of("m", "request-m", "n", "request-m"));
        memory.sessionCommitted(List.of("m"));
        clock.advance(Duration.ofHours(2).toMillis());
        memory.remember(Map.of("b", job("job-b", clock.peek())));
        memory.markPending(Map.of("p", "request-p"));

        final Map<String, String> now = stored();
        foreign.forEach((key, value) -> assertEquals(value, now.get(key), "foreign key " + key + ": " + now));
        assertTrue(now.keySet().stream().allMatch(key -> foreign.containsKey(key) || key.startsWith("k.")), now.toString());
    }

    @Test
    void aClockSteppedBackKeepsOpenMarksTheBoundAndTheForgetting() throws IOException {
        final JobMemory memory = memory(2, Duration.ofHours(1));
        memory.markPending(Map.of("f", "request-f"));
        clock.set(T0 - Duration.ofHours(2).toMillis());

        for (int i = 0; i < 6; i++) {
            clock.advance(100);
            memory.remember(Map.of("s" + i, job("job-" + i, clock.peek())));
            assertTrue(startedIn(stored()) <= 2, stored().toString());
            memory.sessionCommitted(List.of("s" + i));
        }
        memory.markPending(Map.of("g", "request-g"));
        assertEquals(Optional.of("request-f"), memory.snapshot().pendingRequest("f"), "a mark from before the step is no older for it");

        memory.sessionCommitted(List.of("f", "g"));
        memory.markPending(Map.of("h", "request-h"));
        assertEquals(1, marksIn(stored()), "committed marks are forgotten whatever the clock says: " + stored());
    }

    @Test
    void aWriteThatLostTheRaceIsRetriedOnTheOtherWritersState() throws IOException {
        final Interleaving manager = new Interleaving(state);
        final JobMemory memory = memory(manager, 10, Duration.ofHours(1));
        memory.markPending(Map.of("x", "request-x"));
        memory.sessionCommitted(List.of("x"));

        // another task of the same processor writes between this write's read and its replace
        manager.beforeReplace.add(() -> memory.markPending(Map.of("y", "request-y", "z", "request-y")));
        memory.remember(jobs("a", 2, T0));

        final Map<String, String> now = stored();
        assertEquals(Optional.of("request-y"), memory.snapshot().pendingRequest("y"), now.toString());
        assertEquals(Optional.of("request-y"), memory.snapshot().pendingRequest("z"), now.toString());
        assertTrue(memory.snapshot().recall("a0").isPresent() && memory.snapshot().recall("a1").isPresent(), now.toString());
        assertTrue(memory.snapshot().pendingRequest("x").isEmpty(), "the committed mark is forgotten, by one of the two writes: " + now);
        assertEquals(4, now.size(), now.toString());

        manager.beforeReplace.add(() -> memory.remember(jobs("b", 3, T0)));
        memory.markPending(Map.of("a0", "request-again", "w", "request-again"));
        final JobMemory.Snapshot after = memory.snapshot();
        assertEquals(Optional.of("request-again"), after.pendingRequest("a0"));
        assertEquals(Optional.of("request-again"), after.pendingRequest("w"));
        assertTrue(after.recall("b0").isPresent() && after.recall("b2").isPresent() && after.recall("a1").isPresent(), stored().toString());
    }

    @Test
    void aWriteThatKeepsLosingFailsAndLeavesTheStateAsItWas() throws IOException {
        final Interleaving manager = new Interleaving(state);
        final JobMemory memory = memory(manager, 10, Duration.ofHours(1));
        memory.markPending(Map.of("x", "request-x"));
        final Map<String, String> before = stored();
        manager.refuseAll = true;

        assertThrows(IOException.class, () -> memory.markPending(Map.of("y", "request-y")));
        assertEquals(before, stored());
        assertEquals(10, manager.refused, "ten attempts");
    }

    // ---------------------------------------------------------------- promises that broke, fixed

    /**
     * Broke before the fix (in the order before a9cbeb0 too). TriggerBulkImport remembers started jobs, then releases its claims, then
     * commits; "the entries being added are kept whatever their number: they protect the flowfiles not yet committed" holds for the
     * write that adds them only. Any other task's write before that commit is durable prunes them like any entry: with the default
     * Job Memory Size of 1000, two concurrent runs of 500+ flowfiles, or one burst run (up to 20,000 flowfiles a trigger) and any
     * other write. A crash then replays those flowfiles with neither a started entry nor a mark (the started entry replaced it):
     * they are free, are batched anew under other Idempotency-Keys, and start second jobs.
     */
    @Test
    void anotherTasksRememberKeepsTheStartedEntriesOfASessionNotYetCommitted() throws IOException {
        final JobMemory memory = memory(4, Duration.ofHours(1));
        memory.remember(jobs("a", 3, T0)); // task A: its jobs started, its session not committed yet
        clock.advance(10);
        memory.remember(jobs("b", 3, T0 + 10)); // task B, concurrently

        final JobMemory.Snapshot replay = memory.snapshot();
        for (int i = 0; i < 3; i++) {
            assertTrue(replay.recall("a" + i).isPresent(), "a" + i + " replayed after a crash must find its job: " + stored());
        }
    }

    /** Kept until the session commits, or for 5 minutes when it never says so (rolled back): then pruned like any entry. */
    @Test
    void theStartedEntriesOfASessionCountAgainOnceItCommitsOrAfterFiveMinutes() throws IOException {
        final JobMemory memory = memory(4, Duration.ofHours(1));
        memory.remember(jobs("a", 3, T0));
        memory.remember(jobs("r", 3, T0 + 1)); // a session that rolls back: never committed
        memory.sessionCommitted(jobs("a", 3, T0).keySet());
        clock.advance(1_000);
        memory.remember(jobs("b", 3, T0 + 1_000));

        assertTrue(stored().keySet().stream().noneMatch(key -> key.startsWith("k.a")), "a's committed entries pruned: " + stored());
        assertEquals(3, stored().keySet().stream().filter(key -> key.startsWith("k.r")).count(), "r's kept: " + stored());

        memory.sessionCommitted(jobs("b", 3, T0).keySet());
        clock.advance(Duration.ofMinutes(5).toMillis() + 1);
        memory.remember(jobs("c", 3, clock.peek()));
        assertTrue(stored().keySet().stream().noneMatch(key -> key.startsWith("k.r")), "r's entries pruned after 5 minutes: " + stored());
        assertTrue(startedIn(stored()) <= 4, stored().toString());
    }

    /** The same, by a burst beyond the bound and any later write, a mark of another task's request included. */
    @Test
    void anotherTasksMarkKeepsTheStartedEntriesOfABurstNotYetCommitted() throws IOException {
        final JobMemory memory = memory(4, Duration.ofHours(1));
        memory.remember(jobs("a", 6, T0)); // one run's burst: kept whatever its number
        clock.advance(10);
        memory.markPending(Map.of("other", "request-other")); // another task's request about to leave

        final JobMemory.Snapshot replay = memory.snapshot();
        for (int i = 0; i < 6; i++) {
            assertTrue(replay.recall("a" + i).isPresent(), "a" + i + " replayed after a crash must find its job: " + stored());
        }
    }

    /**
     * Broke in a9cbeb0 (passed on a9cbeb0^), fixed since. markPending now prunes before its marks replace the entries of their keys, with
     * no keys to keep: a started entry that the mark is about to overwrite still counts toward the bound. Over the bound, pruning
     * then removes the oldest down to half the bound counting that entry, and the mark removes it too: started entries within the
     * bound (here 4 of 4) are evicted, down to 1. The old order replaced first and evicted nothing. Narrow in TriggerBulkImport:
     * a key is only marked with a live started entry when its snapshot was stale or could not be read, and only a state already
     * over the bound (a burst larger than the bound, or a lowered Job Memory Size) prunes on a mark at all.
     */
    @Test
    void markingAKeyThatStillHasAStartedEntryEvictsNoStartedEntryWithinTheBound() throws IOException {
        final JobMemory memory = memory(4, Duration.ofHours(1));
        final Map<String, RememberedJob> five = jobs("e", 5, T0 - 10); // e4 the newest
        memory.remember(five);
        memory.sessionCommitted(five.keySet());

        memory.markPending(Map.of("e4", "request-e4"));

        assertEquals(Optional.of("request-e4"), memory.snapshot().pendingRequest("e4"));
        assertEquals(4, startedIn(stored()), "e0..e3 are within the bound of 4 once e4's entry is replaced: " + stored());
    }

    // ---------------------------------------------------------------- helpers

    /** A clock that can be set, stepped back, and made to move by {@code tick} milliseconds at every read. */
    static final class MovingClock extends Clock {
        private final AtomicLong now;
        volatile long tick;

        MovingClock(final long start) {
            now = new AtomicLong(start);
        }

        long peek() {
            return now.get();
        }

        void set(final long millis) {
            now.set(millis);
        }

        void advance(final long millis) {
            now.addAndGet(millis);
        }

        @Override
        public long millis() {
            return now.getAndAdd(tick);
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone) {
            return this;
        }
    }

    interface IoAction {
        void run() throws IOException;
    }

    /** A state manager where another writer can get in between a read and the replace that follows it, or every replace fails. */
    static final class Interleaving implements StateManager {
        private final StateManager delegate;
        final Deque<IoAction> beforeReplace = new ArrayDeque<>();
        volatile boolean refuseAll;
        int refused;

        Interleaving(final StateManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void setState(final Map<String, String> state, final Scope scope) throws IOException {
            delegate.setState(state, scope);
        }

        @Override
        public StateMap getState(final Scope scope) throws IOException {
            return delegate.getState(scope);
        }

        @Override
        public boolean replace(final StateMap oldValue, final Map<String, String> newValue, final Scope scope) throws IOException {
            final IoAction other = beforeReplace.poll();
            if (other != null) {
                other.run();
            }
            if (refuseAll) {
                refused++;
                return false;
            }
            return delegate.replace(oldValue, newValue, scope);
        }

        @Override
        public void clear(final Scope scope) throws IOException {
            delegate.clear(scope);
        }
    }
}
