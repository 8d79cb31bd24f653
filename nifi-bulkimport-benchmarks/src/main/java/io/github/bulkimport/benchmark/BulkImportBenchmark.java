package io.github.bulkimport.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures, side by side against the same local emulator:
 * <ol>
 *   <li>a raw HttpClient 5 loop posting the same {@code create} (the limit), and for context the same
 *       loop on 4 threads;</li>
 *   <li>TriggerBulkImport in nifi-mock's TestRunner, with its defaults and with one request at a time;</li>
 *   <li>an AttributesToJSON → InvokeHTTP → EvaluateJsonPath chain doing the same work;</li>
 *   <li>batching: 1,000 flowfiles into one job versus 1,000 jobs;</li>
 * </ol>
 * and the heap retained while 100,000 flowfiles go through TriggerBulkImport. Run with
 * {@code java -jar nifi-bulkimport-benchmarks/target/nifi-bulkimport-benchmarks.jar [requests] [rounds]}; with {@code nifi} as
 * first argument, the same comparison in a real NiFi ({@link RealNiFiBenchmark}); with {@code validate}, ValidateBulkImportFile on
 * Parquet files of 1 MB to 1 GB ({@link ValidateBenchmark}); with {@code whole}, its Validation Depth Whole File against Apache Parquet's
 * reader and a plain read ({@link WholeFileBenchmark}).
 */
public final class BulkImportBenchmark {

