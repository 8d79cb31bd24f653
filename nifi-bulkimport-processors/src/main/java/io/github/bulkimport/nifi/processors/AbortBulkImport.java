package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.Operation;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;

import static io.github.bulkimport.nifi.processors.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "abort", "cancel", "two-phase"})
@CapabilityDescription("Aborts bulk-import jobs that have not finished, on Milvus: a two-phase job (auto_commit = false) that is Uncommitted, or "
        + "a job still running; its rows never become visible and it ends Failed. One flowfile may name several jobs. Safe on replay: a job "
        + "already Failed counts as aborted; a job already Completed cannot be aborted and goes to failure. Zilliz Cloud does not abort jobs.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@ReadsAttributes({
        @ReadsAttribute(attribute = JOB_ID, description = "The job to abort (the default of Job ID)."),
        @ReadsAttribute(attribute = DATABASE, description = "The database of the job (the default of Database Name).")
})
@WritesAttributes({
        @WritesAttribute(attribute = ACTION, description = ACTION_DESC),
        @WritesAttribute(attribute = ERROR_CODE, description = ERROR_CODE_DESC),
        @WritesAttribute(attribute = ERROR_MESSAGE, description = ERROR_MESSAGE_DESC),
        @WritesAttribute(attribute = HTTP_STATUS, description = HTTP_STATUS_DESC)
})
@SeeAlso(value = {CommitBulkImport.class, GetBulkImportProgress.class, TriggerBulkImport.class},
        classNames = "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService")
@UseCase(description = "Drop a two-phase import that must not become visible, or stop a mistaken or wedged job.",
        configuration = """
                Leave Job ID at ${bulkimport.job.id}, or name the jobs of a dataset, one per line in the content, with Job ID Source = Content.
                Connect success to wherever the abort is reported, retry back to this processor, failure to an alert.
                """)
public class AbortBulkImport extends AbstractJobActionProcessor {

    @Override
    Operation operation() {
        return Operation.ABORT;
    }

    @Override
    String done() {
        return "aborted";
    }

    @Override
    void act(final BulkImportConnectionService service, final JobReference job) throws ImportApiException {
        service.abortJob(job);
    }

    @Override
    String verb() {
        return "abort";
    }

    @Override
    boolean alreadyDone(final JobProgress progress) {
        return progress.state() == JobState.FAILED;
    }

    @Override
    String never(final JobProgress progress) {
        return progress.state() == JobState.COMPLETED ? ": its rows are visible already" : "";
    }
}
