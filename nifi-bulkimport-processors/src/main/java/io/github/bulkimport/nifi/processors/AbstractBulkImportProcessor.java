package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.client.ErrorKind;
import io.github.bulkimport.nifi.client.ImportApiClient;
import io.github.bulkimport.nifi.client.ImportApiException;
import io.github.bulkimport.nifi.service.BulkImportConnectionService;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * What the bundle's processors share: the connection service property, throttling and the
 * routing of failed calls to {@code retry} or {@code failure}.
 */
abstract class AbstractBulkImportProcessor extends AbstractProcessor {

    static final PropertyDescriptor CONNECTION_SERVICE = new PropertyDescriptor.Builder()
            .name("Connection Service")
            .description("The service that holds the endpoint and credentials of the Zilliz Cloud cluster or Milvus instance.")
            .required(true)
            .identifiesControllerService(BulkImportConnectionService.class)
            .build();

    final ThrottleGate throttleGate = new ThrottleGate();

    @OnScheduled
    public void resetThrottle() {
        throttleGate.open();
    }

    static ConfigVerificationResult verification(final String step, final Outcome outcome, final String explanation) {
        return new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build();
    }

    /**
     * The enabled service's client for a verification, or {@code null} after adding a failed
     * step that tells the user to enable the service.
     */
    static ImportApiClient clientForVerification(final ProcessContext context, final List<ConfigVerificationResult> results) {
        try {
            return connectionService(context).getClient();
        } catch (final IllegalStateException e) {
            results.add(verification("Connection Service", Outcome.FAILED, "Enable the Connection Service first: " + e.getMessage()));
            return null;
        }
    }

    static BulkImportConnectionService connectionService(final ProcessContext context) {
        return context.getProperty(CONNECTION_SERVICE).asControllerService(BulkImportConnectionService.class);
    }

    /** ISO-8601 UTC with millisecond precision, e.g. 2026-11-28T17:23:14.123Z. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /**
     * Throttling and an unavailable server slow the whole processor down: it yields, and while the
     * server's {@code Retry-After} lasts it takes no flowfiles.
     */
    final void slowDown(final ProcessContext context, final ImportApiException e) {
        if (e.getKind() == ErrorKind.THROTTLED) {
            e.getRetryAfter().ifPresent(throttleGate::closeFor);
        }
        if (e.getKind().yields()) {
            context.yield();
        }
    }

    /**
     * Routes a flowfile whose call failed: retryable errors to {@code retry}, the rest to
     * {@code failure}; penalized either way, with the error attributes replaced.
     */
    final void routeFailedCall(final ProcessContext context, final ProcessSession session, final ImportApiClient client, final FlowFile flowFile,
                               final ImportApiException e, final Relationship retry, final Relationship failure, final String what) {
        slowDown(context, e);
        final boolean retryable = e.getKind().isRetryable();
        final String message = client.visibleText(what + " for flowfile " + flowFile.getAttribute("uuid") + (retryable ? " will be retried: " : " failed: ")
                + e.getMessage());
        if (retryable) {
            getLogger().warn(message);
        } else {
            getLogger().error(message);
        }
        routeWithError(session, flowFile, ErrorAttributes.of(e), retryable ? retry : failure);
    }

    /** Routes a flowfile whose input cannot make a valid request; nothing was sent. */
    final void routeInvalidInput(final ProcessSession session, final ImportApiClient client, final FlowFile flowFile, final String reason,
                                 final Relationship failure) {
        final String message = client.visibleText(reason);
        getLogger().error(client.visibleText("Routing flowfile " + flowFile.getAttribute("uuid") + " to " + failure.getName() + ": " + message));
        routeWithError(session, flowFile, ErrorAttributes.of(ErrorAttributes.INVALID_INPUT, message), failure);
    }

    /** Adds an attribute for a value the server may have left out. */
    static void putIfPresent(final Map<String, String> attributes, final String name, final Object value) {
        if (value != null && !value.toString().isEmpty()) {
            attributes.put(name, value.toString());
        }
    }

    /** Replaces the error attributes. */
    static FlowFile withErrors(final ProcessSession session, final FlowFile flowFile, final Map<String, String> errorAttributes) {
        return session.putAllAttributes(session.removeAllAttributes(flowFile, ErrorAttributes.NAMES), errorAttributes);
    }

    final void routeWithError(final ProcessSession session, final FlowFile flowFile, final Map<String, String> errorAttributes, final Relationship relationship) {
        session.transfer(session.penalize(withErrors(session, flowFile, errorAttributes)), relationship);
    }
}
