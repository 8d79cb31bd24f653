package io.github.bulkimport.systemtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.emulator.RecordedCall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundle in a real NiFi 2.3.0, against the emulator on loopback, driven through NiFi's REST API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NiFiSystemIT {

    private static final String TOKEN = "root:Milvus-system-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FLOW_TIMEOUT = Duration.ofMinutes(3);

    private ImportApiEmulator emulator;
    private NiFiInstance nifi;
    private NiFiRestClient rest;
    private String root;

    @BeforeAll
    void startNiFiAndEmulator() throws Exception {
        emulator = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(2)).maxActiveJobs(100_000)
                .recordLimit(100_000).start();
        final Path instance = Path.of(System.getProperty("nifi.instance.dir"));
        NiFiInstance.delete(instance);
        nifi = NiFiInstance.prepare(Path.of(System.getProperty("nifi.runtime.home")), instance,
                NiFiInstance.narsIn(Path.of(System.getProperty("bulkimport.nars"))), "system-tests");
        final Duration startup = nifi.start(Duration.ofMinutes(4));
        System.out.printf("NiFi started in %.1f s at %s%n", startup.toMillis() / 1000.0, nifi.uiUrl());
        rest = nifi.rest();
        rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
        root = rest.rootGroupId();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (nifi != null) {
            nifi.stop();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private BulkImportFlow flow(final String collection, final String token, final double y) throws Exception {
        return BulkImportFlow.create(rest, root, 0, y,
                new BulkImportFlow.Settings(collection, emulator.url(), token, collection, "milvus-bucket", Duration.ofMillis(500)));
    }

    private List<RecordedCall> creates(final String collection) {
        return emulator.requests("create").stream().filter(call -> call.body().contains("\"" + collection + "\"")).toList();
    }

    private List<Job> jobs(final String collection) {
        return emulator.jobs().stream().filter(job -> job.collection().equals(collection)).toList();
    }

    @Test
    @Order(1)
    void flowFilesFromPutS3ObjectEndInSuccessWithTheirJobs() throws Exception {
        final BulkImportFlow flow = flow("happy_path", TOKEN, 0);
        flow.generate(rest, 8);
        // a file with a vector of 3 values, where the collection has 8: stopped before any job
        flow.generate(rest, "vectors/wrong-dimension.json", BulkImportFlow.BAD_FILE);
        flow.start(rest);

        BulkImportFlow.awaitQueued(rest, flow.done(), 8, FLOW_TIMEOUT);
        BulkImportFlow.awaitQueued(rest, flow.invalid(), 1, FLOW_TIMEOUT);
        final Map<String, String> stopped = rest.queuedAttributes(flow.invalid()).getFirst();
        assertEquals("vectors/wrong-dimension.json", stopped.get("s3.key"));
        assertTrue(stopped.get("bulkimport.validation.errors").startsWith("vector: expected FloatVector(8), found a list of 3 in row 1"),
                stopped.toString());
        assertTrue(emulator.requests("create").stream().noneMatch(call -> call.body().contains("wrong-dimension")), "no job for the bad file");

        final List<Map<String, String>> done = rest.queuedAttributes(flow.done());
        assertEquals(8, done.size());
        final Set<String> jobIds = new HashSet<>();
        for (final Map<String, String> attributes : done) {
            assertEquals("Completed", attributes.get("bulkimport.state"));
            assertEquals("100", attributes.get("bulkimport.progress"));
            assertEquals("happy_path", attributes.get("bulkimport.collection"));
            assertEquals(attributes.get("s3.key"), attributes.get("bulkimport.object.urls"));
            assertTrue(attributes.get("bulkimport.submitted.at").endsWith("Z"));
            assertTrue(attributes.containsKey("bulkimport.checked.at"));
            assertFalse(attributes.containsKey("bulkimport.error.message"));
            jobIds.add(attributes.get("bulkimport.job.id"));
        }
        assertEquals(8, jobIds.size(), "one job per flowfile");
        assertEquals(0, rest.queued(flow.notStarted()));
        assertEquals(0, rest.queued(flow.failed()));

        final List<RecordedCall> creates = creates("happy_path");
        assertEquals(8, creates.size(), "exactly one create per flowfile");
        final Set<String> sentFiles = new HashSet<>();
        for (final RecordedCall create : creates) {
            assertEquals("Bearer " + TOKEN, create.header("Authorization"));
            assertTrue(create.header("Idempotency-Key").matches("[0-9a-f]{64}"));
            assertTrue(create.header("User-Agent").startsWith("nifi-bulkimport/"));
            final var body = JSON.readTree(create.body());
            assertEquals(Set.of("collectionName", "files"), fieldNames(body));
            sentFiles.add(body.path("files").get(0).get(0).asText());
        }
        assertEquals(done.stream().map(a -> a.get("s3.key")).collect(Collectors.toSet()), sentFiles);
        assertEquals(jobIds, jobs("happy_path").stream().map(Job::id).collect(Collectors.toSet()));
        assertTrue(emulator.requests("describe").size() >= 8);

        // what an operator of a large import watches, on NiFi's Counters page
        final Map<String, Long> counters = rest.counters();
        assertEquals(8L, counters.get("Bulk-import jobs started"), counters.toString());
        assertEquals(8L, counters.get("Bulk-import files valid"), counters.toString());
        assertEquals(1L, counters.get("Bulk-import files invalid"), counters.toString());
        assertEquals(8L, counters.get("Bulk-import jobs completed"), counters.toString());
        assertEquals(8_000L, counters.get("Bulk-import rows imported"), "1,000 rows per file in the emulator: " + counters);
        // every call of the flow's service: its own, the descriptions, and the listing that recovers its unfinished jobs after enable
        final long calls = emulator.requests().stream().filter(call -> call.body().contains("happy_path") || call.operation().equals("describe")
                || call.operation().equals("list")).count();
        assertEquals(calls, (long) counters.get("Bulk-import API calls"), counters.toString());
        System.out.println("COUNTERS after the happy path: " + counters);
    }

    @Test
    @Order(2)
    void badCredentialsGoToFailureWithAClearMessage() throws Exception {
        final BulkImportFlow flow = flow("bad_credentials", "root:wrong-password", 900);
        flow.generate(rest, 2);
        flow.start(rest);

        BulkImportFlow.awaitQueued(rest, flow.notStarted(), 2, FLOW_TIMEOUT);

        for (final Map<String, String> attributes : rest.queuedAttributes(flow.notStarted())) {
            assertEquals("401", attributes.get("bulkimport.http.status"));
            assertEquals("1800", attributes.get("bulkimport.error.code"));
            assertTrue(attributes.get("bulkimport.error.message").contains("check API Key or Token"), attributes.toString());
            assertFalse(attributes.toString().contains("wrong-password"), "the secret never reaches attributes");
        }
        assertTrue(jobs("bad_credentials").isEmpty());
        assertTrue(rest.bulletins(flow.groupId()).stream().noneMatch(b -> b.contains("wrong-password")));
    }

    @Test
    @Order(3)
    void aFaultBurstGoesThroughRetryAndStillEndsInOneJobEach() throws Exception {
        emulator.faults()
                .add(Fault.on("create", FaultType.HTTP_503, 3))
                .add(Fault.on("create", FaultType.LOST_REPLY, 2))
                .add(Fault.on("create", FaultType.JOB_LIMIT, 1))
                .add(new Fault(FaultType.HTTP_429, 1, "create", 1, 0))
                .add(Fault.on("create", FaultType.TRUNCATED, 1))
                .add(Fault.on("create", FaultType.HTTP_502, 1))
                .add(Fault.on("describe", FaultType.HTTP_502, 2))
                .add(Fault.on("describe", FaultType.DROP, 1));
        final BulkImportFlow flow = flow("fault_burst", TOKEN, 1800);
        flow.generate(rest, 10);
        flow.start(rest);

        BulkImportFlow.awaitQueued(rest, flow.done(), 10, FLOW_TIMEOUT);

        assertTrue(emulator.faults().pending().isEmpty(), "every injected fault was hit: " + emulator.faults().pending());
        assertEquals(0, rest.queued(flow.notStarted()));
        assertEquals(0, rest.queued(flow.failed()));
        assertEquals(10, jobs("fault_burst").size(), "no duplicate job despite lost replies");
        final Set<String> jobIds = rest.queuedAttributes(flow.done()).stream().map(a -> a.get("bulkimport.job.id")).collect(Collectors.toSet());
        assertEquals(jobs("fault_burst").stream().map(Job::id).collect(Collectors.toSet()), jobIds);
        assertTrue(creates("fault_burst").size() > 10, "faults made the processor retry");
    }

    @Test
    @Order(4)
    void stoppingOrKillingNiFiMidFlowLosesNothingAndDuplicatesNothing() throws Exception {
        final BulkImportFlow flow = flow("restarts", TOKEN, 2700);

        for (final boolean crash : List.of(false, true)) {
            final int expected = crash ? 24 : 12;
            // slow answers stretch the starting phase, so that NiFi goes down with jobs both started and not
            emulator.faults().add(new Fault(FaultType.SLOW, 12, "create", -1, 400));
            flow.generate(rest, 12);
            flow.start(rest);
            // NiFi writes its flow shortly after a change; going down before that would forget that the processors run
            nifi.awaitFlowSaved(flow.progressId(), "RUNNING", Duration.ofSeconds(20));
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (jobs("restarts").size() < expected - 9 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (crash) {
                nifi.kill();
            } else {
                nifi.stop();
            }
            final Duration restart = nifi.start(Duration.ofMinutes(3));
            System.out.printf("NiFi %s and came back in %.1f s%n", crash ? "was killed" : "was stopped", restart.toMillis() / 1000.0);
            rest = nifi.rest();

            BulkImportFlow.awaitQueued(rest, flow.done(), expected, FLOW_TIMEOUT);
            assertEquals(expected, rest.queued(flow.done()), "nothing lost, nothing doubled");
            assertEquals(0, rest.queued(flow.notStarted()));
            assertEquals(0, rest.queued(flow.failed()));
            assertEquals(expected, jobs("restarts").size(), "no duplicate job after " + (crash ? "a crash" : "a restart"));
            emulator.faults().clear();
        }
        assertTrue(Files.exists(nifi.directory().resolve("logs/nifi-app.log")));
    }

    @Test
    @Order(5)
    void aDatasetIsCommittedWholeOrAbortedWhole() throws Exception {
        final DatasetFlow flow = DatasetFlow.create(rest, root, 0, 3600,
                new BulkImportFlow.Settings("all_or_nothing", emulator.url(), TOKEN, "all_or_nothing", "milvus-bucket", Duration.ofMillis(500)), false);

        flow.importDataset(rest, List.of("datasets/good/part-1.parquet", "datasets/good/part-2.parquet", "datasets/good/part-3.parquet"));
        BulkImportFlow.awaitQueued(rest, flow.committed(), 1, FLOW_TIMEOUT);
        flow.importDataset(rest, List.of("datasets/bad/part-1.parquet", "datasets/bad/bad-schema-2.parquet", "datasets/bad/part-3.parquet"));
        BulkImportFlow.awaitQueued(rest, flow.aborted(), 1, FLOW_TIMEOUT);

        final Map<String, List<Job>> byDataset = jobs("all_or_nothing").stream()
                .collect(Collectors.groupingBy(job -> job.files().getFirst().getFirst().split("/")[1]));
        final List<Job> good = byDataset.get("good");
        final List<Job> bad = byDataset.get("bad");
        assertEquals(3, good.size());
        assertTrue(good.stream().allMatch(job -> job.committedAt() >= 0 && !job.aborted()), "every job of the good dataset committed");
        assertEquals(3, bad.size());
        assertTrue(bad.stream().noneMatch(job -> job.committedAt() >= 0), "no job of the bad dataset committed");
        assertEquals(2, bad.stream().filter(Job::aborted).count(), "the two sound jobs of the bad dataset aborted");
        assertEquals("Failed", bad.stream().filter(job -> !job.aborted()).findFirst().orElseThrow().snapshot(System.currentTimeMillis()).state());
        assertTrue(bad.stream().allMatch(job -> "false".equals(job.options().get("auto_commit"))));

        final Map<String, String> committed = rest.queuedAttributes(flow.committed()).getFirst();
        assertEquals("committed, committed, committed", committed.get("bulkimport.action"));
        final Map<String, String> aborted = rest.queuedAttributes(flow.aborted()).getFirst();
        final List<String> actions = List.of(aborted.get("bulkimport.action").split(", "));
        assertEquals(List.of("aborted", "aborted", "already failed"), actions.stream().sorted().toList(),
                "the failed job is where an abort leads, and is reported as failed by itself");
        assertEquals(0, flow.needingAttention(rest));
        assertEquals(1, rest.queued(flow.committed()));
        assertEquals(1, rest.queued(flow.aborted()));
    }

    @Test
    @Order(6)
    void throughputOfTriggerBulkImportOnOneNode() throws Exception {
        final BulkImportFlow flow = flow("throughput", TOKEN, 4500);
        flow.generateBatch(rest, 2_000);
        final double perSecond = flow.triggerThroughput(rest, 2_000);
        System.out.printf("THROUGHPUT single node: TriggerBulkImport %.0f flowfiles/s (2,000 flowfiles, defaults)%n", perSecond);
        assertEquals(2_000, jobs("throughput").size());
    }

    /**
     * Issue 26: the count of unfinished jobs survives a disable and enable of the connection service. With
     * Max Active Jobs 1 and a job of 6 s running, the service is disabled and enabled again; it has forgotten
     * the job, and must recover it from the server's listing before it admits a start: the second upload's job
     * starts only once the first has finished, not at once.
     */
    @Test
    @Order(7)
    void theCountOfUnfinishedJobsIsRecoveredAfterTheServiceIsEnabledAgain() throws Exception {
        try (ImportApiEmulator slow = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(6))
                .maxActiveJobs(100).start()) {
            final String group = rest.createProcessGroup(root, "recovered count", 0, 5400);
            final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "connection",
                    Map.of("Deployment", "MILVUS", "Endpoint URL", slow.url(), "API Key or Token", TOKEN, "Max Active Jobs", "1"));
            rest.enableControllerService(service, Duration.ofSeconds(30));
            final String generate = rest.createProcessor(group, BulkImportFlow.GENERATE_TYPE, "uploads", 0, 0,
                    Map.of("Batch Size", "1", "s3.bucket", "milvus-bucket", "s3.key", "vectors/recovered-${nextInt()}.parquet"),
                    Map.of("schedulingPeriod", "1 min"), List.of());
            final String trigger = rest.createProcessor(group, BulkImportFlow.TRIGGER_TYPE, "TriggerBulkImport", 0, 200,
                    Map.of("Connection Service", service, "Collection Name", "recovered"), Map.of(), List.of());
            rest.connect(group, generate, trigger, "PROCESSOR", List.of("success"), null);
            rest.connect(group, trigger, trigger, "PROCESSOR", List.of("retry"), new double[] {-150, 250});
            final String funnel = rest.createFunnel(group, 0, 400);
            final String started = rest.connect(group, trigger, funnel, "FUNNEL", List.of("success"), null);
            final String failed = rest.connect(group, trigger, funnel, "FUNNEL", List.of("failure"), null);

            rest.runOnce(generate, Duration.ofSeconds(30));
            rest.setProcessorState(trigger, "RUNNING");
            BulkImportFlow.awaitQueued(rest, started, 1, Duration.ofSeconds(30));
            rest.setProcessorState(trigger, "STOPPED");
            final Job first = slow.jobs().getFirst();

            // the service forgets what it counted; the job it started still runs on the server
            rest.disableControllerService(service, Duration.ofSeconds(30));
            rest.enableControllerService(service, Duration.ofSeconds(30));
            rest.runOnce(generate, Duration.ofSeconds(30));
            final long enabledAgain = System.currentTimeMillis();
            rest.setProcessorState(trigger, "RUNNING");
            BulkImportFlow.awaitQueued(rest, started, 2, Duration.ofSeconds(60));
            rest.setProcessorState(trigger, "STOPPED");

            assertEquals(2, slow.jobs().size(), "one job per upload");
            final Job second = slow.jobs().stream().filter(job -> !job.id().equals(first.id())).findFirst().orElseThrow();
            final long firstEnds = first.createdAt() + 6_000;
            System.out.printf("RECOVERED COUNT: first job ran %d to %d, service enabled again at %d, second job created at %d (%d ms after the first ended)%n",
                    first.createdAt(), firstEnds, enabledAgain, second.createdAt(), second.createdAt() - firstEnds);
            assertTrue(enabledAgain < firstEnds, "the service was enabled again while the first job ran");
            assertTrue(second.createdAt() >= firstEnds, "no second job while the recovered one ran: Max Active Jobs 1");
            assertTrue(slow.requests("list").size() >= 1, "the count was recovered from a listing");
            assertEquals(0, rest.queued(failed));
        }
    }

    @Test
    @Order(8)
    void aNaNInALateRowGroupPassesFirstPagesAndIsStoppedByWholeFileWithItsReport() throws Exception {
        final Path work = Path.of(System.getProperty("nifi.instance.dir")).resolveSibling("whole-file");
        NiFiInstance.delete(work);
        final Path input = work.resolve("in");
        final Path reports = work.resolve("reports");
        WholeFileFlow.writeFiles(input);
        try (org.apache.parquet.hadoop.ParquetFileReader file = org.apache.parquet.hadoop.ParquetFileReader.open(
                new org.apache.parquet.io.LocalInputFile(input.resolve(WholeFileFlow.LATE_NAN_FILE)))) {
            final var groups = file.getRowGroups();
            assertTrue(groups.size() >= 3 && groups.getFirst().getRowCount() < WholeFileFlow.NAN_ROW / 4, "the NaN sits in a late row group: "
                    + groups.size() + " row groups, the first of " + groups.getFirst().getRowCount() + " rows");
        }
        final WholeFileFlow flow = WholeFileFlow.create(rest, root, 0, 6000, new BulkImportFlow.Settings("whole file", emulator.url(), TOKEN,
                "whole_file", "milvus-bucket", Duration.ofMillis(500)), input, reports);
        flow.awaitDone(rest, FLOW_TIMEOUT);
        rest.setGroupState(flow.groupId(), "STOPPED");

        assertEquals(0, rest.queued(flow.stoppedByFirstPages()), "First Pages reads the first rows only: both files pass it");
        final List<Map<String, String>> checked = rest.queuedAttributes(flow.checked());
        assertEquals(List.of(WholeFileFlow.SOUND_FILE), checked.stream().map(a -> a.get("filename")).toList());
        assertEquals("0", checked.getFirst().getOrDefault("bulkimport.validation.bad.rows", "0"));
        final List<Map<String, String>> stopped = rest.queuedAttributes(flow.stoppedByWholeFile());
        assertEquals(List.of(WholeFileFlow.LATE_NAN_FILE), stopped.stream().map(a -> a.get("filename")).toList());
        final Map<String, String> bad = stopped.getFirst();
        assertEquals("1", bad.get("bulkimport.validation.bad.rows"));
        final String errors = bad.get("bulkimport.validation.errors");
        assertTrue(errors.contains("NaN") && errors.contains("row " + WholeFileFlow.NAN_ROW), errors);
        assertEquals(1, rest.queued(flow.reportsWritten()), "one report, for the bad file only");
        final List<String> report = Files.readAllLines(reports.resolve(WholeFileFlow.LATE_NAN_FILE + ".bad-rows.jsonl"));
        assertEquals(1, report.size(), String.valueOf(report));
        assertEquals(WholeFileFlow.NAN_ROW, JSON.readTree(report.getFirst()).path("row").asInt(), report.getFirst());
        assertEquals("vector", JSON.readTree(report.getFirst()).path("column").asText());
        System.out.printf("WHOLE FILE: %s passed First Pages, stopped by Whole File: %s; report: %s%n", WholeFileFlow.LATE_NAN_FILE, errors,
                report.getFirst());
    }

    private static Set<String> fieldNames(final com.fasterxml.jackson.databind.JsonNode node) {
        final Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
