package io.github.bulkimport.nifi.service;

import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ActiveJobsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<String> described = new ArrayList<>();

    private ActiveJobs.Describer answering(final JobState state) {
        return job -> {
            described.add(job.jobId());
            return new JobProgress(job.jobId(), null, state, state.name(), 100, 0L, 0L, 0L, null, null, List.of());
        };
    }

    @Test
    void startsBeyondTheLimitAreRefusedAsThrottledUntilAJobIsSeenFinished() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(2, now::get);
        jobs.admit(answering(JobState.IMPORTING));
        jobs.started(new JobReference("1", null));
        jobs.admit(answering(JobState.IMPORTING));
        assertEquals(ErrorKind.THROTTLED, assertThrows(ImportApiException.class, () -> jobs.admit(answering(JobState.IMPORTING))).getKind(),
                "one job and one start in flight fill a limit of 2");
        jobs.started(new JobReference("2", null));
        assertEquals(2, jobs.count());

        jobs.seen("1", JobState.UNCOMMITTED);
        assertThrows(ImportApiException.class, () -> jobs.admit(answering(JobState.IMPORTING)), "an Uncommitted job still counts");
        jobs.seen("1", JobState.COMPLETED);
        jobs.admit(answering(JobState.IMPORTING));
        jobs.released();
        jobs.admit(answering(JobState.IMPORTING));
        assertEquals(List.of(), described, "nothing described while every job was seen lately, and a start that made no job freed its room");
    }

    @Test
    void aFullNodeDescribesTheJobsItHasNotSeenForAWhile() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(1, now::get);
        jobs.admit(answering(JobState.IMPORTING));
        jobs.started(new JobReference("lost", "db"));
        assertThrows(ImportApiException.class, () -> jobs.admit(answering(JobState.COMPLETED)));
        assertEquals(List.of(), described, "seen at its start, 0 s ago");

        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS);
        jobs.admit(answering(JobState.COMPLETED));
        assertEquals(List.of("lost"), described, "a job whose flowfile went elsewhere is looked up, and no longer counts");
        assertEquals(0, jobs.count());
    }

    @Test
    void aJobTheServerNoLongerKnowsIsFinishedAndADescriptionThatFailsKeepsTheNodeFull() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(1, now::get);
        jobs.admit(answering(JobState.IMPORTING));
        jobs.started(new JobReference("cleaned", null));
        now.addAndGet(ActiveJobs.RECHECK_AFTER_MILLIS);

        final ImportApiException refused = assertThrows(ImportApiException.class,
                () -> jobs.admit(job -> {
                    throw new ImportApiException(ErrorKind.UNAVAILABLE, "describe timed out", null, null, null, true);
                }));
        assertEquals(ErrorKind.THROTTLED, refused.getKind(), "refused as a full node, not failed with the description's error");
        assertFalse(refused.isOutcomeUnknown());
        assertEquals(1, jobs.count());

        jobs.admit(job -> {
            throw new ImportApiException(ErrorKind.JOB_NOT_FOUND, "import job does not exist");
        });
        assertEquals(0, jobs.count(), "a job the server cleaned up no longer counts");
    }

    @Test
    void withoutALimitNothingIsCounted() throws ImportApiException {
        final ActiveJobs jobs = new ActiveJobs(0, now::get);
        for (int i = 0; i < 5; i++) {
            jobs.admit(answering(JobState.IMPORTING));
            jobs.started(new JobReference(String.valueOf(i), null));
        }
        assertEquals(0, jobs.count());
    }
}
