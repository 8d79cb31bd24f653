package io.github.bulkimport.benchmark;

import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.processors.trigger.TriggerRouting;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.HashMap;
import java.util.Map;

/**
 * TriggerBulkImport with its defaults (idempotency key, job memory in state, 4 requests in flight)
 * in nifi-mock's TestRunner, against the emulator. Flowfiles carry the attributes PutS3Object writes; they are
 * queued before the clock starts, as an upstream processor would have done.
 */
final class TriggerBulkImportRun {

    static final int CHUNK = 1_000;

    private final TestRunner runner;
    private int sequence;
    private boolean initialized;

    TriggerBulkImportRun(final String baseUrl, final int maxFlowFilesPerJob) throws InitializationException {
        this(baseUrl, maxFlowFilesPerJob, null);
    }

    /**
     * @param requestsInFlight Max Requests in Flight, or {@code null} for the processor's default
     */
    TriggerBulkImportRun(final String baseUrl, final int maxFlowFilesPerJob, final Integer requestsInFlight) throws InitializationException {
        runner = TestRunners.newTestRunner(new TriggerBulkImport());
        final StandardBulkImportConnectionService service = new StandardBulkImportConnectionService();
        runner.addControllerService("service", service);
        runner.setProperty(service, StandardBulkImportConnectionService.DEPLOYMENT, Deployment.MILVUS);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, baseUrl);
        runner.setProperty(service, StandardBulkImportConnectionService.API_KEY, EmulatorProcess.TOKEN);
        runner.enableControllerService(service);
        runner.setProperty("Connection Service", "service");
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "bench");
        runner.setProperty("Max Flowfiles per Job", String.valueOf(maxFlowFilesPerJob));
        if (requestsInFlight != null) {
            runner.setProperty("Max Requests in Flight", requestsInFlight.toString());
        }
        runner.setValidateExpressionUsage(false);
    }

    /** Pushes {@code count} flowfiles through, timing only the processing. */
    Measurement run(final String name, final int count) {
        final Measurement.Stopwatch stopwatch = new Measurement.Stopwatch();
        for (int done = 0; done < count; done += CHUNK) {
            final int chunk = Math.min(CHUNK, count - done);
            enqueue(chunk);
            stopwatch.start();
            drain(chunk);
            stopwatch.stop();
        }
        return stopwatch.result(name, count);
    }

    /** Queues flowfiles (untimed). */
    void enqueue(final int count) {
        for (int i = 0; i < count; i++) {
            final Map<String, String> attributes = new HashMap<>(4);
            attributes.put("s3.bucket", "milvus-bucket");
            attributes.put("s3.key", "vectors/part-" + sequence++ + ".parquet");
            runner.enqueue(new byte[0], attributes);
        }
    }

    /** Processes everything queued (timed) and checks that every flowfile succeeded. */
    void drain(final int expected) {
        while (!runner.isQueueEmpty()) {
            runner.run(100, false, !initialized);
            initialized = true;
        }
        final int succeeded = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size();
        if (succeeded != expected) {
            throw new IllegalStateException("expected " + expected + " successes, got " + succeeded + "; retry "
                    + runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).size() + ", failure "
                    + runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE).size());
        }
        // a TestRunner keeps every flowfile and event it saw; a NiFi queue would have moved them on
        runner.clearTransferState();
        runner.clearProvenanceEvents();
        TestRunnerSessions.forget(runner);
    }
}
