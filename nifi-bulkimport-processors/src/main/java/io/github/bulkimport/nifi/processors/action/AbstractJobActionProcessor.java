package io.github.bulkimport.nifi.processors.action;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.processors.common.AbstractBulkImportProcessor;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.processors.common.JobInput;
import io.github.bulkimport.nifi.processors.common.Routing;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.blankToNull;

/**
 * What CommitBulkImport and AbortBulkImport share: the jobs a flowfile names (in attributes or, one
 * per line, in its content), each acted on once, and routing that is safe on replay: each job's state,
 * asked before acting, says whether it is where the action leads already, and that is reported.
 */
public abstract class AbstractJobActionProcessor extends AbstractBulkImportProcessor<Routing> {

    public static final AllowableValue FROM_PROPERTY = new AllowableValue("Job ID", "Job ID", "The jobs named by the Job ID property.");
    public static final AllowableValue FROM_CONTENT = new AllowableValue("Content", "Content",
            "The jobs named in the flowfile's content, one per line (the first word of each line), such as MergeContent makes of a dataset.");

    public static final PropertyDescriptor JOB_ID = new PropertyDescriptor.Builder()
            .name("Job ID")
            .description("The job, or several jobs separated by commas, spaces or line breaks.")
            .required(true)
            .defaultValue("${" + BulkImportAttributes.JOB_ID + "}")
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor JOB_ID_SOURCE = new PropertyDescriptor.Builder()
            .name("Job ID Source")
            .description("Where the jobs to act on are named.")
            .required(true)
            .allowableValues(FROM_PROPERTY, FROM_CONTENT)
            .defaultValue(FROM_PROPERTY)
            .build();

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("Every job named is in the state the action leads to; bulkimport.action says, job by job, whether this processor took it there.")
            .build();

    public static final Relationship REL_RETRY = new Relationship.Builder()
            .name("retry")
            .description("A transient problem (I/O, timeout, HTTP 429 or 5xx): loop back. Acting again on a job already done is safe. Penalized.")
            .build();

