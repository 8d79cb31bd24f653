package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The flow of {@code flows/bulk-import-after-upload.json}, as the system tests, the benchmark and the demo
 * run it: the committed definition uploaded into a group, fed by a GenerateFlowFile standing in for the
 * upload processor (its content a small JSON file of the emulator's default schema), its output ports
 * ending in funnels where flowfiles stay queued to be counted.
 * <pre>
 * [Uploaded files] ─▶ ValidateBulkImportFile ─valid─▶ TriggerBulkImport ─success─▶ GetBulkImportProgress ─success─▶ [Imported]
 *   ↺ retry           └─invalid─▶ Alert: file not valid ─▶ [Invalid]
 *                     └─failure─┐    ↺ retry  └─failure─▶ Alert: import not started ─▶ [Not started]
 *                               └──────────────────────────▲          ↺ running, retry
 *                                       └─failure, expired, uncommitted─▶ Alert: import failed ─▶ [Failed]
 * </pre>
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
        String failed,
        String invalid) {

    public static final String TRIGGER_TYPE = "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport";
    public static final String PROGRESS_TYPE = "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress";
    public static final String SERVICE_TYPE = "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService";
    public static final String GENERATE_TYPE = "org.apache.nifi.processors.standard.GenerateFlowFile";
    public static final String VALIDATE_TYPE = "io.github.bulkimport.nifi.processors.validate.ValidateBulkImportFile";
    public static final String LOG_MESSAGE_TYPE = "org.apache.nifi.processors.standard.LogMessage";
    private static final String NUMBERED_KEY = "vectors/part-${nextInt():toString():padLeft(5, '0')}.json";
    /** A file of the emulator's default schema (an auto-ID primary key, a FloatVector(8), the dynamic field on). */
    public static final String GOOD_FILE = "[{\"vector\": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], \"source\": \"nifi\"}]";
    /** A file the server would fail: its vector has 3 values where the collection has 8. */
    public static final String BAD_FILE = "[{\"vector\": [0.1, 0.2, 0.3]}]";

    /** The names of the definition's components, by which the harness finds them. */
    static final String UPLOADED = "Uploaded files";
    static final String VALIDATE = "ValidateBulkImportFile";
    static final String TRIGGER = "TriggerBulkImport";
    static final String PROGRESS = "GetBulkImportProgress";
    static final String NOT_STARTED_ALERT = "Alert: import not started";
    static final String FAILED_ALERT = "Alert: import failed";
    static final String INVALID_ALERT = "Alert: file not valid";
    static final String IMPORTED = "Imported";
    static final String NOT_STARTED = "Not started";
    static final String FAILED = "Failed";
    static final String INVALID = "Invalid";

    /**
     * @param endpoint   the Milvus (or emulator) address
     * @param token      the API key or token
     * @param collection the collection to import into
     * @param bucket     the bucket PutS3Object would have written to
     * @param penalty    the polling interval of GetBulkImportProgress and the retry delay of TriggerBulkImport
     */
    public record Settings(String name, String endpoint, String token, String collection, String bucket, Duration penalty) {
    }

    /** Builds the definition's components in {@code group}, whose connection service is {@code service}. */
    static void buildDefinition(final NiFiRestClient rest, final String group, final String service) throws IOException {
        // two columns, 872 pixels in all: NiFi opens a group centred on what it holds, and a narrow flow stays clear of the palettes;
        // each label at its own bend, loops and failures in the gap between the columns
        final double alerts = 520;
        final double[] rows = {0, 160, 520, 880, 1240};
        final double gap = 436;
        final Map<String, String> collection = Map.of("Connection Service", service, "Collection Name", "#{" + FlowDefinition.COLLECTION + "}");
        final String uploaded = rest.createPort(group, NiFiRestClient.PortType.INPUT, UPLOADED, 56, rows[0]);
        final String validate = rest.createProcessor(group, VALIDATE_TYPE, VALIDATE, 0, rows[1], collection, Map.of(), List.of());
        final String trigger = rest.createProcessor(group, TRIGGER_TYPE, TRIGGER, 0, rows[2], collection, Map.of(), List.of());
        final String progress = rest.createProcessor(group, PROGRESS_TYPE, PROGRESS, 0, rows[3], Map.of("Connection Service", service), Map.of(),
                List.of());
        final String invalidAlert = rest.createProcessor(group, LOG_MESSAGE_TYPE, INVALID_ALERT, alerts, rows[1],
                alert("File ${filename} stopped before any import into #{" + FlowDefinition.COLLECTION + "}: ${bulkimport.validation.errors}"),
                Map.of(), List.of());
        final String notStartedAlert = rest.createProcessor(group, LOG_MESSAGE_TYPE, NOT_STARTED_ALERT, alerts, rows[2],
                alert("Bulk import not started for ${bulkimport.object.urls:replaceNull(${s3.key})}: ${bulkimport.error.code} ${bulkimport.error.message}"),
                Map.of(), List.of());
        final String failedAlert = rest.createProcessor(group, LOG_MESSAGE_TYPE, FAILED_ALERT, alerts, rows[3],
                alert("Bulk import job ${bulkimport.job.id} ended ${bulkimport.state} for ${bulkimport.object.urls}: "
                        + "${bulkimport.reason:replaceNull(${bulkimport.error.message})}"),
                Map.of(), List.of());
        final String imported = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, IMPORTED, 56, rows[4]);
        final String invalid = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, INVALID, alerts + 56, rows[1] + 240);
        final String notStarted = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, NOT_STARTED, alerts + 56, rows[2] + 240);
        final String failed = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, FAILED, alerts + 56, rows[3] + 240);

        final String toValidate = rest.connect(group, NiFiRestClient.PortType.INPUT.end(group, uploaded), NiFiRestClient.End.processor(group, validate),
                List.of(), null);
        // in a cluster, the uploads spread over the nodes (the definition's default; a single node ignores it)
        rest.loadBalanceRoundRobin(toValidate);
        rest.connect(group, validate, validate, "PROCESSOR", List.of("retry"), new double[] {gap, rows[1] - 50});
        rest.connect(group, validate, invalidAlert, "PROCESSOR", List.of("invalid"), new double[] {gap, rows[1] + 170});
        // the schema could not be fetched: no import was started
        rest.connect(group, validate, notStartedAlert, "PROCESSOR", List.of("failure"), new double[] {gap, rows[1] + 250});
        rest.connect(group, validate, trigger, "PROCESSOR", List.of("valid"), null);
        rest.connect(group, trigger, trigger, "PROCESSOR", List.of("retry"), new double[] {gap, rows[2] - 50});
        rest.connect(group, trigger, notStartedAlert, "PROCESSOR", List.of("failure"), new double[] {gap, rows[2] + 170});
        rest.connect(group, trigger, progress, "PROCESSOR", List.of("success"), null);
        rest.connect(group, progress, progress, "PROCESSOR", List.of("running", "retry"), new double[] {gap, rows[3] - 50});
        // the flowfiles of a batched job that failed on other flowfiles' files: a new job
        rest.connect(group, progress, trigger, "PROCESSOR", List.of("resubmit"), new double[] {-90, (rows[2] + rows[3]) / 2 + 40});
        // a job started with auto_commit = false waits Uncommitted for a commit this flow does not make: someone must look
        rest.connect(group, progress, failedAlert, "PROCESSOR", List.of("failure", "expired", "uncommitted"), new double[] {gap, rows[3] + 170});
        rest.connect(group, NiFiRestClient.End.processor(group, progress), NiFiRestClient.PortType.OUTPUT.end(group, imported), List.of("success"), null);
        for (final String[] alertToPort : new String[][] {{invalidAlert, invalid}, {notStartedAlert, notStarted}, {failedAlert, failed}}) {
            rest.connect(group, NiFiRestClient.End.processor(group, alertToPort[0]), NiFiRestClient.PortType.OUTPUT.end(group, alertToPort[1]),
                    List.of("success"), null);
        }
    }

    /** A LogMessage at WARN level: a bulletin on the canvas, where a flow would send a mail or a chat message. */
    static Map<String, String> alert(final String message) {
        return Map.of("log-level", "warn", "log-message", message);
    }

    /**
     * Uploads the definition into a group of its own under {@code parentGroupId}, with a GenerateFlowFile
     * that makes flowfiles as PutS3Object leaves them, and funnels after the output ports; sets its
     * parameters, enables its service, starts its ports and alerts (TriggerBulkImport and
     * GetBulkImportProgress wait for {@link #start}).
     */
    public static BulkImportFlow create(final NiFiRestClient rest, final String parentGroupId, final double x, final double y,
                                        final Settings settings) throws IOException {
        final String outer = rest.createProcessGroup(parentGroupId, settings.name(), x, y);
        final FlowDefinition.Installed installed = FlowDefinition.AFTER_UPLOAD.install(rest, outer, settings);
        final String group = installed.groupId();
        final NiFiRestClient.GroupContents inside = installed.contents();
        final String trigger = inside.processor(TRIGGER);
        final String progress = inside.processor(PROGRESS);

        final String generate = rest.createProcessor(outer, GENERATE_TYPE, "Uploaded files (as PutS3Object leaves them)", 480, 40,
                Map.of("generate-ff-custom-text", GOOD_FILE, "Batch Size", "1", "s3.bucket", settings.bucket(), "s3.key", NUMBERED_KEY),
                Map.of("schedulingPeriod", "1 min"), List.of());
        rest.connect(outer, NiFiRestClient.End.processor(outer, generate), NiFiRestClient.PortType.INPUT.end(group, inside.inputPort(UPLOADED)),
                List.of("success"), null);
        final String done = toFunnel(rest, outer, group, inside.outputPort(IMPORTED), 480 + 156, 560);
        final String notStarted = toFunnel(rest, outer, group, inside.outputPort(NOT_STARTED), 1100, 360);
        final String failed = toFunnel(rest, outer, group, inside.outputPort(FAILED), 1100, 460);
        final String invalid = toFunnel(rest, outer, group, inside.outputPort(INVALID), 1100, 260);
        startPassive(rest, group, inside);
        rest.setProcessorState(inside.processor(VALIDATE), "RUNNING");
        return new BulkImportFlow(outer, installed.serviceId(), generate, trigger, progress, inside.connection(inside.processor(VALIDATE), trigger),
                inside.connection(trigger, progress), done, notStarted, failed, invalid);
    }

    /** Connects an output port of {@code group} to a new funnel of {@code outer}; returns the connection, where flowfiles stay to be counted. */
    static String toFunnel(final NiFiRestClient rest, final String outer, final String group, final String port, final double x, final double y)
            throws IOException {
        final String funnel = rest.createFunnel(outer, x, y);
        return rest.connect(outer, NiFiRestClient.PortType.OUTPUT.end(group, port), new NiFiRestClient.End(funnel, outer, "FUNNEL"), List.of(), null);
    }

    /** Starts what only passes flowfiles on: the ports and the alerts. */
    static void startPassive(final NiFiRestClient rest, final String group, final NiFiRestClient.GroupContents inside) throws IOException {
        for (final String port : inside.inputPorts().values()) {
            rest.setPortState(NiFiRestClient.PortType.INPUT, port, "RUNNING");
        }
        for (final String port : inside.outputPorts().values()) {
            rest.setPortState(NiFiRestClient.PortType.OUTPUT, port, "RUNNING");
        }
        for (final Map.Entry<String, String> processor : inside.processors().entrySet()) {
            if (processor.getKey().startsWith("Alert: ")) {
                rest.setProcessorState(processor.getValue(), "RUNNING");
            }
        }
    }

    /**
     * For a cluster: GenerateFlowFile runs on the primary node only, as a source of uploads would; the
     * definition spreads its flowfiles round robin over the nodes.
     */
    public void spreadOverCluster(final NiFiRestClient rest) throws IOException {
        rest.setExecutionNode(generateId, "PRIMARY");
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
        generate(rest, key, GOOD_FILE);
    }

    /** Makes one flowfile for the given s3.key whose content (the uploaded file) is {@code file}. */
    public void generate(final NiFiRestClient rest, final String key, final String file) throws IOException {
        rest.updateProcessorProperties(generateId, Map.of("s3.key", key, "generate-ff-custom-text", file));
        rest.runOnce(generateId, Duration.ofSeconds(30));
        rest.updateProcessorProperties(generateId, Map.of("s3.key", NUMBERED_KEY, "generate-ff-custom-text", GOOD_FILE));
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
