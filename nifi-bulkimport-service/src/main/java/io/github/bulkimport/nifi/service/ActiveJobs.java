package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.VisibleText;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Max Active Jobs: the jobs running on the server that this node knows of and has not seen finish
 * (Completed or Failed), so that a node never asks the server for more at once. They are the jobs this
 * service started, and, counted once before its first start into a database since the service was
 * enabled, those the server then lists unfinished there (started before NiFi restarted or the service was
 * disabled, or by anyone else: the server's limit counts them all). A start is admitted only while fewer
 * are active or reserved by starts in flight; a job whose end this service never sees (its flowfile went
 * elsewhere, or it is not this node's) is described again once the limit is reached and it has not been
 * seen for a while.
 */
final class ActiveJobs {

    /** How long a job may go unseen before a full node describes it to learn whether it still counts. */
    static final long RECHECK_AFTER_MILLIS = 5_000;
    /** The most jobs described on one admission, so that a full node never floods the server. */
    private static final int RECHECKS_PER_ADMISSION = 10;

    /** The calls admission makes to the server, for {@link #admit}. */
    interface Server extends UnfinishedJobs.Lister {
        JobProgress describe(JobReference job) throws ImportApiException;
    }

    private record Active(JobReference job, long lastSeenMillis) {
    }

    private final int max;
    private final LongSupplier clock;
    private final Map<String, Active> active = new HashMap<>();
    private int reserved;
    private final UnfinishedJobs unfinished = new UnfinishedJobs();

    /** @param max the most active jobs, 0 for no limit */
    ActiveJobs(final int max, final LongSupplier clock) {
        this.max = max;
        this.clock = clock;
    }

    boolean limits() {
        return max > 0;
    }

    /**
     * Reserves room for one start into a database, or refuses it as the server's own job limit would
     * (THROTTLED: the caller leaves its flowfiles queued and backs off). Every admission must end in
     * {@link #started} or {@link #released}. The calls it makes (a listing, descriptions) go through
     * {@code server}.
     */
    void admit(final String database, final Server server) throws ImportApiException {
        if (!limits()) {
            return;
        }
        countUnfinishedOnce(database, server);
        if (tryReserve()) {
            return;
        }
        for (final JobReference stale : unseenFor(RECHECK_AFTER_MILLIS)) {
            recheck(stale, server);
        }
        if (!tryReserve()) {
            throw new ImportApiException(ErrorKind.THROTTLED, "Max Active Jobs (" + max + ") of the connection service reached on this node: "
                    + "the start waits until one of its jobs finishes");
        }
    }

    /**
     * Counts the jobs the server lists unfinished in the database, the first time a start into it asks.
     * Until that listing has succeeded no start into the database is admitted: the starts that ask while it
     * runs wait for its outcome; while it fails for a reason that may pass (the server unreachable, slow,
     * throttling) every start is refused as for a full node, and the next one lists again; a listing
     * refused for good (credentials, permissions) fails the start with its error, which a user must act on.
     */
    private void countUnfinishedOnce(final String database, final Server server) throws ImportApiException {
        try {
            unfinished.countOnce(database, server, this::countListed);
        } catch (final ImportApiException e) {
            throw listingFailed(e);
        }
    }

    private synchronized void countListed(final List<JobReference> jobs) {
        final long now = clock.getAsLong();
        for (final JobReference job : jobs) {
            active.putIfAbsent(job.jobId(), new Active(job, now));
        }
    }

    /** A start refused because the jobs still running could not be listed; never of unknown outcome, as no create was sent. */
    private ImportApiException listingFailed(final ImportApiException e) {
        final String message = VisibleText.bound("Max Active Jobs (" + max + ") of the connection service: the jobs still running on the server "
                + "could not be listed, and no start is admitted until they are counted: " + e.getMessage(), VisibleText.MAX_LENGTH);
        return e.getKind().isRetryable()
                ? new ImportApiException(ErrorKind.THROTTLED, message, null, null, e.getRetryAfter().orElse(null), false)
                : new ImportApiException(ErrorKind.TERMINAL, message, e.getHttpStatus().orElse(null), e.getErrorCode().orElse(null), null, false);
    }

    /**
     * Learns whether a job still counts. A job the server no longer knows (cleaned up after its retention)
     * is finished; one that cannot be described now keeps counting, and the start is refused as for a full
     * node, not failed with the description's error.
     */
    private void recheck(final JobReference job, final Server server) {
        try {
            seen(job.jobId(), server.describe(job).state());
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
