package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the bundle's processors share: the connection service property, throttling, the opening of
 * verify, and routing a flowfile with its reason.
 */
abstract class AbstractBulkImportProcessor extends AbstractProcessor implements VerifiableProcessor {

    static final PropertyDescriptor CONNECTION_SERVICE = new PropertyDescriptor.Builder()
            .name("Connection Service")
            .description("The service that holds the endpoint and credentials of the Zilliz Cloud cluster or Milvus instance.")
            .required(true)
            .identifiesControllerService(BulkImportConnectionService.class)
            .build();

    /** The clock of throttling; tests set their own, so that waiting for Retry-After takes no time. */
    volatile LongSupplier nanoTime = System::nanoTime;

    final ThrottleGate throttleGate = new ThrottleGate(() -> nanoTime.getAsLong());

    @OnScheduled
    public void resetThrottle() {
        throttleGate.open();
    }

    static BulkImportConnectionService connectionService(final ProcessContext context) {
        return context.getProperty(CONNECTION_SERVICE).asControllerService(BulkImportConnectionService.class);
    }

    static ConfigVerificationResult verification(final String step, final Outcome outcome, final String explanation) {
        return new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build();
    }

    /** Verify needs an enabled service; with one, each processor verifies its own steps. */
    @Override
    public final List<ConfigVerificationResult> verify(final ProcessContext context, final ComponentLog verificationLogger,
                                                       final Map<String, String> attributes) {
        final List<ConfigVerificationResult> results = new ArrayList<>();
        final BulkImportConnectionService service = connectionService(context);
        try {
            service.getDeployment();
        } catch (final IllegalStateException e) {
            results.add(verification("Connection Service", Outcome.FAILED, "Enable the Connection Service first: " + e.getMessage()));
            return results;
        }
        verify(context, service, verificationLogger, attributes, results);
        return results;
    }

    /** Adds this processor's verification steps, with the enabled service, to {@code results}. */
    abstract void verify(ProcessContext context, BulkImportConnectionService service, ComponentLog verificationLogger, Map<String, String> attributes,
                         List<ConfigVerificationResult> results);

    /** ISO-8601 UTC with millisecond precision, e.g. 2026-11-28T17:23:14.123Z. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** Adds an attribute for a value the server may have left out. */
    static void putIfPresent(final Map<String, String> attributes, final String name, final Object value) {
        if (value != null && !value.toString().isEmpty()) {
            attributes.put(name, value.toString());
        }
    }

    /** {@code null} for a missing or blank value, the value as it is otherwise. */
    static String blankToNull(final String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Replaces the error attributes. */
    static FlowFile withErrors(final ProcessSession session, final FlowFile flowFile, final Map<String, String> errorAttributes) {
        return session.putAllAttributes(session.removeAllAttributes(flowFile, BulkImportAttributes.ERRORS), errorAttributes);
    }

    /** Routes a flowfile with the reason it went there, penalized. */
    static void routeWithError(final ProcessSession session, final FlowFile flowFile, final Map<String, String> errorAttributes,
                               final Relationship relationship) {
        session.transfer(session.penalize(withErrors(session, flowFile, errorAttributes)), relationship);
    }

    /**
     * Routes a flowfile whose call failed: retryable errors to {@code retry}, the rest to
     * {@code failure}; penalized either way, with the error attributes replaced.
     */
    final void routeFailedCall(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service,
                               final FlowFile flowFile, final ImportApiException e, final Relationship retry, final Relationship failure,
                               final String what) {
        throttleGate.slowDown(context, e);
        final boolean retryable = e.getKind().isRetryable();
        final String message = service.visibleText(what + " for flowfile " + flowFile.getAttribute("uuid") + (retryable ? " will be retried: " : " failed: ")
                + e.getMessage());
        if (retryable) {
            getLogger().warn(message);
        } else {
            getLogger().error(message);
        }
        routeWithError(session, flowFile, ErrorAttributes.of(e), retryable ? retry : failure);
    }

    /** Routes a flowfile whose input cannot make a valid request; nothing was sent. */
    final void routeInvalidInput(final ProcessSession session, final BulkImportConnectionService service, final FlowFile flowFile,
                                 final String reason, final Relationship failure) {
        final String message = service.visibleText(reason);
        getLogger().error(service.visibleText("Routing flowfile " + flowFile.getAttribute("uuid") + " to " + failure.getName() + ": " + message));
        routeWithError(session, flowFile, ErrorAttributes.of(ErrorAttributes.INVALID_INPUT, message), failure);
    }

    /** The one guard of a processor: a flowfile that met an unexpected error is routed, not rolled back to loop for ever. */
    final void routeUnexpected(final ProcessSession session, final BulkImportConnectionService service, final FlowFile flowFile,
                               final RuntimeException e, final String what, final Relationship failure) {
        if (Thread.currentThread().isInterrupted()) {
            // the processor is being stopped: the session is rolled back and the flowfile taken again later
            throw e;
        }
        final String message = service.visibleText("Unexpected error while " + what + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        getLogger().error(message);
        routeWithError(session, flowFile, ErrorAttributes.of(ErrorAttributes.UNEXPECTED, message), failure);
    }
}
