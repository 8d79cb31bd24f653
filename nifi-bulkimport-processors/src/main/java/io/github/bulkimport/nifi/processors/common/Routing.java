package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes the flowfiles of one run, and is the one place where text becomes what a user sees: every
 * log message, error attribute and provenance detail written through it passes the connection
 * service's funnel (control characters out, secrets masked, length bounded). It keeps the flowfiles
 * taken and not routed yet, so that the one guard of a run ({@link #failUnrouted}) leaves none behind.
 */
public class Routing {

    /** Bad input: nothing was sent. */
    public static final String INVALID_INPUT = "INVALID_INPUT";
    /** A defect of this bundle, or a situation it did not foresee: the flowfile is routed rather than left behind. */
    public static final String UNEXPECTED = "UNEXPECTED";

    protected final ProcessContext context;
    protected final ProcessSession session;
    protected final BulkImportConnectionService service;
    private final ComponentLog log;
    private final ThrottleGate throttleGate;
    private final Relationship failure;
    private final String doing;
    private final Map<Long, FlowFile> unrouted = new LinkedHashMap<>();
    private int routed;

    /**
     * @param failure where flowfiles go that cannot go on
     * @param doing   what the run does, for the message of an unexpected error ("checking a bulk-import job")
     */
    public Routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final ComponentLog log,
                   final ThrottleGate throttleGate, final Relationship failure, final String doing) {
        this.context = context;
        this.session = session;
        this.service = service;
        this.log = log;
        this.throttleGate = throttleGate;
        this.failure = failure;
        this.doing = doing;
    }

    /** Text as a user may see it. */
    public final String visible(final String text) {
        return service.visibleText(text);
    }

    public final void error(final String text) {
        log.error(visible(text));
    }

    public final void warn(final String text) {
        log.warn(visible(text));
    }

    public final void info(final String text) {
        log.info(visible(text));
    }

    public final void debug(final String text) {
        if (log.isDebugEnabled()) {
            log.debug(visible(text));
        }
    }

    /** A flowfile of this run: routed by the guard if nothing else routes it. Told again, it is this version that the guard routes. */
    public final void took(final FlowFile flowFile) {
        unrouted.put(flowFile.getId(), flowFile);
    }

    /** The flowfiles a run took at once, each told before anything may go wrong with any of them. */
    public final void took(final List<FlowFile> flowFiles) {
        flowFiles.forEach(this::took);
    }

    /**
     * Does one flowfile's work under its own guard: whatever unexpected error the work meets (a defect of this
     * bundle, never a file's or an answer's fault: those are routed as such), that flowfile alone goes to
     * failure and the run goes on with the others. An Error is caught too: a stack overflow or an allocation too
     * large is one flowfile's, and so is an InternalError from a read of content whose file was cut short under it
     * (the JVM's answer to SIGBUS); the node lives on.
     */
    public final void guarded(final FlowFile flowFile, final Runnable work) {
        try {
            work.run();
        } catch (final RuntimeException | Error unexpected) {
            if (Thread.currentThread().isInterrupted()) {
                throw unexpected;
            }
            final FlowFile current = unrouted.get(flowFile.getId());
            if (current == null) {
                throw unexpected;
            }
            final String message = unexpectedMessage(unexpected);
            log.error(message);
            routeWithError(current, errors(UNEXPECTED, message), failure);
        }
    }

    public final void transfer(final FlowFile flowFile, final Relationship relationship) {
        unrouted.remove(flowFile.getId());
        routed++;
        session.transfer(flowFile, relationship);
    }

    /** Puts a flowfile back in the incoming queue, untouched. */
    public final void putBack(final FlowFile flowFile) {
        unrouted.remove(flowFile.getId());
        session.transfer(flowFile);
    }

    /** How many flowfiles this run routed onwards. */
    public final int routed() {
        return routed;
    }

    /** A remote call made for a flowfile, with its details as a user may see them. */
    public final void provenance(final FlowFile flowFile, final String transitUri, final String details) {
        session.getProvenanceReporter().invokeRemoteProcess(flowFile, transitUri, visible(details));
    }

    /** Replaces the error attributes, which already hold visible text. */
    public final FlowFile withErrors(final FlowFile flowFile, final Map<String, String> errors) {
        return session.putAllAttributes(session.removeAllAttributes(flowFile, BulkImportAttributes.ERRORS), errors);
    }

    /** Routes a flowfile with the reason it went there, penalized. */
    public final void routeWithError(final FlowFile flowFile, final Map<String, String> errors, final Relationship relationship) {
        transfer(session.penalize(withErrors(flowFile, errors)), relationship);
    }

    /** Routes a flowfile with an error code of this bundle and a message, penalized; the message is logged as an error. */
    public final void fail(final FlowFile flowFile, final String code, final String message, final Relationship relationship) {
        final String text = visible(message);
        log.error(text);
        routeWithError(flowFile, errors(code, text), relationship);
    }

    /**
     * Routes a flowfile whose call failed: retryable errors to {@code retry}, the rest to failure;
     * penalized either way, after slowing down as the server asks.
     */
    public final void failedCall(final FlowFile flowFile, final ImportApiException e, final Relationship retry, final String what) {
        throttleGate.slowDown(context, e);
        final boolean retryable = e.getKind().isRetryable();
        final String message = visible(what + " for flowfile " + flowFile.getAttribute("uuid") + (retryable ? " will be retried: " : " failed: ")
                + e.getMessage());
        if (retryable) {
            log.warn(message);
        } else {
            log.error(message);
        }
        routeWithError(flowFile, errors(e), retryable ? retry : failure);
    }

    /** Requests the server refused for now: calls are held back (a short wait if it took others too), and the processor yields. */
    protected final void refusedForNow(final ImportApiException e, final boolean othersAdmitted) {
        throttleGate.refused(e, othersAdmitted);
        context.yield();
    }

    /** A request the server took: a later refusal's wait starts short again. */
    protected final void admitted() {
        throttleGate.admitted();
    }

    /** After a failed call: waits as the server asks, and yields when every call would meet the same trouble. */
    protected final void slowDown(final ImportApiException e) {
        throttleGate.slowDown(context, e);
    }

    /** Routes a flowfile whose input cannot make a valid request; nothing was sent. */
    public final void invalidInput(final FlowFile flowFile, final String reason) {
        final String message = visible(reason);
        log.error(visible("Routing flowfile " + flowFile.getAttribute("uuid") + " to " + failure.getName() + ": " + message));
        routeWithError(flowFile, errors(INVALID_INPUT, message), failure);
    }

    /** The one guard of a run: every flowfile taken and not routed goes to failure with the unexpected error. */
    public void failUnrouted(final Throwable e) {
        final String message = unexpectedMessage(e);
        log.error(message);
        for (final FlowFile flowFile : List.copyOf(unrouted.values())) {
            routeWithError(flowFile, errors(UNEXPECTED, message), failure);
        }
    }

    private String unexpectedMessage(final Throwable e) {
        return visible("Unexpected error while " + doing + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")" + afterUnexpected());
    }

    /** What an unexpected error means for the flowfiles of this run, added to its message. */
    protected String afterUnexpected() {
        return "";
    }

    /** The error attributes of a failed call: the server's code (or this client's classification), message and HTTP status. */
    public static Map<String, String> errors(final ImportApiException e) {
        final Map<String, String> attributes = errors(e.getErrorCode().orElse(e.getKind().name()), e.getMessage());
        e.getHttpStatus().ifPresent(status -> attributes.put(BulkImportAttributes.HTTP_STATUS, String.valueOf(status)));
        return attributes;
    }

    /** The error attributes of a code and a message that is visible text already. */
    public static Map<String, String> errors(final String code, final String visibleMessage) {
        final Map<String, String> attributes = new HashMap<>(4);
        attributes.put(BulkImportAttributes.ERROR_CODE, code);
        attributes.put(BulkImportAttributes.ERROR_MESSAGE, visibleMessage);
        return attributes;
    }
}
