package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The all-or-nothing dataset import of {@code flows/all-or-nothing-dataset.json}, as the README's "Two-phase
 * imports" describes it, built from NiFi's own processors and this bundle's:
 * <pre>
 * [Dataset manifests] (one file per line) → SplitText → ExtractText (dataset.file) → TriggerBulkImport (auto_commit = false)
 *   → GetBulkImportProgress ─uncommitted, failure, expired─▶ ReplaceText ("job state")
 *   → MergeContent (Defragment, one line per job; its input partitioned by fragment.identifier, so that in a cluster every fragment
 *     of a dataset meets on one node)
 *   → RouteOnContent ─complete (every line Uncommitted)─▶ CommitBulkImport (Job ID Source = Content) → [Committed]
 *                    └─unmatched─────────────────────────▶ AbortBulkImport (Job ID Source = Content)  → [Aborted]
 * </pre>
 * Everything that needs a person goes through an alert to [Needs attention]. The harness uploads the
 * definition into a group of its own, fed by a GenerateFlowFile that makes the manifest, with funnels
 * after the output ports.
 */
public record DatasetFlow(String groupId, String manifestId, String triggerId, String toTrigger, String committed, String aborted,
                          String attention) {

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

    static final String MANIFESTS = "Dataset manifests";
    static final String TRIGGER = "TriggerBulkImport (auto_commit = false)";
    static final String ALERT = "Alert: dataset needs attention";
    static final String COMMITTED = "Committed";
    static final String ABORTED = "Aborted";
    static final String NEEDS_ATTENTION = "Needs attention";

    /** Builds the definition's components in {@code group}, whose connection service is {@code service}. */
    static void buildDefinition(final NiFiRestClient rest, final String group, final String service) throws IOException {
        // down the first column, up the second, then out to the third
        final String manifests = rest.createPort(group, NiFiRestClient.PortType.INPUT, MANIFESTS, COLUMNS[0] + 56, ROWS[0] + 24);
        final String split = rest.createProcessor(group, STANDARD + "SplitText", "One flowfile per file (fragment.* attributes)",
                COLUMNS[0], ROWS[1], Map.of("Line Split Count", "1", "Remove Trailing Newlines", "true"), Map.of(), List.of("original"));
        final String extract = rest.createProcessor(group, STANDARD + "ExtractText", "dataset.file = the line",
                COLUMNS[0], ROWS[2], Map.of("dataset.file", "^(\\S+)"), Map.of(), List.of());
        final String trigger = rest.createProcessor(group, BulkImportFlow.TRIGGER_TYPE, TRIGGER,
                COLUMNS[0], ROWS[3], Map.of("Connection Service", service, "Collection Name", "#{" + FlowDefinition.COLLECTION + "}",
                        "Object URLs", "${dataset.file}", "auto_commit", "false"), Map.of(), List.of());
        final String progress = rest.createProcessor(group, BulkImportFlow.PROGRESS_TYPE, "GetBulkImportProgress",
                COLUMNS[1], ROWS[3], Map.of("Connection Service", service), Map.of(), List.of());
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
                COLUMNS[2], ROWS[0], Map.of("Connection Service", service, "Job ID Source", "Content"), Map.of(), List.of());
        final String abort = rest.createProcessor(group, ABORT_TYPE, "AbortBulkImport (the whole dataset)",
                COLUMNS[2], ROWS[2], Map.of("Connection Service", service, "Job ID Source", "Content"), Map.of(), List.of());
        final double outside = COLUMNS[2] + 700;
        final String alert = rest.createProcessor(group, BulkImportFlow.LOG_MESSAGE_TYPE, ALERT, outside - 56, ROWS[1],
                BulkImportFlow.alert("Dataset import needs attention: ${fragment.identifier:replaceNull(${bulkimport.job.id})} "
                        + "${bulkimport.action:replaceNull(${bulkimport.error.message})}"), Map.of(), List.of());
        final String committed = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, COMMITTED, outside, ROWS[0] + 24);
        final String aborted = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, ABORTED, outside, ROWS[2] + 24);
        final String attention = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, NEEDS_ATTENTION, outside + 500, ROWS[1] + 24);

        rest.connect(group, NiFiRestClient.PortType.INPUT.end(group, manifests), NiFiRestClient.End.processor(group, split), List.of(), null);
        rest.connect(group, split, extract, "PROCESSOR", List.of("splits"), between(0, 1));
        final String toTrigger = rest.connect(group, extract, trigger, "PROCESSOR", List.of("matched"), between(0, 2));
        // in a cluster, a dataset's files spread over the nodes ...
        rest.loadBalanceRoundRobin(toTrigger);
        rest.connect(group, trigger, trigger, "PROCESSOR", List.of("retry"), under(0));
        rest.connect(group, trigger, progress, "PROCESSOR", List.of("success"), new double[] {COLUMNS[0] + 352 + LABEL_GAP_X, ROWS[3] + 64});
        rest.connect(group, progress, progress, "PROCESSOR", List.of("running", "retry"), under(1));
        // a Completed job means a server that ignored auto_commit = false: its line is not Uncommitted, and the dataset is aborted
        rest.connect(group, progress, line, "PROCESSOR", List.of("uncommitted", "success", "failure", "resubmit", "expired"), between(1, 2));
        final String toMerge = rest.connect(group, line, merge, "PROCESSOR", List.of("success"), between(1, 1));
        // ... and meet again on one node, each dataset in one bin
        rest.loadBalanceByAttribute(toMerge, "fragment.identifier");
        rest.connect(group, merge, route, "PROCESSOR", List.of("merged"), between(1, 0));
        final double routeX = COLUMNS[1] + 352 + LABEL_GAP_X;
        rest.connect(group, route, commit, "PROCESSOR", List.of("complete"), new double[] {routeX, ROWS[0] + 64});
        rest.connect(group, route, abort, "PROCESSOR", List.of("unmatched"), new double[] {routeX, ROWS[1] + 130});
        rest.connect(group, commit, commit, "PROCESSOR", List.of("retry"), between(2, 0));
        rest.connect(group, abort, abort, "PROCESSOR", List.of("retry"), between(2, 2));
        final double resultX = COLUMNS[2] + 352 + 176;
        rest.connect(group, NiFiRestClient.End.processor(group, commit), NiFiRestClient.PortType.OUTPUT.end(group, committed), List.of("success"),
                new double[] {resultX, ROWS[0] + 64});
        rest.connect(group, NiFiRestClient.End.processor(group, abort), NiFiRestClient.PortType.OUTPUT.end(group, aborted), List.of("success"),
                new double[] {resultX, ROWS[2] + 64});

        // what needs a person: inputs that cannot start a job on the left, datasets that cannot finish on the right
        final double left = COLUMNS[0] - 120;
        rest.connect(group, split, alert, "PROCESSOR", List.of("failure"), new double[] {left, ROWS[1] + 64});
        rest.connect(group, extract, alert, "PROCESSOR", List.of("unmatched"), new double[] {left, ROWS[2] + 64});
        rest.connect(group, trigger, alert, "PROCESSOR", List.of("failure"), new double[] {left, ROWS[3] + 64});
        rest.connect(group, merge, alert, "PROCESSOR", List.of("failure"), new double[] {routeX, ROWS[1]});
        rest.connect(group, line, alert, "PROCESSOR", List.of("failure"), new double[] {routeX, ROWS[2] - 40});
        rest.connect(group, commit, alert, "PROCESSOR", List.of("failure"), new double[] {resultX, ROWS[1]});
        rest.connect(group, abort, alert, "PROCESSOR", List.of("failure"), new double[] {resultX, ROWS[1] + 130});
        rest.connect(group, NiFiRestClient.End.processor(group, alert), NiFiRestClient.PortType.OUTPUT.end(group, attention), List.of("success"), null);
    }

    /**
     * Uploads the definition into a group of its own, fed by a GenerateFlowFile that makes the manifest,
     * with funnels after its output ports; sets its parameters and starts it.
     *
     * @param clustered in a cluster, as "Running in a cluster" advises: the manifest is made on the
     *                  primary node (the definition spreads its files over the nodes)
     */
    public static DatasetFlow create(final NiFiRestClient rest, final String parentGroupId, final double x, final double y,
                                     final BulkImportFlow.Settings settings, final boolean clustered) throws IOException {
        final String outer = rest.createProcessGroup(parentGroupId, settings.name(), x, y);
        final FlowDefinition.Installed installed = FlowDefinition.DATASET.install(rest, outer, settings);
        final String group = installed.groupId();
        final NiFiRestClient.GroupContents inside = installed.contents();

        final String manifest = rest.createProcessor(outer, STANDARD + "GenerateFlowFile", "Dataset manifest (one file per line)",
                480, 40, Map.of("generate-ff-custom-text", "set before each run"), Map.of("schedulingPeriod", "1 min"), List.of());
        rest.connect(outer, NiFiRestClient.End.processor(outer, manifest), NiFiRestClient.PortType.INPUT.end(group, inside.inputPort(MANIFESTS)),
                List.of("success"), null);
        final String committed = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(COMMITTED), 1100, 360);
        final String aborted = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(ABORTED), 1100, 460);
        final String attention = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(NEEDS_ATTENTION), 1100, 560);
        if (clustered) {
            rest.setExecutionNode(manifest, "PRIMARY");
        }
        for (final String processor : inside.processors().values()) {
            final List<String> problems = rest.validationErrors(processor);
            if (!problems.isEmpty()) {
                throw new IOException("the dataset flow is not valid: processor " + processor + ": " + problems);
            }
        }
        rest.setGroupState(group, "RUNNING");
        final String trigger = inside.processor(TRIGGER);
        return new DatasetFlow(outer, manifest, trigger, inside.connection(inside.processor("dataset.file = the line"), trigger), committed,
                aborted, attention);
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
        return rest.queued(attention);
    }

    /** Starts the import of one dataset: the manifest names its files, one per line. */
    public void importDataset(final NiFiRestClient rest, final List<String> files) throws IOException {
        rest.updateProcessorProperties(manifestId, Map.of("generate-ff-custom-text", String.join("\n", files)));
        rest.runOnce(manifestId, Duration.ofSeconds(30));
    }
}
