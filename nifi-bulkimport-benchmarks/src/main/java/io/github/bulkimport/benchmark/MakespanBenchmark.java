package io.github.bulkimport.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.systemtest.BulkImportFlow;
import io.github.bulkimport.systemtest.NiFiCluster;
import io.github.bulkimport.systemtest.NiFiInstance;
import io.github.bulkimport.systemtest.NiFiRestClient;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a large import takes when the server sets the pace: the emulator models a job as a fixed
 * overhead plus a time per file and refuses more than K unfinished jobs, as Milvus's maxImportJobNum does.
 * N uploads arrive as a trickle (ControlRate, 100 a second) or as one burst, into TriggerBulkImport with
 * its defaults (nothing set but the endpoint, the credentials and the collection: K is never told to the
 * flow), TriggerBulkImport batched (Max Flowfiles per Job, Max Batch Wait), the same sized from the
 * service's Max Active Jobs, and the InvokeHTTP chain a user would wire (a refused create looped back).
 * Makespan runs from the first upload let in to the last job Completed, set against the ideal schedule for
 * K, the job model and the arrival times measured.
 *
 * <p>The run checks itself, and prints INVALID with the reasons instead of a ratio, unless every uploaded
 * file is in exactly one job and every such job Completed (read from the emulator's job listing, file
 * name by file name: each upload's key is unique and names its run), the run ended before its deadline,
 * and, on a trickle, the arrival rate measured matches the nominal one. Arrival times are measured, not
 * assumed: on a trickle, the processor after ControlRate writes the time it let each upload in into the
 * upload's key ({@code ....at<epoch ms>.parquet}), so the emulator receives it with the file name; the
 * ideal is computed from those times. A burst is queued before the clock starts: its uploads all arrive
 * when the flow is started. No connection of a flow stops it by back pressure (each holds 10 million
 * flowfiles and 1 TB).
 *
 * <p>{@code makespan [files] [flows] [workloads] [limits]}: flows {@code defaults,batched,slots,invoke_http},
 * workloads {@code trickle,burst,warm} (warm: a burst, then another burst into the same flow, whose
 * connection service has learned the limit), limits the server's K, e.g. {@code 16,64,256}.
 * {@code makespan lone [trials]}: the latency of a lone upload on an idle server, from queued to created.
 * {@code makespan cluster [files] [limit] [workloads]}: a 2-node cluster sharing one server limit.
 */
final class MakespanBenchmark {

    static final double OVERHEAD_SECONDS = 4;
    static final double SECONDS_PER_FILE = 0.004;
    static final int MAX_ACTIVE_JOBS = 64;
    static final int TRICKLE_PER_SECOND = 100;
    static final int BATCHED_FLOWFILES_PER_JOB = 32;
    static final String BATCHED_WAIT = "1 sec";
    /** How far the measured arrival rate of a trickle may be from the nominal one. */
    static final double RATE_TOLERANCE = 0.10;
    private static final int MAX_FILES_PER_JOB = 1_024;
    private static final String STANDARD = "org.apache.nifi.processors.standard.";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    /** How long a run waits, once its uploads are queued, for the work of queueing them to end (QuietMachine). */
    private static final Duration QUIET_AT_MOST = Duration.ofSeconds(20);
    private static final Duration BALANCE_TIMEOUT = Duration.ofMinutes(2);
    private static final long NO_BACK_PRESSURE = 10_000_000;
    /** An upload's key: {@code vectors/<run>/part-<n>.parquet}, {@code .at<epoch ms>} before the extension once let in. */
    private static final Pattern KEY = Pattern.compile("vectors/([A-Za-z0-9-]+)/part-(\\d+)(?:\\.at(\\d+))?\\.parquet");

    private MakespanBenchmark() {
    }

    private enum Consumer { DEFAULTS, BATCHED, SLOTS, INVOKE_HTTP }

    private record Result(String workload, String consumer, int limit, int files, double makespanSeconds, double idealSeconds, int jobs,
                          long refused, int failed, List<String> invalid, String notes) {

        String ratio() {
            return invalid.isEmpty() ? String.format(Locale.ROOT, "%.2f", makespanSeconds / idealSeconds) : "INVALID: " + String.join("; ", invalid);
        }
    }

    /** Where a flow is built and what it runs against. */
    private record Setup(NiFiRestClient rest, String canvas, EmulatorProcess emulator, int limit, boolean cluster) {
    }

    static void run(final Path emulatorJar, final Path root, final String[] args) throws Exception {
        if (args.length > 0 && "lone".equals(args[0])) {
            lone(emulatorJar, root, args.length > 1 ? Integer.parseInt(args[1]) : 9);
            return;
        }
        if (args.length > 0 && "cluster".equals(args[0])) {
            cluster(emulatorJar, root, args.length > 1 ? Integer.parseInt(args[1]) : 2_000, args.length > 2 ? Integer.parseInt(args[2]) : MAX_ACTIVE_JOBS,
                    args.length > 3 ? list(args[3]) : List.of("burst", "trickle"));
            return;
        }
        final int files = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        final List<String> only = args.length > 1 && !"all".equals(args[1]) ? list(args[1]) : List.of();
        final List<String> workloads = args.length > 2 ? list(args[2]) : List.of("trickle", "burst");
        final List<Integer> limits = args.length > 3 ? list(args[3]).stream().map(Integer::parseInt).toList() : List.of(MAX_ACTIVE_JOBS);
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), fresh(root, "nifi-makespan"), nars(root), "benchmark");
        final List<Result> results = new ArrayList<>();
        try {
            final Duration startup = nifi.start(Duration.ofMinutes(4));
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "NiFi 2.3.0 started in %.1f s. Server: a job takes %.1f s + %.0f ms a file; %,d uploads, as a trickle of %d "
                    + "a second or one burst; %s%n", startup.toMillis() / 1e3, OVERHEAD_SECONDS, SECONDS_PER_FILE * 1e3, files, TRICKLE_PER_SECOND,
                    LocalDate.now());
            double y = 0;
            for (final int limit : limits) {
                try (EmulatorProcess emulator = startEmulator(emulatorJar, limit)) {
                    final Setup setup = new Setup(rest, rest.rootGroupId(), emulator, limit, false);
                    for (final String workload : workloads) {
                        for (final Consumer consumer : Consumer.values()) {
                            if (!only.isEmpty() && !only.contains(consumer.name().toLowerCase(Locale.ROOT))) {
                                continue;
                            }
                            for (final Result result : measure(setup, consumer, workload, files, y)) {
                                print(result);
                                results.add(result);
                            }
                            y += 500;
                        }
                    }
                }
            }
        } finally {
            nifi.stop();
        }
        table(results);
    }

    private static List<String> list(final String arg) {
        return List.of(arg.toLowerCase(Locale.ROOT).split(","));
    }

    private static List<Path> nars(final Path root) throws java.io.IOException {
        final List<Path> nars = new ArrayList<>(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")));
        nars.addAll(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")));
        return nars;
    }

    private static Path fresh(final Path root, final String name) throws java.io.IOException {
        final Path directory = root.resolve(".benchmark/" + name);
        NiFiInstance.delete(directory);
        return directory;
    }

    private static EmulatorProcess startEmulator(final Path jar, final int limit) throws java.io.IOException {
        final EmulatorProcess emulator = EmulatorProcess.start(jar, 0, "--import-seconds", String.valueOf(OVERHEAD_SECONDS),
                "--seconds-per-file", String.valueOf(SECONDS_PER_FILE), "--max-active-jobs", String.valueOf(limit));
        try {
            emulator.warmUp(limit);
        } catch (final InterruptedException e) {
            emulator.close();
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted while warming the emulator up", e);
        } catch (final java.io.IOException | RuntimeException e) {
            emulator.close();
            throw e;
        }
        return emulator;
    }

    private static void print(final Result r) {
        System.out.printf(Locale.ROOT, "  K=%-3d %-13s %-10s %,6d files: makespan %6.1f s (ideal %5.1f s, %s), %,5d jobs, %,7d calls that started no job, %d in failure%s%n",
                r.limit(), r.workload(), r.consumer(), r.files(), r.makespanSeconds(), r.idealSeconds(), r.ratio(), r.jobs(), r.refused(), r.failed(),
                r.notes().isEmpty() ? "" : "; " + r.notes());
    }

    private static void table(final List<Result> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "| server limit | workload | files | flow | makespan | ideal | makespan / ideal | jobs | calls that started no job | in failure |%n");
        System.out.printf(Locale.ROOT, "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|%n");
        for (final Result r : results) {
            System.out.printf(Locale.ROOT, "| %d | %s | %,d | %s | %.1f s | %.1f s | %s | %,d | %,d | %d |%n", r.limit(), r.workload(), r.files(), r.consumer(),
                    r.makespanSeconds(), r.idealSeconds(), r.ratio(), r.jobs(), r.refused(), r.failed());
        }
        results.stream().filter(r -> !r.notes().isEmpty())
                .forEach(r -> System.out.printf(Locale.ROOT, "  %s %s K=%d: %s%n", r.workload(), r.consumer(), r.limit(), r.notes()));
    }

    /** The shortest makespan for a burst of {@code files} at once: the best number of jobs, run {@code limit} at a time. */
    static double idealBurst(final int files, final int limit) {
        double best = Double.MAX_VALUE;
        for (int jobs = (files + MAX_FILES_PER_JOB - 1) / MAX_FILES_PER_JOB; jobs <= files; jobs++) {
            final int waves = (jobs + limit - 1) / limit;
            final int perJob = (files + jobs - 1) / jobs;
            best = Math.min(best, waves * (OVERHEAD_SECONDS + SECONDS_PER_FILE * perJob));
            if (jobs >= limit && waves == 1) {
                break;
            }
        }
        return best;
    }

    /**
     * The ideal for uploads arriving at the times given (epoch ms, sorted), counted from the first: the
     * uploads that arrive at or after any time t can do no better than a burst of them at t.
     */
    static double idealArrivals(final long[] arrivals, final int limit) {
        final Map<Integer, Double> bursts = new HashMap<>();
        double best = 0;
        for (int i = 0; i < arrivals.length; i++) {
            if (i > 0 && arrivals[i] == arrivals[i - 1]) {
                continue;
            }
            final int remaining = arrivals.length - i;
            best = Math.max(best, (arrivals[i] - arrivals[0]) / 1e3 + bursts.computeIfAbsent(remaining, n -> idealBurst(n, limit)));
        }
        return best;
    }

    /** The measured arrival rate of a trickle: ControlRate lets its uploads in a window of a second at a time. */
    static double arrivalRate(final long[] arrivals) {
        return arrivals.length / ((arrivals[arrivals.length - 1] - arrivals[0]) / 1e3 + 1);
    }

    /** The flow of one measurement: what starts it and what it counts. */
    private record Flow(String group, String generate, String queued, String into, String failed, String succeeded, List<String> started) {
    }

    private static String link(final NiFiRestClient rest, final String group, final String from, final String to, final String type,
                               final List<String> relationships, final double[] bend) throws java.io.IOException {
        final String connection = rest.connect(group, from, to, type, relationships, bend);
        rest.setBackPressure(connection, NO_BACK_PRESSURE, "1 TB");
        return connection;
    }

    private static Flow build(final Setup setup, final Consumer consumer, final boolean trickle, final String tag, final double y,
                              final Map<String, String> progress) throws Exception {
        final NiFiRestClient rest = setup.rest();
        final String group = rest.createProcessGroup(setup.canvas(), (trickle ? "trickle" : "burst") + " K=" + setup.limit() + ": " + name(consumer), 0, y);
        final boolean chain = consumer == Consumer.INVOKE_HTTP;
        final Map<String, String> uploads = new LinkedHashMap<>();
        uploads.put("Batch Size", "1");
        uploads.put("s3.bucket", "milvus-bucket");
        uploads.put("s3.key", "vectors/" + tag + "/part-${nextInt()}.parquet");
        if (chain) {
            uploads.put("generate-ff-custom-text", "{\"collectionName\":\"bench\",\"files\":[[\"vectors/" + tag + "/part-${nextInt()}.parquet\"]]}");
        }
        final String generate = rest.createProcessor(group, STANDARD + "GenerateFlowFile", "uploads", 0, 0, uploads,
                scheduling(setup), List.of());
        final String failures = rest.createFunnel(group, 700, 400);
        final String done = rest.createFunnel(group, 200, 520);
        final String first;
        final List<String> started = new ArrayList<>();
        final String failed;
        final String succeeded;
        if (chain) {
            first = rest.createProcessor(group, STANDARD + "InvokeHTTP", "create", 0, 300,
                    Map.of("HTTP Method", "POST", "HTTP URL", setup.emulator().url() + "/v2/vectordb/jobs/import/create", "Request Content-Type",
                            "application/json", "Authorization", "Bearer " + EmulatorProcess.TOKEN, "Response Body Attribute Name", "create.response"),
                    Map.of("schedulingPeriod", "0 sec", "concurrentlySchedulableTaskCount", "2"), List.of("Response"));
            final String route = rest.createProcessor(group, STANDARD + "RouteOnAttribute", "refused?", 0, 420,
                    Map.of("refused", "${create.response:jsonPath('$.data.jobId'):isEmpty()}"), Map.of("schedulingPeriod", "0 sec"), List.of());
            link(rest, group, first, route, "PROCESSOR", List.of("Original"), null);
            // what a user wires: a refused create (job limit) goes round again
            link(rest, group, route, first, "PROCESSOR", List.of("refused"), new double[] {-150, 400});
            succeeded = link(rest, group, route, done, "FUNNEL", List.of("unmatched"), null);
            failed = link(rest, group, first, failures, "FUNNEL", List.of("Retry", "No Retry", "Failure"), null);
            started.add(first);
            started.add(route);
        } else {
            final Map<String, String> connection = new LinkedHashMap<>(Map.of(
                    "Deployment", "MILVUS", "Endpoint URL", setup.emulator().url(), "API Key or Token", EmulatorProcess.TOKEN));
            if (consumer == Consumer.SLOTS) {
                connection.put("Max Active Jobs", String.valueOf(setup.limit()));
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
            first = rest.createProcessor(group, BulkImportFlow.TRIGGER_TYPE, "TriggerBulkImport", 0, 300, properties, Map.of(), List.of());
            link(rest, group, first, first, "PROCESSOR", List.of("retry"), new double[] {-150, 350});
            failed = link(rest, group, first, failures, "FUNNEL", List.of("failure"), null);
            started.add(first);
            if (progress != null) {
                final String poll = rest.createProcessor(group, BulkImportFlow.PROGRESS_TYPE, "GetBulkImportProgress", 0, 420,
                        Map.of("Connection Service", service), progress, List.of());
                link(rest, group, first, poll, "PROCESSOR", List.of("success"), null);
                link(rest, group, poll, poll, "PROCESSOR", List.of("running", "retry"), new double[] {-150, 470});
                succeeded = link(rest, group, poll, done, "FUNNEL", List.of("success"), null);
                link(rest, group, poll, failures, "FUNNEL", List.of("failure", "expired", "uncommitted", "resubmit"), null);
                started.add(poll);
            } else {
                succeeded = link(rest, group, first, done, "FUNNEL", List.of("success"), null);
            }
        }
        final String queued;
        final String into;
        if (trickle || progress != null) {
            final List<String> stamps = new ArrayList<>();
            String stampIn = null;
            if (trickle) {
                final String rate = rest.createProcessor(group, STANDARD + "ControlRate", "a trickle", 0, 100,
                        Map.of("Rate Control Criteria", "flowfile count", "Maximum Rate", String.valueOf(TRICKLE_PER_SECOND), "Time Duration", "1 sec"),
                        // on every node (a processor with an input cannot be primary-only): the uploads are all on the primary node
                        Map.of("schedulingPeriod", "0 sec"), List.of("failure"));
                queued = link(rest, group, generate, rate, "PROCESSOR", List.of("success"), null);
                stampIn = rate;
            } else {
                queued = null;
            }
            // the time each upload is let in, written into its key: the emulator receives it with the file name
            final String stamp;
            final String stamped;
            if (chain) {
                stamp = rest.createProcessor(group, STANDARD + "ReplaceText", "arrived", 0, 200, Map.of("Replacement Strategy", "Literal Replace",
                        "Evaluation Mode", "Entire text", "Search Value", ".parquet", "Replacement Value", ".at${now():toNumber()}.parquet"),
                        Map.of("schedulingPeriod", "0 sec"), List.of("failure"));
                stamped = stamp;
            } else {
                // UpdateAttribute is not in this runtime: the stamped key goes through the content, then back into s3.key
                stamp = rest.createProcessor(group, STANDARD + "ReplaceText", "arrived", 0, 200, Map.of("Replacement Strategy", "Always Replace",
                        "Evaluation Mode", "Entire text", "Replacement Value", "${s3.key:substringBeforeLast('.parquet')}.at${now():toNumber()}.parquet"),
                        Map.of("schedulingPeriod", "0 sec"), List.of("failure"));
                stamped = rest.createProcessor(group, STANDARD + "ExtractText", "into s3.key", 200, 250, Map.of("s3.key", "(.+)"),
                        Map.of("schedulingPeriod", "0 sec"), List.of("unmatched"));
                link(rest, group, stamp, stamped, "PROCESSOR", List.of("success"), null);
                stamps.add(stamped);
            }
            stamps.add(0, stamp);
            if (stampIn != null) {
                link(rest, group, stampIn, stamp, "PROCESSOR", List.of("success"), null);
            }
            into = link(rest, group, stamped, first, "PROCESSOR", List.of(chain ? "success" : "matched"), null);
            if (stampIn != null) {
                stamps.add(0, stampIn);
            }
            started.addAll(0, stamps);
            return new Flow(group, generate, queued != null ? queued : link(rest, group, generate, stamp, "PROCESSOR", List.of("success"), null), into,
                    failed, succeeded, started);
        }
        queued = link(rest, group, generate, first, "PROCESSOR", List.of("success"), null);
        return new Flow(group, generate, queued, queued, failed, succeeded, started);
    }

    /** Uploads come from one place: in a cluster, the primary node. */
    private static Map<String, String> scheduling(final Setup setup) {
        return setup.cluster() ? Map.of("schedulingPeriod", "0 sec", "executionNode", "PRIMARY") : Map.of("schedulingPeriod", "0 sec");
    }

    private static String name(final Consumer consumer) {
        return switch (consumer) {
            case DEFAULTS -> "TriggerBulkImport, defaults (nothing set but endpoint, credentials, collection)";
            case BATCHED -> "TriggerBulkImport, Max Flowfiles per Job " + BATCHED_FLOWFILES_PER_JOB + ", Max Batch Wait " + BATCHED_WAIT;
            case SLOTS -> "TriggerBulkImport, Max Flowfiles per Job 1000, Max Batch Wait " + BATCHED_WAIT + ", the service's Max Active Jobs = K";
            case INVOKE_HTTP -> "InvokeHTTP chain";
        };
    }

    private static String shortName(final Consumer consumer) {
        return switch (consumer) {
            case DEFAULTS -> "defaults";
            case BATCHED -> "batched";
            case SLOTS -> "slots";
            case INVOKE_HTTP -> "InvokeHTTP";
        };
    }

    /** Queues {@code files} uploads in front of the flow, with everything else stopped; returns how many were queued. */
    private static int queueUploads(final Setup setup, final Flow flow, final int files) throws Exception {
        final NiFiRestClient rest = setup.rest();
        if (!setup.cluster()) {
            // back pressure stops GenerateFlowFile at the count
            rest.setBackPressure(flow.queued(), files, "1 TB");
        }
        rest.setProcessorState(flow.generate(), "RUNNING");
        while (rest.queued(flow.queued()) < files) {
            Thread.sleep(20);
        }
        rest.setProcessorState(flow.generate(), "STOPPED");
        Thread.sleep(1_000);
        if (setup.cluster() && flow.queued().equals(flow.into())) {
            // a burst, queued straight into TriggerBulkImport's load-balanced connection
            awaitBalanced(rest, flow.queued());
        }
        rest.setBackPressure(flow.queued(), NO_BACK_PRESSURE, "1 TB");
        final int queued = rest.queued(flow.queued());
        final Duration quietAfter = QuietMachine.await(QUIET_AT_MOST);
        System.out.printf(Locale.ROOT, "  %,d uploads queued; the CPUs %s %.1f s later%n", queued,
                quietAfter.compareTo(QUIET_AT_MOST) >= 0 ? "were still busy, and the run started anyway," : "were quiet", quietAfter.toMillis() / 1e3);
        return queued;
    }

    /**
     * In a cluster the uploads are made on the primary node and the round robin moves half of them to the
     * other: a burst is queued on both nodes before the clock starts (a run started while one node still held
     * 2,024 of 2,532 measured NiFi's load balancing, not the flow: jobs created up to 3.7 s after the start).
     */
    private static void awaitBalanced(final NiFiRestClient rest, final String connection) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + BALANCE_TIMEOUT.toNanos();
        Map<Integer, Integer> byNode = rest.queuedByNode(connection);
        while (System.nanoTime() < deadline) {
            final int total = byNode.values().stream().mapToInt(Integer::intValue).sum();
            final int most = byNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            final int least = byNode.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            if (byNode.size() > 1 && most - least <= Math.max(2, total / 50)) {
                System.out.printf(Locale.ROOT, "  queued on the nodes before the start: %s%n", byNode.values());
                return;
            }
            Thread.sleep(250);
            byNode = rest.queuedByNode(connection);
        }
        throw new IllegalStateException("the round robin did not even out the uploads within " + BALANCE_TIMEOUT.toSeconds() + " s: " + byNode);
    }

    private static List<Result> measure(final Setup setup, final Consumer consumer, final String workload, final int files, final double y)
            throws Exception {
        final NiFiRestClient rest = setup.rest();
        setup.emulator().reset();
        final boolean trickle = "trickle".equals(workload);
        final String tag = "r" + Long.toString(System.nanoTime(), 36);
        final Flow flow = build(setup, consumer, trickle, tag, y, null);
        if (setup.cluster()) {
            rest.loadBalanceRoundRobin(flow.into());
        }
        final List<Result> results = new ArrayList<>();
        results.add(runOnce(setup, consumer, flow, trickle ? "trickle" : "burst" + ("warm".equals(workload) ? " (cold)" : ""), tag, files));
        if ("warm".equals(workload)) {
            // the same flow again: its connection service has learned the server's limit
            final String warmTag = tag + "-warm";
            rest.updateProcessorProperties(flow.generate(), Map.of("s3.key", "vectors/" + warmTag + "/part-${nextInt()}.parquet"));
            results.add(runOnce(setup, consumer, flow, "burst (warm)", warmTag, files));
        }
        return results;
    }

    private static Result runOnce(final Setup setup, final Consumer consumer, final Flow flow, final String workload, final String tag, final int files)
            throws Exception {
        final NiFiRestClient rest = setup.rest();
        final EmulatorProcess emulator = setup.emulator();
        final boolean trickle = workload.startsWith("trickle");
        final int uploaded = queueUploads(setup, flow, files);
        for (final String processor : flow.started()) {
            final List<String> errors = rest.validationErrors(processor);
            if (!errors.isEmpty()) {
                throw new IllegalStateException("a processor of the flow is invalid: " + errors);
            }
        }
        final long requestsBefore = emulator.requestCount();
        final long began = System.currentTimeMillis();
        for (final String processor : flow.started()) {
            rest.setProcessorState(processor, "RUNNING");
        }
        // how long NiFi took to answer the start: in a cluster, it goes through the coordinator to every node
        final long startAnswered = System.currentTimeMillis() - began;
        final long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        boolean deadlineReached = false;
        final Sampler sampler = setup.cluster() ? new Sampler() : null;
        // polled small (the emulator counts): the full listing, every job's paths, is read once at the end, not every 0.25 s on the machine measured
        while (true) {
            final JsonNode progress = emulator.progress("/" + tag + "/");
            if (sampler != null) {
                sampler.sample(rest.queuedByNode(flow.into()), progress.path("unfinished").asInt() < setup.limit());
            }
            if (progress.path("finishedFiles").asInt() >= uploaded && progress.path("unfinishedMatching").asInt() == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                deadlineReached = true;
                break;
            }
            Thread.sleep(250);
        }
        for (final String processor : flow.started()) {
            rest.setProcessorState(processor, "STOPPED");
        }
        final long calls = emulator.requestCount() - requestsBefore;
        final JsonNode jobs = emulator.jobs();

        // the self-check: every upload in exactly one job, every such job Completed, the arrivals as nominal
        final List<String> invalid = new ArrayList<>();
        if (deadlineReached) {
            invalid.add("the run reached its deadline of " + RUN_TIMEOUT.toMinutes() + " min");
        }
        final Map<String, Integer> jobsOf = new HashMap<>();
        final Map<String, Long> arrivedAt = new HashMap<>();
        final List<Long> latencies = new ArrayList<>();
        int ourJobs = 0;
        int notCompleted = 0;
        int foreign = 0;
        long finished = began;
        long firstCreated = Long.MAX_VALUE;
        long lastCreated = 0;
        for (final JsonNode job : jobs) {
            if (!job.path("paths").toString().contains("/" + tag + "/")) {
                continue;
            }
            ourJobs++;
            if (!"Completed".equals(job.path("state").asText())) {
                notCompleted++;
            }
            finished = Math.max(finished, job.path("finishesAt").asLong());
            firstCreated = Math.min(firstCreated, job.path("createdAt").asLong());
            lastCreated = Math.max(lastCreated, job.path("createdAt").asLong());
            if (System.getenv("MAKESPAN_TRACE") != null) {
                System.out.printf("    TRACE job created %d ms, finishes %d ms, %d files%n", job.path("createdAt").asLong() - began,
                        job.path("finishesAt").asLong() - began, job.path("files").asInt());
            }
            for (final JsonNode set : job.path("paths")) {
                for (final JsonNode path : set) {
                    final Matcher key = KEY.matcher(path.asText());
                    if (!key.find() || !key.group(1).equals(tag)) {
                        foreign++;
                        continue;
                    }
                    jobsOf.merge(key.group(2), 1, Integer::sum);
                    if (key.group(3) != null) {
                        final long arrived = Long.parseLong(key.group(3));
                        arrivedAt.put(key.group(2), arrived);
                        latencies.add(job.path("createdAt").asLong() - arrived);
                    }
                }
            }
        }
        if (notCompleted > 0) {
            invalid.add(notCompleted + " of its jobs not Completed");
        }
        if (foreign > 0) {
            invalid.add(foreign + " files of its jobs are not its uploads");
        }
        final long twice = jobsOf.values().stream().filter(n -> n > 1).count();
        if (twice > 0) {
            invalid.add(twice + " uploads in more than one job");
        }
        if (jobsOf.size() != uploaded) {
            invalid.add((uploaded - jobsOf.size()) + " of " + uploaded + " uploads in no job");
        }
        double ideal = idealBurst(uploaded, setup.limit());
        long start = began;
        String notes = "";
        if (trickle) {
            if (arrivedAt.size() != jobsOf.size()) {
                invalid.add((jobsOf.size() - arrivedAt.size()) + " uploads without an arrival time");
            }
            if (!arrivedAt.isEmpty()) {
                final long[] arrivals = arrivedAt.values().stream().mapToLong(Long::longValue).sorted().toArray();
                start = arrivals[0];
                ideal = idealArrivals(arrivals, setup.limit());
                final double rate = arrivalRate(arrivals);
                if (Math.abs(rate / TRICKLE_PER_SECOND - 1) > RATE_TOLERANCE) {
                    invalid.add(String.format(Locale.ROOT, "arrivals at %.1f a second, not %d", rate, TRICKLE_PER_SECOND));
                }
                latencies.sort(null);
                notes = String.format(Locale.ROOT, "arrivals measured at %.1f a second over %.1f s (first let in %d ms after the start); "
                                + "queued to created: median %d ms, 90th percentile %d ms", rate, (arrivals[arrivals.length - 1] - arrivals[0]) / 1e3,
                        arrivals[0] - began, latencies.get(latencies.size() / 2), latencies.get(latencies.size() * 9 / 10));
            }
        }
        if (!trickle && ourJobs > 0) {
            notes = String.format(Locale.ROOT, "jobs created from %d ms to %d ms after the start (NiFi answered the start after %d ms)",
                    firstCreated - began, lastCreated - began, startAnswered);
        }
        if (sampler != null) {
            notes = (notes.isEmpty() ? "" : notes + "; ") + sampler.summary();
        }
        final int failed = rest.queued(flow.failed());
        return new Result(workload, shortName(consumer), setup.limit(), uploaded, (finished - start) / 1e3, ideal, ourJobs, calls - ourJobs, failed,
                invalid, notes);
    }

    /** Both nodes' queues in front of TriggerBulkImport, sampled: whether a node sat idle while the other had queued files. */
    private static final class Sampler {
        private int samples;
        private int oneEmpty;
        private int oneEmptyWithRoom;
        private final Map<Integer, Integer> maxQueued = new HashMap<>();

        void sample(final Map<Integer, Integer> queued, final boolean serverHasRoom) {
            samples++;
            queued.forEach((node, n) -> maxQueued.merge(node, n, Math::max));
            final boolean someEmpty = queued.values().stream().anyMatch(n -> n == 0);
            final boolean someQueued = queued.values().stream().anyMatch(n -> n > 0);
            if (queued.size() > 1 && someEmpty && someQueued) {
                oneEmpty++;
                if (serverHasRoom) {
                    oneEmptyWithRoom++;
                }
            }
        }

        String summary() {
            return String.format(Locale.ROOT, "%d samples of both nodes' queues (every ~0.25 s): one node's queue empty while the other's held files in %d "
                    + "(%d of them while the server had free slots); most queued per node %s", samples, oneEmpty, oneEmptyWithRoom, maxQueued);
        }
    }

    /** The latency of a lone upload on an idle server: queued in front of TriggerBulkImport (defaults) to created on the server. */
    private static void lone(final Path emulatorJar, final Path root, final int trials) throws Exception {
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), fresh(root, "nifi-makespan"), nars(root), "benchmark");
        try (EmulatorProcess emulator = startEmulator(emulatorJar, MAX_ACTIVE_JOBS)) {
            nifi.start(Duration.ofMinutes(4));
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            final Setup setup = new Setup(rest, rest.rootGroupId(), emulator, MAX_ACTIVE_JOBS, false);
            final String tag = "lone" + Long.toString(System.nanoTime(), 36);
            // GetBulkImportProgress polls each second, so that the service sees each job finish before the next upload
            final Flow flow = build(setup, Consumer.DEFAULTS, false, tag, 0, Map.of("penaltyDuration", "1 sec", "schedulingPeriod", "0 sec"));
            for (final String processor : flow.started()) {
                rest.setProcessorState(processor, "RUNNING");
            }
            final List<Long> latencies = new ArrayList<>();
            for (int trial = 0; trial < trials; trial++) {
                rest.runOnce(flow.generate(), Duration.ofSeconds(30));
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                long latency = -1;
                while (latency < 0 && System.nanoTime() < deadline) {
                    for (final JsonNode job : emulator.jobs()) {
                        if (job.path("state").asText().equals("Completed")) {
                            continue;
                        }
                        final Matcher key = KEY.matcher(job.path("paths").toString());
                        if (key.find() && key.group(3) != null) {
                            latency = job.path("createdAt").asLong() - Long.parseLong(key.group(3));
                        }
                    }
                    Thread.sleep(50);
                }
                latencies.add(latency);
                // idle again: the job Completed, and the service saw it (GetBulkImportProgress passed it on)
                while (rest.queued(flow.succeeded()) < trial + 1 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(500);
                System.out.printf(Locale.ROOT, "  lone upload %d: %d ms from queued to created%n", trial + 1, latency);
            }
            final List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            System.out.printf(Locale.ROOT, "lone upload on an idle server, queued to created (TriggerBulkImport defaults), %d trials: median %d ms, min %d, max %d; "
                    + "the first (the service's first start lists the server's jobs first): %d ms; %s%n", trials, sorted.get(sorted.size() / 2), sorted.getFirst(),
                    sorted.getLast(), latencies.getFirst(), LocalDate.now());
        } finally {
            nifi.stop();
        }
    }

    /** A 2-node cluster sharing one server limit: uploads on the primary node, round robin into TriggerBulkImport (defaults). */
    private static void cluster(final Path emulatorJar, final Path root, final int files, final int limit, final List<String> workloads) throws Exception {
        final List<Result> results = new ArrayList<>();
        try (NiFiCluster cluster = NiFiCluster.prepare(root.resolve(".nifi/nifi-2.3.0"), fresh(root, "nifi-makespan-cluster"), nars(root));
             EmulatorProcess emulator = startEmulator(emulatorJar, limit)) {
            final Duration startup = cluster.start(Duration.ofMinutes(5));
            final NiFiRestClient rest = cluster.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "2-node NiFi 2.3.0 cluster started in %.1f s; server limit %d shared by both nodes; %s%n", startup.toMillis() / 1e3,
                    limit, LocalDate.now());
            final Setup setup = new Setup(rest, rest.rootGroupId(), emulator, limit, true);
            double y = 0;
            for (final String workload : workloads) {
                for (final Result result : measure(setup, Consumer.DEFAULTS, workload, files, y)) {
                    final Result labelled = new Result(result.workload() + " (2-node cluster)", result.consumer(), result.limit(), result.files(),
                            result.makespanSeconds(), result.idealSeconds(), result.jobs(), result.refused(), result.failed(), result.invalid(), result.notes());
                    print(labelled);
                    results.add(labelled);
                }
                y += 500;
            }
        }
        table(results);
    }

    static String[] rest(final String[] args) {
        return Arrays.copyOfRange(args, 1, args.length);
    }
}
