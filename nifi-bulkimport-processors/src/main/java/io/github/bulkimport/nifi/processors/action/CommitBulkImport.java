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
import org.apache.nifi.annotation.documentation.MultiProcessorUseCase;
import org.apache.nifi.annotation.documentation.ProcessorConfiguration;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "commit", "two-phase"})
@CapabilityDescription("Commits two-phase bulk-import jobs (started with the import option auto_commit = false) that GetBulkImportProgress found "
        + "Uncommitted, so that their rows become visible. One flowfile may name several jobs: a dataset is committed in one step, each job "
        + "once. Each job's state is asked first and decides what is reported, not the answer's code (servers answer a repeated commit with "
        + "success too): a job already Committing or Completed is already committed, so a replay is safe; a Failed job goes to failure.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@ReadsAttributes({
        @ReadsAttribute(attribute = JOB_ID, description = "The job to commit (the default of Job ID)."),
        @ReadsAttribute(attribute = DATABASE, description = "The database of the job (the default of Database Name).")
})
@WritesAttributes({
        @WritesAttribute(attribute = ACTION, description = ACTION_DESC),
        @WritesAttribute(attribute = ERROR_CODE, description = ERROR_CODE_DESC),
        @WritesAttribute(attribute = ERROR_MESSAGE, description = ERROR_MESSAGE_DESC),
        @WritesAttribute(attribute = HTTP_STATUS, description = HTTP_STATUS_DESC)
})
@SeeAlso(classNames = {
        "io.github.bulkimport.nifi.processors.action.AbortBulkImport",
        "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
        "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
        "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService"})
@UseCase(description = "Make the rows of a two-phase import visible once the job is Uncommitted.",
        configuration = """
                Start the job with TriggerBulkImport and the dynamic property auto_commit = false.
                Connect GetBulkImportProgress's uncommitted relationship to this processor; leave Job ID at ${bulkimport.job.id}.
                Connect success to GetBulkImportProgress again to see the job Completed, retry back to this processor, failure to an alert.
                """)
@MultiProcessorUseCase(
        description = "Import a dataset of many files all or nothing: commit every job once all of them are Uncommitted, abort them all if any "
                + "fails, so that no partial dataset ever becomes visible.",
        keywords = {"two-phase", "atomic", "dataset", "all or nothing", "commit", "abort"},
        configurations = {
                @ProcessorConfiguration(processorClassName = "org.apache.nifi.processors.standard.SplitText",
                        configuration = """
                                Give one flowfile per dataset, naming its files one per line (or start from any processor that writes
                                fragment.identifier, fragment.index and fragment.count, such as SplitText or SplitJson).
                                Set Line Split Count to 1; connect splits to ExtractText, which copies the line to dataset.file.
                                """),
                @ProcessorConfiguration(processorClassName = "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
                        configuration = """
                                Set Object URLs to ${dataset.file} and add the dynamic property auto_commit = false.
                                Connect success to GetBulkImportProgress, retry back to TriggerBulkImport.
                                """),
                @ProcessorConfiguration(processorClassName = "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
                        configuration = """
                                Connect running and retry back to GetBulkImportProgress.
                                Connect uncommitted, success, failure and expired to ReplaceText: every job of the dataset reports in.
                                Maximum Wait Time bounds how long a job may wait Uncommitted: a flowfile of an aborted dataset replayed
                                later starts a lone two-phase job, which goes to expired; abort it from there.
                                """),
                @ProcessorConfiguration(processorClassName = "org.apache.nifi.processors.standard.ReplaceText",
                        configuration = """
                                Set Replacement Strategy to Always Replace and Replacement Value to ${bulkimport.job.id} ${bulkimport.state}.
                                """),
                @ProcessorConfiguration(processorClassName = "org.apache.nifi.processors.standard.MergeContent",
                        configuration = """
                                Set Merge Strategy to Defragment, Delimiter Strategy to Text and Demarcator to a line break: one flowfile
                                per dataset, one line per job. Set Max Bin Age to how long a dataset may take; a dataset that does not
                                complete goes to failure, from where AbortBulkImport (Job ID Source = Job ID) aborts each of its jobs.
                                In a cluster, set the Load Balance Strategy of MergeContent's incoming connection to Partition by
                                attribute, with fragment.identifier: a dataset's files are started on every node, and its fragments
                                must meet in one bin, on one node, or a good dataset is aborted after Max Bin Age.
                                """),
                @ProcessorConfiguration(processorClassName = "org.apache.nifi.processors.standard.RouteOnContent",
                        configuration = """
                                Set Match Requirement to content must match exactly and add complete = (\\S+ Uncommitted\\n?)+.
                                Connect complete to CommitBulkImport and unmatched to AbortBulkImport.
                                """),
                @ProcessorConfiguration(processorClassName = "io.github.bulkimport.nifi.processors.action.CommitBulkImport",
                        configuration = """
                                Set Job ID Source to Content. Connect retry back to CommitBulkImport, failure to an alert.
                                """),
                @ProcessorConfiguration(processorClassName = "io.github.bulkimport.nifi.processors.action.AbortBulkImport",
                        configuration = """
                                Set Job ID Source to Content. A job that failed by itself is where an abort leads ("already failed").
                                Connect retry back to AbortBulkImport, failure to an alert.
                                """)
        })
public class CommitBulkImport extends AbstractJobActionProcessor {

    @Override
    Operation operation() {
        return Operation.COMMIT;
    }

    @Override
    String done() {
        return "committed";
    }

    @Override
    void act(final BulkImportConnectionService service, final JobReference job) throws ImportApiException {
        service.commitJob(job);
    }

    @Override
    String verb() {
        return "commit";
    }

    @Override
    String alreadyThere(final JobProgress progress) {
        return progress.state() == JobState.COMMITTING || progress.state() == JobState.COMPLETED ? "already committed" : null;
    }

    @Override
    boolean callWhenAlreadyThere() {
        return false;
    }

    @Override
    String never(final JobProgress progress) {
        return progress.state() == JobState.FAILED ? "a Failed job can never be committed" : null;
    }

    @Override
    String stateOfOwnJobWhenDone() {
        return null;
    }
}
