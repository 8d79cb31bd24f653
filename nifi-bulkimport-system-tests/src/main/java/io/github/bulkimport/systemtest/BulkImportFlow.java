package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The flow the system tests and the demo build through the REST API:
 * <pre>
 * GenerateFlowFile (attributes as PutS3Object writes them) ─success─▶ TriggerBulkImport ─success─▶ GetBulkImportProgress ─success─▶ (done)
 *                                                   ↺ retry          └─failure─▶ (not started)   ↺ running, retry
 *                                                                                                └─failure, expired, uncommitted─▶ (failed)
 * </pre>
 * The three funnels have no way out, so flowfiles stay queued in front of them to be counted.
 */
public record BulkImportFlow(
        String groupId,
        String serviceId,
        String generateId,
        String triggerId,
        String progressId,
        String toTrigger,
        String started,
        String done,
        String notStarted,
        String failed) {

    public static final String TRIGGER_TYPE = "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport";
    public static final String PROGRESS_TYPE = "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress";
    public static final String SERVICE_TYPE = "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService";
    public static final String GENERATE_TYPE = "org.apache.nifi.processors.standard.GenerateFlowFile";
    private static final String NUMBERED_KEY = "vectors/part-${nextInt():toString():padLeft(5, '0')}.parquet";

    /**
     * @param endpoint   the Milvus (or emulator) address
     * @param token      the API key or token
     * @param collection the collection to import into
     * @param bucket     the bucket PutS3Object would have written to
     * @param penalty    the polling interval of GetBulkImportProgress and the retry delay of TriggerBulkImport
     */
    public record Settings(String name, String endpoint, String token, String collection, String bucket, Duration penalty) {
    }

    public static BulkImportFlow create(final NiFiRestClient rest, final String parentGroupId, final double x, final double y,
                                        final Settings settings) throws IOException {
        final String group = rest.createProcessGroup(parentGroupId, settings.name(), x, y);
        final String service = rest.createControllerService(group, SERVICE_TYPE, "Milvus connection", Map.of(
                "Deployment", "MILVUS",
                "Endpoint URL", settings.endpoint(),
                "API Key or Token", settings.token(),
                "Response Timeout", "5 secs"));
        rest.enableControllerService(service, Duration.ofSeconds(30));

        // one column right of the canvas's palettes; every label at its own bend, loops and exits to the right
        final double column = 480;
        final double exit = column + 352 + 160;
        final String penalty = settings.penalty().toMillis() + " ms";
        final String generate = rest.createProcessor(group, GENERATE_TYPE, "Uploaded files (as PutS3Object leaves them)", column, 40,
                Map.of("File Size", "0B", "Batch Size", "1", "s3.bucket", settings.bucket(),
                        "s3.key", NUMBERED_KEY),
                Map.of("schedulingPeriod", "1 min"), List.of());
        final String trigger = rest.createProcessor(group, TRIGGER_TYPE, "TriggerBulkImport", column, 300,
                Map.of("Connection Service", service, "Collection Name", settings.collection()),
                Map.of("penaltyDuration", penalty, "yieldDuration", "1 sec", "schedulingPeriod", "0 sec"), List.of());
        final String progress = rest.createProcessor(group, PROGRESS_TYPE, "GetBulkImportProgress", column, 560,
                Map.of("Connection Service", service, "Maximum Wait Time", "10 min"),
                Map.of("penaltyDuration", penalty, "yieldDuration", "1 sec", "schedulingPeriod", "0 sec"), List.of());
        final String doneFunnel = rest.createFunnel(group, column + 156, 860);
        final String notStartedFunnel = rest.createFunnel(group, exit + 300, 400);
        final String failedFunnel = rest.createFunnel(group, exit + 300, 660);

        final String toTrigger = rest.connect(group, generate, trigger, "PROCESSOR", List.of("success"), new double[] {column + 176, 234});
        rest.connect(group, trigger, trigger, "PROCESSOR", List.of("retry"), new double[] {exit, 300});
        final String notStarted = rest.connect(group, trigger, notStartedFunnel, "FUNNEL", List.of("failure"), new double[] {exit, 420});
        final String started = rest.connect(group, trigger, progress, "PROCESSOR", List.of("success"), new double[] {column + 176, 494});
        rest.connect(group, progress, progress, "PROCESSOR", List.of("running", "retry"), new double[] {exit, 560});
        final String done = rest.connect(group, progress, doneFunnel, "FUNNEL", List.of("success"), new double[] {column + 176, 780});
        // a job started with auto_commit = false waits Uncommitted for a commit this flow does not make: someone must look
        final String failed = rest.connect(group, progress, failedFunnel, "FUNNEL", List.of("failure", "expired", "uncommitted"),
                new double[] {exit, 690});
        return new BulkImportFlow(group, service, generate, trigger, progress, toTrigger, started, done, notStarted, failed);
    }

    /**
     * For a cluster: GenerateFlowFile runs on the primary node only, as a source of uploads would,
     * and its flowfiles are spread round robin over the nodes.
     */
    public void spreadOverCluster(final NiFiRestClient rest) throws IOException {
        rest.setExecutionNode(generateId, "PRIMARY");
        rest.loadBalanceRoundRobin(toTrigger);
    }

    /**
     * Makes about {@code count} flowfiles, each with its own s3.key and s3.etag, running GenerateFlowFile (on the
     * primary node only, in a cluster, where Run Once would run it on every node) until it has made
     * that many. Returns how many it made.
     */
    public int generateOnPrimary(final NiFiRestClient rest, final int count) throws IOException, InterruptedException {
        final int before = rest.flowFilesOut(generateId);
        // each upload with its own ETag, as PutS3Object writes one
        rest.updateProcessorProperties(generateId, Map.of("s3.etag", "${UUID()}"));
        rest.updateProcessorConfig(generateId, Map.of("schedulingPeriod", "50 ms"));
        rest.setProcessorState(generateId, "RUNNING");
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (rest.flowFilesOut(generateId) - before < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        rest.setProcessorState(generateId, "STOPPED");
        Thread.sleep(500);
        rest.updateProcessorConfig(generateId, Map.of("schedulingPeriod", "1 min"));
        return rest.flowFilesOut(generateId) - before;
    }

    /** Makes {@code count} flowfiles in one run of GenerateFlowFile on the primary node, all naming the same s3.key. */
    public void generateBatchOnPrimary(final NiFiRestClient rest, final int count) throws IOException, InterruptedException {
        rest.updateProcessorProperties(generateId, Map.of("Batch Size", String.valueOf(count)));
        rest.setProcessorState(generateId, "RUNNING");
        awaitQueued(rest, toTrigger, count, Duration.ofSeconds(60));
        rest.setProcessorState(generateId, "STOPPED");
        rest.updateProcessorProperties(generateId, Map.of("Batch Size", "1"));
    }

    /** Makes one flowfile for the given s3.key, then lets GenerateFlowFile number its keys again. */
    public void generate(final NiFiRestClient rest, final String key) throws IOException {
        rest.updateProcessorProperties(generateId, Map.of("s3.key", key));
        rest.runOnce(generateId, Duration.ofSeconds(30));
        rest.updateProcessorProperties(generateId, Map.of("s3.key", NUMBERED_KEY));
    }

    /** Makes {@code count} flowfiles in one run of GenerateFlowFile, all naming the same s3.key (as a batch shares attributes). */
    public void generateBatch(final NiFiRestClient rest, final int count) throws IOException {
        rest.updateProcessorProperties(generateId, Map.of("Batch Size", String.valueOf(count)));
        rest.runOnce(generateId, Duration.ofSeconds(60));
        rest.updateProcessorProperties(generateId, Map.of("Batch Size", "1"));
    }

    /**
     * How fast TriggerBulkImport starts jobs: with {@code count} flowfiles queued in front of it and
     * GetBulkImportProgress stopped, the flowfiles per second from starting it until all are started.
     */
    public double triggerThroughput(final NiFiRestClient rest, final int count) throws IOException, InterruptedException {
        awaitQueued(rest, toTrigger, count, Duration.ofMinutes(2));
        final long began = System.nanoTime();
        rest.setProcessorState(triggerId, "RUNNING");
        awaitQueued(rest, started, count, Duration.ofMinutes(5));
        final double seconds = (System.nanoTime() - began) / 1e9;
        rest.setProcessorState(triggerId, "STOPPED");
        return count / seconds;
    }

    /** Makes {@code count} flowfiles, each with its own s3.key. */
    public void generate(final NiFiRestClient rest, final int count) throws IOException {
        for (int i = 0; i < count; i++) {
            rest.runOnce(generateId, Duration.ofSeconds(30));
        }
    }

    /** Starts the bulk-import processors (GenerateFlowFile stays stopped). */
    public void start(final NiFiRestClient rest) throws IOException {
        final List<String> problems = rest.validationErrors(triggerId);
        problems.addAll(rest.validationErrors(progressId));
        if (!problems.isEmpty()) {
            throw new IOException("the flow is not valid: " + problems);
        }
        rest.setProcessorState(triggerId, "RUNNING");
        rest.setProcessorState(progressId, "RUNNING");
    }

    /** Waits until the given connection holds {@code count} flowfiles. */
    public static void awaitQueued(final NiFiRestClient rest, final String connectionId, final int count, final Duration timeout)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        int queued = 0;
        while (System.nanoTime() < deadline) {
            queued = rest.queued(connectionId);
            if (queued >= count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("expected " + count + " flowfiles in connection " + connectionId + " but found " + queued + " after " + timeout);
    }
}
