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

/**
 * Remembers, in cluster-wide NiFi state, which job each idempotency key started, for servers that
 * ignore {@code Idempotency-Key}. It is written right after the server answers and before the
 * session commits, so a flowfile replayed after a crash re-attaches to its job instead of starting
 * a second one. Entries are bounded in number and in age; the oldest go first.
 */
public final class JobMemory {

    static final String PREFIX = "k.";
    private static final int REPLACE_ATTEMPTS = 10;

    private final StateManager stateManager;
    private final int maxEntries;
    private final Duration maxAge;
    private final Clock clock;
    private volatile Decoded cache = new Decoded(null, Map.of());

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

    private record Decoded(String version, Map<String, Entry> entries) {
    }

    public JobMemory(final StateManager stateManager, final int maxEntries, final Duration maxAge, final Clock clock) {
        this.stateManager = stateManager;
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** The job remembered for a key, if it is young enough. */
    public Optional<Entry> recall(final String memoryKey) throws IOException {
        final Entry entry = current().get(memoryKey);
        if (entry == null || entry.submittedAtMillis() < clock.millis() - maxAge.toMillis()) {
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    /** Adds entries, dropping expired and surplus ones, and stores the result. */
    public void remember(final Map<String, Entry> additions) throws IOException {
        if (additions.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
            final StateMap stored = stateManager.getState(Scope.CLUSTER);
            final Map<String, Entry> merged = new HashMap<>(decode(stored.toMap()));
            merged.putAll(additions);
            final Map<String, String> encoded = encode(prune(merged));
            final boolean written = stored.getStateVersion().isEmpty()
                    ? setFirst(encoded)
                    : stateManager.replace(stored, encoded, Scope.CLUSTER);
            if (written) {
                return;
            }
        }
        throw new IOException("state kept changing under " + REPLACE_ATTEMPTS + " attempts to remember started jobs");
    }

    private boolean setFirst(final Map<String, String> encoded) throws IOException {
        stateManager.setState(encoded, Scope.CLUSTER);
        return true;
    }

    private Map<String, Entry> current() throws IOException {
        final StateMap stored = stateManager.getState(Scope.CLUSTER);
        final String version = stored.getStateVersion().orElse(null);
        final Decoded cached = cache;
        if (version != null && version.equals(cached.version())) {
            return cached.entries();
        }
        final Decoded decoded = new Decoded(version, decode(stored.toMap()));
        cache = decoded;
        return decoded.entries();
    }

    private Map<String, Entry> prune(final Map<String, Entry> entries) {
        final long oldest = clock.millis() - maxAge.toMillis();
        entries.values().removeIf(entry -> entry.submittedAtMillis() < oldest);
        if (entries.size() <= maxEntries) {
            return entries;
        }
        final List<Map.Entry<String, Entry>> byAge = new ArrayList<>(entries.entrySet());
        byAge.sort(Comparator.comparingLong(e -> e.getValue().submittedAtMillis()));
        final Map<String, Entry> kept = new HashMap<>();
        for (final Map.Entry<String, Entry> entry : byAge.subList(byAge.size() - maxEntries, byAge.size())) {
            kept.put(entry.getKey(), entry.getValue());
        }
        return kept;
    }

    private static Map<String, Entry> decode(final Map<String, String> state) {
        final Map<String, Entry> entries = new HashMap<>(state.size() * 2);
        for (final Map.Entry<String, String> item : state.entrySet()) {
            if (item.getKey().startsWith(PREFIX)) {
                final Entry entry = Entry.decode(item.getValue());
                if (entry != null) {
                    entries.put(item.getKey().substring(PREFIX.length()), entry);
                }
            }
        }
        return entries;
    }

    private static Map<String, String> encode(final Map<String, Entry> entries) {
        final Map<String, String> state = new HashMap<>(entries.size() * 2);
        entries.forEach((key, entry) -> state.put(PREFIX + key, entry.encode()));
        return state;
    }
}
