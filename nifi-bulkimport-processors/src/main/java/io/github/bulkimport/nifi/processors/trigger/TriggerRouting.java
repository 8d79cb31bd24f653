package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.memory.RememberedJob;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.ObjectSets;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.JobTally;
import io.github.bulkimport.nifi.processors.common.Routing;
import io.github.bulkimport.nifi.processors.common.ThrottleGate;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.putIfPresent;

/**
 * Routes the flowfiles of one run of TriggerBulkImport, and keeps what the run must leave behind:
 * the jobs started (to remember), the shares marked pending and the shares claimed.
 */
public final class TriggerRouting extends Routing {

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("The job was started (or had been, for a replayed flowfile); bulkimport.job.id holds its ID.")
            .build();

    public static final Relationship REL_RETRY = new Relationship.Builder()
            .name("retry")
            .description("A transient problem (I/O error, timeout, HTTP 408 or 5xx): try again later, for example by looping back to this "
                    + "processor. Flowfiles are penalized. A refusal for now (the server's job limit, its rate limit, HTTP 429) sends nothing "
                    + "here: those flowfiles wait in the incoming queue, untouched, while the processor backs off.")
            .build();

    public static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("The import cannot start as configured: bad input, rejected credentials, unknown collection, refused request. "
                    + "bulkimport.error.message says what to fix. Flowfiles are penalized.")
            .build();

    /** The error code of the flowfiles of a bound request that did not all come back. */
    public static final String INCOMPLETE_REQUEST = "INCOMPLETE_REQUEST";

    /** What a flowfile that starts (or re-attaches to) a job no longer needs: the outcome of earlier passes and of earlier jobs. */
    private static final Set<String> STALE_ON_START = Stream.of(BulkImportAttributes.ERRORS, BulkImportAttributes.PROGRESS_REPORT, Set.of(
                    BulkImportAttributes.REATTACHED, BulkImportAttributes.IDEMPOTENCY_KEY, BulkImportAttributes.PARTITION, BulkImportAttributes.DATABASE,
                    BulkImportAttributes.REQUEST_KEY, BulkImportAttributes.REPLACES_JOB_ID, BulkImportAttributes.PROGRESS_SINCE))
            .flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

    private final JobTally jobsStarted;
    private final Map<String, RememberedJob> started = new HashMap<>();
    private final Map<String, String> pending = new HashMap<>();
    private final Set<String> claims = new HashSet<>();
    private final Set<String> reattachedFromMemory = new HashSet<>();
    private int waited;
    private ImportApiException refusal;
    private boolean admittedAny;

    TriggerRouting(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final ComponentLog log,
                   final ThrottleGate throttleGate, final JobTally jobsStarted) {
        super(context, session, service, log, throttleGate, REL_FAILURE, "starting a bulk import");
        this.jobsStarted = jobsStarted;
    }

    /** Jobs started in this run, by memory key. */
    Map<String, RememberedJob> started() {
        return started;
    }

    /** Shares re-attached in this run to a job only the job memory knew of: their entries must outlive the run's commit. */
    Set<String> reattachedFromMemory() {
        return reattachedFromMemory;
    }

    /** Shares marked pending in this run: memory key to request key. */
    Map<String, String> pending() {
        return pending;
    }

    /** Whether this run did nothing but put flowfiles back to wait for others. */
    boolean onlyWaited() {
        return waited > 0 && routed() == 0;
    }

    /**
     * What to send of the batches taken: members whose job is already known are routed to success
     * without a request; a copy of a share that another request of this run carries joins that
     * request; a share another task is sending waits for its job; a bound request whose flowfiles
     * are not all back waits for the others, until that has lasted too long.
     */
    List<Batch> toSend(final List<Batch> taken, final JobMemory.Snapshot memory, final WaitingRequests waiting, final SharesInFlight inFlight) {
        final List<Batch> toSend = new ArrayList<>(taken.size());
        // where each share of this run's requests is: its request's position in toSend
        final Map<String, Integer> requestOfShare = new HashMap<>();
        for (final Batch batch : taken) {
            Batch unknown = reattachKnown(batch, memory);
            if (unknown != null && !unknown.isBound()) {
                unknown = withoutCopies(unknown, toSend, requestOfShare);
            }
            if (unknown == null) {
                continue;
            }
            if (!unknown.isComplete()) {
                final String requestKey = unknown.members().getFirst().boundRequest();
                if (waiting.overdue(requestKey)) {
                    waiting.settled(requestKey);
                    gaveUpWaiting(unknown, requestKey);
                } else {
                    waited++;
                    backToQueue(unknown);
                }
                continue;
            }
            waiting.settled(unknown.key());
            unknown = claimed(unknown, inFlight);
            if (unknown != null) {
                for (final FlowFileShare member : unknown.members()) {
                    requestOfShare.put(member.memoryKey(), toSend.size());
                }
                toSend.add(unknown);
            }
        }
        return toSend;
    }

