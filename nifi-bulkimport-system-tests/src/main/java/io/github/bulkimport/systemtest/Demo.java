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
    private static final ObjectMapper JSON = new ObjectMapper();

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

        final List<Path> nars = List.of(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")).getFirst(),
                NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")).getFirst());
        NiFiInstance.delete(demo.resolve("nifi"));
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), demo.resolve("nifi"), nars, "demo");
        final Duration startup = nifi.start(Duration.ofMinutes(4));
        Files.writeString(demo.resolve("pids"), "nifi=" + nifi.pid() + "\nemulator=" + emulator.pid() + "\n");

        final NiFiRestClient rest = nifi.rest();
        rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
        final BulkImportFlow flow = BulkImportFlow.create(rest, rest.rootGroupId(), 0, 0,
                new BulkImportFlow.Settings("Bulk import demo", emulatorUrl, TOKEN, "demo_vectors", "milvus-bucket", Duration.ofSeconds(2)));
        flow.generate(rest, FLOWFILES);
        flow.start(rest);

        System.out.printf("%nNiFi %s is up (started in %.1f s): open %s%n", "2.3.0", startup.toMillis() / 1000.0, nifi.uiUrl());
        System.out.printf("Bulk-import emulator (as Milvus) on %s; %d uploaded files are being imported.%n%n", emulatorUrl, FLOWFILES);
        follow(rest, flow, emulatorUrl);
        System.out.printf("%nEverything ran in %.0f s. The flow stays on the canvas at %s%n", (System.nanoTime() - began) / 1e9, nifi.uiUrl());
        System.out.println("Stop NiFi and the emulator with: ./demo.sh stop");
        nifi.detach();
    }

    /** Prints every job's state changes (and progress by quarters), as the server reports them, until every flowfile is done. */
    private static void follow(final NiFiRestClient rest, final BulkImportFlow flow, final String emulatorUrl) throws Exception {
        final HttpClient http = HttpClient.newHttpClient();
        final Map<String, String> seen = new HashMap<>();
        final long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            final JsonNode jobs = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(emulatorUrl + "/_emulator/jobs")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (final JsonNode job : jobs) {
                final String state = job.path("state").asText();
                final String shown = "Importing".equals(state) ? state + " " + job.path("progress").asInt() / 25 * 25 + "%+" : state;
                if (!shown.equals(seen.put(job.path("jobId").asText(), shown))) {
                    System.out.printf("  job %s  %-15s%s%n", job.path("jobId").asText(), shown,
                            job.has("reason") ? "  " + job.path("reason").asText() : "");
                }
            }
            final int finished = rest.queued(flow.done()) + rest.queued(flow.failed()) + rest.queued(flow.notStarted());
            if (finished >= FLOWFILES) {
                break;
            }
            Thread.sleep(1_000);
        }
        System.out.println();
        for (final Map<String, String> attributes : rest.queuedAttributes(flow.done())) {
            System.out.printf("  %s -> job %s %s (%s rows)%n", attributes.get("s3.key"), attributes.get("bulkimport.job.id"),
                    attributes.get("bulkimport.state"), attributes.get("bulkimport.imported.rows"));
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
        for (final String name : List.of("nifi", "emulator")) {
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
