package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.JobReference;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What GetBulkImportProgress needs to check a flowfile's job, evaluated before anything is sent or changed. */
record JobCheck(String jobId, String database, Instant deadline) {

    static JobCheck of(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
        final List<String> jobIds = JobInput.jobIds(context, GetBulkImportProgress.JOB_ID, flowFile);
        if (jobIds.size() > 1) {
            throw new InvalidInputException("Job ID names " + jobIds.size() + " jobs; GetBulkImportProgress checks one job per flowfile");
        }
        return new JobCheck(jobIds.getFirst(), JobInput.database(context, flowFile),
                JobInput.deadline(flowFile, context.getProperty(GetBulkImportProgress.MAXIMUM_WAIT_TIME).asTimePeriod(TimeUnit.MILLISECONDS)));
    }

    /** The job, as describe names it. */
    JobReference reference() {
        return new JobReference(jobId, database);
    }
}