    /**
     * The batch without the copies of shares that an earlier request of this run carries: each joins
     * that request when it can unchanged, or waits in the queue for the job it starts. Returns the rest,
     * or {@code null} when nothing is left.
     */
    private Batch withoutCopies(final Batch batch, final List<Batch> toSend, final Map<String, Integer> requestOfShare) {
        final List<FlowFileShare> rest = new ArrayList<>(batch.flowFiles());
        for (final FlowFileShare member : batch.members()) {
            final Integer request = requestOfShare.get(member.memoryKey());
            if (request == null) {
                rest.add(member);
            } else if (toSend.get(request).takesAlong(member)) {
                toSend.set(request, toSend.get(request).with(member));
            } else {
                backToQueue(Batch.of(List.of(member)));
            }
        }
        if (rest.isEmpty()) {
            return null;
        }
        return rest.size() == batch.flowFiles() ? batch : Batch.of(rest);
    }

    /**
     * Claims the batch's shares for this task. Shares another task is sending go back to the queue,
     * to find their job in the job memory once it is answered (a bound request goes back whole: it is
     * only ever sent as it was). Returns what this task may send, or {@code null}.
     */
    private Batch claimed(final Batch batch, final SharesInFlight inFlight) {
        final List<FlowFileShare> mine = new ArrayList<>(batch.flowFiles());
        final List<FlowFileShare> taken = new ArrayList<>();
        final Set<String> claimedNow = new HashSet<>();
        for (final FlowFileShare member : batch.members()) {
            if (claimedNow.contains(member.memoryKey()) || inFlight.claim(member.memoryKey())) {
                claimedNow.add(member.memoryKey());
                mine.add(member);
            } else {
                taken.add(member);
            }
        }
        if (taken.isEmpty()) {
            claims.addAll(claimedNow);
            return batch;
        }
        waited++;
        if (batch.isBound() || mine.isEmpty()) {
            inFlight.release(claimedNow);
            backToQueue(batch);
            return null;
        }
        claims.addAll(claimedNow);
        backToQueue(Batch.of(taken));
        return Batch.of(mine);
    }

    /**
     * The batches to send, read again against the job memory as another task left it after this run first
     * read it: members whose job it now knows go to success; members another task's request now holds (a
     * request whose outcome is unknown) wait in the queue, to be bound to it. A bound request is only sent
     * whole, so what is left of one waits too.
     */
    List<Batch> reattachRemembered(final List<Batch> toSend, final JobMemory.Snapshot before, final JobMemory.Snapshot now) {
        final List<Batch> stillToSend = new ArrayList<>(toSend.size());
        for (final Batch batch : toSend) {
            Batch unknown = reattachKnown(batch, now);
            if (unknown != null && !unknown.isBound()) {
                unknown = withoutNewlyPending(unknown, before, now);
            }
            if (unknown == batch || unknown != null && !batch.isBound()) {
                stillToSend.add(unknown);
            } else if (unknown != null) {
                backToQueue(unknown);
            }
        }
        return stillToSend;
    }

    private Batch withoutNewlyPending(final Batch batch, final JobMemory.Snapshot before, final JobMemory.Snapshot now) {
        final List<FlowFileShare> free = new ArrayList<>(batch.flowFiles());
        for (final FlowFileShare member : batch.members()) {
            if (now != null && before.pendingRequest(member.memoryKey()).isEmpty() && now.pendingRequest(member.memoryKey()).isPresent()) {
                backToQueue(Batch.of(List.of(member)));
            } else {
                free.add(member);
            }
        }
        if (free.isEmpty()) {
            return null;
        }
        return free.size() == batch.flowFiles() ? batch : Batch.of(free);
    }

    /** The shares this run claimed: released once its requests are answered and remembered. */
    Set<String> claims() {
        return claims;
    }

    /** Routes the members whose job is already known to success; returns the batch of the others, or {@code null}. */
    private Batch reattachKnown(final Batch batch, final JobMemory.Snapshot memory) {
        final List<FlowFileShare> unknown = new ArrayList<>(batch.flowFiles());
        for (final FlowFileShare member : batch.members()) {
            final RememberedJob known = member.started() != null ? member.started() : memory == null ? null : memory.recall(member.memoryKey()).orElse(null);
            if (known == null) {
                unknown.add(member);
            } else {
                if (member.started() == null) {
                    reattachedFromMemory.add(member.memoryKey());
                }
                reattach(member, known);
            }
        }
        if (unknown.isEmpty()) {
            return null;
        }
        return unknown.size() == batch.flowFiles() ? batch : Batch.of(unknown);
    }

