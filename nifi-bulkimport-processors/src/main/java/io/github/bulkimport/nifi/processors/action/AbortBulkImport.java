package io.github.bulkimport.nifi.processors.action;

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

import java.util.regex.Pattern;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "abort", "cancel", "two-phase"})
@CapabilityDescription("Aborts bulk-import jobs that have not finished, on Milvus: a two-phase job (auto_commit = false) that is Uncommitted, or "
        + "a job still running; its rows never become visible and it ends Failed. One flowfile may name several jobs, each aborted once. Each "
        + "job's state is asked first and decides what is reported: a job already Failed is where an abort leads (already aborted, or already "
        + "failed when it failed by itself), so a replay is safe; a job Committing or Completed cannot be aborted and goes to failure. The "
        + "flowfile's own job (bulkimport.job.id) aborted, bulkimport.state becomes Failed, so that sent back to TriggerBulkImport it starts a "
        + "new job. Zilliz Cloud does not abort jobs.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@ReadsAttributes({
        @ReadsAttribute(attribute = JOB_ID, description = "The job to abort (the default of Job ID)."),
        @ReadsAttribute(attribute = DATABASE, description = "The database of the job (the default of Database Name).")
})
@WritesAttributes({
        @WritesAttribute(attribute = ACTION, description = ACTION_DESC),
        @WritesAttribute(attribute = STATE, description = "Failed, when the flowfile's own job (bulkimport.job.id) is among the jobs aborted."),
        @WritesAttribute(attribute = ERROR_CODE, description = ERROR_CODE_DESC),
        @WritesAttribute(attribute = ERROR_MESSAGE, description = ERROR_MESSAGE_DESC),
        @WritesAttribute(attribute = HTTP_STATUS, description = HTTP_STATUS_DESC)
})
@SeeAlso(classNames = {
        "io.github.bulkimport.nifi.processors.action.CommitBulkImport",
        "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
        "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
        "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService"})
@UseCase(description = "Drop a two-phase import that must not become visible, or stop a mistaken or wedged job.",
        configuration = """
                Leave Job ID at ${bulkimport.job.id}, or name the jobs of a dataset, one per line in the content, with Job ID Source = Content.
                Connect success to wherever the abort is reported, retry back to this processor, failure to an alert.
                """)
public class AbortBulkImport extends AbstractJobActionProcessor {

    private static final Pattern ABORTED = Pattern.compile("abort", Pattern.CASE_INSENSITIVE);

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

    /**
     * A Failed job is where an abort leads. Its reason tells an earlier abort (Milvus writes a reason of
     * its own for a job aborted by a client) from a job that failed by itself.
     */
    @Override
    String alreadyThere(final JobProgress progress) {
        if (progress.state() != JobState.FAILED) {
            return null;
        }
        final String reason = progress.reason();
        return reason != null && ABORTED.matcher(reason).find() ? "already aborted" : "already failed";
    }

    /** Aborting a failed two-phase job releases its copy on a replicating (CDC) peer; servers answer it with success, or refuse it harmlessly. */
    @Override
    boolean callWhenAlreadyThere() {
        return true;
    }

    @Override
    String never(final JobProgress progress) {
        return switch (progress.state()) {
            case COMPLETED -> "its rows are visible already";
            case COMMITTING -> "it is being committed, its rows becoming visible";
            default -> null;
        };
    }

    @Override
    String stateOfOwnJobWhenDone() {
        return JobState.FAILED.apiName();
    }
}
