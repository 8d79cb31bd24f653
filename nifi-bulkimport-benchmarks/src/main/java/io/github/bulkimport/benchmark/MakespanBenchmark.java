package io.github.bulkimport.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.systemtest.BulkImportFlow;
import io.github.bulkimport.systemtest.NiFiInstance;
import io.github.bulkimport.systemtest.NiFiRestClient;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long a large import takes when the server sets the pace: the emulator models a job as a fixed
 * overhead plus a time per file and refuses more than K active jobs, as Milvus's maxImportJobNum does.
 * N uploads arrive as a trickle (ControlRate, 100 a second) or as one burst, into TriggerBulkImport with
 * its defaults, TriggerBulkImport batched (Max Flowfiles per Job, Max Batch Wait), and the InvokeHTTP
 * chain a user would wire (a refused create looped back). Makespan runs from the first upload let in to
 * the last job Completed, set against the ideal schedule for K and the job model. Run with
 * {@code java -jar nifi-bulkimport-benchmarks.jar makespan [files]}.
 */
final class MakespanBenchmark {

    static final double OVERHEAD_SECONDS = 4;
    static final double SECONDS_PER_FILE = 0.004;
    static final int MAX_ACTIVE_JOBS = 64;
    static final int TRICKLE_PER_SECOND = 100;
    static final int BATCHED_FLOWFILES_PER_JOB = 32;
    static final String BATCHED_WAIT = "1 sec";
    private static final int MAX_FILES_PER_JOB = 1_024;
    private static final String STANDARD = "org.apache.nifi.processors.standard.";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

    private MakespanBenchmark() {
    }

    private enum Consumer { DEFAULTS, BATCHED, SLOTS, INVOKE_HTTP }

    private record Result(String workload, String consumer, int files, double makespanSeconds, double idealSeconds, int jobs, long refused,
                          int failed) {
    }

