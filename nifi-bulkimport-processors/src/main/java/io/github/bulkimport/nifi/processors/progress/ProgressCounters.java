package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.JobTally;
import org.apache.nifi.processor.ProcessSession;

/**
 * GetBulkImportProgress's counters of finished jobs: each job counts once by its ID on each, however
 * many flowfiles share it and whenever they come by.
 */
final class ProgressCounters {

    private final JobTally completed = new JobTally();
    private final JobTally failed = new JobTally();
    private final JobTally expired = new JobTally();

    void completed(final ProcessSession session, final String jobId, final Long importedRows) {
        if (completed.firstTime(jobId)) {
            session.adjustCounter(Counters.JOBS_COMPLETED, 1, false);
            session.adjustCounter(Counters.ROWS_IMPORTED, importedRows == null ? 0 : importedRows, false);
        }
    }

    void failed(final ProcessSession session, final String jobId) {
        if (failed.firstTime(jobId)) {
            session.adjustCounter(Counters.JOBS_FAILED, 1, false);
        }
    }

    void expired(final ProcessSession session, final String jobId) {
        if (expired.firstTime(jobId)) {
            session.adjustCounter(Counters.JOBS_EXPIRED, 1, false);
        }
    }
}
