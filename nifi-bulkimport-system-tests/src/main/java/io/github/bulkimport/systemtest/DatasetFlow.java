package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The all-or-nothing dataset import, built from NiFi's own processors and this bundle's, as the
 * README's "Two-phase imports" describes it:
 * <pre>
 * GenerateFlowFile (a manifest: one file per line) → SplitText → ExtractText (dataset.file) → TriggerBulkImport (auto_commit = false)
 *   → GetBulkImportProgress ─uncommitted, failure, expired─▶ ReplaceText ("job state")
 *   → MergeContent (Defragment, one line per job; its input partitioned by fragment.identifier, so that in a cluster every fragment
 *     of a dataset meets on one node)
 *   → RouteOnContent ─complete (every line Uncommitted)─▶ CommitBulkImport (Job ID Source = Content) → committed
 *                    └─unmatched─────────────────────────▶ AbortBulkImport (Job ID Source = Content)  → aborted
 * </pre>
 * Everything that needs a person ends in the "needs attention" funnel. Components sit to the right
 * of the canvas's palettes, and every connection's label at its own bend point.
 */
public record DatasetFlow(String groupId, String manifestId, String triggerId, String toTrigger, String committed, String aborted,
                          List<String> attention) {

    public static final String COMMIT_TYPE = "io.github.bulkimport.nifi.processors.action.CommitBulkImport";
    public static final String ABORT_TYPE = "io.github.bulkimport.nifi.processors.action.AbortBulkImport";
    private static final String STANDARD = "org.apache.nifi.processors.standard.";
    /**
     * A processor is drawn 352 × 128 pixels and a connection's label about 240 × 50 at its bend: columns
     * leave a label's width between them, rows a label's height.
     */
    private static final double[] COLUMNS = {480, 1100, 1720};
    private static final double[] ROWS = {40, 300, 560, 820};
    private static final double LABEL_GAP_X = 134;

    /**
     * @param clustered in a cluster, as "Running in a cluster" advises: the manifest is read on the
     *                  primary node, and its files are spread over the nodes, round robin, on their
     *                  way to TriggerBulkImport
     */
    public static DatasetFlow create(final NiFiRestClient rest, final String parentGroupId, final double x, final double y,
                                     final BulkImportFlow.Settings settings, final boolean clustered) throws IOException {
        final String group = rest.createProcessGroup(parentGroupId, settings.name(), x, y);
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "Milvus connection", Map.of(
                "Deployment", "MILVUS",
                "Endpoint URL", settings.endpoint(),
                "API Key or Token", settings.token(),
                "Response Timeout", "5 secs"));
        rest.enableControllerService(service, Duration.ofSeconds(30));
        final Map<String, String> polling = Map.of("penaltyDuration", settings.penalty().toMillis() + " ms", "yieldDuration", "1 sec",
                "schedulingPeriod", "0 sec");

        // down the first column, up the second, then out to the third
        final String manifest = rest.createProcessor(group, STANDARD + "GenerateFlowFile", "Dataset manifest (one file per line)",
                COLUMNS[0], ROWS[0], Map.of("generate-ff-custom-text", "set before each run"), Map.of("schedulingPeriod", "1 min"), List.of());
        final String split = rest.createProcessor(group, STANDARD + "SplitText", "One flowfile per file (fragment.* attributes)",
                COLUMNS[0], ROWS[1], Map.of("Line Split Count", "1", "Remove Trailing Newlines", "true"), Map.of(), List.of("original"));
        final String extract = rest.createProcessor(group, STANDARD + "ExtractText", "dataset.file = the line",
                COLUMNS[0], ROWS[2], Map.of("dataset.file", "^(\\S+)"), Map.of(), List.of());
        final String trigger = rest.createProcessor(group, BulkImportFlow.TRIGGER_TYPE, "TriggerBulkImport (auto_commit = false)",
                COLUMNS[0], ROWS[3], Map.of("Connection Service", service, "Collection Name", settings.collection(),
                        "Object URLs", "${dataset.file}", "auto_commit", "false"), polling, List.of());
        final String progress = rest.createProcessor(group, BulkImportFlow.PROGRESS_TYPE, "GetBulkImportProgress",
                COLUMNS[1], ROWS[3], Map.of("Connection Service", service, "Maximum Wait Time", "10 min"), polling, List.of());
        final String line = rest.createProcessor(group, STANDARD + "ReplaceText", "Content = \"job state\"",
                COLUMNS[1], ROWS[2], Map.of("Replacement Strategy", "Always Replace", "Evaluation Mode", "Entire text",
                        "Replacement Value", "${bulkimport.job.id} ${bulkimport.state}"), Map.of(), List.of());
        final String merge = rest.createProcessor(group, STANDARD + "MergeContent", "One flowfile per dataset (Defragment)",
                COLUMNS[1], ROWS[1], Map.of("Merge Strategy", "Defragment", "Delimiter Strategy", "Text", "Demarcator File", "\n",
                        "Max Bin Age", "15 min"), Map.of(), List.of("original"));
        final String route = rest.createProcessor(group, STANDARD + "RouteOnContent", "Every job Uncommitted?",
                COLUMNS[1], ROWS[0], Map.of("Match Requirement", "content must match exactly", "complete", "(\\S+ Uncommitted\\n?)+"),
                Map.of(), List.of());
        final String commit = rest.createProcessor(group, COMMIT_TYPE, "CommitBulkImport (the whole dataset)",
                COLUMNS[2], ROWS[0], Map.of("Connection Service", service, "Job ID Source", "Content"), polling, List.of());
        final String abort = rest.createProcessor(group, ABORT_TYPE, "AbortBulkImport (the whole dataset)",
                COLUMNS[2], ROWS[2], Map.of("Connection Service", service, "Job ID Source", "Content"), polling, List.of());
        final double outside = COLUMNS[2] + 700;
        final String committedFunnel = rest.createFunnel(group, outside, ROWS[0] + 44);
        final String abortedFunnel = rest.createFunnel(group, outside, ROWS[2] + 44);
        final String stuckFunnel = rest.createFunnel(group, outside, ROWS[1] + 44);
        final String notStartedFunnel = rest.createFunnel(group, COLUMNS[0] - 180, ROWS[3] + 200);

        rest.connect(group, manifest, split, "PROCESSOR", List.of("success"), between(0, 0));
        rest.connect(group, split, extract, "PROCESSOR", List.of("splits"), between(0, 1));
        final String toTrigger = rest.connect(group, extract, trigger, "PROCESSOR", List.of("matched"), between(0, 2));
        rest.connect(group, trigger, trigger, "PROCESSOR", List.of("retry"), under(0));
        rest.connect(group, trigger, progress, "PROCESSOR", List.of("success"), new double[] {COLUMNS[0] + 352 + LABEL_GAP_X, ROWS[3] + 64});
        rest.connect(group, progress, progress, "PROCESSOR", List.of("running", "retry"), under(1));
        // a Completed job means a server that ignored auto_commit = false: its line is not Uncommitted, and the dataset is aborted
        rest.connect(group, progress, line, "PROCESSOR", List.of("uncommitted", "success", "failure", "expired"), between(1, 2));
        final String toMerge = rest.connect(group, line, merge, "PROCESSOR", List.of("success"), between(1, 1));
        // a dataset's fragments must meet in one bin: in a cluster, on one node
        rest.loadBalanceByAttribute(toMerge, "fragment.identifier");
        rest.connect(group, merge, route, "PROCESSOR", List.of("merged"), between(1, 0));
        final double routeX = COLUMNS[1] + 352 + LABEL_GAP_X;
        rest.connect(group, route, commit, "PROCESSOR", List.of("complete"), new double[] {routeX, ROWS[0] + 64});
        rest.connect(group, route, abort, "PROCESSOR", List.of("unmatched"), new double[] {routeX, ROWS[1] + 130});
        rest.connect(group, commit, commit, "PROCESSOR", List.of("retry"), between(2, 0));
        rest.connect(group, abort, abort, "PROCESSOR", List.of("retry"), between(2, 2));
        final double resultX = COLUMNS[2] + 352 + 176;
        final String committed = rest.connect(group, commit, committedFunnel, "FUNNEL", List.of("success"), new double[] {resultX, ROWS[0] + 64});
        final String aborted = rest.connect(group, abort, abortedFunnel, "FUNNEL", List.of("success"), new double[] {resultX, ROWS[2] + 64});

        // what needs a person: inputs that cannot start a job on the left, datasets that cannot finish on the right
        final double left = COLUMNS[0] - 120;
        final List<String> attention = List.of(
                rest.connect(group, split, notStartedFunnel, "FUNNEL", List.of("failure"), new double[] {left, ROWS[1] + 64}),
                rest.connect(group, extract, notStartedFunnel, "FUNNEL", List.of("unmatched"), new double[] {left, ROWS[2] + 64}),
                rest.connect(group, trigger, notStartedFunnel, "FUNNEL", List.of("failure"), new double[] {left, ROWS[3] + 64}),
                rest.connect(group, merge, stuckFunnel, "FUNNEL", List.of("failure"), new double[] {routeX, ROWS[1]}),
                rest.connect(group, line, stuckFunnel, "FUNNEL", List.of("failure"), new double[] {routeX, ROWS[2] - 40}),
                rest.connect(group, commit, stuckFunnel, "FUNNEL", List.of("failure"), new double[] {resultX, ROWS[1]}),
                rest.connect(group, abort, stuckFunnel, "FUNNEL", List.of("failure"), new double[] {resultX, ROWS[1] + 130}));

        if (clustered) {
            rest.setExecutionNode(manifest, "PRIMARY");
            rest.loadBalanceRoundRobin(toTrigger);
        }
        final List<String> processors = List.of(split, extract, trigger, progress, line, merge, route, commit, abort);
        for (final String processor : processors) {
            final List<String> problems = rest.validationErrors(processor);
            if (!problems.isEmpty()) {
                throw new IOException("the dataset flow is not valid: processor " + processors.indexOf(processor) + " of " + processors + ": " + problems);
            }
        }
        for (final String processor : processors) {
            rest.setProcessorState(processor, "RUNNING");
        }
        return new DatasetFlow(group, manifest, trigger, toTrigger, committed, aborted, attention);
    }

    /** The bend of a connection from the processor in {@code column}, {@code row} to the one below it: in the gap between them. */
    private static double[] between(final int column, final int row) {
        return new double[] {COLUMNS[column] + 176, (ROWS[row] + 128 + ROWS[row + 1]) / 2};
    }

    /** The bend of a processor's loop in the bottom row: under it. */
    private static double[] under(final int column) {
        return new double[] {COLUMNS[column] + 176, ROWS[3] + 128 + 70};
    }

    /** How many flowfiles wait for a person. */
    public int needingAttention(final NiFiRestClient rest) throws IOException {
        int queued = 0;
        for (final String connection : attention) {
            queued += rest.queued(connection);
        }
        return queued;
    }

    /** Starts the import of one dataset: the manifest names its files, one per line. */
    public void importDataset(final NiFiRestClient rest, final List<String> files) throws IOException {
        rest.updateProcessorProperties(manifestId, Map.of("generate-ff-custom-text", String.join("\n", files)));
        rest.runOnce(manifestId, Duration.ofSeconds(30));
    }
}