    /** @param only the flows to run ({@code defaults}, {@code batched}, {@code slots}, {@code invoke_http}), or empty for all */
    static void run(final Path emulatorJar, final Path root, final int files, final List<String> only) throws Exception {
        final List<Path> nars = new ArrayList<>(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")));
        nars.addAll(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")));
        final Path directory = root.resolve(".benchmark/nifi-makespan");
        NiFiInstance.delete(directory);
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), directory, nars, "benchmark");
        try (EmulatorProcess emulator = EmulatorProcess.start(emulatorJar, 0, "--import-seconds", String.valueOf(OVERHEAD_SECONDS),
                "--seconds-per-file", String.valueOf(SECONDS_PER_FILE), "--max-active-jobs", String.valueOf(MAX_ACTIVE_JOBS))) {
            final Duration startup = nifi.start(Duration.ofMinutes(4));
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "NiFi 2.3.0 started in %.1f s. Server: a job takes %.1f s + %.0f ms a file, at most %d active jobs; "
                    + "%,d uploads, as a trickle of %d a second or one burst%n", startup.toMillis() / 1e3, OVERHEAD_SECONDS, SECONDS_PER_FILE * 1e3,
                    MAX_ACTIVE_JOBS, files, TRICKLE_PER_SECOND);
            final String canvas = rest.rootGroupId();
            final List<Result> results = new ArrayList<>();
            double y = 0;
            for (final boolean trickle : List.of(true, false)) {
                for (final Consumer consumer : Consumer.values()) {
                    if (!only.isEmpty() && !only.contains(consumer.name().toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    emulator.reset();
                    final Result result = measure(rest, canvas, emulator, consumer, trickle, files, y);
                    System.out.printf(Locale.ROOT, "  %-7s %-12s makespan %6.1f s (ideal %5.1f s, %.2fx), %,5d jobs, %,7d refused calls, %d in failure%n",
                            result.workload(), result.consumer(), result.makespanSeconds(), result.idealSeconds(),
                            result.makespanSeconds() / result.idealSeconds(), result.jobs(), result.refused(), result.failed());
                    results.add(result);
                    y += 500;
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "| workload | flow | makespan | ideal | makespan / ideal | jobs | refused calls | in failure |%n");
            System.out.printf(Locale.ROOT, "|---|---|---:|---:|---:|---:|---:|---:|%n");
            for (final Result r : results) {
                System.out.printf(Locale.ROOT, "| %s | %s | %.1f s | %.1f s | %.2f | %,d | %,d | %d |%n", r.workload(), r.consumer(), r.makespanSeconds(),
                        r.idealSeconds(), r.makespanSeconds() / r.idealSeconds(), r.jobs(), r.refused(), r.failed());
            }
        } finally {
            nifi.stop();
        }
    }

    /** The shortest makespan for a burst of {@code files}: the best number of jobs, run K at a time. */
    static double idealBurst(final int files) {
        double best = Double.MAX_VALUE;
        for (int jobs = (files + MAX_FILES_PER_JOB - 1) / MAX_FILES_PER_JOB; jobs <= files; jobs++) {
            final int waves = (jobs + MAX_ACTIVE_JOBS - 1) / MAX_ACTIVE_JOBS;
            final int perJob = (files + jobs - 1) / jobs;
            best = Math.min(best, waves * (OVERHEAD_SECONDS + SECONDS_PER_FILE * perJob));
        }
        return best;
    }

    /** For a trickle: the last uploads arrive at the start of the last second, and can do no better than a burst of them then. */
    static double idealTrickle(final int files) {
        final int seconds = (files + TRICKLE_PER_SECOND - 1) / TRICKLE_PER_SECOND;
        final int last = files - (seconds - 1) * TRICKLE_PER_SECOND;
        return Math.max(idealBurst(files), seconds - 1 + idealBurst(last));
    }

    private static Result measure(final NiFiRestClient rest, final String canvas, final EmulatorProcess emulator, final Consumer consumer,
                                  final boolean trickle, final int files, final double y) throws Exception {
        final String workload = trickle ? "trickle" : "burst";
        final String name = switch (consumer) {
            case DEFAULTS -> "TriggerBulkImport, defaults (one job per flowfile)";
            case BATCHED -> "TriggerBulkImport, Max Flowfiles per Job " + BATCHED_FLOWFILES_PER_JOB + ", Max Batch Wait " + BATCHED_WAIT;
            case SLOTS -> "TriggerBulkImport, Max Flowfiles per Job 1000, Max Batch Wait " + BATCHED_WAIT + ", the service's Max Active Jobs "
                    + MAX_ACTIVE_JOBS;
            case INVOKE_HTTP -> "InvokeHTTP chain";
        };
        final String group = rest.createProcessGroup(canvas, workload + ": " + name, 0, y);
        final boolean chain = consumer == Consumer.INVOKE_HTTP;
        final Map<String, String> uploads = new LinkedHashMap<>();
        uploads.put("Batch Size", "1");
        uploads.put("s3.bucket", "milvus-bucket");
        uploads.put("s3.key", "vectors/part-${nextInt()}.parquet");
        if (chain) {
            uploads.put("generate-ff-custom-text", "{\"collectionName\":\"bench\",\"files\":[[\"vectors/chain-${nextInt()}.parquet\"]]}");
        }
        final String generate = rest.createProcessor(group, STANDARD + "GenerateFlowFile", "uploads", 0, 0, uploads,
                Map.of("schedulingPeriod", "0 sec"), List.of());
        final String failures = rest.createFunnel(group, 700, 400);
        final String done = rest.createFunnel(group, 200, 420);
        final String first;
        final List<String> started = new ArrayList<>();
        String failedConnection = null;
        if (chain) {
            first = rest.createProcessor(group, STANDARD + "InvokeHTTP", "create", 0, 200,
                    Map.of("HTTP Method", "POST", "HTTP URL", emulator.url() + "/v2/vectordb/jobs/import/create", "Request Content-Type",
                            "application/json", "Authorization", "Bearer " + EmulatorProcess.TOKEN, "Response Body Attribute Name", "create.response"),
                    Map.of("schedulingPeriod", "0 sec", "concurrentlySchedulableTaskCount", "2"), List.of("Response"));
            final String route = rest.createProcessor(group, STANDARD + "RouteOnAttribute", "refused?", 0, 320,
                    Map.of("refused", "${create.response:jsonPath('$.data.jobId'):isEmpty()}"), Map.of("schedulingPeriod", "0 sec"), List.of());
            rest.connect(group, first, route, "PROCESSOR", List.of("Original"), null);
            // what a user wires: a refused create (job limit) goes round again
            rest.connect(group, route, first, "PROCESSOR", List.of("refused"), new double[] {-150, 300});
            rest.connect(group, route, done, "FUNNEL", List.of("unmatched"), null);
            failedConnection = rest.connect(group, first, failures, "FUNNEL", List.of("Retry", "No Retry", "Failure"), null);
            started.add(first);
            started.add(route);
        } else {
            final Map<String, String> connection = new LinkedHashMap<>(Map.of(
                    "Deployment", "MILVUS", "Endpoint URL", emulator.url(), "API Key or Token", EmulatorProcess.TOKEN));
            if (consumer == Consumer.SLOTS) {
                connection.put("Max Active Jobs", String.valueOf(MAX_ACTIVE_JOBS));
            }
            final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "connection", connection);
            rest.enableControllerService(service, Duration.ofSeconds(30));
            final Map<String, String> properties = new LinkedHashMap<>(Map.of("Connection Service", service, "Collection Name", "bench"));
            if (consumer == Consumer.BATCHED) {
                properties.put("Max Flowfiles per Job", String.valueOf(BATCHED_FLOWFILES_PER_JOB));
                properties.put("Max Batch Wait", BATCHED_WAIT);
            } else if (consumer == Consumer.SLOTS) {
                properties.put("Max Flowfiles per Job", "1000");
                properties.put("Max Batch Wait", BATCHED_WAIT);
            }
            first = rest.createProcessor(group, BulkImportFlow.TRIGGER_TYPE, "TriggerBulkImport", 0, 200, properties, Map.of("schedulingPeriod", "0 sec"),
                    List.of());
            rest.connect(group, first, first, "PROCESSOR", List.of("retry"), new double[] {-150, 250});
            rest.connect(group, first, done, "FUNNEL", List.of("success"), null);
            failedConnection = rest.connect(group, first, failures, "FUNNEL", List.of("failure"), null);
            started.add(first);
        }
        final String entry;
        final String queued;
        if (trickle) {
            entry = rest.createProcessor(group, STANDARD + "ControlRate", "a trickle", 0, 100,
                    Map.of("Rate Control Criteria", "flowfile count", "Maximum Rate", String.valueOf(TRICKLE_PER_SECOND), "Time Duration", "1 sec"),
                    Map.of("schedulingPeriod", "0 sec"), List.of("failure"));
            queued = rest.connect(group, generate, entry, "PROCESSOR", List.of("success"), null);
            rest.connect(group, entry, first, "PROCESSOR", List.of("success"), null);
            started.addFirst(entry);
        } else {
            entry = first;
            queued = rest.connect(group, generate, first, "PROCESSOR", List.of("success"), null);
        }
        // the uploads, queued before the clock starts: back pressure stops GenerateFlowFile at the count
        rest.setBackPressure(queued, files);
        rest.setProcessorState(generate, "RUNNING");
        while (rest.queued(queued) < files) {
            Thread.sleep(20);
        }
        rest.setProcessorState(generate, "STOPPED");
        Thread.sleep(500);
        final int uploaded = rest.queued(queued);
        rest.setBackPressure(queued, 1_000_000);

        for (final String processor : started) {
            final List<String> errors = rest.validationErrors(processor);
            if (!errors.isEmpty()) {
                throw new IllegalStateException("a processor of the flow is invalid: " + errors);
            }
        }
        final long requestsBefore = emulator.requestCount();
        final long began = System.currentTimeMillis();
        for (final String processor : started) {
            rest.setProcessorState(processor, "RUNNING");
        }
        final long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        JsonNode jobs;
        while (true) {
            jobs = emulator.jobs();
            int completedFiles = 0;
            boolean unfinished = false;
            for (final JsonNode job : jobs) {
                if ("Completed".equals(job.path("state").asText())) {
                    completedFiles += job.path("files").asInt();
                } else {
                    unfinished = true;
                }
            }
            if (completedFiles >= uploaded && !unfinished || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
        }
        long finished = began;
        for (final JsonNode job : jobs) {
            finished = Math.max(finished, job.path("finishesAt").asLong());
        }
        for (final String processor : started) {
            rest.setProcessorState(processor, "STOPPED");
        }
        final long calls = emulator.requestCount() - requestsBefore;
        return new Result(workload, switch (consumer) {
                    case DEFAULTS -> "defaults";
                    case BATCHED -> "batched";
                    case SLOTS -> "slots";
                    case INVOKE_HTTP -> "InvokeHTTP";
                },
                uploaded, (finished - began) / 1e3, trickle ? idealTrickle(uploaded) : idealBurst(uploaded), jobs.size(), calls - jobs.size(),
                rest.queued(failedConnection));
    }
}
