package io.github.bulkimport.systemtest;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Both validation depths on one pair of Parquet files, in a group of its own: a sound file, and one whose NaN sits in a
 * late row group, which First Pages passes and Whole File stops, before any job.
 * <pre>
 * GetFile ─▶ ValidateBulkImportFile (First Pages) ─valid─▶ ValidateBulkImportFile (Whole File) ─valid─▶ [Checked]
 *              └─invalid─▶ [Stopped by First Pages]          ├─invalid─▶ [Stopped by Whole File]
 *                                                            └─report─▶ PutFile (the reports folder) ─▶ [Reports written]
 * </pre>
 * GetFile stands in for the step that holds a file's bytes before its upload.
 */
public record WholeFileFlow(String groupId, String getFile, String checked, String stoppedByFirstPages, String stoppedByWholeFile,
                            String reportsWritten) {

    public static final String GET_FILE_TYPE = "org.apache.nifi.processors.standard.GetFile";
    public static final String SOUND_FILE = "vectors-sound.parquet";
    public static final String LATE_NAN_FILE = "vectors-nan-in-a-late-row-group.parquet";
    /** The rows of each file, FloatVector(8) each, in row groups of about 1,000 rows. */
    public static final int ROWS = 10_000;
    /** The row (from 1, as the validator counts) whose vector holds a NaN in {@link #LATE_NAN_FILE}. */
    public static final int NAN_ROW = 9_500;

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
            "message demo { required group vector (LIST) { repeated group list { required float element; } } }");

    /** Writes {@link #SOUND_FILE} and {@link #LATE_NAN_FILE} into {@code folder}, each written whole before it is moved in. */
    public static void writeFiles(final Path folder) throws IOException {
        Files.createDirectories(folder);
        write(folder, SOUND_FILE, -1);
        write(folder, LATE_NAN_FILE, NAN_ROW - 1);
    }

    private static void write(final Path folder, final String name, final int nanRow) throws IOException {
        final Path partial = Files.createTempFile(folder.getParent(), name, ".partial");
        final Random random = new Random(name.hashCode());
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(partial)).withType(SCHEMA)
                .withConf(new Configuration(false)).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.SNAPPY).withRowGroupSize(32 * 1024L).withPageSize(4 * 1024).build()) {
            for (int row = 0; row < ROWS; row++) {
                final Group record = groups.newGroup();
                final Group vector = record.addGroup("vector");
                for (int d = 0; d < 8; d++) {
                    vector.addGroup("list").append("element", row == nanRow && d == 3 ? Float.NaN : random.nextFloat());
                }
                writer.write(record);
            }
        }
        Files.move(partial, folder.resolve(name));
    }

    /**
     * Builds the group at ({@code x}, {@code y}) of {@code parentGroupId} and starts it: GetFile takes the files of {@code input}, and
     * the reports go into {@code reports}.
     */
    public static WholeFileFlow create(final NiFiRestClient rest, final String parentGroupId, final double x, final double y,
                                       final BulkImportFlow.Settings settings, final Path input, final Path reports) throws IOException {
        final String group = rest.createProcessGroup(parentGroupId, settings.name(), x, y);
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "Milvus connection", Map.of(
                "Deployment", "MILVUS", "Endpoint URL", settings.endpoint(), "API Key or Token", settings.token()));
        rest.enableControllerService(service, java.time.Duration.ofSeconds(30));
        final String getFile = rest.createProcessor(group, GET_FILE_TYPE, "Files before upload (GetFile)", 0, 0,
                Map.of("Input Directory", input.toAbsolutePath().toString(), "Keep Source File", "false"), Map.of("schedulingPeriod", "1 sec"),
                List.of());
        final String firstPages = rest.createProcessor(group, BulkImportFlow.VALIDATE_TYPE, "ValidateBulkImportFile (First Pages)", 0, 240,
                Map.of("Connection Service", service, "Collection Name", settings.collection(), "Validation Depth", "First Pages"), Map.of(),
                List.of("retry", "failure"));
        final String wholeFile = rest.createProcessor(group, BulkImportFlow.VALIDATE_TYPE, "ValidateBulkImportFile (Whole File)", 0, 480,
                Map.of("Connection Service", service, "Collection Name", settings.collection(), "Validation Depth", "Whole File"), Map.of(),
                List.of("retry", "failure"));
        final String putReport = rest.createProcessor(group, RecordsFlow.PUT_FILE_TYPE, "Store the report (PutFile)", 560, 720,
                Map.of("Directory", reports.toAbsolutePath().toString(), "Conflict Resolution Strategy", "replace"), Map.of(), List.of("failure"));
        rest.connect(group, getFile, firstPages, "PROCESSOR", List.of("success"), null);
        final String stoppedByFirstPages = rest.connect(group, firstPages, rest.createFunnel(group, 560, 280), "FUNNEL", List.of("invalid"), null);
        rest.connect(group, firstPages, wholeFile, "PROCESSOR", List.of("valid"), null);
        final String checked = rest.connect(group, wholeFile, rest.createFunnel(group, 56, 760), "FUNNEL", List.of("valid"), null);
        final String stoppedByWholeFile = rest.connect(group, wholeFile, rest.createFunnel(group, 560, 520), "FUNNEL", List.of("invalid"), null);
        rest.connect(group, wholeFile, putReport, "PROCESSOR", List.of("report"), null);
        final String reportsWritten = rest.connect(group, putReport, rest.createFunnel(group, 616, 960), "FUNNEL", List.of("success"), null);
        for (final String processor : List.of(getFile, firstPages, wholeFile, putReport)) {
            final List<String> problems = rest.validationErrors(processor);
            if (!problems.isEmpty()) {
                throw new IOException("the whole-file flow is not valid: processor " + processor + ": " + problems);
            }
        }
        rest.setGroupState(group, "RUNNING");
        return new WholeFileFlow(group, getFile, checked, stoppedByFirstPages, stoppedByWholeFile, reportsWritten);
    }

    /** Waits until both files have come to an end of the flow and the report is stored, or {@code timeout} has passed. */
    public void awaitDone(final NiFiRestClient rest, final java.time.Duration timeout) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while ((rest.queued(checked) + rest.queued(stoppedByFirstPages) + rest.queued(stoppedByWholeFile) < 2 || rest.queued(reportsWritten) < 1)
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
    }
}
