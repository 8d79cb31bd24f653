package io.github.bulkimport.nifi.idempotency;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Remembers, in cluster-wide NiFi state, which job each idempotency key started, for servers that
 * ignore {@code Idempotency-Key}. It is written right after the server answers and before the
 * session commits, so a flowfile replayed after a crash re-attaches to its job instead of starting
 * a second one. Entries are bounded in number and in age; the oldest go first.
 * <p>
 * A {@link #snapshot()} is the stored map itself; an entry is decoded only when it is looked up.
 * A write copies the stored map once, and pruning takes the map down to half its bound, so that
 * remembering costs little per job.
 */
public final class JobMemory {

    static final String PREFIX = "k.";
    private static final int REPLACE_ATTEMPTS = 10;

    private final StateManager stateManager;
    private final int maxEntries;
    private final Duration maxAge;
    private final Clock clock;

    /** What is remembered of one job. */
    public record Entry(String jobId, long submittedAtMillis, int batchIndex, int batchSize) {

        String encode() {
            return jobId + "|" + submittedAtMillis + "|" + batchIndex + "|" + batchSize;
        }

        static Entry decode(final String value) {
            // the job ID comes first and may in principle hold '|': read the numbers from the right
            final int third = value.lastIndexOf('|');
            final int second = value.lastIndexOf('|', third - 1);
            final int first = value.lastIndexOf('|', second - 1);
            if (first <= 0) {
                return null;
            }
            try {
                return new Entry(value.substring(0, first), Long.parseLong(value.substring(first + 1, second)),
                        Integer.parseInt(value.substring(second + 1, third)), Integer.parseInt(value.substring(third + 1)));
            } catch (final NumberFormatException e) {
                return null;
            }
        }
    }

    /** What was remembered when the snapshot was taken. */
    public final class Snapshot {
        private final Map<String, String> stored;

        private Snapshot(final Map<String, String> stored) {
            this.stored = stored;
        }

        /** The job remembered for a key, if it is young enough. */
        public Optional<Entry> recall(final String memoryKey) {
            final String value = stored.get(PREFIX + memoryKey);
            final Entry entry = value == null ? null : Entry.decode(value);
            if (entry == null || entry.submittedAtMillis() < clock.millis() - maxAge.toMillis()) {
                return Optional.empty();
            }
            return Optional.of(entry);
        }
    }

    public JobMemory(final StateManager stateManager, final int maxEntries, final Duration maxAge, final Clock clock) {
        this.stateManager = stateManager;
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Reads the remembered jobs. */
    public Snapshot snapshot() throws IOException {
        return new Snapshot(stateManager.getState(Scope.CLUSTER).toMap());
    }

    /** Adds entries and stores the result, retrying when another writer got there first. */
    public void remember(final Map<String, Entry> additions) throws IOException {
        if (additions.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
            final StateMap stored = stateManager.getState(Scope.CLUSTER);
            final Map<String, String> updated = new HashMap<>(stored.toMap());
            additions.forEach((key, entry) -> updated.put(PREFIX + key, entry.encode()));
            if (updated.size() > maxEntries) {
                prune(updated, additions.keySet());
            }
            final boolean written;
            if (stored.getStateVersion().isEmpty()) {
                stateManager.setState(updated, Scope.CLUSTER);
                written = true;
            } else {
                written = stateManager.replace(stored, updated, Scope.CLUSTER);
            }
            if (written) {
                return;
            }
        }
        throw new IOException("state kept changing under " + REPLACE_ATTEMPTS + " attempts to remember started jobs");
    }

    /**
     * Drops expired entries, then the oldest, down to half the bound, so that pruning is rare. The
     * entries being added are kept whatever their number: they protect the flowfiles not yet committed.
     */
    private void prune(final Map<String, String> state, final Set<String> adding) {
        final long oldest = clock.millis() - maxAge.toMillis();
        final List<Map.Entry<String, Long>> byAge = new ArrayList<>(state.size());
        for (final Map.Entry<String, String> item : state.entrySet()) {
            if (adding.contains(item.getKey().substring(PREFIX.length()))) {
                continue;
            }
            final Entry entry = Entry.decode(item.getValue());
            byAge.add(Map.entry(item.getKey(), entry == null ? Long.MIN_VALUE : entry.submittedAtMillis()));
        }
        byAge.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        final int surplus = Math.max(0, byAge.size() + adding.size() - maxEntries / 2);
        for (int i = 0; i < byAge.size(); i++) {
            if (i < surplus || byAge.get(i).getValue() < oldest) {
                state.remove(byAge.get(i).getKey());
            }
        }
    }
}
