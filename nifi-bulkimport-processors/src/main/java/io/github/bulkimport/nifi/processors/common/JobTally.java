package io.github.bulkimport.nifi.processors.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The jobs one counter has counted, so that a job counts once by its ID, whatever the flowfiles that
 * share it (a batch, copies of one upload, a replay that gets its job back). Bounded: the oldest job
 * IDs are forgotten first, long after the flowfiles of a job have all come by. Kept as long as the
 * processor instance, which is as long as NiFi keeps its counters (until a restart); in a cluster,
 * each node counts the jobs its own flowfiles meet.
 */
public final class JobTally {

    private static final int REMEMBERED = 10_000;

    private final Map<String, Boolean> counted = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Whether this job is counted for the first time; it is from now on. */
    public synchronized boolean firstTime(final String jobId) {
        return counted.putIfAbsent(jobId, Boolean.TRUE) == null;
    }
}