    /**
     * Puts flowfiles back in the queue untouched: not sent in this run. Their pending marks stay in
     * the job memory after the session commits, since nothing in the flowfiles says which request
     * they belong to (after a crash, only the memory knows).
     */
    void backToQueue(final Batch batch) {
        for (final FlowFileShare member : batch.members()) {
            pending.remove(member.memoryKey());
            putBack(member.flowFile());
        }
    }

    /** Routes to success the flowfiles a request started a job for. */
    void started(final Batch batch, final String jobId) {
        final long submittedAt = Instant.now().toEpochMilli();
        // remembered before anything else: should routing fail, the run still remembers the job of every member
        for (final FlowFileShare member : batch.members()) {
            started.put(member.memoryKey(), new RememberedJob(jobId, submittedAt, batch.indexOf(member), batch.size()));
        }
        final String submittedAtText = Instant.ofEpochMilli(submittedAt).toString();
        final String transitUri = service.addressOf(Operation.START);
        final String details = "Started bulk-import job " + jobId + " into collection " + batch.request().target().collection()
                + " with " + batch.request().files().size() + " file(s) for " + batch.flowFiles() + " flowfile(s)";
        admittedAny = true;
        if (jobsStarted.firstTime(jobId)) {
            session.adjustCounter(Counters.JOBS_STARTED, 1, false);
        }
        for (final FlowFileShare member : batch.members()) {
            final RememberedJob job = started.get(member.memoryKey());
            final Map<String, String> attributes = successAttributes(member, job, submittedAtText);
            attributes.put(BulkImportAttributes.IDEMPOTENCY_KEY, batch.key());
            final FlowFile flowFile = session.putAllAttributes(withoutStale(member.flowFile()), attributes);
            provenance(flowFile, transitUri, details);
            transfer(flowFile, REL_SUCCESS);
        }
    }

    /** Routes to success, without any request, a flowfile whose job is already known. */
    private void reattach(final FlowFileShare member, final RememberedJob job) {
        final Map<String, String> attributes = successAttributes(member, job, Instant.ofEpochMilli(job.submittedAtMillis()).toString());
        attributes.put(BulkImportAttributes.REATTACHED, "true");
        final String keySent = member.flowFile().getAttribute(BulkImportAttributes.IDEMPOTENCY_KEY);
        if (member.started() != null && keySent != null) {
            attributes.put(BulkImportAttributes.IDEMPOTENCY_KEY, keySent);
        }
        final FlowFile flowFile = session.putAllAttributes(withoutStale(member.flowFile()), attributes);
        session.getProvenanceReporter().modifyAttributes(flowFile, visible("Re-attached to bulk-import job " + job.jobId()
                + " that this flowfile had already started"));
        info("Re-attached flowfile " + flowFile.getAttribute("uuid") + " to job " + job.jobId() + " it had already started, instead of starting another");
        session.adjustCounter(Counters.FLOWFILES_REATTACHED, 1, false);
        transfer(flowFile, REL_SUCCESS);
    }

    /**
     * Routes the flowfiles of a failed request alike. When the server may have acted on the request,
     * each is bound to it: it will only be sent again in that very request.
     */
    void failed(final Batch batch, final ImportApiException e) {
        if (e.getKind() == ErrorKind.THROTTLED && !e.isOutcomeUnknown()) {
            heldBack(batch, e);
            return;
        }
        slowDown(e);
        final boolean retryable = e.getKind().isRetryable();
        final String message = "Starting a bulk import for " + batch.flowFiles() + " flowfile(s) " + (retryable ? "will be retried: " : "failed: ")
                + e.getMessage();
        if (retryable) {
            warn(message);
        } else {
            error(message);
        }
        final boolean bind = batch.isBound() || e.isOutcomeUnknown();
        final Map<String, String> errors = errors(e);
        for (final FlowFileShare member : batch.members()) {
            FlowFile flowFile = member.flowFile();
            if (bind) {
                // the mark outlives the session: a copy of this flowfile made before it was bound (a load-balanced connection delivers at
                // least once) carries none of what is written here, and must join this same request, not make another
                pending.remove(member.memoryKey());
                flowFile = session.putAllAttributes(flowFile, Map.of(BulkImportAttributes.REQUEST_KEY, batch.key(),
                        BulkImportAttributes.FLOWFILE_KEY, member.memoryKey(), BulkImportAttributes.BATCH_SIZE, String.valueOf(batch.size()),
                        BulkImportAttributes.BATCH_INDEX, String.valueOf(batch.indexOf(member))));
            } else if (flowFile.getAttribute(BulkImportAttributes.REQUEST_KEY) != null) {
                flowFile = session.removeAttribute(flowFile, BulkImportAttributes.REQUEST_KEY);
            }
            routeWithError(flowFile, errors, retryable ? REL_RETRY : REL_FAILURE);
        }
    }

