package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.processors.common.JobInput;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What GetBulkImportProgress needs to check a flowfile's job, evaluated before anything is sent or changed. */
record JobCheck(String jobId, String database, Instant deadline) {

    static final PropertyDescriptor JOB_ID = new PropertyDescriptor.Builder()
            .name("Job ID")
            .description("The import job to check.")
            .required(true)
            .defaultValue("${" + BulkImportAttributes.JOB_ID + "}")
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor MAXIMUM_WAIT_TIME = new PropertyDescriptor.Builder()
            .name("Maximum Wait Time")
            .description("How long after " + BulkImportAttributes.SUBMITTED_AT + " a job may still be unfinished, or Uncommitted (a two-phase "
                    + "job that nothing commits or aborts); after that the flowfile goes to expired. Counted from attributes, so it survives restarts. Milvus "
                    + "forgets finished jobs after 3 hours by default.")
            .required(true)
            .defaultValue("24 hours")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static JobCheck of(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
        final List<String> jobIds = JobInput.jobIds(context, JOB_ID, flowFile);
        if (jobIds.size() > 1) {
            throw new InvalidInputException("Job ID names " + jobIds.size() + " jobs; GetBulkImportProgress checks one job per flowfile");
        }
        return new JobCheck(jobIds.getFirst(), JobInput.database(context, flowFile),
                JobInput.deadline(flowFile, context.getProperty(MAXIMUM_WAIT_TIME).asTimePeriod(TimeUnit.MILLISECONDS)));
    }

    /** The job, as describe names it. */
    JobReference reference() {
        return new JobReference(jobId, database);
    }
}
