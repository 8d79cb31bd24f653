package io.github.bulkimport.nifi.processors.trigger.memory;

import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random histories of sessions against a model of JobMemory's promises: sessions mark free keys, are answered (remember) in
 * parts, commit; single-flowfile requests remember without marks; the clock moves, jumps and steps back; the processor restarts
 * with another Job Memory Size. After every call:
 * <ul>
 *     <li>every mark of a session still open is in state exactly as written, unless it has reached Job Memory Age;</li>
 *     <li>no mark of a committed session survives a write made after the commit (one that drains: a mark, or a remember with the
 *     memory on);</li>
 *     <li>what a remember adds is there, and started entries number at most max(Job Memory Size, what that remember added);
 *     a mark never adds started entries, and brings a state over the bound back within it;</li>
 *     <li>with the memory off, remember writes nothing;</li>
 *     <li>keys this memory did not write are untouched, and no other key appears.</li>
 * </ul>
 * Not checked here: that started entries of sessions not yet committed survive other writes (see RedTeamJobMemoryTest's BREAK_).
 */
class RedTeamJobMemoryModelTest {

    private static final long T0 = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();
    private static final int[] SIZES = {0, 1, 2, 3, 4, 7, 1000};
    private static final Duration[] AGES = {Duration.ZERO, Duration.ofSeconds(45), Duration.ofHours(1)};
    private static final Map<String, String> FOREIGN = Map.of("other", "z", "k", "x", "k-a", "?r|0");

    private record Mark(String request, long writtenAt) {
        String value() {
            return "?" + request + "|" + writtenAt;
        }
    }

    @Test
    void randomHistoriesKeepThePromises() throws IOException {
        for (long seed = 0; seed < 600; seed++) {
            run(seed);
        }
    }

    private void run(final long seed) throws IOException {
        final Random random = new Random(seed);
        int size = SIZES[random.nextInt(SIZES.length)];
        final Duration age = AGES[random.nextInt(AGES.length)];
        final RedTeamJobMemoryTest.MovingClock clock = new RedTeamJobMemoryTest.MovingClock(T0);
        clock.tick = random.nextInt(3) == 0 ? 1 : 0;
        final MockStateManager state = new MockStateManager(new TriggerBulkImport());
        state.setState(FOREIGN, Scope.LOCAL);
        JobMemory memory = new JobMemory(state, Scope.LOCAL, size, age, clock);
        final long[] restartedAt = {clock.peek()};

        final List<String> pool = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            pool.add("m" + i);
        }
        final Map<String, Mark> open = new HashMap<>();          // marks of open sessions, not yet replaced
        final Set<String> mayBeGone = new HashSet<>();            // open marks that reached the age at some write
        final List<List<String>> sessions = new ArrayList<>();    // open sessions' keys
        final Map<List<String>, Integer> remembers = new java.util.IdentityHashMap<>(); // an open session's remembers: each one its commit ends
        final Set<String> busy = new HashSet<>();                 // keys of open sessions
        final Set<String> committed = new HashSet<>();            // committed since the last draining write
        final Set<String> leaked = new HashSet<>();               // committed, the queue lost by a restart: no promise
        int requests = 0;
        final String config = "seed " + seed + ", size " + size + ", age " + age + ", tick " + clock.tick;

        for (int step = 0; step < 160; step++) {
            final String where = config + ", step " + step;
            final int op = random.nextInt(20);
            final Kept kept = new Kept(busy, restartedAt[0], clock.peek());
            final long startedBefore = startedOutside(state, kept);
            if (op < 6) {
                // a session marks free keys before its request leaves
                final List<String> free = new ArrayList<>(pool);
                free.removeAll(busy);
                Collections.shuffle(free, random);
                final int n = Math.min(free.size(), 1 + random.nextInt(6));
                if (n == 0) {
                    continue;
                }
                final String request = "request-" + requests++;
                final Map<String, String> marks = new LinkedHashMap<>();
                free.subList(0, n).forEach(key -> marks.put(key, request));
                final long writtenAt = clock.peek();
                memory.markPending(marks);
                drained(state, committed, marks.keySet(), where);
                marks.keySet().forEach(key -> {
                    open.put(key, new Mark(request, writtenAt));
                    mayBeGone.remove(key);
                    leaked.remove(key);
                });
                busy.addAll(marks.keySet());
                sessions.add(new ArrayList<>(marks.keySet()));
                final Map<String, String> now = state.getState(Scope.LOCAL).toMap();
                marks.keySet().forEach(key -> assertEquals(open.get(key).value(), now.get("k." + key), where + ": every mark of the call is written " + now));
                final long startedNow = startedOutside(state, kept);
                assertTrue(startedNow <= startedBefore, where + ": a mark adds no started entry");
                if (startedBefore > size) {
                    assertTrue(startedNow <= size, where + ": a mark brings a state over the bound back within it " + now);
                }
            } else if (op < 10 && !sessions.isEmpty()) {
                // part of an open session's request answered with a job
                final List<String> session = sessions.get(random.nextInt(sessions.size()));
                remembers.merge(session, 1, Integer::sum);
                final List<String> part = new ArrayList<>(session);
                Collections.shuffle(part, random);
                remember(memory, state, part.subList(0, 1 + random.nextInt(part.size())), size, clock.peek(), open, mayBeGone, committed, leaked, kept,
                        where);
            } else if (op < 12) {
                // a single flowfile's request, never marked, answered
                final List<String> free = new ArrayList<>(pool);
                free.removeAll(busy);
                Collections.shuffle(free, random);
                final int n = Math.min(free.size(), 1 + random.nextInt(size + 2));
                if (n > 0) {
                    final List<String> single = new ArrayList<>(free.subList(0, n));
                    remember(memory, state, single, size, clock.peek(), open, mayBeGone, committed, leaked, kept, where);
                    memory.sessionCommitted(List.of(), single); // its session commits at once: no mark to forget
                }
            } else if (op < 15 && !sessions.isEmpty()) {
                // an open session commits
                final List<String> session = sessions.remove(random.nextInt(sessions.size()));
                memory.sessionCommitted(session);
                for (int again = 1; again < remembers.getOrDefault(session, 1); again++) {
                    memory.sessionCommitted(List.of(), session);
                }
                remembers.remove(session);
                session.forEach(key -> {
                    busy.remove(key);
                    open.remove(key);
                    mayBeGone.remove(key);
                });
                committed.addAll(session);
            } else if (op < 19) {
                final int kind = random.nextInt(20);
                if (kind == 0) {
                    clock.advance(-Duration.ofHours(1).toMillis());
                } else if (kind == 1) {
                    clock.advance(Duration.ofHours(2).toMillis());
                } else {
                    clock.advance(random.nextInt(20_000));
                }
            } else {
                // the processor is restarted, perhaps with another Job Memory Size: the queue of committed sessions is lost
                size = SIZES[random.nextInt(SIZES.length)];
                restartedAt[0] = clock.peek();
                memory = new JobMemory(state, Scope.LOCAL, size, age, clock);
                leaked.addAll(committed);
                committed.clear();
            }
            check(state, clock, age, open, mayBeGone, committed, leaked, pool, where + " (size now " + size + ")");
        }
    }

    private static void remember(final JobMemory memory, final MockStateManager state, final List<String> keys, final int size,
                                 final long at, final Map<String, Mark> open, final Set<String> mayBeGone, final Set<String> committed,
                                 final Set<String> leaked, final Kept kept, final String where) throws IOException {
        final Map<String, RememberedJob> started = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            started.put(keys.get(i), new RememberedJob("job-" + at, at, i, keys.size()));
        }
        final Map<String, String> before = state.getState(Scope.LOCAL).toMap();
        final boolean wrote = memory.remember(started);
        final Map<String, String> now = state.getState(Scope.LOCAL).toMap();
        if (size == 0) {
            assertFalse(wrote, where);
            assertEquals(before, now, where + ": nothing written with the memory off");
            return;
        }
        drained(state, committed, Set.of(), where);
        started.forEach((key, job) -> {
            assertEquals(job.encode(), now.get("k." + key), where + ": every entry of the call is written " + now);
            open.remove(key);
            mayBeGone.remove(key);
            leaked.remove(key);
        });
        // the started entries of open sessions are kept whatever the bound until their session commits
        assertTrue(startedOutside(state, kept) <= Math.max(size, started.size()), where + ": started entries within the bound " + now);
    }

    /** After a draining write: no mark of a key committed before it, unless the write marked the key again. */
    private static void drained(final MockStateManager state, final Set<String> committed, final Set<String> markedNow, final String where)
            throws IOException {
        final Map<String, String> now = state.getState(Scope.LOCAL).toMap();
        for (final String key : committed) {
            final String value = now.get("k." + key);
            if (!markedNow.contains(key) && value != null && value.startsWith("?")) {
                fail(where + ": the mark of committed " + key + " outlived the next write " + now);
            }
        }
        committed.clear();
    }

    private static void check(final MockStateManager state, final RedTeamJobMemoryTest.MovingClock clock, final Duration age,
                              final Map<String, Mark> open, final Set<String> mayBeGone, final Set<String> committed, final Set<String> leaked,
                              final List<String> pool, final String where) throws IOException {
        final Map<String, String> now = state.getState(Scope.LOCAL).toMap();
        FOREIGN.forEach((key, value) -> assertEquals(value, now.get(key), where + ": foreign key " + key));
        for (final String key : now.keySet()) {
            assertTrue(FOREIGN.containsKey(key) || key.startsWith("k.") && pool.contains(key.substring(2)), where + ": unknown key " + key);
        }
        // a write may have pruned what had reached the age by the time it ran (no later than now)
        final long oldest = clock.peek() - age.toMillis();
        open.forEach((key, mark) -> {
            if (mark.writtenAt() < oldest) {
                mayBeGone.add(key);
            }
        });
        for (final Map.Entry<String, Mark> entry : open.entrySet()) {
            final String value = now.get("k." + entry.getKey());
            if (mayBeGone.contains(entry.getKey())) {
                assertTrue(value == null || value.equals(entry.getValue().value()), where + ": " + entry.getKey() + " " + now);
            } else {
                assertEquals(entry.getValue().value(), value, where + ": the mark of an open session stays " + now);
            }
        }
        for (final Map.Entry<String, String> entry : now.entrySet()) {
            if (!FOREIGN.containsKey(entry.getKey()) && entry.getValue().startsWith("?")) {
                final String key = entry.getKey().substring(2);
                assertTrue(open.containsKey(key) || committed.contains(key) || leaked.contains(key), where + ": a mark nobody owns: " + key + " " + now);
            }
        }
    }

    /**
     * What the bound does not hold: the started entries of open sessions, and, for a memory's first 5 minutes (and a minute's
     * slack, the clock moving between a write and this check), those written in the 5 minutes before it was made.
     */
    private record Kept(Set<String> busy, long restartedAt, long now) {
        private static final long GRACE = 300_000;

        boolean keeps(final String key, final String value) {
            if (busy.contains(key)) {
                return true;
            }
            final long startedAt = Long.parseLong(value.split("\\|")[1]);
            return now - restartedAt < GRACE + 60_000 && startedAt < restartedAt + 60_000 && restartedAt - startedAt <= GRACE + 60_000;
        }
    }

    /** Started entries the bound holds. */
    private static long startedOutside(final MockStateManager state, final Kept kept) throws IOException {
        return state.getState(Scope.LOCAL).toMap().entrySet().stream()
                .filter(e -> e.getKey().startsWith("k.") && !e.getValue().startsWith("?") && !kept.keeps(e.getKey().substring(2), e.getValue()))
                .count();
    }
}
