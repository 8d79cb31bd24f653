package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Max Active Jobs: the jobs this service started and has not seen finish (Completed or Failed), so that
 * a node never asks the server for more at once. A start is admitted only while fewer are active or
 * reserved by starts in flight; a job whose end this service never sees (its flowfile went elsewhere)
 * is described again once the limit is reached and it has not been seen for a while.
 */
final class ActiveJobs {

    /** How long a job may go unseen before a full node describes it to learn whether it still counts. */
    static final long RECHECK_AFTER_MILLIS = 5_000;
    /** The most jobs described on one admission, so that a full node never floods the server. */
    private static final int RECHECKS_PER_ADMISSION = 10;

    /** Describes a job, for {@link #admit}. */
    @FunctionalInterface
    interface Describer {
        JobProgress describe(JobReference job) throws ImportApiException;
    }

    private record Active(JobReference job, long lastSeenMillis) {
    }

    private final int max;
    private final LongSupplier clock;
    private final Map<String, Active> active = new HashMap<>();
    private int reserved;

    /** @param max the most active jobs, 0 for no limit */
    ActiveJobs(final int max, final LongSupplier clock) {
        this.max = max;
        this.clock = clock;
    }

    boolean limits() {
        return max > 0;
    }

    /**
     * Reserves room for one start, or refuses it as the server's own job limit would (THROTTLED: the
     * caller leaves its flowfiles queued and backs off), without any HTTP status. Every admission must
     * end in {@link #started} or {@link #released}.
     */
    void admit(final Describer describer) throws ImportApiException {
        if (!limits()) {
            return;
        }
        if (tryReserve()) {
            return;
        }
        for (final JobReference stale : unseenFor(RECHECK_AFTER_MILLIS)) {
            recheck(stale, describer);
        }
        if (!tryReserve()) {
            throw new ImportApiException(ErrorKind.THROTTLED, "Max Active Jobs (" + max + ") of the connection service reached on this node: "
                    + "the start waits until one of its jobs finishes");
        }
    }

    /**
     * Learns whether a job still counts. A job the server no longer knows (cleaned up after its retention)
     * is finished; one that cannot be described now keeps counting, and the start is refused as for a full
     * node, not failed with the description's error.
     */
    private void recheck(final JobReference job, final Describer describer) {
        try {
            seen(job.jobId(), describer.describe(job).state());
        } catch (final ImportApiException e) {
            if (e.getKind() == ErrorKind.JOB_NOT_FOUND) {
                seen(job.jobId(), JobState.FAILED);
            }
        }
    }

    private synchronized boolean tryReserve() {
        if (active.size() + reserved >= max) {
            return false;
        }
        reserved++;
        return true;
    }

    private synchronized List<JobReference> unseenFor(final long millis) {
        final long now = clock.getAsLong();
        final List<Active> stale = new ArrayList<>();
        for (final Active job : active.values()) {
            if (now - job.lastSeenMillis() >= millis) {
                stale.add(job);
            }
        }
        stale.sort(Comparator.comparingLong(Active::lastSeenMillis));
        return stale.stream().limit(RECHECKS_PER_ADMISSION).map(Active::job).toList();
    }

    /** An admitted start that made a job (or got an existing one back for its key). */
    synchronized void started(final JobReference job) {
        if (!limits()) {
            return;
        }
        reserved = Math.max(0, reserved - 1);
        active.put(job.jobId(), new Active(job, clock.getAsLong()));
    }

    /** An admitted start that made no job. */
    synchronized void released() {
        if (limits()) {
            reserved = Math.max(0, reserved - 1);
        }
    }

    /** What an answer says of a job: it stops counting once Completed or Failed. */
    synchronized void seen(final String jobId, final JobState state) {
        final Active known = active.get(jobId);
        if (known == null) {
            return;
        }
        if (state == JobState.COMPLETED || state == JobState.FAILED) {
            active.remove(jobId);
        } else {
            active.put(jobId, new Active(known.job(), clock.getAsLong()));
        }
    }

    /** Room for more starts now: the limit less the active jobs and the starts in flight. */
    synchronized int free() {
        return Math.max(0, max - active.size() - reserved);
    }

    synchronized int count() {
        return active.size();
    }
}
