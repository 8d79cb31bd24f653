package io.github.bulkimport.nifi.processors.trigger.memory;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.util.StandardValidators;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * What TriggerBulkImport keeps in NiFi state about its requests, by the memory key of each
 * flowfile's share:
 * <ul>
 *     <li>a <b>pending</b> entry, written before a request for several flowfiles leaves: after a crash,
 *     the flowfiles come back without the attributes of that run, and the entry tells each one which
 *     request it was part of, so that the same request is sent again (same content, same
 *     Idempotency-Key) rather than a new one made of other flowfiles;</li>
 *     <li>a <b>started</b> entry, written once the server has answered with a job and before the session
 *     commits, so that a flowfile replayed after a crash re-attaches to its job without any request,
 *     even on a server that ignores Idempotency-Key.</li>
 * </ul>
 * Started entries are bounded in number and in age, the oldest going first; those of a session not yet
 * committed are not counted against the number, for up to 5 minutes, so that another task's write cannot
 * drop the only record of the jobs its flowfiles would re-attach to after a crash. Nor, for the first 5
 * minutes of a memory, are the entries written in the 5 minutes before it: after a restart, nothing tells
 * which of them belong to flowfiles a crash is replaying. A pending entry is
 * replaced by the started one when its request is answered with a job; the entry of a request answered
 * with a refusal is forgotten by the first write after its session has committed (no write of its
 * own); the entry of a request whose outcome is unknown is kept, for a copy of a flowfile made before
 * it was bound, until the request is answered or the entry is older than the age bound. Every write is a compare-and-set, retried
 * when another task wrote first.
 */
public final class JobMemory {

    public static final PropertyDescriptor SIZE = new PropertyDescriptor.Builder()
            .name("Job Memory Size")
            .description("How many started jobs to remember in each node's local state, by idempotency key, so that a replayed flowfile "
                    + "re-attaches to its job even when the server ignores Idempotency-Key (Milvus before 2.6.24). About 80 bytes each. 0 turns "
                    + "the memory off.")
            .required(true)
            .defaultValue("1000")
            .addValidator(StandardValidators.createLongValidator(0, 20_000, true))
            .build();

    public static final PropertyDescriptor AGE = new PropertyDescriptor.Builder()
            .name("Job Memory Age")
            .description("How long a started job is remembered. Milvus keeps idempotency keys for about 24 hours.")
            .required(true)
            .defaultValue("24 hours")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final String PREFIX = "k.";
    /** The keys it writes, {@code k.} and a digest: part of the bundle's compatibility contract. */
    public static final List<String> STATE_KEYS = List.of(PREFIX + "*");
    private static final String PENDING = "?";
    private static final int REPLACE_ATTEMPTS = 10;
    /** How often a write looks for expired entries: an entry a little past its age does no harm, a scan of every entry per write costs. */
    private static final long EXPIRY_SCAN_MILLIS = 30_000;
    /** How long a started entry is kept from size pruning when its session neither commits nor says so (rolled back, say). */
    private static final long UNCOMMITTED_PROTECTION_MILLIS = 300_000;

    private final StateManager stateManager;
    private final Scope scope;
    private final int maxEntries;
    private final Duration maxAge;
    private final Clock clock;
    /** When the last write looked for expired entries. */
    private volatile long lastExpiryScan = Long.MIN_VALUE;
    /** Shares whose session has committed since their mark was written: the next write forgets their marks. */
    private final Queue<String> committed = new ConcurrentLinkedQueue<>();
    /** Shares remembered or re-attached by sessions not yet committed: how many such sessions, and until when at most. */
    private final Map<String, Protection> uncommitted = new ConcurrentHashMap<>();
    /** When this memory was made: the processor was scheduled, perhaps after a crash. */
    private final long createdAt;

