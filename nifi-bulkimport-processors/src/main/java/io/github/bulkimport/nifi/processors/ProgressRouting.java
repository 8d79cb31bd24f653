package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.Operation;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.github.bulkimport.nifi.processors.BulkImportAttributes.CHECKED_AT;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.ERRORS;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.ERROR_CODE;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.ERROR_MESSAGE;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.PROGRESS;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.PROGRESS_REPORT;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.STATE;
import static io.github.bulkimport.nifi.processors.BulkImportAttributes.SUBMITTED_AT;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.EXPIRED;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.JOB_FAILED;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.REL_EXPIRED;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.REL_FAILURE;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.REL_RETRY;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.REL_RUNNING;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.REL_SUCCESS;
import static io.github.bulkimport.nifi.processors.GetBulkImportProgress.REL_UNCOMMITTED;

/**
 * Routes the flowfiles of one run of GetBulkImportProgress by what the server said of their jobs:
 * a describe answer, a listing's line, or the error that kept the check from being made.
 */
final class ProgressRouting {

    /** A flowfile taken, and what its check needs: its job, database and deadline. */
    record Checked(FlowFile flowFile, JobCheck check) {
    }

    private final ProcessContext context;
    private final ProcessSession session;
    private final BulkImportConnectionService service;
    private final AbstractBulkImportProcessor processor;
    private final ComponentLog log;
    private final String checkedAt;
    private final ProgressCounters counters;
    private final boolean describedAsContent;

    ProgressRouting(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service,
                    final AbstractBulkImportProcessor processor, final ComponentLog log, final String checkedAt, final ProgressCounters counters) {
        this.context = context;
        this.session = session;
        this.service = service;
        this.processor = processor;
        this.log = log;
        this.checkedAt = checkedAt;
        this.counters = counters;
        this.describedAsContent = GetBulkImportProgress.JOB_DESCRIPTION.getValue().equals(context.getProperty(GetBulkImportProgress.OUTPUT_CONTENT).getValue());
    }

    /**
     * Routes a flowfile by its job's describe answer: every figure and per-file result is written, and
     * with Output Content = Job Description, once the flowfile leaves the loop, the answer is its content
     * (the same whether the job was read from a listing or described alone: a running flowfile keeps its content).
     */
    void described(final Checked checked, final JobProgress progress) {
        final String jobId = service.visibleText(checked.check().jobId());
        FlowFile described = session.removeAllAttributes(checked.flowFile(), PROGRESS_REPORT);
        described = session.putAllAttributes(described, JobReport.attributes(progress, checkedAt));
        final boolean running = progress.state() != JobState.COMPLETED && progress.state() != JobState.FAILED;
        final boolean expired = running && Instant.now().isAfter(checked.check().deadline());
        if (describedAsContent && (!running || expired || progress.state() == JobState.UNCOMMITTED)) {
            final byte[] description = JobReport.json(progress);
            described = session.putAttribute(session.write(described, out -> out.write(description)), CoreAttributes.MIME_TYPE.key(), "application/json");
        }
        final String transitUri = service.addressOf(Operation.DESCRIBE);
        switch (progress.state()) {
            case COMPLETED -> {
                counters.completed(session, checked.check().jobId(), progress.importedRows());
                described = session.removeAllAttributes(described, ERRORS);
                session.getProvenanceReporter().invokeRemoteProcess(described, transitUri, "Bulk-import job " + jobId + " Completed");
                session.transfer(described, REL_SUCCESS);
            }
            case FAILED -> {
                counters.failed(session, checked.check().jobId());
                final String message = service.visibleText("Bulk-import job " + jobId + " Failed: " + JobReport.reason(progress));
                log.error(message);
                session.getProvenanceReporter().invokeRemoteProcess(described, transitUri, "Bulk-import job " + jobId + " Failed");
                AbstractBulkImportProcessor.routeWithError(session, described, ErrorAttributes.of(JOB_FAILED, message), REL_FAILURE);
            }
            case UNCOMMITTED -> {
                if (expired) {
                    // a two-phase job nobody commits or aborts would otherwise be polled for ever
                    expired(new Checked(described, checked.check()), jobId, "it is still Uncommitted: nothing committed or aborted it");
                } else {
                    described = session.removeAllAttributes(described, ERRORS);
                    session.getProvenanceReporter().invokeRemoteProcess(described, transitUri, "Bulk-import job " + jobId + " is Uncommitted");
                    // penalized like running: a flow that loops it back polls at the Penalty Duration, not once per trigger
                    session.transfer(session.penalize(described), REL_UNCOMMITTED);
                }
            }
            default -> stillRunning(new Checked(described, checked.check()), progress.state(), progress.rawState());
        }
    }

