package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code ./demo.sh}: starts the emulator and a real NiFi on 127.0.0.1 with the bundle installed,
 * builds a demo flow, and prints the jobs as they run. {@code ./demo.sh stop} stops both.
 */
public final class Demo {

    private static final String TOKEN = "root:Milvus";
    private static final int FLOWFILES = 6;
    /** A file whose vector has 3 values where the collection has 8: ValidateBulkImportFile stops it before any job. */
    private static final String BAD_FILE = "vectors/part-00099-wrong-dimension.json";
    private static final List<String> DATASET = List.of("datasets/2026-11-28/part-1.parquet", "datasets/2026-11-28/part-2.parquet",
            "datasets/2026-11-28/part-3.parquet");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Records of the emulator's default schema (auto-ID key, a FloatVector(8), the dynamic field), two flowfiles of them: one file. */
    private static final int RECORD_FLOWFILES = 2;

    private Demo() {
    }

    public static void main(final String[] args) throws Exception {
        final String command = args.length > 0 ? args[0] : "start";
        final Path root = Path.of(args.length > 1 ? args[1] : ".").toAbsolutePath().normalize();
        final Path demo = root.resolve(".demo");
        switch (command) {
            case "start" -> start(root, demo);
            case "stop" -> stop(demo);
            default -> {
                System.err.println("usage: demo.sh [start|stop]");
                System.exit(2);
            }
        }
    }