    public JobMemory(final StateManager stateManager, final Scope scope, final int maxEntries, final Duration maxAge, final Clock clock) {
        this.createdAt = clock.millis();
        this.stateManager = stateManager;
        this.scope = scope;
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** The memory a processor's Job Memory Size and Job Memory Age describe, kept in its state of the given scope. */
    public static JobMemory of(final ProcessContext context, final Scope scope) {
        return new JobMemory(context.getStateManager(), scope, context.getProperty(SIZE).asInteger(),
                Duration.ofMillis(context.getProperty(AGE).asTimePeriod(TimeUnit.MILLISECONDS)), Clock.systemUTC());
    }

    /** Whether started jobs are remembered at all (Job Memory Size above 0). */
    public boolean remembersJobs() {
        return maxEntries > 0;
    }

    /** Reads what is remembered. */
    public Snapshot snapshot() throws IOException {
        return new Snapshot(stateManager.getState(scope).toMap());
    }

    /**
     * Marks shares as part of a request about to leave: memory key to the request's Idempotency-Key.
     *
     * @return whether state was written
     */
    public boolean markPending(final Map<String, String> requestKeys) throws IOException {
        if (requestKeys.isEmpty()) {
            return false;
        }
        final String writtenAt = String.valueOf(clock.millis());
        final List<String> forget = drainCommitted();
        return update(state -> forget.forEach(memoryKey -> removePending(state, memoryKey)),
                state -> requestKeys.forEach((memoryKey, requestKey) -> state.put(PREFIX + memoryKey, PENDING + requestKey + "|" + writtenAt)),
                requestKeys.keySet(), 0);
    }

    /**
     * Remembers started jobs, replacing their shares' pending entries. Writes nothing when jobs are not remembered at all.
     *
     * @return whether state was written
     */
    public boolean remember(final Map<String, RememberedJob> started) throws IOException {
        if (!remembersJobs() || started.isEmpty()) {
            return false;
        }
        final List<String> forget = drainCommitted();
        keepUntilCommitted(started.keySet());
        return update(state -> forget.forEach(memoryKey -> removePending(state, memoryKey)),
                state -> started.forEach((memoryKey, job) -> state.put(PREFIX + memoryKey, job.encode())),
                started.keySet(), started.size());
    }

    /**
     * A session not yet committed relies on the started entries of these shares (it re-attached their flowfiles to
     * the jobs they name): they are kept from size pruning until it commits, or for 5 minutes. Nothing is written.
     */
    public void keepUntilCommitted(final Collection<String> memoryKeys) {
        if (!remembersJobs()) {
            return;
        }
        final long until = clock.millis() + UNCOMMITTED_PROTECTION_MILLIS;
        memoryKeys.forEach(memoryKey -> uncommitted.merge(memoryKey, new Protection(1, until),
                (kept, again) -> new Protection(kept.sessions() + 1, Math.max(kept.until(), again.until()))));
    }

    /**
     * The session that marked or remembered these shares has committed: from now on the flowfiles' own
     * attributes tell which request and job each belongs to. Their marks are forgotten by the next write,
     * not by one of their own (should that write fail, they expire with age), and their started entries
     * count against the bound again once no other session relies on them: a session tells this once for
     * each time it remembered or kept them.
     */
    public void sessionCommitted(final Collection<String> memoryKeys) {
        sessionCommitted(memoryKeys, memoryKeys);
    }

    /** {@link #sessionCommitted(Collection)} for a session that marked some shares and remembered or re-attached the jobs of some. */
    public void sessionCommitted(final Collection<String> marked, final Collection<String> remembered) {
        committed.addAll(marked);
        if (!uncommitted.isEmpty()) {
            remembered.forEach(memoryKey -> uncommitted.computeIfPresent(memoryKey,
                    (key, kept) -> kept.sessions() <= 1 ? null : new Protection(kept.sessions() - 1, kept.until())));
        }
    }

    private List<String> drainCommitted() {
        final List<String> drained = new ArrayList<>();
        for (String memoryKey = committed.poll(); memoryKey != null; memoryKey = committed.poll()) {
            drained.add(memoryKey);
        }
        return drained;
    }

    private static void removePending(final Map<String, String> state, final String memoryKey) {
        final String value = state.get(PREFIX + memoryKey);
        if (value != null && value.startsWith(PENDING)) {
            state.remove(PREFIX + memoryKey);
        }
    }

    /**
     * Forgets, prunes (leaving the entries of the keys being written alone) and adds, in one compare-and-set write;
     * returns whether it wrote. What is added is never pruned: it is new, and a burst's thousands of entries need not
     * be scanned.
     */
    private boolean update(final Consumer<Map<String, String>> forget, final Consumer<Map<String, String>> add, final Collection<String> writing,
                           final int startedAdded) throws IOException {
        for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
            final StateMap stored = stateManager.getState(scope);
            final Map<String, String> updated = new HashMap<>(stored.toMap());
            forget.accept(updated);
            prune(updated, writing, startedAdded);
            add.accept(updated);
            if (updated.equals(stored.toMap())) {
                return false;
            }
            // a compare-and-set even for the very first write: two first writers must not lose each other's entries
            if (stateManager.replace(stored, updated, scope)) {
                return true;
            }
        }
        throw new IOException("state kept changing under " + REPLACE_ATTEMPTS + " attempts to write it");
    }