    public static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("A job cannot be taken where the action leads (for example, it is not a two-phase job, or it already finished "
                    + "the other way), or the input is bad; bulkimport.error.message says which job and why. Penalized.")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, JOB_ID_SOURCE, JOB_ID, JobInput.DATABASE_NAME);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_RETRY, REL_FAILURE);

    /** The operation, for provenance. */
    abstract Operation operation();

    /** The action's name in messages and in {@code bulkimport.action}: "committed" or "aborted". */
    abstract String done();

    /** Calls the server for one job. */
    abstract void act(BulkImportConnectionService service, JobReference job) throws ImportApiException;

    /** The action's verb in messages: "commit" or "abort". */
    abstract String verb();

    /**
     * What a job's state says was done before this processor came: the outcome to report ("already
     * committed"...) when the job is where the action leads already, or {@code null} when it is not.
     */
    abstract String alreadyThere(JobProgress progress);

    /** Whether to call the server for a job that is where the action leads already (an abort releases a replicating peer). */
    abstract boolean callWhenAlreadyThere();

    /** Why a job in this state can never be taken where the action leads, or {@code null} when it might. */
    abstract String never(JobProgress progress);

    /** What {@code bulkimport.state} becomes when the flowfile's own job is done, or {@code null} to leave it. */
    abstract String stateOfOwnJobWhenDone();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @Override
    protected Routing routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service) {
        return new Routing(context, session, service, getLogger(), throttleGate, REL_FAILURE, "acting on bulk-import jobs");
    }

    @Override
    protected void trigger(final ProcessContext context, final ProcessSession session, final Routing routing) {
        final FlowFile flowFile = session.get();
        if (flowFile == null) {
            return;
        }
        routing.took(flowFile);
        final BulkImportConnectionService service = connectionService(context);
        final List<JobReference> jobs;
        try {
            jobs = jobs(context, session, flowFile);
        } catch (final InvalidInputException e) {
            routing.invalidInput(flowFile, e.getMessage());
            return;
        }
        final List<String> outcomes = new ArrayList<>(jobs.size());
        for (final JobReference job : jobs) {
            try {
                final String outcome = actOn(session, service, job);
                outcomes.add(outcome);
                routing.provenance(flowFile, service.addressOf(operation()), "Bulk-import job " + job.jobId() + " " + outcome);
            } catch (final ImportApiException e) {
                final String which = "Job " + job.jobId() + " could not be " + done()
                        + (jobs.size() > 1 ? " (" + outcomes.size() + " of " + jobs.size() + " jobs done before it)" : "");
                routing.failedCall(flowFile, naming(routing, which, e), REL_RETRY, "Acting on bulk-import jobs");
                return;
            }
        }
        FlowFile updated = session.removeAllAttributes(flowFile, BulkImportAttributes.ERRORS);
        updated = session.putAttribute(updated, BulkImportAttributes.ACTION, String.join(", ", outcomes));
        final String ownJob = flowFile.getAttribute(BulkImportAttributes.JOB_ID);
        if (stateOfOwnJobWhenDone() != null && jobs.stream().anyMatch(job -> job.jobId().equals(ownJob))) {
            // sent back to TriggerBulkImport, the flowfile then starts a new job, as after a failure, rather than re-attach to this one
            updated = session.putAttribute(updated, BulkImportAttributes.STATE, stateOfOwnJobWhenDone());
        }
        routing.transfer(updated, REL_SUCCESS);
    }

    /**
     * Takes one job where the action leads, deciding from its state rather than from the answer's code:
     * servers answer a repeated commit, or an abort of a failed job, alike with success. Returns what was
     * done, as {@code bulkimport.action} says it.
     */
    private String actOn(final ProcessSession session, final BulkImportConnectionService service, final JobReference job) throws ImportApiException {
        final JobProgress before = describe(session, service, job);
        final String already = alreadyThere(before);
        if (already != null) {
            if (callWhenAlreadyThere()) {
                try {
                    call(session, service, job);
                } catch (final ImportApiException refusal) {
                    if (refusal.getKind().isRetryable()) {
                        throw refusal;
                    }
                    // a server that refuses to act on a job already there: it is there all the same
                }
            }
            return already;
        }
        final String never = never(before);
        if (never != null) {
            throw refused(before, never, null);
        }
        try {
            call(session, service, job);
            return done();
        } catch (final ImportApiException refusal) {
            if (refusal.getKind().isRetryable()) {
                throw refusal;
            }
            // the job moved between the describe and the call, or the answer was unreadable: where is it now?
            final JobProgress after = describe(session, service, job);
            final String alreadyNow = alreadyThere(after);
            if (alreadyNow != null) {
                return alreadyNow;
            }
            if (refusal.isOutcomeUnknown()) {
                // the answer was unreadable, not a refusal: it is the error to report
                throw refusal;
            }
            throw refused(after, never(after), refusal);
        }
    }

    private void call(final ProcessSession session, final BulkImportConnectionService service, final JobReference job) throws ImportApiException {
        session.adjustCounter(Counters.HTTP_CALLS, 1, false);
        act(service, job);
    }

    private static JobProgress describe(final ProcessSession session, final BulkImportConnectionService service, final JobReference job)
            throws ImportApiException {
        return service.describeJob(job, calls -> session.adjustCounter(Counters.HTTP_CALLS, calls, false));
    }

    /** A job whose state keeps it from where the action leads: {@code refusal} is the server's answer, or {@code null} when none was asked for. */
    private ImportApiException refused(final JobProgress progress, final String never, final ImportApiException refusal) {
        final String state = progress.state().displayName(progress.rawState());
        if (refusal == null) {
            return new ImportApiException(ErrorKind.TERMINAL, "Job " + progress.jobId() + " is " + state + ": " + never, null, "JOB_STATE", null, false);
        }
        return new ImportApiException(ErrorKind.TERMINAL, "The server refused to " + verb() + " job " + progress.jobId() + ", which is " + state
                + (never == null ? "" : " (" + never + ")") + ": " + refusal.getMessage(), refusal.getHttpStatus().orElse(null),
                refusal.getErrorCode().orElse(null), null, false);
    }

    /** The same failure, its message naming the job: a flowfile may name several. */
    private static ImportApiException naming(final Routing routing, final String which, final ImportApiException e) {
        return new ImportApiException(e.getKind(), routing.visible(which + ": " + e.getMessage()), e.getHttpStatus().orElse(null),
                e.getErrorCode().orElse(null), e.getRetryAfter().orElse(null), e.isOutcomeUnknown());
    }

    private static List<JobReference> jobs(final ProcessContext context, final ProcessSession session, final FlowFile flowFile) throws InvalidInputException {
        final String database = JobInput.database(context, flowFile);
        final List<String> ids;
        if (FROM_CONTENT.getValue().equals(context.getProperty(JOB_ID_SOURCE).getValue())) {
            final ByteArrayOutputStream content = new ByteArrayOutputStream();
            session.exportTo(flowFile, content);
            ids = new ArrayList<>();
            for (final String line : content.toString(StandardCharsets.UTF_8).split("\\R")) {
                final String[] words = line.strip().split("\\s+", 2);
                if (!words[0].isEmpty()) {
                    ids.add(words[0]);
                }
            }
            if (ids.isEmpty()) {
                throw new InvalidInputException("Job ID Source is Content, but the content names no job; give one job ID per line");
            }
        } else {
            ids = JobInput.jobIds(context, JOB_ID, flowFile);
        }
        // a job named twice is acted on once
        return new LinkedHashSet<>(ids).stream().map(id -> new JobReference(id, database)).toList();
    }

    @Override
    protected void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog verificationLogger,
                          final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        final List<String> ids;
        final String database;
        try {
            ids = FROM_CONTENT.getValue().equals(context.getProperty(JOB_ID_SOURCE).getValue()) ? List.of()
                    : List.of(context.getProperty(JOB_ID).evaluateAttributeExpressions(attributes).getValue().strip().split("[\\s,]+"));
            database = blankToNull(context.getProperty(JobInput.DATABASE_NAME).evaluateAttributeExpressions(attributes).getValue());
        } catch (final RuntimeException e) {
            results.add(verification(service, "Describe Jobs", Outcome.FAILED,
                    "A property's expression could not be evaluated with these attributes: " + e.getMessage()));
            return;
        }
        if (ids.isEmpty() || ids.getFirst().isEmpty()) {
            results.add(verification(service, "Describe Jobs", Outcome.SKIPPED, "No job named; give a " + BulkImportAttributes.JOB_ID + " attribute to check a real job"));
            return;
        }
        for (final String id : ids) {
            try {
                final JobProgress progress = service.describeJob(new JobReference(id, database));
                results.add(verification(service, "Describe Job " + id, Outcome.SUCCESSFUL,
                        "Job " + id + " is " + progress.state().displayName(progress.rawState())));
            } catch (final ImportApiException e) {
                verificationLogger.warn(e.getMessage());
                results.add(verification(service, "Describe Job " + id, Outcome.FAILED, e.getMessage()));
            }
        }
    }
}
