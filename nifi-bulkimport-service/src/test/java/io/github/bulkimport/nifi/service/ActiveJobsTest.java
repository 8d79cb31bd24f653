package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.PageRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActiveJobsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<String> described = new ArrayList<>();

    private final List<PageRequest> listed = new ArrayList<>();

    /** A server that lists no job, and describes every job in the given state. */
    private ActiveJobs.Server answering(final JobState state) {
        return server(page -> new JobPage(List.of(), null, page.page(), page.pageSize()), job -> {
            described.add(job.jobId());
            return new JobProgress(job.jobId(), null, state, state.name(), 100, 0L, 0L, 0L, null, null, List.of());
        });
    }

    private ActiveJobs.Server server(final UnfinishedJobs.Lister lister, final Describer describer) {
        return new ActiveJobs.Server() {
            @Override
            public JobProgress describe(final JobReference job) throws ImportApiException {
                return describer.describe(job);
            }

            @Override
            public JobPage list(final PageRequest page) throws ImportApiException {
                listed.add(page);
                return lister.list(page);
            }
        };
    }

    @FunctionalInterface
    private interface Describer {
        JobProgress describe(JobReference job) throws ImportApiException;
    }

    private static JobSummary summary(final String jobId, final JobState state) {
        return new JobSummary(jobId, "docs", state, state.apiName(), null, null);
    }

    @Test
    void startsBeyondTheLimitAreRefusedAsThrottledUntilAJobIsSeenFinished() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(2, now::get);
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.started(new JobReference("1", null));
        jobs.admit(null, answering(JobState.IMPORTING));
        assertEquals(ErrorKind.THROTTLED, assertThrows(ImportApiException.class, () -> jobs.admit(null, answering(JobState.IMPORTING))).getKind(),
                "one job and one start in flight fill a limit of 2");
        jobs.started(new JobReference("2", null));
        assertEquals(2, jobs.count());

        jobs.seen("1", JobState.UNCOMMITTED);
        assertThrows(ImportApiException.class, () -> jobs.admit(null, answering(JobState.IMPORTING)), "an Uncommitted job still counts");
        jobs.seen("1", JobState.COMPLETED);
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.released();
        jobs.admit(null, answering(JobState.IMPORTING));
        assertEquals(List.of(), described, "nothing described while every job was seen lately, and a start that made no job freed its room");
    }

    @Test
    void aFullNodeDescribesTheJobsItHasNotSeenForAWhile() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(1, now::get);
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.started(new JobReference("lost", "db"));
        assertThrows(ImportApiException.class, () -> jobs.admit(null, answering(JobState.COMPLETED)));
        assertEquals(List.of(), described, "seen at its start, 0 s ago");

        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS);
        jobs.admit(null, answering(JobState.COMPLETED));
        assertEquals(List.of("lost"), described, "a job whose flowfile went elsewhere is looked up, and no longer counts");
        assertEquals(0, jobs.count());
    }

    @Test
    void aJobTheServerNoLongerKnowsIsFinishedAndADescriptionThatFailsKeepsTheNodeFull() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(1, now::get);
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.started(new JobReference("cleaned", null));
        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS);

        final ImportApiException refused = assertThrows(ImportApiException.class,
                () -> jobs.admit(null, server(nothingListed(), job -> {
                    throw new ImportApiException(ErrorKind.UNAVAILABLE, "describe timed out", null, null, null, true);
                })));
        assertEquals(ErrorKind.THROTTLED, refused.getKind(), "refused as a full node, not failed with the description's error");
        assertFalse(refused.isOutcomeUnknown());
        assertEquals(1, jobs.count());

        jobs.admit(null, server(nothingListed(), job -> {
            throw new ImportApiException(ErrorKind.JOB_NOT_FOUND, "import job does not exist");
        }));
        assertEquals(0, jobs.count(), "a job the server cleaned up no longer counts");
    }

    private static UnfinishedJobs.Lister nothingListed() {
        return page -> new JobPage(List.of(), null, page.page(), page.pageSize());
    }

    @Test
    void withoutACeilingJobsAreCountedAndTheServersRefusalTeachesTheNodeItsShare() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(0, now::get);
        for (int i = 0; i < 5; i++) {
            jobs.admit(null, answering(JobState.IMPORTING));
            jobs.started(new JobReference(String.valueOf(i), null));
        }
        assertEquals(5, jobs.count());
        assertEquals(OptionalInt.empty(), jobs.free(), "nothing limits the node but the server, whose limit is not known yet");

        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.refusedByServer();
        assertEquals(OptionalInt.of(0), jobs.free(), "refused with 5 unfinished: 5 is the node's share");
        final ImportApiException full = assertThrows(ImportApiException.class, () -> jobs.admit(null, answering(JobState.IMPORTING)));
        assertEquals(ErrorKind.THROTTLED, full.getKind());
        assertEquals(ActiveJobs.SLOTS_FULL, full.getErrorCode().orElseThrow(), "refused here, without a create");

        jobs.seen("0", JobState.COMPLETED);
        assertEquals(OptionalInt.of(1), jobs.free(), "a job seen finished frees its slot");
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.started(new JobReference("5", null));
        assertEquals(OptionalInt.of(0), jobs.free());

        now.addAndGet(JobLimit.PROBE_AFTER_MILLIS);
        assertEquals(OptionalInt.of(0), jobs.free(), "no job is sized for a probe");
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.started(new JobReference("6", null));
        assertEquals(OptionalInt.of(0), jobs.free(), "a second after the refusal, one start beyond the share was admitted, and taken: the share is 6");
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.admit(null, answering(JobState.IMPORTING));
        assertThrows(ImportApiException.class, () -> jobs.admit(null, answering(JobState.IMPORTING)), "twice as many probes next, and no more");
    }

    @Test
    void aNodeWhoseShareIsFullListsItsJobsBeforeSizingEvenWhileItMayProbeBeyondIt() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(0, now::get);
        for (int i = 0; i < 3; i++) {
            jobs.admit(null, answering(JobState.IMPORTING));
            jobs.started(new JobReference(String.valueOf(i), null));
        }
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.refusedByServer();
        now.addAndGet(JobLimit.PROBE_AFTER_MILLIS);
        assertEquals(OptionalInt.of(0), jobs.free(), "a share of 3, full (the probe beyond it is admission's)");

        // the three jobs finished, unseen: nothing on this service follows them
        final ActiveJobs.Server server = server(page -> new JobPage(List.of(summary("0", JobState.COMPLETED), summary("1", JobState.COMPLETED),
                summary("2", JobState.COMPLETED)), null, page.page(), page.pageSize()), answering(JobState.IMPORTING)::describe);
        listed.clear();
        jobs.refreshIfShort(1, server);
        assertEquals(1, listed.size(), "the share is full: listed, whatever the probe allows");
        assertEquals(0, jobs.count());
        assertEquals(OptionalInt.of(3), jobs.free(), "the whole share free: a burst is sized for 3 jobs");
    }

    @Test
    void aBurstThatWantsMoreSlotsThanSeemFreeListsFirstATrickleDoesNot() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(0, now::get);
        for (int i = 0; i < 4; i++) {
            jobs.admit(null, answering(JobState.IMPORTING));
            jobs.started(new JobReference(String.valueOf(i), null));
        }
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.refusedByServer();
        jobs.seen("0", JobState.COMPLETED);
        jobs.seen("1", JobState.COMPLETED);
        assertEquals(OptionalInt.of(2), jobs.free(), "a share of 4, two of its jobs seen finished");

        // the other two finished too, unseen
        final ActiveJobs.Server server = server(page -> new JobPage(List.of(summary("2", JobState.COMPLETED), summary("3", JobState.COMPLETED)),
                null, page.page(), page.pageSize()), answering(JobState.IMPORTING)::describe);
        listed.clear();
        now.addAndGet(ActiveJobs.REFRESH_AFTER_MILLIS);
        jobs.refreshIfShort(1, server);
        assertEquals(0, listed.size(), "a trickle wants one slot, and two seem free: no listing");
        jobs.refreshIfShort(4, server);
        assertEquals(1, listed.size(), "a burst wants four: listed");
        assertEquals(OptionalInt.of(4), jobs.free(), "the burst is sized for the whole share, not for the two slots that seemed free");
    }

    @Test
    void aBurstBehindJobsThatFinishedUnseenListsThemFirstEvenWithTheLimitUnknown() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(0, now::get);
        for (int i = 0; i < 3; i++) {
            jobs.admit(null, answering(JobState.IMPORTING));
            jobs.started(new JobReference(String.valueOf(i), null));
        }
        assertEquals(OptionalInt.empty(), jobs.free(), "no limit known: the server decides");
        // the three finished, unseen (no GetBulkImportProgress on this service)
        final ActiveJobs.Server server = server(page -> new JobPage(List.of(summary("0", JobState.COMPLETED), summary("1", JobState.COMPLETED),
                summary("2", JobState.COMPLETED)), null, page.page(), page.pageSize()), answering(JobState.IMPORTING)::describe);
        listed.clear();
        now.addAndGet(ActiveJobs.REFRESH_AFTER_MILLIS);
        jobs.refreshIfShort(5, server);
        assertEquals(0, listed.size(), "jobs heard of within " + ActiveJobs.RECHECK_AFTER_MILLIS + " ms (a trickle's): no listing");
        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS);
        jobs.refreshIfShort(1, server);
        assertEquals(0, listed.size(), "one slot wanted: no listing");
        assertEquals(3, jobs.count());
        jobs.refreshIfShort(5, server);
        assertEquals(1, listed.size(), "a burst: listed, so that it is not held back as though the server were busy");
        assertEquals(0, jobs.count(), "the node's jobs are known finished: its server is idle");
        jobs.admit(null, answering(JobState.IMPORTING));
        jobs.started(new JobReference("3", null));
        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS);
        jobs.seen("3", JobState.IMPORTING);
        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS - 1);
        jobs.refreshIfShort(5, server);
        assertEquals(1, listed.size(), "a job heard of " + (ActiveJobs.RECHECK_AFTER_MILLIS - 1) + " ms ago: no listing");
    }

    @Test
    void theJobsTheServerListsUnfinishedCountBeforeTheFirstStartIntoADatabase() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(3, now::get);
        final ActiveJobs.Server server = server(page -> new JobPage(List.of(summary("done", JobState.COMPLETED), summary("failed", JobState.FAILED),
                summary("pending", JobState.PENDING), summary("importing", JobState.IMPORTING), summary("uncommitted", JobState.UNCOMMITTED),
                summary("committing", JobState.COMMITTING), summary("sorting", JobState.UNKNOWN)), null, page.page(), page.pageSize()),
                answering(JobState.IMPORTING)::describe);

        final ImportApiException refused = assertThrows(ImportApiException.class, () -> jobs.admit("db1", server));
        assertEquals(ErrorKind.THROTTLED, refused.getKind());
        assertEquals(5, jobs.count(), "Pending, Importing, Uncommitted, Committing and a state of no known name still run");
        assertEquals(List.of(new PageRequest(null, "db1", 1, UnfinishedJobs.PAGE_SIZE)), listed, "one listing, of the start's database");

        assertThrows(ImportApiException.class, () -> jobs.admit("db1", server));
        assertEquals(1, listed.size(), "listed once");
        jobs.seen("importing", JobState.COMPLETED);
        jobs.seen("pending", JobState.FAILED);
        jobs.seen("sorting", JobState.COMPLETED);
        jobs.admit("db1", server);
        assertEquals(1, listed.size());
        assertEquals(List.of(), described, "the listed jobs were seen just now");
    }

    @Test
    void eachDatabaseIsListedOnceBeforeItsFirstStart() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(10, now::get);
        final ActiveJobs.Server server = server(page -> new JobPage(List.of(summary("in-" + page.database(), JobState.IMPORTING)), null, page.page(),
                page.pageSize()), answering(JobState.IMPORTING)::describe);
        jobs.admit(null, server);
        jobs.started(new JobReference("mine", null));
        jobs.admit(null, server);
        jobs.released();
        jobs.admit("db2", server);
        jobs.released();
        assertEquals(Arrays.asList(null, "db2"), listed.stream().map(PageRequest::database).toList());
        assertEquals(3, jobs.count(), "in-null, mine and in-db2");
    }

    @Test
    void zillizCloudPagesAreReadUntilTheListingEndsAtMostAHundredOfThem() throws ImportApiException {
        final int total = 12_345;
        final ActiveJobs.Server server = server(page -> {
            final List<JobSummary> records = new ArrayList<>();
            for (int i = (page.page() - 1) * page.pageSize(); i < Math.min(total, page.page() * page.pageSize()); i++) {
                records.add(summary("job-" + i, i % 2 == 0 ? JobState.COMPLETED : JobState.IMPORTING));
            }
            return new JobPage(records, total, page.page(), page.pageSize());
        }, answering(JobState.IMPORTING)::describe);
        final ActiveJobs jobs = new ActiveJobs(100_000, now::get);
        jobs.admit(null, server);
        assertEquals(UnfinishedJobs.MAX_PAGES, listed.size());
        assertEquals(UnfinishedJobs.MAX_PAGES * UnfinishedJobs.PAGE_SIZE / 2, jobs.count());

        listed.clear();
        final ActiveJobs fewer = new ActiveJobs(100_000, now::get);
        fewer.admit(null, server(page -> new JobPage(page.page() == 1 ? List.of(summary("a", JobState.PENDING)) : List.of(), 1, page.page(),
                page.pageSize()), answering(JobState.IMPORTING)::describe));
        assertEquals(1, listed.size(), "a listing that fits one page is one call");
    }

    @Test
    void aListingThatFailsForNowFailsTheStartWithItsKindUntilOneSucceeds() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(1, now::get);
        final ImportApiException refused = assertThrows(ImportApiException.class, () -> jobs.admit(null, server(page -> {
            throw new ImportApiException(ErrorKind.UNAVAILABLE, "list: temporary server error (HTTP 503)", 503, "HTTP_503",
                    java.time.Duration.ofSeconds(3), true);
        }, answering(JobState.IMPORTING)::describe)));
        assertEquals(ErrorKind.UNAVAILABLE, refused.getKind(), "the start is retried, as the create itself would have been");
        assertFalse(refused.isOutcomeUnknown(), "no create was sent");
        assertEquals(java.time.Duration.ofSeconds(3), refused.getRetryAfter().orElseThrow());
        assertTrue(refused.getMessage().contains("could not be listed") && refused.getMessage().contains("HTTP 503"), refused.getMessage());

        jobs.admit(null, answering(JobState.IMPORTING));
        assertEquals(2, listed.size(), "listed again on the next start, and admitted");
    }

    @Test
    void aListingRefusedForGoodFailsTheStartWithItsError() {
        final ActiveJobs jobs = new ActiveJobs(1, now::get);
        final ImportApiException failed = assertThrows(ImportApiException.class, () -> jobs.admit(null, server(page -> {
            throw new ImportApiException(ErrorKind.TERMINAL, "list: permission denied (HTTP 403)", 403, "1401", null, false);
        }, answering(JobState.IMPORTING)::describe)));
        assertEquals(ErrorKind.TERMINAL, failed.getKind());
        assertEquals(403, failed.getHttpStatus().orElseThrow());
        assertFalse(failed.isOutcomeUnknown());
        assertEquals(OptionalInt.of(1), jobs.free(), "nothing reserved");
    }

    @Test
    void startsThatAskWhileTheListingRunsWaitForItsOutcome() throws Exception {
        final CountDownLatch listing = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final ActiveJobs.Server slow = server(page -> {
            listing.countDown();
            awaitQuietly(answer);
            return new JobPage(List.of(summary("running", JobState.IMPORTING)), null, page.page(), page.pageSize());
        }, answering(JobState.IMPORTING)::describe);
        final CountDownLatch failing = new CountDownLatch(1);
        final CountDownLatch fail = new CountDownLatch(1);
        final ActiveJobs.Server slowToFail = server(page -> {
            failing.countDown();
            awaitQuietly(fail);
            throw new ImportApiException(ErrorKind.UNAVAILABLE, "list: no answer within 30000 ms", null, "TIMEOUT", null, true);
        }, answering(JobState.IMPORTING)::describe);
        final ExecutorService starts = Executors.newFixedThreadPool(3);
        try {
            final ActiveJobs jobs = new ActiveJobs(5, now::get);
            final Future<?> first = starts.submit(() -> admit(jobs, slow));
            listing.await();
            final List<Future<?>> others = List.of(starts.submit(() -> admit(jobs, slow)), starts.submit(() -> admit(jobs, slow)));
            Thread.sleep(200);
            assertFalse(others.get(0).isDone() || others.get(1).isDone(), "they wait for the listing");
            answer.countDown();
            first.get();
            for (final Future<?> other : others) {
                other.get();
            }
            assertEquals(1, listed.size(), "one listing for all three");
            assertEquals(1, jobs.count());
            assertEquals(OptionalInt.of(1), jobs.free(), "5 less the running job and three starts in flight");

            listed.clear();
            final ActiveJobs unlisted = new ActiveJobs(5, now::get);
            final Future<?> lister = starts.submit(() -> admit(unlisted, slowToFail));
            failing.await();
            final Future<?> waiter = starts.submit(() -> admit(unlisted, slowToFail));
            Thread.sleep(200);
            assertFalse(waiter.isDone());
            fail.countDown();
            for (final Future<?> start : List.of(lister, waiter)) {
                final ExecutionException refused = assertThrows(ExecutionException.class, start::get);
                assertEquals(ErrorKind.UNAVAILABLE, ((ImportApiException) refused.getCause()).getKind(), "the listing's failure, to both");
            }
            assertEquals(1, listed.size(), "the waiter did not list");
            assertEquals(OptionalInt.of(5), unlisted.free(), "nothing reserved");
        } finally {
            starts.shutdownNow();
        }
    }

    private static Void admit(final ActiveJobs jobs, final ActiveJobs.Server server) throws ImportApiException {
        jobs.admit(null, server);
        return null;
    }

    private static void awaitQuietly(final CountDownLatch latch) {
        try {
            latch.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