    /**
     * Drops expired entries of both kinds (a pending entry outlives its session only when NiFi went
     * down and the flowfiles never came back), then the oldest started ones down to half the bound, so
     * that pruning is rare. Expired entries are looked for at most every 30 seconds, unless the bound
     * is reached. The entries being added are kept whatever their number, and so are the started entries of
     * sessions not yet committed: they protect the flowfiles not yet committed. Keys this memory did not write
     * are left alone.
     */
    private void prune(final Map<String, String> state, final Collection<String> writing, final int startedAdded) {
        final long now = clock.millis();
        final boolean scanDue = lastExpiryScan == Long.MIN_VALUE || now - lastExpiryScan >= EXPIRY_SCAN_MILLIS || now < lastExpiryScan;
        if (!scanDue && state.size() + startedAdded <= maxEntries) {
            return;
        }
        lastExpiryScan = now;
        uncommitted.values().removeIf(kept -> kept.until() < now);
        final long oldest = now - maxAge.toMillis();
        final List<String> expired = new ArrayList<>();
        final List<Map.Entry<String, Long>> startedByAge = new ArrayList<>(state.size());
        for (final Map.Entry<String, String> item : state.entrySet()) {
            final String key = item.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            final String memoryKey = key.substring(PREFIX.length());
            if (writing.contains(memoryKey)) {
                continue;
            }
            final long since = item.getValue().startsWith(PENDING) ? pendingSince(item.getValue()) : startedAt(item.getValue());
            if (since < oldest) {
                expired.add(key);
            } else if (!item.getValue().startsWith(PENDING) && !uncommitted.containsKey(memoryKey) && !inheritedUncommitted(since, now)) {
                startedByAge.add(Map.entry(key, since));
            }
        }
        expired.forEach(state::remove);
        if (startedByAge.size() + startedAdded <= maxEntries) {
            return;
        }
        startedByAge.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        final int surplus = Math.min(startedByAge.size(), startedByAge.size() + startedAdded - maxEntries / 2);
        for (int i = 0; i < surplus; i++) {
            state.remove(startedByAge.get(i).getKey());
        }
    }

    /** Whether a started entry was written shortly before this memory was made, by a run whose session may never have committed. */
    private boolean inheritedUncommitted(final long startedAt, final long now) {
        return now - createdAt < UNCOMMITTED_PROTECTION_MILLIS && startedAt < createdAt && createdAt - startedAt <= UNCOMMITTED_PROTECTION_MILLIS;
    }

    private static long pendingSince(final String value) {
        try {
            return Long.parseLong(value.substring(value.lastIndexOf('|') + 1));
        } catch (final NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long startedAt(final String value) {
        final RememberedJob job = RememberedJob.decode(value);
        return job == null ? Long.MIN_VALUE : job.submittedAtMillis();
    }

    /** How many sessions not yet committed rely on a share's started entry, and until when it is kept for them at most. */
    private record Protection(int sessions, long until) {
    }

    /** What was remembered when the snapshot was taken. */
    public final class Snapshot {
        private final Map<String, String> stored;

        private Snapshot(final Map<String, String> stored) {
            this.stored = stored;
        }

        /** The job remembered for a share, if it is young enough. */
        public Optional<RememberedJob> recall(final String memoryKey) {
            final String value = stored.get(PREFIX + memoryKey);
            if (value == null || value.startsWith(PENDING)) {
                return Optional.empty();
            }
            final RememberedJob job = RememberedJob.decode(value);
            if (job == null || job.submittedAtMillis() < clock.millis() - maxAge.toMillis()) {
                return Optional.empty();
            }
            return Optional.of(job);
        }

        /** The Idempotency-Key of the request a share was part of when NiFi went down, if any. */
        public Optional<String> pendingRequest(final String memoryKey) {
            final String value = stored.get(PREFIX + memoryKey);
            if (value == null || !value.startsWith(PENDING)) {
                return Optional.empty();
            }
            final int bar = value.lastIndexOf('|');
            return bar <= 1 ? Optional.empty() : Optional.of(value.substring(1, bar));
        }
    }
}
