package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.processors.common.ObjectSets;
import io.github.bulkimport.nifi.processors.common.Routing;
import io.github.bulkimport.nifi.processors.common.ThrottleGate;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.CHECKED_AT;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.ERRORS;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.ERROR_CODE;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.ERROR_MESSAGE;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.PROGRESS;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.PROGRESS_REPORT;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.PROGRESS_SINCE;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.RESUBMITTED;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.STATE;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.SUBMITTED_AT;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.putIfPresent;

/**
 * Routes the flowfiles of one run of GetBulkImportProgress by what the server said of their jobs:
 * a describe answer, a listing's line, or the error that kept the check from being made.
 */
public final class ProgressRouting extends Routing {

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("The job Completed.")
            .build();

    public static final Relationship REL_UNCOMMITTED = new Relationship.Builder()
            .name("uncommitted")
            .description("The job is Uncommitted: a two-phase import (option auto_commit = false) whose rows are staged and wait for "
                    + "CommitBulkImport, or AbortBulkImport. Penalized, so that a flow looping it back polls at the Penalty Duration; past "
                    + "Maximum Wait Time the job goes to expired instead.")
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

    public static final Relationship REL_RESUBMIT = new Relationship.Builder()
            .name("resubmit")
            .description("The job Failed, but the server named the files that failed and none of them is this flowfile's: loop it back to "
                    + "TriggerBulkImport, which starts a new job for it (bulkimport.replaces.job.id). The Failed job imported nothing, so "
                    + "nothing is imported twice. A flowfile resubmitted 3 times goes to failure.")
            .build();

    public static final String JOB_FAILED = "JOB_FAILED";
    public static final String EXPIRED = "EXPIRED";
    public static final String STALLED = "STALLED";
    static final int MAX_RESUBMITS = 3;

    public static final PropertyDescriptor STALL_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Stall Timeout")
            .description("How long a job may stay Pending, Importing or Committing with no change of state or progress before the flowfile "
                    + "goes to expired with bulkimport.error.code STALLED, long before Maximum Wait Time. Counted from "
                    + PROGRESS_SINCE + ", so it survives restarts. Unset, only Maximum Wait Time applies.")
            .required(false)
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final AllowableValue ORIGINAL_CONTENT = new AllowableValue("Original Content", "Original Content",
            "Leave the content as it is: after an upload processor it is the uploaded file.");
    public static final AllowableValue JOB_DESCRIPTION = new AllowableValue("Job Description", "Job Description",
            "Once the flowfile leaves the polling loop (success, uncommitted, failure or expired after a check), replace the content with "
                    + "the job as the server describes it, every file with its state and reason, as JSON; running flowfiles keep their content. "
                    + "The same whatever Poll Batch Size.");

    public static final PropertyDescriptor OUTPUT_CONTENT = new PropertyDescriptor.Builder()
            .name("Output Content")
            .description("What the flowfile's content is after a check.")
            .required(true)
            .allowableValues(ORIGINAL_CONTENT, JOB_DESCRIPTION)
            .defaultValue(ORIGINAL_CONTENT)
            .build();

    /** A flowfile taken, and what its check needs: its job, database and deadline. */
    record Checked(FlowFile flowFile, JobCheck check) {
    }

    private final String checkedAt;
    private final ProgressCounters counters;
    private final boolean describedAsContent;
    private final Duration stallTimeout;

    ProgressRouting(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final ComponentLog log,
                    final ThrottleGate throttleGate, final String checkedAt, final ProgressCounters counters) {
        super(context, session, service, log, throttleGate, REL_FAILURE, "checking a bulk-import job");
        this.checkedAt = checkedAt;
        this.counters = counters;
        this.describedAsContent = JOB_DESCRIPTION.getValue().equals(context.getProperty(OUTPUT_CONTENT).getValue());
        this.stallTimeout = context.getProperty(STALL_TIMEOUT).isSet()
                ? Duration.ofMillis(context.getProperty(STALL_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)) : null;
    }

    /** A flowfile taken in this run, with the time of the check. */
    FlowFile checked(final FlowFile flowFile) {
        final FlowFile checked = session.putAttribute(flowFile, CHECKED_AT, checkedAt);
        took(checked);
        return checked;
    }

    BulkImportConnectionService service() {
        return service;
    }

