package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.emulator.RecordedCall;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Json;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many flowfiles, one job: only flowfiles with the same target share a job, within the file limit.
 */
class BatchingTest {

    private ImportApiEmulator emulator;
    private TestRunner runner;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private TestRunner milvus(final int maxPerJob) {
        emulator = Emulators.milvus().start();
        runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "${collection}");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, String.valueOf(maxPerJob));
        return runner;
    }

    private static Map<String, String> file(final String collection, final int i) {
        return Map.of("collection", collection, "s3.bucket", "b", "s3.key", collection + "/part-" + i + ".parquet");
    }

    private List<MockFlowFile> succeeded() {
        return runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS);
    }

    // ---- Max Batch Wait ---------------------------------------------------------------------------

    /** A job of the node runs: uploads after it gather for Max Batch Wait (a lone upload to an idle server starts at once). */
    private void busy() {
        runner.enqueue(new byte[0], file("busy", 0));
        runner.run(1, false, true);
        assertEquals(1, emulator.requests("create").size());
        runner.clearTransferState();
        emulator.clearRequests();
    }

    private MockFlowFile enqueueQueuedAgo(final Map<String, String> attributes, final long millisAgo) {
        final MockFlowFile flowFile = runner.enqueue(new byte[0], attributes);
        flowFile.setLastEnqueuedDate(System.currentTimeMillis() - millisAgo);
        return flowFile;
    }

    @Test
    void aTrickleWaitsForItsJobToFillUntilTheOldestHasWaitedMaxBatchWait() {
        milvus(4);
        runner.setProperty(BatchTaker.MAX_BATCH_WAIT, "30 sec");
        busy();
        enqueueQueuedAgo(file("docs", 0), 10_000);
        enqueueQueuedAgo(file("docs", 1), 5_000);
        runner.run(1, false, false);
        assertEquals(0, emulator.requests("create").size(), "two of four, the oldest 10 s old: they wait");
        assertEquals(2, runner.getQueueSize().getObjectCount(), "untouched in the queue");
        assertTrue(runner.isYieldCalled(), "nothing to do for a moment");

        // two more arrive: the job is full, it starts at once
        enqueueQueuedAgo(file("docs", 2), 0);
        enqueueQueuedAgo(file("docs", 3), 0);
        enqueueQueuedAgo(file("docs", 4), 0);
        runner.run(1, false, false);
        assertEquals(1, emulator.requests("create").size());
        assertEquals(4, succeeded().size());
        assertEquals(1, runner.getQueueSize().getObjectCount(), "the fifth waits for the next job");

        // alone, it starts once it has waited 30 s
        runner.clearQueue();
        enqueueQueuedAgo(file("docs", 5), 31_000);
        runner.run(1, true, false);
        assertEquals(2, emulator.requests("create").size());
        assertEquals(5, succeeded().size());
    }

    @Test
    void eachTargetWaitsOnItsOwnAndInvalidFlowFilesNeverWait() {
        milvus(3);
        runner.setProperty(BatchTaker.MAX_BATCH_WAIT, "1 min");
        busy();
        enqueueQueuedAgo(file("fresh", 0), 1_000);
        enqueueQueuedAgo(file("old", 0), 61_000);
        enqueueQueuedAgo(file("old", 1), 0);
        // no file named: it can make no request, and goes to failure at once
        enqueueQueuedAgo(Map.of("collection", "docs"), 0);
        runner.run();

        assertEquals(Set.of(Set.of("busy/part-0.parquet"), Set.of("old/part-0.parquet", "old/part-1.parquet")), emulator.jobs().stream()
                .map(job -> job.files().stream().map(List::getFirst).collect(Collectors.toSet())).collect(Collectors.toSet()),
                "the old target's job starts, the fresh one waits");
        runner.assertTransferCount(TriggerRouting.REL_FAILURE, 1);
        assertEquals(1, runner.getQueueSize().getObjectCount());
    }

    @ParameterizedTest(name = "max {0}, free slots {1}, queued {2} -> {3} a job, {4} queued start at once")
    @CsvSource({
            "1, 64, 2000, 1, 1",          // one job per flowfile stays so
            "1000, -1, 2000, 1000, 1000", // no known limit: Max Flowfiles per Job
            "1000, 0, 2000, 1000, 1000",  // no free slot: the start will be held back anyway
            "1000, 64, 2000, 32, 1000",   // a burst spread over every free slot
            "20, 64, 2000, 20, 20",       // never above Max Flowfiles per Job
            "1000, 64, 10, 1, 1000",      // fewer queued than free slots: one each
            "1000, 3, 100, 34, 1000",
            // unset: sized from the queue
            "0, -1, 2000, 125, 128",      // the server's limit not known yet: jobs of about 128
            "0, -1, 20000, 345, 128",     // a burst beyond 2,730: jobs of about the square root of 6 times it, 58 of 345
            "0, -1, 200000, 1024, 128",   // never more files than the server takes in a job
            "0, -1, 1, 1, 128",
            "0, -1, 30, 30, 128",         // a trickle: one job, once 128 are queued or the oldest has waited
            "0, 64, 2000, 32, 32",        // a burst over every free slot, jobs of 32 at least
            "0, 256, 2000, 32, 32",       // more free slots than a burst needs: no job below 32
            "0, 16, 2000, 125, 32",       // fewer free slots: larger jobs
            "0, 16, 20000, 1024, 32",     // never more files than the server takes in a job
            "0, 0, 2000, 1024, 32"})      // no free slot: one job, held back
    void jobsAreSizedFromTheQueueAndTheFreeSlots(final int max, final int free, final int queued, final int perJob, final int fullAt) {
        final JobSizing sizing = JobSizing.of(max == 0 ? null : max, free < 0 ? OptionalInt.empty() : OptionalInt.of(free), queued, 1_024);
        assertEquals(perJob, sizing.perJob());
        assertEquals(fullAt, sizing.fullAt());
        assertEquals(max == 0, sizing.spreads());
    }

    @ParameterizedTest(name = "max {0}, queued {1} -> {2} slots wanted")
    @CsvSource({
            "0, 0, 1",        // nothing queued still wants a slot to be free
            "0, 1, 1",        // a trickle wants one slot: the service lists nothing while one is free
            "0, 2000, 63",    // a burst, in jobs of 32 at least
            "1, 20, 20",      // one job per flowfile
            "1000, 2000, 2"})
    void aQueueWantsTheSlotsItWouldFillAtTheSmallestJobSize(final int max, final int queued, final int wanted) {
        assertEquals(wanted, JobSizing.slotsWanted(max == 0 ? null : max, queued));
    }

    @Test
    void aBurstOfTwelveThousandIsTakenAndStartedInOneRunInJobsSizedFromTheWholeQueue() {
        milvus(1);
        runner.removeProperty(BatchTaker.MAX_FLOWFILES_PER_JOB);
        for (int i = 0; i < 12_000; i++) {
            runner.enqueue(new byte[0], file("docs", i));
        }
        runner.run(1, true, true);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 12_000);
        assertEquals(0, runner.getQueueSize().getObjectCount(), "nothing put back for a later run");
        // the server's limit unknown: jobs of about the square root of 6 times 12,000 (269), not 94 jobs of 128
        assertEquals(45, emulator.requests("create").size());
        assertEquals(12_000, emulator.jobs().stream().mapToInt(job -> job.files().size()).sum());
    }

    @Test
    void aBurstIsSpreadOverTheFreeJobSlotsOfMaxActiveJobs() {
        milvus(1000);
        final var service = runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        runner.setProperty(service, StandardBulkImportConnectionService.MAX_ACTIVE_JOBS, "4");
        runner.enableControllerService(service);
        for (int i = 0; i < 10; i++) {
            runner.enqueue(new byte[0], file("docs", i));
        }
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 10);
        assertEquals(List.of(1, 3, 3, 3), emulator.requests("create").stream().map(c -> Json.parse(c.body()).get("files").size()).sorted().toList(),
                "four jobs for four slots, not one of ten");
    }

    @Test
    void queuedFlowFilesShareJobsUpToTheLimit() {
        milvus(4);
        for (int i = 0; i < 10; i++) {
            runner.enqueue(new byte[0], file("docs", i));
        }
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 10);
        final List<RecordedCall> creates = emulator.requests("create");
        // requests are in flight together, so they may arrive in any order
        assertEquals(List.of(2, 4, 4), creates.stream().map(c -> Json.parse(c.body()).get("files").size()).sorted().toList());
        final Map<String, List<MockFlowFile>> byJob = succeeded().stream().collect(Collectors.groupingBy(f -> f.getAttribute(BulkImportAttributes.JOB_ID)));
        assertEquals(3, byJob.size());
        for (final List<MockFlowFile> members : byJob.values()) {
            final Set<String> indexes = new HashSet<>();
            for (final MockFlowFile member : members) {
                member.assertAttributeEquals(BulkImportAttributes.BATCH_SIZE, String.valueOf(members.size()));
                indexes.add(member.getAttribute(BulkImportAttributes.BATCH_INDEX));
                member.assertAttributeEquals(BulkImportAttributes.OBJECT_COUNT, "1");
            }
            assertEquals(IntStream.range(0, members.size()).mapToObj(String::valueOf).collect(Collectors.toSet()), indexes);
        }
        // every file of a job came from one of its flowfiles, in batch order
        for (final Job job : emulator.jobs()) {
            final List<String> expected = byJob.get(job.id()).stream()
                    .sorted((a, b) -> Integer.compare(Integer.parseInt(a.getAttribute(BulkImportAttributes.BATCH_INDEX)),
                            Integer.parseInt(b.getAttribute(BulkImportAttributes.BATCH_INDEX))))
                    .map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).toList();
            assertEquals(expected, job.files().stream().map(List::getFirst).toList());
        }
    }

    @Test
    void flowFilesWithDifferentTargetsNeverShareAJob() {
        milvus(100);
        runner.setProperty(ImportRequestReader.PARTITION_NAME, "${partition}");
        runner.setProperty("timeout", "${timeout}");
        int n = 0;
        for (final String collection : List.of("docs", "images")) {
            for (final String partition : List.of("p1", "p2")) {
                for (final String timeout : List.of("300s", "600s")) {
                    for (int i = 0; i < 3; i++) {
                        final Map<String, String> attributes = new HashMap<>(file(collection, n++));
                        attributes.put("partition", partition);
                        attributes.put("timeout", timeout);
                        runner.enqueue(new byte[0], attributes);
                    }
                }
            }
        }
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 24);
        assertEquals(8, emulator.jobCount());
        final Map<String, Set<String>> targetsPerJob = new HashMap<>();
        for (final MockFlowFile flowFile : succeeded()) {
            targetsPerJob.computeIfAbsent(flowFile.getAttribute(BulkImportAttributes.JOB_ID), k -> new HashSet<>())
                    .add(flowFile.getAttribute("collection") + "/" + flowFile.getAttribute("partition") + "/" + flowFile.getAttribute("timeout"));
        }
        targetsPerJob.values().forEach(targets -> assertEquals(1, targets.size(), targets.toString()));
        for (final RecordedCall create : emulator.requests("create")) {
            final JsonNode body = Json.parse(create.body());
            assertEquals(3, body.get("files").size());
            assertTrue(body.get("files").toString().contains(body.get("collectionName").asText() + "/"));
        }
    }

    @Test
    void aBatchNeverExceedsTheFilesPerJobLimit() {
        emulator = Emulators.zilliz().start();
        runner = Runners.zilliz(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "10");
        runner.setProperty(BatchTaker.MAX_BYTES_PER_JOB, "0 B");
        for (int f = 0; f < 3; f++) {
            final int flowFile = f;
            runner.enqueue(new byte[0], Map.of("urls", IntStream.range(0, 400).mapToObj(i -> "s3://b/" + flowFile + "/" + i + ".parquet")
                    .collect(Collectors.joining("\n"))));
        }
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 3);
        assertEquals(List.of(400, 800), emulator.requests("create").stream().map(c -> Json.parse(c.body()).get("objectUrls").size()).sorted().toList());
    }

    @Test
    void aThousandFlowFilesBecomeOneRequest() {
        emulator = Emulators.zilliz().start();
        runner = Runners.zilliz(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1000");
        for (int i = 0; i < 1_000; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "k/" + i + ".parquet"));
        }
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1_000);
        assertEquals(1, emulator.requests("create").size());
        assertEquals(1, succeeded().stream().map(f -> f.getAttribute(BulkImportAttributes.JOB_ID)).distinct().count());
    }

    @Test
    void aRefusedBatchFailsEveryMemberWithTheSameReason() {
        emulator = Emulators.milvus().collections("docs").start();
        runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "${collection}");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "5");
        for (int i = 0; i < 5; i++) {
            runner.enqueue(new byte[0], file("unknown_collection", i));
        }
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 5);
        runner.assertPenalizeCount(5);
        assertEquals(1, runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE).stream()
                .map(f -> f.getAttribute(BulkImportAttributes.ERROR_MESSAGE)).distinct().count());
        assertEquals(1, emulator.requests("create").size());
        assertEquals(1, runner.getLogger().getErrorMessages().size(), "one bulletin per batch, not per flowfile");
    }

    @Test
    void aTransientErrorRetriesTheWholeBatchAndTheRetryCreatesOneJob() {
        milvus(5);
        emulator.faults().add(Fault.on("create", FaultType.HTTP_503, 1));
        for (int i = 0; i < 5; i++) {
            runner.enqueue(new byte[0], file("docs", i));
        }
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 5);

        final List<MockFlowFile> retried = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY);
        runner.clearTransferState();
        retried.forEach(runner::enqueue);
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 5);
        assertEquals(1, emulator.jobCount());
    }

    @Test
    void invalidFlowFilesAreSetAsideWhileTheOthersShareAJob() {
        milvus(10);
        for (int i = 0; i < 4; i++) {
            runner.enqueue(new byte[0], file("docs", i));
        }
        runner.enqueue(new byte[0], Map.of("collection", "docs"));
        runner.enqueue(new byte[0], Map.of("collection", "bad-name!", "s3.bucket", "b", "s3.key", "k"));
        runner.run();

        runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 4);
        runner.assertTransferCount(TriggerRouting.REL_FAILURE, 2);
        assertEquals(1, emulator.jobCount());
    }
}
