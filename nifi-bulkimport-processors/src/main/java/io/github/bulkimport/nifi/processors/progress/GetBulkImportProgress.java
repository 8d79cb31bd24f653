package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.processors.common.AbstractBulkImportProcessor;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.processors.common.JobInput;
import io.github.bulkimport.nifi.processors.common.RunCalls;
import io.github.bulkimport.nifi.processors.progress.ProgressRouting.Checked;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSettings;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.migration.RelationshipConfiguration;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "progress", "status", "poll"})
@CapabilityDescription("Checks the progress of a Milvus or Zilliz Cloud bulk-import job started by TriggerBulkImport and routes the flowfile by the "
        + "job's state: success when Completed, uncommitted when a two-phase import waits for its commit, running while Pending, Importing or "
        + "Committing (penalized, so a loop from running back to this processor "
        + "polls at the Penalty Duration), failure when Failed or unknown to the server, resubmit when the job Failed on other flowfiles' "
        + "files only, retry on transient errors, and expired when the job has not finished (or, two-phase, been committed or aborted) within "
        + "Maximum Wait Time of bulkimport.submitted.at, or made no progress within Stall Timeout. A job shared by "
        + "several flowfiles is described once per run. It never waits inside the processor, and leaves the content as it is unless Output "
        + "Content asks for the job's description.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@DefaultSettings(penaltyDuration = "10 sec")
@ReadsAttributes({
        @ReadsAttribute(attribute = JOB_ID, description = "The job to check (the default of Job ID)."),
        @ReadsAttribute(attribute = DATABASE, description = "The database of the job (the default of Database Name)."),
        @ReadsAttribute(attribute = SUBMITTED_AT, description = "When the job was started; Maximum Wait Time counts from it. "
                + "Without it, from the time the flowfile entered the flow."),
        @ReadsAttribute(attribute = OBJECT_SETS, description = "The flowfile's files, exactly as sent: when its job Failed, whether they are "
                + "among the files the server names as failed (failure) or not (resubmit)."),
        @ReadsAttribute(attribute = OBJECT_URLS, description = "The flowfile's files, for a flowfile started by an earlier version, without "
                + OBJECT_SETS + ": read only when no line holds \" + \", else the flowfile is not resubmitted."),
        @ReadsAttribute(attribute = PROGRESS_SINCE, description = "When the job's state or progress last changed; Stall Timeout counts from it."),
        @ReadsAttribute(attribute = RESUBMITTED, description = "How many times the flowfile was resubmitted already.")
})
@WritesAttributes({
        @WritesAttribute(attribute = STATE, description = STATE_DESC),
        @WritesAttribute(attribute = PROGRESS, description = PROGRESS_DESC),
        @WritesAttribute(attribute = IMPORTED_ROWS, description = IMPORTED_ROWS_DESC),
        @WritesAttribute(attribute = TOTAL_ROWS, description = TOTAL_ROWS_DESC),
        @WritesAttribute(attribute = FILE_SIZE, description = FILE_SIZE_DESC),
        @WritesAttribute(attribute = REASON, description = REASON_DESC),
        @WritesAttribute(attribute = COMPLETE_TIME, description = COMPLETE_TIME_DESC),
        @WritesAttribute(attribute = FAILED_COUNT, description = FAILED_COUNT_DESC),
        @WritesAttribute(attribute = FAILED_FILES, description = FAILED_FILES_DESC),
        @WritesAttribute(attribute = "mime.type", description = "application/json, when Output Content is Job Description."),
        @WritesAttribute(attribute = CHECKED_AT, description = CHECKED_AT_DESC),
        @WritesAttribute(attribute = PROGRESS_SINCE, description = PROGRESS_SINCE_DESC),
        @WritesAttribute(attribute = RESUBMITTED, description = RESUBMITTED_DESC),
        @WritesAttribute(attribute = ERROR_CODE, description = ERROR_CODE_DESC),
        @WritesAttribute(attribute = ERROR_MESSAGE, description = ERROR_MESSAGE_DESC),
        @WritesAttribute(attribute = HTTP_STATUS, description = HTTP_STATUS_DESC)
})
@SeeAlso(classNames = {
        "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
        "io.github.bulkimport.nifi.processors.action.CommitBulkImport",
        "io.github.bulkimport.nifi.processors.action.AbortBulkImport",
        "io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs",
        "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService"})
@UseCase(description = "Wait for a bulk-import job to finish without holding a thread.",
        configuration = """
                Leave Job ID at ${bulkimport.job.id} and Database Name at ${bulkimport.database}.
                Connect running back to this processor; the Penalty Duration (10 sec by default) is the polling interval.
                Connect retry back to this processor as well.
                Set Maximum Wait Time to the longest an import may take, and connect expired and failure to an alert.
                """)
public class GetBulkImportProgress extends AbstractBulkImportProcessor<ProgressRouting> {

    public static final PropertyDescriptor POLL_BATCH_SIZE = new PropertyDescriptor.Builder()
            .name("Poll Batch Size")
            .description("How many flowfiles one run checks together. The running jobs of one collection and database are read from one list "
                    + "answer (Milvus answers every job at once, Zilliz Cloud 100 per page) rather than one describe each; describe is still "
                    + "asked about every job that has finished or waits Uncommitted (rows, per-file results) and every job the list does not "
                    + "show. 1 describes each job on its own.")
            .required(true)
            .defaultValue("1000")
            .addValidator(StandardValidators.createLongValidator(1, 10_000, true))
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, JobCheck.JOB_ID, JobInput.DATABASE_NAME,
            JobCheck.MAXIMUM_WAIT_TIME, ProgressRouting.STALL_TIMEOUT, ProgressRouting.OUTPUT_CONTENT, POLL_BATCH_SIZE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(ProgressRouting.REL_SUCCESS, ProgressRouting.REL_UNCOMMITTED,
            ProgressRouting.REL_RUNNING, ProgressRouting.REL_FAILURE, ProgressRouting.REL_RESUBMIT, ProgressRouting.REL_RETRY,
            ProgressRouting.REL_EXPIRED);

    private final ProgressCounters counters = new ProgressCounters();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    /**
     * Flows made before uncommitted existed polled Uncommitted jobs on running, and those made before resubmit sent every flowfile of
     * a Failed job to failure: an upgrade keeps them doing so, and valid.
     */
    @Override
    public void migrateRelationships(final RelationshipConfiguration config) {
        split(config, ProgressRouting.REL_RUNNING, ProgressRouting.REL_UNCOMMITTED);
        split(config, ProgressRouting.REL_FAILURE, ProgressRouting.REL_RESUBMIT);
    }

    private static void split(final RelationshipConfiguration config, final Relationship existing, final Relationship added) {
        if (config.hasRelationship(existing.getName()) && !config.hasRelationship(added.getName())) {
            config.splitRelationship(existing.getName(), existing.getName(), added.getName());
        }
    }

    @Override
    protected ProgressRouting routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service) {
        return new ProgressRouting(context, session, service, getLogger(), throttleGate, now(), counters);
    }

    @Override
    protected void trigger(final ProcessContext context, final ProcessSession session, final ProgressRouting routing) {
        final List<FlowFile> flowFiles = session.get(context.getProperty(POLL_BATCH_SIZE).asInteger());
        routing.took(flowFiles);
        final Map<Group, List<Checked>> groups = new LinkedHashMap<>();
        for (final FlowFile taken : flowFiles) {
            routing.guarded(taken, () -> {
                final FlowFile flowFile = routing.checked(taken);
                try {
                    final JobCheck check = JobCheck.of(context, flowFile);
                    groups.computeIfAbsent(new Group(flowFile.getAttribute(COLLECTION), check.database()), group -> new ArrayList<>())
                            .add(new Checked(flowFile, check));
                } catch (final InvalidInputException e) {
                    routing.invalidInput(flowFile, e.getMessage());
                }
            });
        }
        final RunCalls calls = new RunCalls();
        final IntConsumer counted = count -> session.adjustCounter(Counters.HTTP_CALLS, count, false);
        final JobAnswers answers = new JobAnswers(routing.service(), calls, counted);
        groups.forEach((group, checks) -> poll(routing, group, checks, answers, calls, counted));
    }

    /** Flowfiles whose jobs one list answer shows: same collection (from the attribute), same database. */
    private record Group(String collection, String database) {
    }

    /**
     * Checks the jobs of one group: from one listing when there are several, then describe where the
     * listing is not enough: a job finished, Uncommitted, past its deadline or not listed. Once the server
     * refuses a call for now, the run asks nothing more: the flowfiles not checked yet go to retry.
     */
    private static void poll(final ProgressRouting routing, final Group group, final List<Checked> checks, final JobAnswers answers,
                             final RunCalls calls, final IntConsumer counted) {
        Map<String, JobSummary> listed = Map.of();
        final Set<String> jobIds = new LinkedHashSet<>();
        checks.forEach(checked -> jobIds.add(checked.check().jobId()));
        if (jobIds.size() > 1) {
            try {
                listed = calls.call(group, () -> JobListing.find(routing.service(), group.collection(), group.database(), jobIds, counted));
            } catch (final ImportApiException e) {
                if (e.getKind().isRetryable()) {
                    checks.forEach(checked -> routing.guarded(checked.flowFile(), () -> routing.checkFailed(checked, e)));
                    return;
                }
                // a listing is only a shortcut: when it is refused (a collection dropped since, a key allowed to describe but not to
                // list), each job's own describe decides
                final String which = group.collection() == null ? "every collection" : "collection " + group.collection();
                routing.warn("Listing the jobs of " + which + " was refused, so each of its " + jobIds.size() + " jobs is described instead: "
                        + e.getMessage());
            }
        }
        final Instant now = Instant.now();
        for (final Checked checked : checks) {
            final JobSummary summary = listed.get(checked.check().jobId());
            routing.guarded(checked.flowFile(), () -> {
                if (summary == null || summary.state() == JobState.COMPLETED || summary.state() == JobState.FAILED
                        || summary.state() == JobState.UNCOMMITTED || now.isAfter(checked.check().deadline())) {
                    answers.of(checked.check().reference()).routeTo(routing, checked);
                } else {
                    routing.listedRunning(checked, summary);
                }
            });
        }
    }

    @Override
    protected void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog verificationLogger,
                          final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        final String jobId;
        final String database;
        try {
            jobId = blankToNull(context.getProperty(JobCheck.JOB_ID).evaluateAttributeExpressions(attributes).getValue());
            database = blankToNull(context.getProperty(JobInput.DATABASE_NAME).evaluateAttributeExpressions(attributes).getValue());
        } catch (final RuntimeException e) {
            results.add(verification(service, "Describe Job", Outcome.FAILED,
                    "A property's expression could not be evaluated with these attributes: " + e.getMessage()));
            return;
        }
        if (jobId == null) {
            results.add(verification(service, "Describe Job", Outcome.SKIPPED,
                    "Job ID evaluated to an empty value; give a " + BulkImportAttributes.JOB_ID + " attribute to check a real job"));
            return;
        }
        try {
            final JobProgress progress = service.describeJob(new JobReference(jobId, database));
            results.add(verification(service, "Describe Job", Outcome.SUCCESSFUL, "Job " + jobId + " is "
                    + progress.state().displayName(progress.rawState()) + (progress.progress() == null ? "" : " (" + progress.progress() + "%)")));
        } catch (final ImportApiException e) {
            verificationLogger.warn(e.getMessage());
            results.add(verification(service, "Describe Job", Outcome.FAILED, e.getMessage()));
        }
    }
}
