package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.Operation;
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
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.migration.RelationshipConfiguration;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.github.bulkimport.nifi.processors.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "progress", "status", "poll"})
@CapabilityDescription("Checks the progress of a Milvus or Zilliz Cloud bulk-import job started by TriggerBulkImport and routes the flowfile by the "
        + "job's state: success when Completed, uncommitted when a two-phase import waits for its commit, running while Pending, Importing or "
        + "Committing (penalized, so a loop from running back to this processor "
        + "polls at the Penalty Duration), failure when Failed or unknown to the server, retry on transient errors, and expired when the job "
        + "has not finished within Maximum Wait Time of bulkimport.submitted.at. It never waits inside the processor, and leaves the content as it is "
        + "unless Output Content asks for the job's description.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@DefaultSettings(penaltyDuration = "10 sec")
@ReadsAttributes({
        @ReadsAttribute(attribute = JOB_ID, description = "The job to check (the default of Job ID)."),
        @ReadsAttribute(attribute = DATABASE, description = "The database of the job (the default of Database Name)."),
        @ReadsAttribute(attribute = SUBMITTED_AT, description = "When the job was started; Maximum Wait Time counts from it. "
                + "Without it, from the time the flowfile entered the flow.")
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
        @WritesAttribute(attribute = ERROR_CODE, description = ERROR_CODE_DESC),
        @WritesAttribute(attribute = ERROR_MESSAGE, description = ERROR_MESSAGE_DESC),
        @WritesAttribute(attribute = HTTP_STATUS, description = HTTP_STATUS_DESC)
})
@SeeAlso(value = {TriggerBulkImport.class, CommitBulkImport.class, AbortBulkImport.class, ListBulkImportJobs.class}, classNames = "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService")
@UseCase(description = "Wait for a bulk-import job to finish without holding a thread.",
        configuration = """
                Leave Job ID at ${bulkimport.job.id} and Database Name at ${bulkimport.database}.
                Connect running back to this processor; the Penalty Duration (10 sec by default) is the polling interval.
                Connect retry back to this processor as well.
                Set Maximum Wait Time to the longest an import may take, and connect expired and failure to an alert.
                """)
public class GetBulkImportProgress extends AbstractBulkImportProcessor {

    public static final PropertyDescriptor JOB_ID = new PropertyDescriptor.Builder()
            .name("Job ID")
            .description("The import job to check.")
            .required(true)
            .defaultValue("${" + BulkImportAttributes.JOB_ID + "}")
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor DATABASE_NAME = JobInput.DATABASE_NAME;

    public static final PropertyDescriptor MAXIMUM_WAIT_TIME = new PropertyDescriptor.Builder()
            .name("Maximum Wait Time")
            .description("How long after " + SUBMITTED_AT + " a job may still be unfinished; after that the flowfile goes to "
                    + "expired. Counted from attributes, so it survives restarts. Milvus forgets finished jobs after 3 hours by default.")
            .required(true)
            .defaultValue("24 hours")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final AllowableValue ORIGINAL_CONTENT = new AllowableValue("Original Content", "Original Content",
            "Leave the content as it is: after an upload processor it is the uploaded file.");
    static final AllowableValue JOB_DESCRIPTION = new AllowableValue("Job Description", "Job Description",
            "Replace the content with the job as the server describes it, every file with its state and reason, as JSON.");

    public static final PropertyDescriptor OUTPUT_CONTENT = new PropertyDescriptor.Builder()
            .name("Output Content")
            .description("What the flowfile's content is after a check.")
            .required(true)
            .allowableValues(ORIGINAL_CONTENT, JOB_DESCRIPTION)
            .defaultValue(ORIGINAL_CONTENT)
            .build();

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

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("The job Completed.")
            .build();

    public static final Relationship REL_UNCOMMITTED = new Relationship.Builder()
            .name("uncommitted")
            .description("The job is Uncommitted: a two-phase import (option auto_commit = false) whose rows are staged and wait for "
                    + "CommitBulkImport, or AbortBulkImport. Not penalized.")
            .build();

    public static final Relationship REL_RUNNING = new Relationship.Builder()
            .name("running")
            .description("The job is still Pending, Importing or Committing (or in a state this bundle does not know). Flowfiles are "
                    + "penalized: loop this relationship back to the processor.")
            .build();

    public static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("The job Failed (bulkimport.reason says why), the server no longer knows it, or the check cannot succeed as configured.")
            .build();

    public static final Relationship REL_RETRY = new Relationship.Builder()
            .name("retry")
            .description("The check itself failed for a transient reason (I/O, timeout, HTTP 429 or 5xx). Flowfiles are penalized.")
            .build();

    public static final Relationship REL_EXPIRED = new Relationship.Builder()
            .name("expired")
            .description("The job did not finish within Maximum Wait Time.")
            .build();

    static final String JOB_FAILED = "JOB_FAILED";
    static final String EXPIRED = "EXPIRED";

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, JOB_ID, DATABASE_NAME, MAXIMUM_WAIT_TIME, OUTPUT_CONTENT,
            POLL_BATCH_SIZE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_UNCOMMITTED, REL_RUNNING, REL_FAILURE, REL_RETRY, REL_EXPIRED);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    /** Flows made before uncommitted existed polled Uncommitted jobs on running: an upgrade keeps them doing so, and valid. */
    @Override
    public void migrateRelationships(final RelationshipConfiguration config) {
        if (config.hasRelationship(REL_RUNNING) && !config.hasRelationship(REL_UNCOMMITTED)) {
            config.splitRelationship(REL_RUNNING.getName(), REL_RUNNING.getName(), REL_UNCOMMITTED.getName());
        }
    }

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        if (throttleGate.holdsBack(context)) {
            return;
        }
        final List<FlowFile> flowFiles = session.get(context.getProperty(POLL_BATCH_SIZE).asInteger());
        if (flowFiles.isEmpty()) {
            return;
        }
        final BulkImportConnectionService service = connectionService(context);
        final String checkedAt = now();
        final Map<Group, List<Checked>> groups = new LinkedHashMap<>();
        for (final FlowFile flowFile : flowFiles) {
            try {
                final Check check = Check.of(context, flowFile);
                groups.computeIfAbsent(new Group(flowFile.getAttribute(COLLECTION), check.database()), group -> new ArrayList<>())
                        .add(new Checked(session.putAttribute(flowFile, CHECKED_AT, checkedAt), check));
            } catch (final InvalidInputException e) {
                routeInvalidInput(session, service, session.putAttribute(flowFile, CHECKED_AT, checkedAt), e.getMessage(), REL_FAILURE);
            } catch (final RuntimeException unexpected) {
                routeUnexpected(session, service, session.putAttribute(flowFile, CHECKED_AT, checkedAt), unexpected, "checking a bulk-import job",
                        REL_FAILURE);
            }
        }
        groups.forEach((group, checks) -> poll(context, session, service, group, checks, checkedAt));
    }

    /** Flowfiles whose jobs one list answer shows: same collection (from the attribute), same database. */
    private record Group(String collection, String database) {
    }

    private record Checked(FlowFile flowFile, Check check) {
    }

    /** Checks the jobs of one group: from one listing when there are several, then describe where the listing is not enough. */
    private void poll(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final Group group,
                      final List<Checked> checks, final String checkedAt) {
        Map<String, JobSummary> listed = Map.of();
        if (checks.size() > 1) {
            try {
                listed = JobListing.find(service, group.collection(), group.database(), checks.stream().map(c -> c.check().jobId()).toList(),
                        calls -> session.adjustCounter(Counters.HTTP_CALLS, calls, false));
            } catch (final ImportApiException e) {
                checks.forEach(checked -> routeCheckFailure(context, session, service, checked, e));
                return;
            }
        }
        for (final Checked checked : checks) {
            try {
                final JobSummary summary = listed.get(checked.check().jobId());
                if (summary == null || summary.state() == JobState.COMPLETED || summary.state() == JobState.FAILED
                        || summary.state() == JobState.UNCOMMITTED) {
                    describe(context, session, service, checked, checkedAt);
                } else {
                    routeStillRunning(session, service, checked, summary.state(), summary.rawState(), listedAttributes(summary, checkedAt));
                }
            } catch (final RuntimeException unexpected) {
                routeUnexpected(session, service, checked.flowFile(), unexpected, "checking a bulk-import job", REL_FAILURE);
            }
        }
    }

    private static Map<String, String> listedAttributes(final JobSummary summary, final String checkedAt) {
        final Map<String, String> attributes = new HashMap<>(4);
        attributes.put(STATE, summary.state().displayName(summary.rawState()));
        putIfPresent(attributes, PROGRESS, summary.progress());
        attributes.put(CHECKED_AT, checkedAt);
        return attributes;
    }

    /** What a check needs from the flowfile, evaluated before anything is sent or changed. */
    private record Check(String jobId, String database, Instant deadline) {

        static Check of(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
            final List<String> jobIds = JobInput.jobIds(context, JOB_ID, flowFile);
            if (jobIds.size() > 1) {
                throw new InvalidInputException("Job ID names " + jobIds.size() + " jobs; GetBulkImportProgress checks one job per flowfile");
            }
            return new Check(jobIds.getFirst(), JobInput.database(context, flowFile),
                    JobInput.deadline(flowFile, context.getProperty(MAXIMUM_WAIT_TIME).asTimePeriod(TimeUnit.MILLISECONDS)));
        }
    }

    private void describe(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final Checked checked,
                          final String checkedAt) {
        final Check check = checked.check();
        final String jobId = service.visibleText(check.jobId());
        final JobProgress progress;
        try {
            session.adjustCounter(Counters.HTTP_CALLS, 1, false);
            progress = service.describeJob(new JobReference(check.jobId(), check.database()));
        } catch (final ImportApiException e) {
            routeCheckFailure(context, session, service, checked, e);
            return;
        }

        FlowFile described = session.removeAllAttributes(checked.flowFile(), PROGRESS_REPORT);
        described = session.putAllAttributes(described, JobReport.attributes(progress, checkedAt));
        if (JOB_DESCRIPTION.getValue().equals(context.getProperty(OUTPUT_CONTENT).getValue())) {
            final byte[] description = JobReport.json(progress);
            described = session.putAttribute(session.write(described, out -> out.write(description)), CoreAttributes.MIME_TYPE.key(), "application/json");
        }
        final String transitUri = service.addressOf(Operation.DESCRIBE);
        final boolean countsTheJob = countsTheJob(described);
        switch (progress.state()) {
            case COMPLETED -> {
                if (countsTheJob) {
                    session.adjustCounter(Counters.JOBS_COMPLETED, 1, false);
                    session.adjustCounter(Counters.ROWS_IMPORTED, progress.importedRows() == null ? 0 : progress.importedRows(), false);
                }
                described = session.removeAllAttributes(described, ERRORS);
                session.getProvenanceReporter().invokeRemoteProcess(described, transitUri, "Bulk-import job " + jobId + " Completed");
                session.transfer(described, REL_SUCCESS);
            }
            case UNCOMMITTED -> {
                described = session.removeAllAttributes(described, ERRORS);
                session.getProvenanceReporter().invokeRemoteProcess(described, transitUri, "Bulk-import job " + jobId + " is Uncommitted");
                session.transfer(described, REL_UNCOMMITTED);
            }
            case FAILED -> {
                if (countsTheJob) {
                    session.adjustCounter(Counters.JOBS_FAILED, 1, false);
                }
                final String message = service.visibleText("Bulk-import job " + jobId + " Failed: " + JobReport.reason(progress));
                getLogger().error(message);
                session.getProvenanceReporter().invokeRemoteProcess(described, transitUri, "Bulk-import job " + jobId + " Failed");
                routeWithError(session, described, ErrorAttributes.of(JOB_FAILED, message), REL_FAILURE);
            }
            default -> routeStillRunning(session, service, new Checked(described, check), progress.state(), progress.rawState(), Map.of());
        }
    }

    /** A job counts once on the counters, though several flowfiles share it: by the first of its batch. */
    private static boolean countsTheJob(final FlowFile flowFile) {
        final String index = flowFile.getAttribute(BATCH_INDEX);
        return index == null || "0".equals(index);
    }

    /** Routes a flowfile whose job has not finished: running, penalized, or expired once past the deadline. */
    private void routeStillRunning(final ProcessSession session, final BulkImportConnectionService service, final Checked checked, final JobState state,
                                   final String rawState, final Map<String, String> listed) {
        final String jobId = service.visibleText(checked.check().jobId());
        FlowFile flowFile = checked.flowFile();
        if (!listed.isEmpty()) {
            flowFile = session.putAllAttributes(session.removeAllAttributes(flowFile, PROGRESS_REPORT), listed);
        }
        if (state == JobState.UNKNOWN) {
            getLogger().warn(service.visibleText("Job " + jobId + " reports state " + rawState + ", which this bundle does not know; treating it as running"));
        }
        if (Instant.now().isAfter(checked.check().deadline())) {
            routeExpired(session, service, flowFile, jobId, checked.check().deadline(), "it is still " + state.displayName(rawState));
        } else {
            session.transfer(session.penalize(session.removeAllAttributes(flowFile, ERRORS)), REL_RUNNING);
        }
    }

    /** Routes a flowfile whose check could not be made. */
    private void routeCheckFailure(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service,
                                   final Checked checked, final ImportApiException e) {
        final String jobId = service.visibleText(checked.check().jobId());
        if (e.getKind().isRetryable() && Instant.now().isAfter(checked.check().deadline())) {
            throttleGate.slowDown(context, e);
            routeExpired(session, service, checked.flowFile(), jobId, checked.check().deadline(), "the last check failed: " + e.getMessage());
        } else if (e.getKind() == ErrorKind.JOB_NOT_FOUND) {
            final String message = service.visibleText("Job " + jobId + " is unknown to the server (it never existed, or finished jobs were "
                    + "cleaned up, after 3 hours by default on Milvus): " + e.getMessage());
            getLogger().error(message);
            final Map<String, String> errors = ErrorAttributes.of(e);
            errors.put(ERROR_CODE, "JOB_NOT_FOUND");
            errors.put(ERROR_MESSAGE, message);
            routeWithError(session, checked.flowFile(), errors, REL_FAILURE);
        } else {
            routeFailedCall(context, session, service, checked.flowFile(), e, REL_RETRY, REL_FAILURE, "Checking job " + jobId);
        }
    }

    private void routeExpired(final ProcessSession session, final BulkImportConnectionService service, final FlowFile flowFile, final String jobId,
                              final Instant deadline, final String detail) {
        final String message = service.visibleText("Job " + jobId + " did not finish by " + deadline + " (Maximum Wait Time after "
                + SUBMITTED_AT + "); " + detail);
        getLogger().warn(service.visibleText("Routing flowfile " + flowFile.getAttribute("uuid") + " to expired: " + message));
        session.adjustCounter(Counters.JOBS_EXPIRED, 1, false);
        routeWithError(session, flowFile, ErrorAttributes.of(EXPIRED, message), REL_EXPIRED);
    }

    @Override
    void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog verificationLogger,
                final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        final String jobId;
        final String database;
        try {
            jobId = blankToNull(context.getProperty(JOB_ID).evaluateAttributeExpressions(attributes).getValue());
            database = blankToNull(context.getProperty(DATABASE_NAME).evaluateAttributeExpressions(attributes).getValue());
        } catch (final RuntimeException e) {
            results.add(verification("Describe Job", Outcome.FAILED,
                    service.visibleText("A property's expression could not be evaluated with these attributes: " + e.getMessage())));
            return;
        }
        if (jobId == null) {
            results.add(verification("Describe Job", Outcome.SKIPPED,
                    "Job ID evaluated to an empty value; give a " + BulkImportAttributes.JOB_ID + " attribute to check a real job"));
            return;
        }
        try {
            final JobProgress progress = service.describeJob(new JobReference(jobId, database));
            results.add(verification("Describe Job", Outcome.SUCCESSFUL, service.visibleText("Job " + jobId + " is "
                    + progress.state().displayName(progress.rawState()) + (progress.progress() == null ? "" : " (" + progress.progress() + "%)"))));
        } catch (final ImportApiException e) {
            verificationLogger.warn(e.getMessage());
            results.add(verification("Describe Job", Outcome.FAILED, e.getMessage()));
        }
    }
}