    private static void start(final Path root, final Path demo) throws Exception {
        if (Files.exists(demo.resolve("pids"))) {
            System.out.println("A demo is already running; stopping it first.");
            stop(demo);
        }
        Files.createDirectories(demo);
        final long began = System.nanoTime();

        final int emulatorPort = NiFiInstance.freePort();
        final Path emulatorJar = root.resolve("nifi-bulkimport-emulator/target/nifi-bulkimport-emulator.jar");
        final Process emulator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                emulatorJar.toString(), "--deployment", "milvus", "--port", String.valueOf(emulatorPort), "--token", TOKEN, "--import-seconds", "8")
                .redirectErrorStream(true).redirectOutput(demo.resolve("emulator.log").toFile()).start();
        final String emulatorUrl = "http://127.0.0.1:" + emulatorPort;
        awaitEmulator(emulatorUrl);
        // the records flow writes real files: a second emulator reads them from its bucket folder, as Milvus would
        NiFiInstance.delete(demo.resolve("bucket"));
        final Path bucket = Files.createDirectories(demo.resolve("bucket"));
        final int recordsPort = NiFiInstance.freePort();
        final Process recordsEmulator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                emulatorJar.toString(), "--deployment", "milvus", "--port", String.valueOf(recordsPort), "--token", TOKEN, "--import-seconds", "4",
                "--bucket", bucket.toString())
                .redirectErrorStream(true).redirectOutput(demo.resolve("records-emulator.log").toFile()).start();
        final String recordsUrl = "http://127.0.0.1:" + recordsPort;
        awaitEmulator(recordsUrl);

        final List<Path> nars = List.of(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")).getFirst(),
                NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")).getFirst());
        NiFiInstance.delete(demo.resolve("nifi"));
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), demo.resolve("nifi"), nars, "demo");
        final Duration startup = nifi.start(Duration.ofMinutes(4));
        Files.writeString(demo.resolve("pids"), "nifi=" + nifi.pid() + "\nemulator=" + emulator.pid() + "\nrecords-emulator=" + recordsEmulator.pid() + "\n");

        final NiFiRestClient rest = nifi.rest();
        rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
        // the process groups, one above the other in one column right of the canvas's palettes: all in view at first sight, whether
        // the canvas opens at its origin or centred on what it holds (side by side, the second group ended partly under the palettes)
        final String canvas = rest.rootGroupId();
        final BulkImportFlow files = BulkImportFlow.create(rest, canvas, 480, 80,
                new BulkImportFlow.Settings("1. One job per uploaded file", emulatorUrl, TOKEN, "demo_vectors", "milvus-bucket", Duration.ofSeconds(2)));
        final DatasetFlow dataset = DatasetFlow.create(rest, canvas, 480, 340,
                new BulkImportFlow.Settings("2. A dataset, all or nothing (two-phase)", emulatorUrl, TOKEN, "demo_dataset", "milvus-bucket",
                        Duration.ofSeconds(2)), false);
        final RecordsFlow records = RecordsFlow.create(rest, canvas, 480, 600, new BulkImportFlow.Settings("3. Records to Milvus (MergeRecord, "
                + "JSON writer)", recordsUrl, TOKEN, "demo_records", "milvus-bucket", Duration.ofSeconds(2)), bucket,
                RECORD_FLOWFILES * RecordTypes.ROWS);
        NiFiInstance.delete(demo.resolve("whole-file"));
        WholeFileFlow.writeFiles(demo.resolve("whole-file/in"));
        final WholeFileFlow wholeFile = WholeFileFlow.create(rest, canvas, 480, 860, new BulkImportFlow.Settings("4. Every row checked (Whole File)",
                emulatorUrl, TOKEN, "demo_whole_file", "milvus-bucket", Duration.ofSeconds(2)), demo.resolve("whole-file/in"),
                demo.resolve("whole-file/reports"));
        final String recordSource = records.addSource(rest, "demo_records", RecordTypes.AUTO_ID_AVRO, RecordTypes.autoIdRows(), 0);
        records.start(rest);
        files.generate(rest, FLOWFILES - 1);
        files.generate(rest, BAD_FILE, BulkImportFlow.BAD_FILE);
        files.start(rest);
        dataset.importDataset(rest, DATASET);
        for (int i = 0; i < RECORD_FLOWFILES; i++) {
            rest.runOnce(recordSource, Duration.ofSeconds(30));
        }

        System.out.printf("%nNiFi %s is up (started in %.1f s): open %s%n", "2.3.0", startup.toMillis() / 1000.0, nifi.uiUrl());
        System.out.printf("  1. %d uploaded files, checked, one job each (one file has a vector of the wrong dimension): %s%n", FLOWFILES, groupUrl(nifi, files.groupId()));
        System.out.printf("  2. a dataset of %d files, committed only if every job is ready: %s%n", DATASET.size(), groupUrl(nifi, dataset.groupId()));
        System.out.printf("  3. %d records through MergeRecord into one JSON file, imported: %s%n", RECORD_FLOWFILES * RecordTypes.ROWS,
                groupUrl(nifi, records.groupId()));
        System.out.printf("  4. two Parquet files of %,d rows checked with First Pages, then Whole File (one has a NaN in row %,d): %s%n",
                WholeFileFlow.ROWS, WholeFileFlow.NAN_ROW, groupUrl(nifi, wholeFile.groupId()));
        System.out.printf("Bulk-import emulator (as Milvus) on %s, and on %s reading the files of %s.%n%n", emulatorUrl, recordsUrl, bucket);
        follow(rest, files, dataset, records, List.of(emulatorUrl, recordsUrl));
        printWholeFile(rest, wholeFile, demo.resolve("whole-file/reports"));
        System.out.printf("%nEverything ran in %.0f s. The flows stay on the canvas at %s%n", (System.nanoTime() - began) / 1e9, nifi.uiUrl());
        System.out.println("Stop NiFi and the emulators with: ./demo.sh stop");
        nifi.detach();
    }

    private static String groupUrl(final NiFiInstance nifi, final String groupId) {
        return nifi.uiUrl() + "#/process-groups/" + groupId;
    }

    /** Prints every job's state changes (and progress by quarters), as the server reports them, until both flows are done. */
    private static void follow(final NiFiRestClient rest, final BulkImportFlow files, final DatasetFlow dataset, final RecordsFlow records,
                               final List<String> emulatorUrls) throws Exception {
        final HttpClient http = HttpClient.newHttpClient();
        final Map<String, String> seen = new HashMap<>();
        final long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            final List<JsonNode> jobs = new java.util.ArrayList<>();
            for (final String emulatorUrl : emulatorUrls) {
                JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(emulatorUrl + "/_emulator/jobs")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).forEach(jobs::add);
            }
            for (final JsonNode job : jobs) {
                final String state = job.path("state").asText();
                final String shown = "Importing".equals(state) ? state + " " + job.path("progress").asInt() / 25 * 25 + "%+" : state;
                if (!shown.equals(seen.put(job.path("jobId").asText(), shown))) {
                    System.out.printf("  job %s  %-12s %-15s%s%n", job.path("jobId").asText(), job.path("collectionName").asText(), shown,
                            job.has("reason") ? "  " + job.path("reason").asText() : "");
                }
            }
            final int filesDone = rest.queued(files.done()) + rest.queued(files.failed()) + rest.queued(files.notStarted())
                    + rest.queued(files.invalid());
            final int datasetsDone = rest.queued(dataset.committed()) + rest.queued(dataset.aborted()) + dataset.needingAttention(rest);
            final int recordFilesDone = rest.queued(records.done()) + rest.queued(records.failed()) + rest.queued(records.notStarted())
                    + rest.queued(records.invalid()) + rest.queued(records.notMerged());
            if (filesDone >= FLOWFILES && datasetsDone >= 1 && recordFilesDone >= 1) {
                break;
            }
            Thread.sleep(1_000);
        }
        System.out.println();
        System.out.println("1. One job per uploaded file:");
        for (final Map<String, String> attributes : rest.queuedAttributes(files.done())) {
            System.out.printf("  %s -> job %s %s (%s rows)%n", attributes.get("s3.key"), attributes.get("bulkimport.job.id"),
                    attributes.get("bulkimport.state"), attributes.get("bulkimport.imported.rows"));
        }
        for (final Map<String, String> attributes : rest.queuedAttributes(files.invalid())) {
            System.out.printf("  %s -> stopped before any job; bulkimport.validation.errors:%n    %s%n", attributes.get("s3.key"),
                    String.valueOf(attributes.get("bulkimport.validation.errors")).replace("\n", "\n    "));
        }
        for (final Map<String, String> attributes : rest.queuedAttributes(files.failed())) {
            System.out.printf("  %s -> job %s %s; bulkimport.failed.files:%n    %s%n", attributes.get("s3.key"), attributes.get("bulkimport.job.id"),
                    attributes.get("bulkimport.state"), String.valueOf(attributes.get("bulkimport.failed.files")).replace("\n", "\n    "));
        }
        System.out.println("2. A dataset, all or nothing:");
        for (final Map<String, String> attributes : rest.queuedAttributes(dataset.committed())) {
            System.out.printf("  %d files, %d jobs: %s%n", DATASET.size(), DATASET.size(), attributes.get("bulkimport.action"));
        }
        for (final Map<String, String> attributes : rest.queuedAttributes(dataset.aborted())) {
            System.out.printf("  aborted: %s%n", attributes.get("bulkimport.action"));
        }
        System.out.println("3. Records to Milvus:");
        for (final Map<String, String> attributes : rest.queuedAttributes(records.done())) {
            System.out.printf("  %s records -> %s -> job %s %s (%s rows)%n", attributes.get("record.count"), attributes.get("s3.key"),
                    attributes.get("bulkimport.job.id"), attributes.get("bulkimport.state"), attributes.get("bulkimport.imported.rows"));
        }
    }

    /** What each depth made of the two files, and the report of the bad one, once both are through (they take a second or two). */
    private static void printWholeFile(final NiFiRestClient rest, final WholeFileFlow flow, final Path reports) throws Exception {
        flow.awaitDone(rest, Duration.ofSeconds(60));
        System.out.println("4. Every row checked (Whole File):");
        for (final Map<String, String> attributes : rest.queuedAttributes(flow.checked())) {
            System.out.printf("  %s -> valid at both depths, ready for its upload and job%n", attributes.get("filename"));
        }
        for (final Map<String, String> attributes : rest.queuedAttributes(flow.stoppedByFirstPages())) {
            System.out.printf("  %s -> stopped by First Pages%n", attributes.get("filename"));
        }
        for (final Map<String, String> attributes : rest.queuedAttributes(flow.stoppedByWholeFile())) {
            final Path report = reports.resolve(attributes.get("filename") + ".bad-rows.jsonl");
            System.out.printf("  %s -> valid for First Pages, stopped by Whole File before any job; bulkimport.validation.errors:%n    %s%n"
                    + "  its report, %s:%n    %s%n", attributes.get("filename"), attributes.get("bulkimport.validation.errors"), report,
                    Files.exists(report) ? String.join("\n    ", Files.readAllLines(report)) : "(not written yet)");
        }
    }

    private static void awaitEmulator(final String url) throws IOException, InterruptedException {
        final HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/_emulator/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (final IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("the emulator did not start; see .demo/emulator.log");
    }

    private static void stop(final Path demo) throws IOException, InterruptedException {
        final Path pids = demo.resolve("pids");
        if (!Files.exists(pids)) {
            System.out.println("No demo is running.");
            return;
        }
        final Properties processes = new Properties();
        try (var in = Files.newInputStream(pids)) {
            processes.load(in);
        }
        for (final String name : List.of("nifi", "emulator", "records-emulator")) {
            final Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(processes.getProperty(name, "-1")));
            if (process.isPresent() && process.get().isAlive()) {
                process.get().destroy();
                try {
                    process.get().onExit().get(90, java.util.concurrent.TimeUnit.SECONDS);
                } catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    process.get().destroyForcibly();
                }
                System.out.println("Stopped " + name + " (pid " + process.get().pid() + ")");
            }
        }
        Files.delete(pids);
    }
}
