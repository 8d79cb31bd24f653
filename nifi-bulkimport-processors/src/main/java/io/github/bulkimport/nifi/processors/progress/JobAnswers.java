package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.processors.common.RunCalls;
import io.github.bulkimport.nifi.processors.progress.ProgressRouting.Checked;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What describe answered about each job during one run of GetBulkImportProgress: a job is described
 * once per run, however many of the run's flowfiles share it, and each gets the same answer; once the
 * server refused a call of the run for now, no job is described any more ({@link RunCalls}).
 */
final class JobAnswers {

    private final BulkImportConnectionService service;
    private final RunCalls run;
    private final IntConsumer calls;
    private final Map<JobReference, Answer> answers = new HashMap<>();

    /** @param calls told of every call made */
    JobAnswers(final BulkImportConnectionService service, final RunCalls run, final IntConsumer calls) {
        this.service = service;
        this.run = run;
        this.calls = calls;
    }

    /** The answer about a job, asked for the first time it is wanted in this run. */
    Answer of(final JobReference job) {
        return answers.computeIfAbsent(job, this::describe);
    }

    private Answer describe(final JobReference job) {
        try {
            return new Answer(run.call(job, () -> service.describeJob(job, calls)), null);
        } catch (final ImportApiException e) {
            return new Answer(null, e);
        }
    }

    /** A describe answer, or why there is none. */
    record Answer(JobProgress progress, ImportApiException failure) {

        void routeTo(final ProgressRouting routing, final Checked checked) {
            if (failure != null) {
                routing.checkFailed(checked, failure);
            } else {
                routing.described(checked, progress);
            }
        }
    }
}
