package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.VisibleText;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * The jobs running on the server that this node knows of and has not seen finish (Completed or Failed),
 * and how many more it may start ({@link JobLimit}: Max Active Jobs, and the share of the server's job
 * limit learned from its refusals), so that a node asks the server for no more than it takes. They are the
 * jobs this service started, and, counted once before its first start into a database since the service
 * was enabled, those the server then lists unfinished there (started before NiFi restarted or the service
 * was disabled, or by anyone else: the server's limit counts them all). A start is admitted only while fewer
 * are active or reserved by starts in flight than the limit; when the node is full, what it knows is
 * brought up to date first (a listing of the database at most every {@link #REFRESH_AFTER_MILLIS}, and a
 * description of the jobs it has not seen for a while), since a job whose end this service never sees (its
 * flowfile went elsewhere, or it is not this node's) would otherwise hold its slot.
 */
final class ActiveJobs {

    /** How long a job may go unseen before a full node describes it to learn whether it still counts. */
    static final long RECHECK_AFTER_MILLIS = 5_000;
    /** How often a full node lists the database to learn which of its jobs finished. */
    static final long REFRESH_AFTER_MILLIS = 500;
    /** The most jobs described on one admission, so that a full node never floods the server. */
    private static final int RECHECKS_PER_ADMISSION = 10;
    /** The most jobs followed: beyond, the one seen longest ago is let go (it has long finished, or will be listed again). */
    static final int MAX_FOLLOWED = 100_000;
    /** The error code of a start this node refuses itself, without a call: its slots are full. */
    static final String SLOTS_FULL = BulkImportConnectionService.SLOTS_FULL;

    /** The calls admission makes to the server, for {@link #admit}. */
    interface Server extends UnfinishedJobs.Lister {
        JobProgress describe(JobReference job) throws ImportApiException;
    }

    private record Active(JobReference job, long lastSeenMillis) {
    }

    private final JobLimit limit;
    private final LongSupplier clock;
    private final Map<String, Active> active = new HashMap<>();
    private final Map<String, Long> refreshedAt = new HashMap<>();
    private int reserved;
    private final UnfinishedJobs unfinished = new UnfinishedJobs();

    /** @param ceiling Max Active Jobs, 0 for none: the server's own limit is learned either way */
    ActiveJobs(final int ceiling, final LongSupplier clock) {
        this.limit = new JobLimit(ceiling, clock);
        this.clock = clock;
    }

    /**
     * Reserves room for one start into a database, or refuses it as the server's own job limit would
     * (THROTTLED, error code {@link #SLOTS_FULL}: the caller leaves its flowfiles queued and tries again
     * soon). Every admission must end in {@link #started}, {@link #refusedByServer} or {@link #released}.
     * The calls it makes (listings, descriptions) go through {@code server}.
     */
    void admit(final String database, final Server server) throws ImportApiException {
        countUnfinishedOnce(database, server);
        if (tryReserve()) {
            return;
        }
        refresh(database, server);
        for (final JobReference stale : unseenFor(RECHECK_AFTER_MILLIS)) {
            recheck(stale, server);
        }
        if (!tryReserve()) {
            throw new ImportApiException(ErrorKind.THROTTLED, fullMessage(), null, SLOTS_FULL,
                    Duration.ofMillis(REFRESH_AFTER_MILLIS), false);
        }
    }

    private String fullMessage() {
        final int ceiling = limit.ceiling();
        final int learned = limit.learned();
        final String why = learned != JobLimit.UNKNOWN && (ceiling == 0 || learned < ceiling)
                ? "the server refused a start when this node had " + learned + " unfinished job(s), its share of the server's job limit"
                : "Max Active Jobs (" + ceiling + ") of the connection service is reached on this node";
        return why + ": the start waits until one of its jobs finishes";
    }

    /** Starts counting the jobs the server lists unfinished in the database now, in the background, ahead of the first start into it. */
    void countAhead(final String database, final Server server) {
        unfinished.countAhead(database, server, jobs -> countListed(database, jobs));
    }

    /**
     * Counts the jobs the server lists unfinished in the database, the first time a start into it asks.
     * Until that listing has succeeded no start into the database is admitted: the starts that ask while it
     * runs wait for its outcome; one that fails fails the start with the listing's error, of the same kind
     * (a throttled listing holds the start back, an unreachable server sends it to retry, rejected
     * credentials to failure), never of unknown outcome since no create was sent; the next start lists again.
     */
    private void countUnfinishedOnce(final String database, final Server server) throws ImportApiException {
        try {
            unfinished.countOnce(database, server, jobs -> countListed(database, jobs));
        } catch (final ImportApiException e) {
            throw listingFailed(e);
        }
    }

    private synchronized void countListed(final String database, final List<JobReference> jobs) {
        final long now = clock.getAsLong();
        for (final JobReference job : jobs) {
            follow(job, now);
        }
        refreshedAt.put(database == null ? "" : database, now);
    }

    /** A start refused because the jobs still running could not be listed; never of unknown outcome, as no create was sent. */
    private ImportApiException listingFailed(final ImportApiException e) {
        final String message = VisibleText.bound("The jobs still running on the server could not be listed, and no start is admitted until "
                + "they are counted: " + e.getMessage(), VisibleText.MAX_LENGTH);
        return new ImportApiException(e.getKind() == ErrorKind.JOB_NOT_FOUND ? ErrorKind.TERMINAL : e.getKind(), message, e.getHttpStatus().orElse(null),
                e.getErrorCode().orElse(null), e.getRetryAfter().orElse(null), false);
    }

    /**
     * When the node has fewer slots free than {@code wanted} (its share full, or a burst queued that needs
     * more jobs than the slots it believes free): lists the databases of its jobs (each at most every
     * {@link #REFRESH_AFTER_MILLIS}) to learn which finished. Free means within its share, the probes aside:
     * a node whose jobs all finished unseen (no GetBulkImportProgress on this service) would otherwise size
     * the next burst for the few slots it believes free (a warm burst of 20,000 uploads became 21 jobs
     * against a server taking 64), and a trickle, which wants one slot, lists nothing while one is free.
     * A burst behind jobs of the node none of which it has heard of for {@link #RECHECK_AFTER_MILLIS} lists
     * them whatever the slots: jobs believed unfinished hold a burst for Max Batch Wait (TriggerBulkImport
     * waits only while a job of the node runs), and reading its queue for that wait cost a burst of 20,000
     * about 0.1 s more before its first job. A trickle, whose jobs start every few hundred ms, lists nothing.
     */
    void refreshIfShort(final int wanted, final Server server) {
        final List<String> databases;
        synchronized (this) {
            final boolean shortOfSlots = limit.share() - active.size() - reserved < Math.max(1, wanted);
            // jobs that finished unseen would also hold a burst for Max Batch Wait, as though the server were busy, whatever the limit
            final boolean burstBehindJobs = wanted > 1 && !active.isEmpty() && allUnseenFor(RECHECK_AFTER_MILLIS);
            if (!shortOfSlots && !burstBehindJobs) {
                return;
            }
            databases = active.values().stream().map(job -> job.job().database()).distinct().toList();
        }
        databases.forEach(database -> refresh(database, server));
    }

    /**
     * A full node lists the database (at most every {@link #REFRESH_AFTER_MILLIS}) to learn which of its
     * jobs finished: one call on Milvus for every job, where describing each would cost one call a job. A
     * listing that fails changes nothing.
     */
    private void refresh(final String database, final Server server) {
        final String key = database == null ? "" : database;
        final long now = clock.getAsLong();
        synchronized (this) {
            final Long last = refreshedAt.get(key);
            if (last != null && now - last < REFRESH_AFTER_MILLIS) {
                return;
            }
            refreshedAt.put(key, now);
        }
        try {
            // one page: all of Milvus's jobs, Zilliz Cloud's latest (the older ones are described when unseen for a while)
            UnfinishedJobs.listed(server, database, 1).forEach(job -> seen(job.jobId(), job.state()));
        } catch (final ImportApiException e) {
            // the descriptions of jobs unseen for a while remain, and the start waits as for a full node
        }
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
        if (active.size() + reserved >= limit.now()) {
            return false;
        }
        reserved++;
        return true;
    }

    private synchronized boolean allUnseenFor(final long millis) {
        final long now = clock.getAsLong();
        return active.values().stream().allMatch(job -> now - job.lastSeenMillis() >= millis);
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
        reserved = Math.max(0, reserved - 1);
        follow(job, clock.getAsLong());
        limit.took(active.size());
    }

    /** An admitted start the server refused for its job limit: the jobs this node knows unfinished are its share. */
    synchronized void refusedByServer() {
        reserved = Math.max(0, reserved - 1);
        limit.refused(active.size());
    }

    /** An admitted start that made no job, for any other reason. */
    synchronized void released() {
        reserved = Math.max(0, reserved - 1);
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

    private void follow(final JobReference job, final long now) {
        if (active.size() >= MAX_FOLLOWED && !active.containsKey(job.jobId())) {
            active.values().stream().min(Comparator.comparingLong(Active::lastSeenMillis)).ifPresent(oldest -> active.remove(oldest.job().jobId()));
        }
        active.put(job.jobId(), new Active(job, now));
    }

    /**
     * The job slots to size jobs for: the node's share (or ceiling) less its unfinished jobs and the starts
     * in flight; empty when nothing limits them but the server, whose limit is not known yet. The probes
     * beyond the share are admitted ({@link #admit}) but no job is sized for them: a burst spread over the
     * probes too lost the probes' jobs to the server's refusal, and their files waited a whole job's time for
     * a slot (a warm burst of 20,000 uploads at a limit of 64: 68 jobs, the last 4 started 6.8 s late).
     */
    synchronized OptionalInt free() {
        final int share = limit.share();
        return share == JobLimit.UNKNOWN ? OptionalInt.empty() : OptionalInt.of(Math.max(0, share - active.size() - reserved));
    }

    synchronized int count() {
        return active.size();
    }
}