    /** Routes a flowfile whose job a listing shows still running: state and progress come from the listing. */
    void listedRunning(final Checked checked, final JobSummary summary) {
        final Map<String, String> attributes = new HashMap<>(4);
        attributes.put(STATE, summary.state().displayName(summary.rawState()));
        AbstractBulkImportProcessor.putIfPresent(attributes, PROGRESS, summary.progress());
        attributes.put(CHECKED_AT, checkedAt);
        final FlowFile listed = session.putAllAttributes(session.removeAllAttributes(checked.flowFile(), PROGRESS_REPORT), attributes);
        stillRunning(new Checked(listed, checked.check()), summary.state(), summary.rawState());
    }

    /** Routes a flowfile whose check could not be made. */
    void checkFailed(final Checked checked, final ImportApiException e) {
        final String jobId = service.visibleText(checked.check().jobId());
        if (e.getKind().isRetryable() && Instant.now().isAfter(checked.check().deadline())) {
            processor.throttleGate.slowDown(context, e);
            expired(checked, jobId, "the last check failed: " + e.getMessage());
        } else if (e.getKind() == ErrorKind.JOB_NOT_FOUND) {
            final String message = service.visibleText("Job " + jobId + " is unknown to the server (it never existed, or finished jobs were "
                    + "cleaned up, after 3 hours by default on Milvus): " + e.getMessage());
            log.error(message);
            final Map<String, String> errors = ErrorAttributes.of(e);
            errors.put(ERROR_CODE, "JOB_NOT_FOUND");
            errors.put(ERROR_MESSAGE, message);
            AbstractBulkImportProcessor.routeWithError(session, checked.flowFile(), errors, REL_FAILURE);
        } else {
            processor.routeFailedCall(context, session, service, checked.flowFile(), e, REL_RETRY, REL_FAILURE, "Checking job " + jobId);
        }
    }

    /** Routes a flowfile whose job has not finished: running, penalized, or expired once past the deadline. */
    private void stillRunning(final Checked checked, final JobState state, final String rawState) {
        final String jobId = service.visibleText(checked.check().jobId());
        if (state == JobState.UNKNOWN) {
            log.warn(service.visibleText("Job " + jobId + " reports state " + rawState + ", which this bundle does not know; treating it as running"));
        }
        if (Instant.now().isAfter(checked.check().deadline())) {
            expired(checked, jobId, "it is still " + state.displayName(rawState));
        } else {
            session.transfer(session.penalize(session.removeAllAttributes(checked.flowFile(), ERRORS)), REL_RUNNING);
        }
    }

    private void expired(final Checked checked, final String jobId, final String detail) {
        final String message = service.visibleText("Job " + jobId + " did not finish by " + checked.check().deadline() + " (Maximum Wait Time after "
                + SUBMITTED_AT + "); " + detail);
        log.warn(service.visibleText("Routing flowfile " + checked.flowFile().getAttribute("uuid") + " to expired: " + message));
        counters.expired(session, checked.check().jobId());
        AbstractBulkImportProcessor.routeWithError(session, checked.flowFile(), ErrorAttributes.of(EXPIRED, message), REL_EXPIRED);
    }
}
