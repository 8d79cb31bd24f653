package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.VerifiableProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the bundle's processors share: the connection service property, throttling, the one guard
 * around a run, and the opening of verify.
 *
 * @param <R> how the processor routes the flowfiles of one run
 */
public abstract class AbstractBulkImportProcessor<R extends Routing> extends AbstractProcessor implements VerifiableProcessor {

    public static final PropertyDescriptor CONNECTION_SERVICE = new PropertyDescriptor.Builder()
            .name("Connection Service")
            .description("The service that holds the endpoint and credentials of the Zilliz Cloud cluster or Milvus instance.")
            .required(true)
            .identifiesControllerService(BulkImportConnectionService.class)
            .build();

    private volatile LongSupplier nanoTime = System::nanoTime;

    protected final ThrottleGate throttleGate = new ThrottleGate(this::nanoTime);

    /** The processor's clock, in nanoseconds: of throttling, and of waiting. */
    protected final long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** Sets the processor's clock; tests set their own, so that waiting for Retry-After or for other flowfiles takes no time. */
    public final void useClock(final LongSupplier clock) {
        this.nanoTime = clock;
    }

    @OnScheduled
    public void resetThrottle() {
        throttleGate.open();
    }

    protected static BulkImportConnectionService connectionService(final ProcessContext context) {
        return context.getProperty(CONNECTION_SERVICE).asControllerService(BulkImportConnectionService.class);
    }

    /**
     * Holds back while the server asked to wait; otherwise runs {@link #trigger}, and whatever
     * unexpected error it meets, routes every flowfile it took and did not route (the run's guard,
     * behind each flowfile's own, {@link Routing#guarded}): a flowfile is never rolled back to meet the
     * same error for ever. Only an interrupt (the processor is being stopped) rolls the session back.
     */
    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        if (throttleGate.holdsBack(context)) {
            return;
        }
        final R routing = routing(context, session, connectionService(context));
        try {
            trigger(context, session, routing);
        } catch (final RuntimeException | Error unexpected) {
            if (Thread.currentThread().isInterrupted()) {
                throw unexpected;
            }
            routing.failUnrouted(unexpected);
        }
        committing(session, routing);
    }

    /**
     * Once every flowfile of the run is routed, whether or not something unexpected cut it short: a processor that
     * must know when the run's session has committed commits it here, with a callback. By default, the framework commits.
     */
    protected void committing(final ProcessSession session, final R routing) {
    }

    /** How this run routes its flowfiles. */
    protected abstract R routing(ProcessContext context, ProcessSession session, BulkImportConnectionService service);

    /**
     * One run; every flowfile it takes is told to {@code routing} ({@link Routing#took}) as it is taken, before
     * anything may go wrong with it, and the work of each flowfile runs under its own guard where one flowfile's
     * input could break it ({@link Routing#guarded}).
     */
    protected abstract void trigger(ProcessContext context, ProcessSession session, R routing);

    /** A verification step, its name and explanation as a user may see them. */
    protected static ConfigVerificationResult verification(final BulkImportConnectionService service, final String step, final Outcome outcome,
                                                           final String explanation) {
        return verification(service.visibleText(step), outcome, service.visibleText(explanation));
    }

    private static ConfigVerificationResult verification(final String step, final Outcome outcome, final String explanation) {
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
    protected abstract void verify(ProcessContext context, BulkImportConnectionService service, ComponentLog verificationLogger,
                                   Map<String, String> attributes, List<ConfigVerificationResult> results);
}
