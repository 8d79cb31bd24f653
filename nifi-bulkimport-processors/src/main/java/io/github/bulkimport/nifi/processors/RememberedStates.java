package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.JobState;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job states ListBulkImportJobs keeps in cluster state, bounded in entries and in bytes: a job
 * that may still change (unfinished) is kept before one that cannot (Completed or Failed), and within
 * each kind the first listed first.
 */
final class RememberedStates {

    /** The largest Maximum Remembered Jobs: about 45 bytes per job with the job IDs Milvus and Zilliz Cloud hand out. */
    static final int MAX_BOUND = 20_000;
    /**
     * ZooKeeper refuses a node's data over 1 MB (jute.maxbuffer); NiFi's ZooKeeperStateProvider writes
     * each entry as two length-prefixed UTF strings and a flag. Whatever the length of job IDs, the
     * state stays under this many bytes.
     */
    static final int MAX_BYTES = 900_000;

    private final int bound;
    private final Map<String, String> unfinished = new LinkedHashMap<>();
    private final Map<String, String> finished = new LinkedHashMap<>();
    private int dropped;

    RememberedStates(final int bound) {
        this.bound = bound;
    }

    void put(final String key, final JobState state, final String stateName) {
        (state == JobState.COMPLETED || state == JobState.FAILED ? finished : unfinished).put(key, stateName);
    }

    int bound() {
        return bound;
    }

    int listed() {
        return unfinished.size() + finished.size();
    }

    /** How many listed jobs the last {@link #toState} left out. */
    int dropped() {
        return dropped;
    }

    /** The state to store: the jobs that fit, and when this listing ran. */
    Map<String, String> toState(final String listedAt) {
        final Map<String, String> state = new HashMap<>(Math.min(listed(), bound) * 4 / 3 + 2);
        state.put(ListBulkImportJobs.LISTED_AT_KEY, listedAt);
        long bytes = encodedSize(ListBulkImportJobs.LISTED_AT_KEY, listedAt);
        for (final Map<String, String> kind : List.of(unfinished, finished)) {
            for (final Map.Entry<String, String> job : kind.entrySet()) {
                final long size = encodedSize(job.getKey(), job.getValue());
                // unfinished jobs may go beyond the entry bound, never beyond the byte bound
                if (bytes + size > MAX_BYTES || kind == finished && state.size() > bound) {
                    break;
                }
                state.put(job.getKey(), job.getValue());
                bytes += size;
            }
        }
        dropped = listed() - (state.size() - 1);
        return state;
    }

    private static long encodedSize(final String key, final String value) {
        return 2 + key.getBytes(StandardCharsets.UTF_8).length + 1 + 2 + value.getBytes(StandardCharsets.UTF_8).length;
    }
}