    /**
     * Routes a flowfile by its job's describe answer: every figure and per-file result is written, and
     * with Output Content = Job Description, once the flowfile leaves the loop, the answer is its content
     * (the same whether the job was read from a listing or described alone: a running flowfile keeps its content).
     */
    void described(final Checked checked, final JobProgress progress) {
        final String jobId = checked.check().jobId();
        FlowFile described = session.removeAllAttributes(checked.flowFile(), PROGRESS_REPORT);
        described = progressSince(checked.flowFile(), session.putAllAttributes(described, JobDescription.attributes(progress, checkedAt)));
        final boolean running = progress.state() != JobState.COMPLETED && progress.state() != JobState.FAILED;
        final boolean expired = running && Instant.now().isAfter(checked.check().deadline());
        if (describedAsContent && (!running || expired || progress.state() == JobState.UNCOMMITTED)) {
            final byte[] description = JobDescription.json(progress);
            described = session.putAttribute(session.write(described, out -> out.write(description)), CoreAttributes.MIME_TYPE.key(), "application/json");
        }
        final String transitUri = service.addressOf(Operation.DESCRIBE);
        switch (progress.state()) {
            case COMPLETED -> {
                counters.completed(session, jobId, progress.importedRows());
                described = session.removeAllAttributes(described, ERRORS);
                provenance(described, transitUri, "Bulk-import job " + jobId + " Completed");
                transfer(described, REL_SUCCESS);
            }
            case FAILED -> {
                counters.failed(session, jobId);
                provenance(described, transitUri, "Bulk-import job " + jobId + " Failed");
                failed(described, jobId, progress);
            }
            case UNCOMMITTED -> {
                if (expired) {
                    // a two-phase job nobody commits or aborts would otherwise be polled for ever
                    expired(new Checked(described, checked.check()), "it is still Uncommitted: nothing committed or aborted it");
                } else {
                    described = session.removeAllAttributes(described, ERRORS);
                    provenance(described, transitUri, "Bulk-import job " + jobId + " is Uncommitted");
                    // penalized like running: a flow that loops it back polls at the Penalty Duration, not once per trigger
                    transfer(session.penalize(described), REL_UNCOMMITTED);
                }
            }
            default -> stillRunning(new Checked(described, checked.check()), progress.state(), progress.rawState());
        }
    }

    /** Routes a flowfile whose job a listing shows still running: state and progress come from the listing. */
    void listedRunning(final Checked checked, final JobSummary summary) {
        final Map<String, String> attributes = new HashMap<>(4);
        attributes.put(STATE, summary.state().displayName(summary.rawState()));
        putIfPresent(attributes, PROGRESS, summary.progress());
        attributes.put(CHECKED_AT, checkedAt);
        final FlowFile listed = progressSince(checked.flowFile(),
                session.putAllAttributes(session.removeAllAttributes(checked.flowFile(), PROGRESS_REPORT), attributes));
        stillRunning(new Checked(listed, checked.check()), summary.state(), summary.rawState());
    }

    /** Routes a flowfile whose check could not be made. */
    void checkFailed(final Checked checked, final ImportApiException e) {
        final String jobId = checked.check().jobId();
        if (e.getKind().isRetryable() && Instant.now().isAfter(checked.check().deadline())) {
            slowDown(e);
            expired(checked, "the last check failed: " + e.getMessage());
        } else if (e.getKind() == ErrorKind.JOB_NOT_FOUND) {
            final String message = visible("Job " + jobId + " is unknown to the server (it never existed, or finished jobs were "
                    + "cleaned up, after 3 hours by default on Milvus): " + e.getMessage());
            error(message);
            final Map<String, String> errors = errors(e);
            errors.put(ERROR_CODE, "JOB_NOT_FOUND");
            errors.put(ERROR_MESSAGE, message);
            routeWithError(checked.flowFile(), errors, REL_FAILURE);
        } else {
            failedCall(checked.flowFile(), e, REL_RETRY, "Checking job " + jobId);
        }
    }