    /**
     * The server refused the request for now (its active-job limit, a rate limit): it started nothing, so
     * the flowfiles go back to the queue as they came, unpenalized, and wait there while the processor
     * holds its calls back (see {@link #settleAdmission}). A bound request stays bound (its marks kept);
     * an unbound one's marks are forgotten.
     */
    private void heldBack(final Batch batch, final ImportApiException e) {
        refusal = e;
        session.adjustCounter(Counters.REQUESTS_HELD_BACK, 1, false);
        debug("The server refused a request for " + batch.flowFiles() + " flowfile(s) for now; they wait in the queue: " + e.getMessage());
        for (final FlowFileShare member : batch.members()) {
            if (batch.isBound()) {
                pending.remove(member.memoryKey());
            }
            putBack(member.flowFile());
        }
    }

    /**
     * After the run's requests: when the server refused some for now, calls are held back, for a short
     * wait when it took others in the same run (a slot was free: another may free soon), else for a wait
     * that grows with each run refused whole.
     */
    void settleAdmission() {
        if (refusal != null) {
            refusedForNow(refusal, admittedAny);
        } else if (admittedAny) {
            admitted();
        }
    }

    /** The flowfiles of a bound request waited too long for the others: failure, still bound. */
    private void gaveUpWaiting(final Batch batch, final String requestKey) {
        final String message = visible("This flowfile was sent with other flowfiles in one request (Idempotency-Key " + requestKey
                + ") whose outcome is unknown, so it is only sent again in that same request; " + batch.flowFiles() + " of them came back within "
                + WaitingRequests.PATIENCE.toMinutes() + " minutes, not all. Bring the others back together, or, after checking that the server has "
                + "no job for these files, remove attribute " + BulkImportAttributes.REQUEST_KEY + " to start a new job.");
        error(message);
        for (final FlowFileShare member : batch.members()) {
            pending.put(member.memoryKey(), requestKey);
            final FlowFile flowFile = session.putAllAttributes(member.flowFile(), Map.of(BulkImportAttributes.REQUEST_KEY, requestKey,
                    BulkImportAttributes.FLOWFILE_KEY, member.memoryKey()));
            routeWithError(flowFile, errors(INCOMPLETE_REQUEST, message), REL_FAILURE);
        }
    }

    /** The one guard, for TriggerBulkImport: which of the run's flowfiles left in a request is not known, so every mark of the run stays. */
    @Override
    public void failUnrouted(final Throwable e) {
        pending.clear();
        super.failUnrouted(e);
    }

    @Override
    protected String afterUnexpected() {
        return "; the flowfile was not sent, or its outcome is unknown";
    }

    /** Removes what earlier passes and earlier jobs wrote, touching the session only when needed. */
    private FlowFile withoutStale(final FlowFile flowFile) {
        for (final String name : STALE_ON_START) {
            if (flowFile.getAttribute(name) != null) {
                return session.removeAllAttributes(flowFile, STALE_ON_START);
            }
        }
        return flowFile;
    }

    /** The files as {@code bulkimport.object.urls} lists them: one per line, a set's paths joined by " + ". */
    public static String objectUrls(final List<ImportFile> files) {
        return files.stream().map(ImportFile::display).collect(Collectors.joining("\n"));
    }

    private Map<String, String> successAttributes(final FlowFileShare member, final RememberedJob job, final String submittedAt) {
        final Map<String, String> attributes = new HashMap<>(16);
        attributes.put(BulkImportAttributes.JOB_ID, job.jobId());
        attributes.put(BulkImportAttributes.FLOWFILE_KEY, member.memoryKey());
        attributes.put(BulkImportAttributes.COLLECTION, member.target().collection());
        putIfPresent(attributes, BulkImportAttributes.PARTITION, member.target().partition());
        putIfPresent(attributes, BulkImportAttributes.DATABASE, member.target().database());
        putIfPresent(attributes, BulkImportAttributes.REPLACES_JOB_ID, member.replacesJob());
        attributes.put(BulkImportAttributes.SUBMITTED_AT, submittedAt);
        // the paths whole, but no secret: a key may hold one (then GetBulkImportProgress cannot tell whether its files failed, and never resubmits it)
        final List<ImportFile> files = member.files().stream()
                .map(file -> new ImportFile(file.paths().stream().map(service::withoutSecrets).toList())).toList();
        attributes.put(BulkImportAttributes.OBJECT_URLS, objectUrls(files));
        attributes.put(BulkImportAttributes.OBJECT_SETS, ObjectSets.json(files));
        attributes.put(BulkImportAttributes.OBJECT_COUNT, String.valueOf(member.files().size()));
        attributes.put(BulkImportAttributes.BATCH_SIZE, String.valueOf(job.batchSize()));
        attributes.put(BulkImportAttributes.BATCH_INDEX, String.valueOf(job.batchIndex()));
        return attributes;
    }
}