    private BulkImportBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && "nifi".equals(args[0])) {
            RealNiFiBenchmark.run(locate("nifi-bulkimport-emulator/target/nifi-bulkimport-emulator.jar"), locate(".nifi").getParent(),
                    args.length > 1 ? Integer.parseInt(args[1]) : 20_000, args.length > 2 ? Integer.parseInt(args[2]) : 3);
            return;
        }
        if (args.length > 0 && "makespan".equals(args[0])) {
            final Path emulatorJar = locate("nifi-bulkimport-emulator/target/nifi-bulkimport-emulator.jar");
            MakespanBenchmark.run(emulatorJar, emulatorJar.getParent().getParent().getParent(), MakespanBenchmark.rest(args));
            return;
        }
        if (args.length > 0 && "whole".equals(args[0])) {
            final Path emulatorJar = locate("nifi-bulkimport-emulator/target/nifi-bulkimport-emulator.jar");
            WholeFileBenchmark.run(emulatorJar, emulatorJar.getParent().getParent().getParent(), args.length > 1 ? Integer.parseInt(args[1]) : 30,
                    Arrays.stream((args.length > 2 ? args[2] : "100,1024").split(",")).map(String::strip).map(Integer::valueOf).toList());
            return;
        }
        if (args.length > 0 && "validate".equals(args[0])) {
            final Path emulatorJar = locate("nifi-bulkimport-emulator/target/nifi-bulkimport-emulator.jar");
            ValidateBenchmark.run(emulatorJar, emulatorJar.getParent().getParent().getParent(), args.length > 1 ? Integer.parseInt(args[1]) : 10);
            return;
        }
        final int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final Path emulatorJar = locate("nifi-bulkimport-emulator/target/nifi-bulkimport-emulator.jar");

        System.out.printf(Locale.ROOT, "Java %s, %d processors, %d MB max heap; %d requests per run, %d rounds, median shown%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, requests, rounds);
        try (EmulatorProcess emulator = EmulatorProcess.start(emulatorJar); RawClientLoop raw = new RawClientLoop(emulator.url())) {
            final TriggerBulkImportRun processor = new TriggerBulkImportRun(emulator.url(), 1);
            if (args.length > 2 && "profile".equals(args[2])) {
                // only TriggerBulkImport, for a profiler attached to this JVM
                processor.run("warm-up", 5_000);
                final Measurement m = processor.run("profile", requests * rounds);
                System.out.printf(Locale.ROOT, "TriggerBulkImport: %.0f requests/s%n", m.perSecond());
                return;
            }
            final TriggerBulkImportRun sequential = new TriggerBulkImportRun(emulator.url(), 1, 1);
            final InvokeHttpChain chain = new InvokeHttpChain(emulator.url());

            final Map<String, Workload> workloads = new LinkedHashMap<>();
            workloads.put(RAW, n -> timed(RAW, n, () -> raw.run(n)));
            workloads.put(PROCESSOR, n -> processor.run(PROCESSOR, n));
            workloads.put(CHAIN, n -> chain.run(CHAIN, n));
            workloads.put(RAW_CONCURRENT, n -> timed(RAW_CONCURRENT, n, () -> raw.runConcurrently(n, 4)));
            workloads.put(SEQUENTIAL, n -> sequential.run(SEQUENTIAL, n));

            // warm-up: JIT, connection pools, TestRunner initialisation
            for (final Workload workload : workloads.values()) {
                workload.run(5_000);
            }
            final Map<String, List<Measurement>> runs = new LinkedHashMap<>();
            final List<String> order = new ArrayList<>(workloads.keySet());
            for (int round = 0; round < rounds; round++) {
                // a different order each round, so that no workload always follows the same one
                Collections.rotate(order, 1);
                for (final String name : order) {
                    runs.computeIfAbsent(name, k -> new ArrayList<>()).add(workloads.get(name).run(requests));
                }
            }

            System.out.println();
            System.out.printf(Locale.ROOT, "%-62s %12s %14s   %s%n", "", "requests/s", "bytes/request", "each round");
            final Map<String, Measurement> medians = new LinkedHashMap<>();
            for (final String name : workloads.keySet()) {
                final Measurement median = median(runs.get(name));
                medians.put(name, median);
                System.out.printf(Locale.ROOT, "%-62s %12.0f %14.0f   %s%n", name, median.perSecond(), median.bytesPerRequest(),
                        runs.get(name).stream().map(m -> String.format(Locale.ROOT, "%.0f", m.perSecond())).toList());
            }

            final double vsRaw = medians.get(PROCESSOR).perSecond() / medians.get(RAW).perSecond();
            final double vsChain = medians.get(PROCESSOR).perSecond() / medians.get(CHAIN).perSecond();
            System.out.println();
            System.out.printf(Locale.ROOT, "2 / 1 (TriggerBulkImport / raw client)   = %.2f   target >= 0.80  %s%n", vsRaw, verdict(vsRaw >= 0.8));
            System.out.printf(Locale.ROOT, "2 / 3 (TriggerBulkImport / InvokeHTTP)   = %.2f   target >= 1.50  %s%n", vsChain, verdict(vsChain >= 1.5));
            System.out.printf(Locale.ROOT, "for context: 2 / 1a (same concurrency)    = %.2f;  2b / 1 (one request at a time) = %.2f;  2b / 3 = %.2f%n",
                    medians.get(PROCESSOR).perSecond() / medians.get(RAW_CONCURRENT).perSecond(),
                    medians.get(SEQUENTIAL).perSecond() / medians.get(RAW).perSecond(),
                    medians.get(SEQUENTIAL).perSecond() / medians.get(CHAIN).perSecond());

            batching(emulator);
            heap(emulator.url());
        }
    }

    private static final String RAW = "1.  raw HttpClient 5 loop, one request at a time";
    private static final String PROCESSOR = "2.  TriggerBulkImport (TestRunner, defaults: 4 in flight)";
    private static final String CHAIN = "3.  AttributesToJSON > InvokeHTTP > EvaluateJsonPath";
    private static final String RAW_CONCURRENT = "1a. raw HttpClient 5 loop on 4 threads";
    private static final String SEQUENTIAL = "2b. TriggerBulkImport, Max Requests in Flight = 1";

    @FunctionalInterface
    private interface Workload {
        Measurement run(int requests) throws Exception;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static Measurement timed(final String name, final int requests, final Body body) throws Exception {
        final Measurement.Stopwatch stopwatch = new Measurement.Stopwatch();
        stopwatch.start();
        body.run();
        stopwatch.stop();
        return stopwatch.result(name, requests);
    }

    private static void batching(final EmulatorProcess emulator) throws Exception {
        final int files = 1_000;
        final double[] callsPerFile = new double[2];
        final int[] sizes = {1, 1_000};
        System.out.println();
        for (int i = 0; i < sizes.length; i++) {
            final TriggerBulkImportRun run = new TriggerBulkImportRun(emulator.url(), sizes[i]);
            run.run("warm-up", files);
            final long before = emulator.requestCount();
            final Measurement m = run.run("batch", files);
            callsPerFile[i] = (double) (emulator.requestCount() - before) / files;
            System.out.printf(Locale.ROOT, "Max Flowfiles per Job = %-5d: %d files in %.1f ms, %.3f HTTP calls per file, %.0f files/s%n",
                    sizes[i], files, m.nanos() / 1e6, callsPerFile[i], m.perSecond());
        }
        final double fewer = callsPerFile[0] / callsPerFile[1];
        System.out.printf(Locale.ROOT, "HTTP calls per file, 1,000 jobs / 1 job    = %.0fx fewer   target >= 100x  %s%n", fewer, verdict(fewer >= 100));
    }

    private static void heap(final String url) throws Exception {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final TriggerBulkImportRun run = new TriggerBulkImportRun(url, 1);
        System.out.println();
        final long baseline = retained(memory);
        long afterFirst = 0;
        long last = 0;
        for (int done = 10_000; done <= 100_000; done += 10_000) {
            run.run("heap", 10_000);
            if (done == 10_000 || done % 50_000 == 0) {
                last = retained(memory);
                if (done == 10_000) {
                    afterFirst = last;
                }
                System.out.printf(Locale.ROOT, "heap retained after %,7d flowfiles: %6.1f MB (%+.1f MB over the start)%n", done, last / 1e6, (last - baseline) / 1e6);
            }
        }
        final double growth = (last - afterFirst) / 1e6;
        System.out.printf(Locale.ROOT, "growth from 10,000 to 100,000 flowfiles    = %+.1f MB   target: flat (< 5 MB)  %s%n", growth, verdict(growth < 5));
    }

    private static long retained(final MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static Measurement median(final List<Measurement> runs) {
        final List<Measurement> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Measurement::perSecond));
        return sorted.get(sorted.size() / 2);
    }

    private static String verdict(final boolean met) {
        return met ? "MET" : "MISSED";
    }

    private static Path locate(final String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found: run from the project and build it first (mvn -B -DskipTests package)");
    }
}