    /** Routes a flowfile whose job has not finished: running, penalized, or expired once past the deadline. */
    private void stillRunning(final Checked checked, final JobState state, final String rawState) {
        if (state == JobState.UNKNOWN) {
            warn("Job " + checked.check().jobId() + " reports state " + rawState + ", which this bundle does not know; treating it as running");
        }
        final Instant now = Instant.now();
        if (now.isAfter(checked.check().deadline())) {
            expired(checked, "it is still " + state.displayName(rawState));
        } else if (stallTimeout != null && now.isAfter(since(checked.flowFile()).plus(stallTimeout))) {
            stalled(checked, state.displayName(rawState));
        } else {
            transfer(session.penalize(session.removeAllAttributes(checked.flowFile(), ERRORS)), REL_RUNNING);
        }
    }

    private void expired(final Checked checked, final String detail) {
        toExpired(checked, EXPIRED, "Job " + checked.check().jobId() + " did not finish by " + checked.check().deadline()
                + " (Maximum Wait Time after " + SUBMITTED_AT + "); " + detail);
    }

    private void stalled(final Checked checked, final String state) {
        toExpired(checked, STALLED, "Job " + checked.check().jobId() + " is still " + state + " with no change of state or progress since "
                + checked.flowFile().getAttribute(PROGRESS_SINCE) + " (Stall Timeout " + stallTimeout + ")");
    }

    private void toExpired(final Checked checked, final String code, final String text) {
        final String message = visible(text);
        warn("Routing flowfile " + checked.flowFile().getAttribute("uuid") + " to expired: " + message);
        counters.expired(session, checked.check().jobId());
        routeWithError(checked.flowFile(), errors(code, message), REL_EXPIRED);
    }

    /**
     * Routes a flowfile of a Failed job: to resubmit when the server named each failed file whole and none
     * is one this flowfile sent (its job failed on other flowfiles' files), else to failure: a flowfile
     * whose innocence cannot be told for sure is never resubmitted.
     */
    private void failed(final FlowFile flowFile, final String jobId, final JobProgress progress) {
        final String message = "Bulk-import job " + jobId + " Failed: " + JobDescription.reason(progress);
        final FailedFiles failedFiles = new FailedFiles(progress.failedFiles());
        final int resubmitted = resubmitted(flowFile);
        final Optional<List<List<String>>> sent = ObjectSets.of(flowFile);
        if (failedFiles.named() && sent.isPresent() && wholeNames(sent.get()) && failedFiles.spares(sent.get()) && resubmitted < MAX_RESUBMITS) {
            final FlowFile innocent = session.putAttribute(flowFile, RESUBMITTED, String.valueOf(resubmitted + 1));
            // not penalized: the sooner it is in a new job, the sooner the server is busy with it again
            transfer(withErrors(innocent, errors(JOB_FAILED, visible(message + "; this flowfile's files were not among those that failed, so "
                    + "it is resubmitted"))), REL_RESUBMIT);
        } else {
            fail(flowFile, JOB_FAILED, message, REL_FAILURE);
        }
    }

    /** False when a path holds a masked secret (TriggerBulkImport wrote it so): it can no longer be matched with a failed name. */
    private static boolean wholeNames(final List<List<String>> files) {
        return files.stream().flatMap(List::stream).noneMatch(path -> path.contains(BulkImportConnectionService.SECRET_MASK));
    }

    private static int resubmitted(final FlowFile flowFile) {
        try {
            return Math.max(0, Integer.parseInt(Objects.requireNonNullElse(flowFile.getAttribute(RESUBMITTED), "0")));
        } catch (final NumberFormatException e) {
            return MAX_RESUBMITS;
        }
    }

    /** The flowfile as checked, with the time its job's state or progress last changed: now when they differ from what it carried before. */
    private FlowFile progressSince(final FlowFile before, final FlowFile after) {
        final boolean unchanged = before.getAttribute(PROGRESS_SINCE) != null
                && Objects.equals(before.getAttribute(STATE), after.getAttribute(STATE))
                && Objects.equals(before.getAttribute(PROGRESS), after.getAttribute(PROGRESS));
        return session.putAttribute(after, PROGRESS_SINCE, unchanged ? before.getAttribute(PROGRESS_SINCE) : checkedAt);
    }

    /** When the job's progress last changed: the attribute progressSince wrote; an unreadable one counts from now. */
    private Instant since(final FlowFile flowFile) {
        final String since = flowFile.getAttribute(PROGRESS_SINCE);
        try {
            return since == null ? Instant.parse(checkedAt) : Instant.parse(since);
        } catch (final DateTimeParseException e) {
            return Instant.parse(checkedAt);
        }
    }

}
