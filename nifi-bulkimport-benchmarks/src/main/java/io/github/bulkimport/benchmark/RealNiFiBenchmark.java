package io.github.bulkimport.benchmark;

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
 * The real-NiFi mode of the benchmark: the same emulator (no import delay), and in one run a raw
 * HttpClient 5 loop, flows in a real NiFi 2.3.0 (GenerateFlowFile → TriggerBulkImport with one job per
 * flowfile, Max Flowfiles per Job = 1, the defaults before jobs were sized from the queue, so that each
 * flowfile costs one call as in the raw loop and the chain; and with Max Flowfiles per Job = 1000, GenerateFlowFile → InvokeHTTP (2 tasks) →
 * EvaluateJsonPath), and the cost of one poll of 1,000 running jobs by GetBulkImportProgress.
 * Run with {@code java -jar nifi-bulkimport-benchmarks.jar nifi [flowfiles] [rounds]}.
 */
final class RealNiFiBenchmark {

    private static final String STANDARD = "org.apache.nifi.processors.standard.";
    private static final int POLLED_JOBS = 1_000;

    private RealNiFiBenchmark() {
    }

    static void run(final Path emulatorJar, final Path root, final int flowFiles, final int rounds) throws Exception {
        final List<Path> nars = new ArrayList<>(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")));
        nars.addAll(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")));
        final Path directory = root.resolve(".benchmark/nifi");
        NiFiInstance.delete(directory);
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), directory, nars, "benchmark");
        try (EmulatorProcess emulator = EmulatorProcess.start(emulatorJar); EmulatorProcess slow = EmulatorProcess.start(emulatorJar, 36_000);
             RawClientLoop raw = new RawClientLoop(emulator.url())) {
            final Duration startup = nifi.start(Duration.ofMinutes(4));
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            final String canvas = rest.rootGroupId();
            System.out.printf(Locale.ROOT, "NiFi 2.3.0 started in %.1f s; %,d flowfiles per measurement, %d rounds, median shown%n",
                    startup.toMillis() / 1e3, flowFiles, rounds);

            final BulkImportFlow defaults = flow(rest, canvas, emulator.url(), "defaults", 0);
            rest.updateProcessorProperties(defaults.triggerId(), Map.of("Max Flowfiles per Job", "1"));
            final BulkImportFlow batched = flow(rest, canvas, emulator.url(), "batched", 1_000);
            rest.updateProcessorProperties(batched.triggerId(), Map.of("Max Flowfiles per Job", "1000"));
            final InvokeHttpFlow chain = InvokeHttpFlow.create(rest, canvas, emulator.url(), 2_000);

            final Map<String, List<Double>> perSecond = new LinkedHashMap<>();
            for (int round = 0; round <= rounds; round++) {
                // round 0 warms up NiFi, the JIT and the connection pools
                record(perSecond, round, RAW, flowFiles / seconds(() -> raw.run(flowFiles)));
                record(perSecond, round, RAW_4, flowFiles / seconds(() -> raw.runConcurrently(flowFiles, 4)));
                record(perSecond, round, TRIGGER, trigger(rest, defaults, flowFiles));
                record(perSecond, round, TRIGGER_BATCHED, trigger(rest, batched, flowFiles));
                record(perSecond, round, CHAIN, chain.run(rest, flowFiles));
            }

            System.out.println();
            System.out.printf(Locale.ROOT, "%-62s %12s   %s%n", "", "flowfiles/s", "each round");
            final Map<String, Double> medians = new LinkedHashMap<>();
            perSecond.forEach((name, values) -> {
                final List<Double> sorted = new ArrayList<>(values);
                sorted.sort(null);
                medians.put(name, sorted.get(sorted.size() / 2));
                System.out.printf(Locale.ROOT, "%-62s %12.0f   %s%n", name, medians.get(name),
                        values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
            });
            final double vsChain = medians.get(TRIGGER) / medians.get(CHAIN);
            final double vsRaw = medians.get(TRIGGER) / medians.get(RAW);
            System.out.println();
            System.out.printf(Locale.ROOT, "N2 / N4 (TriggerBulkImport / InvokeHTTP chain)  = %.2f   target >= 2.50  %s%n", vsChain, verdict(vsChain >= 2.5));
            System.out.printf(Locale.ROOT, "N2 / N1 (TriggerBulkImport / raw loop)          = %.2f   target >= 0.50  %s%n", vsRaw, verdict(vsRaw >= 0.5));
            System.out.printf(Locale.ROOT, "for context: N2 / N1a (raw loop on 4 threads) = %.2f;  N3 / N2 (1,000 flowfiles per job) = %.1f%n",
                    medians.get(TRIGGER) / medians.get(RAW_4), medians.get(TRIGGER_BATCHED) / medians.get(TRIGGER));

            pollCost(rest, canvas, slow);
        } finally {
            nifi.stop();
        }
    }

    private static final String RAW = "N1.  raw HttpClient 5 loop, one request at a time";
    private static final String RAW_4 = "N1a. raw HttpClient 5 loop on 4 threads";
    private static final String TRIGGER = "N2.  GenerateFlowFile > TriggerBulkImport, one job per flowfile";
    private static final String TRIGGER_BATCHED = "N3.  ... TriggerBulkImport, Max Flowfiles per Job = 1000";
    private static final String CHAIN = "N4.  GenerateFlowFile > InvokeHTTP (2 tasks) > EvaluateJsonPath";

    private static BulkImportFlow flow(final NiFiRestClient rest, final String canvas, final String url, final String name, final double y)
            throws IOException {
        final BulkImportFlow flow = BulkImportFlow.create(rest, canvas, 0, y,
                new BulkImportFlow.Settings(name, url, EmulatorProcess.TOKEN, "bench", "milvus-bucket", Duration.ofSeconds(1)));
        // the benchmark queues more flowfiles than NiFi's default back pressure of 10,000 lets through
        rest.setBackPressure(flow.toTrigger(), 1_000_000);
        rest.setBackPressure(flow.started(), 1_000_000);
        return flow;
    }

    /** Flowfiles per second through TriggerBulkImport, from starting it until every one is started; then the queue is emptied. */
    private static double trigger(final NiFiRestClient rest, final BulkImportFlow flow, final int flowFiles) throws Exception {
        flow.generateBatch(rest, flowFiles);
        final double perSecond = flow.triggerThroughput(rest, flowFiles);
        rest.emptyQueue(flow.started());
        return perSecond;
    }

    /**
     * One poll of 1,000 running jobs: HTTP calls GetBulkImportProgress makes to route every flowfile
     * once, describing each job (Poll Batch Size = 1, what it did before) and from one listing.
     */
    private static void pollCost(final NiFiRestClient rest, final String canvas, final EmulatorProcess slow) throws Exception {
        System.out.println();
        final Map<String, Long> calls = new LinkedHashMap<>();
        for (final String batchSize : List.of("1", "1000")) {
            final BulkImportFlow flow = flow(rest, canvas, slow.url(), "poll " + batchSize, 3_000 + 1_000 * calls.size());
            rest.updateProcessorProperties(flow.progressId(), Map.of("Poll Batch Size", batchSize));
            flow.generateBatch(rest, POLLED_JOBS);
            flow.triggerThroughput(rest, POLLED_JOBS);
            // running loops back to GetBulkImportProgress: one poll is over when every flowfile went round once
            final long before = slow.requestCount();
            final long began = System.nanoTime();
            rest.setProcessorState(flow.progressId(), "RUNNING");
            final long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (rest.flowFilesOut(flow.progressId()) < POLLED_JOBS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            rest.setProcessorState(flow.progressId(), "STOPPED");
            final double took = (System.nanoTime() - began) / 1e9;
            // a few flowfiles may have gone round twice before the processor stopped: count calls per flowfile routed
            final long routed = rest.flowFilesOut(flow.progressId());
            final long made = slow.requestCount() - before;
            calls.put(batchSize, Math.round(made * (double) POLLED_JOBS / routed));
            System.out.printf(Locale.ROOT, "poll of %,d running jobs, Poll Batch Size = %-4s: %,5d HTTP calls (%,d flowfiles routed, %.1f s)%n",
                    POLLED_JOBS, batchSize, calls.get(batchSize), routed, took);
        }
        final double fewer = (double) calls.get("1") / Math.max(1, calls.get("1000"));
        System.out.printf(Locale.ROOT, "poll cost, describe each / one listing          = %.0fx fewer calls   target >= 50x  %s%n", fewer, verdict(fewer >= 50));
    }

    private static void record(final Map<String, List<Double>> perSecond, final int round, final String name, final double value) {
        System.out.printf(Locale.ROOT, "  round %d  %-62s %9.0f flowfiles/s%n", round, name, value);
        if (round > 0) {
            perSecond.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static double seconds(final Body body) throws Exception {
        final long began = System.nanoTime();
        body.run();
        return (System.nanoTime() - began) / 1e9;
    }

    private static String verdict(final boolean met) {
        return met ? "MET" : "MISSED";
    }

    /** GenerateFlowFile (the create body as content) → InvokeHTTP → EvaluateJsonPath ($.data.jobId) → funnel. */
    private record InvokeHttpFlow(String generateId, String invokeId, String evaluateId, String toInvoke, String done) {

        static InvokeHttpFlow create(final NiFiRestClient rest, final String canvas, final String url, final double y) throws IOException {
            final String group = rest.createProcessGroup(canvas, "InvokeHTTP chain", 0, y);
            final String generate = rest.createProcessor(group, STANDARD + "GenerateFlowFile", "create body", 480, 40,
                    Map.of("generate-ff-custom-text", "{\"collectionName\":\"bench\",\"files\":[[\"vectors/part-00001.parquet\"]]}",
                            "Batch Size", "1"), Map.of("schedulingPeriod", "1 min"), List.of());
            final String invoke = rest.createProcessor(group, STANDARD + "InvokeHTTP", "InvokeHTTP create", 480, 300,
                    Map.of("HTTP Method", "POST", "HTTP URL", url + "/v2/vectordb/jobs/import/create", "Request Content-Type", "application/json",
                            "Authorization", "Bearer " + EmulatorProcess.TOKEN),
                    Map.of("schedulingPeriod", "0 sec", "concurrentlySchedulableTaskCount", "2"), List.of("Original"));
            final String evaluate = rest.createProcessor(group, STANDARD + "EvaluateJsonPath", "data.jobId", 480, 560,
                    Map.of("Destination", "flowfile-attribute", "job.id", "$.data.jobId"), Map.of("schedulingPeriod", "0 sec"), List.of());
            final String done = rest.createFunnel(group, 636, 820);
            final String errors = rest.createFunnel(group, 1100, 400);
            final String toInvoke = rest.connect(group, generate, invoke, "PROCESSOR", List.of("success"), new double[] {656, 234});
            rest.connect(group, invoke, errors, "FUNNEL", List.of("Retry", "No Retry", "Failure"), new double[] {1000, 364});
            final String toEvaluate = rest.connect(group, invoke, evaluate, "PROCESSOR", List.of("Response"), new double[] {656, 494});
            final String finished = rest.connect(group, evaluate, done, "FUNNEL", List.of("matched"), new double[] {656, 754});
            rest.connect(group, evaluate, errors, "FUNNEL", List.of("unmatched", "failure"), new double[] {1000, 624});
            for (final String connection : List.of(toInvoke, toEvaluate, finished)) {
                rest.setBackPressure(connection, 1_000_000);
            }
            return new InvokeHttpFlow(generate, invoke, evaluate, toInvoke, finished);
        }

        double run(final NiFiRestClient rest, final int flowFiles) throws Exception {
            rest.updateProcessorProperties(generateId, Map.of("Batch Size", String.valueOf(flowFiles)));
            rest.runOnce(generateId, Duration.ofSeconds(60));
            BulkImportFlow.awaitQueued(rest, toInvoke, flowFiles, Duration.ofMinutes(2));
            final long began = System.nanoTime();
            rest.setProcessorState(invokeId, "RUNNING");
            rest.setProcessorState(evaluateId, "RUNNING");
            BulkImportFlow.awaitQueued(rest, done, flowFiles, Duration.ofMinutes(10));
            final double seconds = (System.nanoTime() - began) / 1e9;
            rest.setProcessorState(invokeId, "STOPPED");
            rest.setProcessorState(evaluateId, "STOPPED");
            rest.emptyQueue(done);
            return flowFiles / seconds;
        }
    }
}
