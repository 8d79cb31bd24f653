package io.github.bulkimport.nifi.processors.listing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What ListBulkImportJobs remembers of the jobs it listed, in cluster state, so that in Changes Only
 * mode every job is emitted once when new and once per change, and, with From Now On, no job of the
 * first listing is ever emitted as new:
 * <ul>
 *     <li>an unfinished job by its ID with its state ({@code job.<id>}), kept when a listing does not show
 *     it (its pages shifted while they were read) until it has been missing for {@link #MISSING_GRACE_MILLIS};</li>
 *     <li>a finished job (Completed or Failed, states that never change) by a 48-bit digest of its ID, 8
 *     characters, in generations: the jobs finished since {@code finished.since}, and those of the
 *     generation before. A finished job listed again goes into the current generation; one no listing
 *     has shown for a generation is forgotten (servers drop finished jobs after hours).</li>
 * </ul>
 * The state stays under {@link #MAX_BYTES} as NiFi's ZooKeeper provider encodes it: unfinished jobs
 * first, then the current generation, then the one before; 100,000 finished jobs fit, more than one
 * listing returns (1,000 pages of at most 100), so none has to be dropped in practice.
 */
final class ListingMemory {

    /** When the last listing ran: tells a first listing from one that found no job. */
    static final String LISTED_AT_KEY = "listed.at";
    static final String JOB_PREFIX = "job.";
    static final String FINISHED_PREFIX = "finished.";
    static final String OLDER_PREFIX = "finished-before.";
    static final String GENERATION_KEY = "finished.since";
    /** The keys it writes, a prefix ending in * standing for many: part of the bundle's compatibility contract. */
    static final java.util.List<String> STATE_KEYS = java.util.List.of(LISTED_AT_KEY, JOB_PREFIX + "*", FINISHED_PREFIX + "*", OLDER_PREFIX + "*",
            GENERATION_KEY);
    /** A generation of finished jobs lasts this long. */
    static final long GENERATION_MILLIS = 24L * 60 * 60 * 1000;
    /** How long an unfinished job no listing shows is still remembered: as long as servers keep finished jobs. */
    static final long MISSING_GRACE_MILLIS = 48L * 60 * 60 * 1000;
    /**
     * ZooKeeper refuses a node's data over 1 MB (jute.maxbuffer); NiFi's ZooKeeperStateProvider writes
     * each entry as two length-prefixed UTF strings and a flag.
     */
    static final int MAX_BYTES = 900_000;
    /** Digests per state entry: 48,000 characters, under the 65,535 bytes of one UTF string. */
    static final int DIGESTS_PER_ENTRY = 6_000;
    private static final int DIGEST_BYTES = 6;
    private static final int DIGEST_CHARS = 8;
    /** Separates an unfinished job's state from when listings stopped showing it. */
    private static final char MISSING = '\t';

    /** An unfinished job as remembered: its state, and since when no listing shows it (or -1). */
    private record Unfinished(String state, long missingSince) {
    }

    /** What a listing saw of one job: whether it is news, and the state remembered before (none for a new job). */
    record Seen(boolean changed, String previousState) {
    }

    private final boolean firstListing;
    private final long generationStart;
    private final Map<String, Unfinished> unfinished = new LinkedHashMap<>();
    private final Set<String> finished = new LinkedHashSet<>();
    private final Set<String> olderFinished = new LinkedHashSet<>();
    private final Set<String> listedUnfinished = new LinkedHashSet<>();
    private final Set<String> listedFinished = new LinkedHashSet<>();
    private int dropped;

    private ListingMemory(final boolean firstListing, final long generationStart) {
        this.firstListing = firstListing;
        this.generationStart = generationStart;
    }

    /** Reads what the state holds, at {@code now}. */
    static ListingMemory of(final Map<String, String> state, final long now) {
        final ListingMemory memory = new ListingMemory(!state.containsKey(LISTED_AT_KEY), generationStart(state.get(GENERATION_KEY), now));
        for (final Map.Entry<String, String> entry : state.entrySet()) {
            final String key = entry.getKey();
            if (key.equals(GENERATION_KEY)) {
                continue;
            }
            if (key.startsWith(JOB_PREFIX)) {
                memory.rememberEntry(key.substring(JOB_PREFIX.length()), entry.getValue());
            } else if (key.startsWith(FINISHED_PREFIX)) {
                unpack(entry.getValue(), memory.finished);
            } else if (key.startsWith(OLDER_PREFIX)) {
                unpack(entry.getValue(), memory.olderFinished);
            }
        }
        return memory;
    }

    private void rememberEntry(final String jobId, final String value) {
        final int tab = value.lastIndexOf(MISSING);
        final String state = tab < 0 ? value : value.substring(0, tab);
        if (isFinished(state)) {
            // written by a version that kept finished jobs by ID
            finished.add(digest(jobId));
            return;
        }
        long missingSince = -1;
        if (tab >= 0) {
            try {
                missingSince = Long.parseLong(value.substring(tab + 1));
            } catch (final NumberFormatException unreadable) {
                missingSince = -1;
            }
        }
        unfinished.put(jobId, new Unfinished(state, missingSince));
    }

    private static long generationStart(final String value, final long now) {
        try {
            return value == null ? now : Long.parseLong(value);
        } catch (final NumberFormatException unreadable) {
            return now;
        }
    }

    /** Whether no listing ran before: the state is new, or was cleared. */
    boolean isFirstListing() {
        return firstListing;
    }

    /** Notes a job of this listing; says whether it is new or changed, and what was remembered of it. */
    Seen see(final String jobId, final String state) {
        final Unfinished before = unfinished.get(jobId);
        final String previous = before == null ? null : before.state();
        if (isFinished(state)) {
            final String digest = digest(jobId);
            listedFinished.add(digest);
            unfinished.remove(jobId);
            final boolean known = finished.contains(digest) || olderFinished.contains(digest);
            return new Seen(!known, known ? null : previous);
        }
        listedUnfinished.add(jobId);
        unfinished.put(jobId, new Unfinished(state, -1));
        return new Seen(!state.equals(previous), previous);
    }

    /** The state to store after this listing, which ran at {@code now} ({@code listedAt} as text). */
    Map<String, String> toState(final String listedAt, final long now) {
        final Map<String, String> state = new HashMap<>();
        state.put(LISTED_AT_KEY, listedAt);
        long bytes = encodedSize(LISTED_AT_KEY, listedAt);
        dropped = 0;
        for (final Map.Entry<String, Unfinished> job : unfinished.entrySet()) {
            final String jobId = job.getKey();
            final long missingSince = listedUnfinished.contains(jobId) ? -1
                    : job.getValue().missingSince() < 0 ? now : job.getValue().missingSince();
            if (missingSince >= 0 && now - missingSince > MISSING_GRACE_MILLIS) {
                continue;
            }
            final String value = missingSince < 0 ? job.getValue().state() : job.getValue().state() + MISSING + missingSince;
            final long size = encodedSize(JOB_PREFIX + jobId, value);
            if (bytes + size > MAX_BYTES) {
                dropped++;
                continue;
            }
            state.put(JOB_PREFIX + jobId, value);
            bytes += size;
        }
        final boolean newGeneration = now - generationStart >= GENERATION_MILLIS || now < generationStart;
        // this listing's finished jobs first: what the bound cuts is what no listing showed lately
        final Set<String> current = new LinkedHashSet<>(listedFinished);
        if (!newGeneration) {
            current.addAll(finished);
        }
        final Set<String> older = new LinkedHashSet<>(newGeneration ? finished : olderFinished);
        older.removeAll(current);
        state.put(GENERATION_KEY, String.valueOf(newGeneration ? now : generationStart));
        bytes += encodedSize(GENERATION_KEY, String.valueOf(now));
        bytes = pack(current, FINISHED_PREFIX, state, bytes);
        pack(older, OLDER_PREFIX, state, bytes);
        return state;
    }

    /** How many jobs the last {@link #toState} could not keep within {@link #MAX_BYTES}. */
    int dropped() {
        return dropped;
    }

    /** Writes digests into entries of {@link #DIGESTS_PER_ENTRY}, as far as the bound allows; returns the bytes written so far. */
    private long pack(final Set<String> digests, final String prefix, final Map<String, String> state, final long bytesSoFar) {
        long bytes = bytesSoFar;
        final StringBuilder entry = new StringBuilder();
        int entries = 0;
        for (final String digest : digests) {
            // with room for the pending entry's own key and lengths
            if (bytes + entry.length() + DIGEST_CHARS + 32 > MAX_BYTES) {
                dropped++;
                continue;
            }
            entry.append(digest);
            if (entry.length() == DIGESTS_PER_ENTRY * DIGEST_CHARS) {
                bytes += put(state, prefix + entries++, entry);
            }
        }
        if (!entry.isEmpty()) {
            bytes += put(state, prefix + entries, entry);
        }
        return bytes;
    }

    private static long put(final Map<String, String> state, final String key, final StringBuilder entry) {
        final String value = entry.toString();
        entry.setLength(0);
        state.put(key, value);
        return encodedSize(key, value);
    }

    private static void unpack(final String packed, final Set<String> into) {
        for (int i = 0; i + DIGEST_CHARS <= packed.length(); i += DIGEST_CHARS) {
            into.add(packed.substring(i, i + DIGEST_CHARS));
        }
    }

    private static boolean isFinished(final String state) {
        return "Completed".equals(state) || "Failed".equals(state);
    }

    /** 48 bits of SHA-256 of the job ID, base64url: a new job's digest meets one of 100,000 remembered with a chance of 4 in 10 billion. */
    static String digest(final String jobId) {
        final byte[] hash = SHA_256.get().digest(jobId.getBytes(StandardCharsets.UTF_8));
        return BASE64.encodeToString(Arrays.copyOf(hash, DIGEST_BYTES));
    }

    private static long encodedSize(final String key, final String value) {
        return 2 + key.getBytes(StandardCharsets.UTF_8).length + 1 + 2 + value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });
}
