package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.RecordedCall;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flowfile that is replayed (after a crash, a rollback or a retry) gets back the job it already
 * started, through the server's Idempotency-Key support or through NiFi state.
 */
class IdempotencyTest {

    private static final Map<String, String> UPLOADED = Map.of("s3.bucket", "milvus-bucket", "s3.key", "batch/part-0001.parquet");

    private ImportApiEmulator emulator;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private TestRunner newRunner() {
        final TestRunner runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        // one job per flowfile: how a flowfile finds its own job again (BatchIdempotencyTest: with jobs for several)
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1");
        return runner;
    }

    /** The state a crashed NiFi comes back with: whatever the state provider had persisted. */
    private static void restoreState(final TestRunner from, final TestRunner to) throws IOException {
        to.getStateManager().setState(from.getStateManager().getState(Scope.LOCAL).toMap(), Scope.LOCAL);
    }

    private static MockFlowFile only(final TestRunner runner) {
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        return runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
    }

    @Test
    void theDefaultKeyIsDeterministicAndSentAsAHeader() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = newRunner();
        final MockFlowFile original = runner.enqueue(new byte[0], UPLOADED);
        runner.enqueue(new byte[0], UPLOADED);
        runner.run(2);

        final List<RecordedCall> creates = emulator.requests("create");
        assertEquals(2, creates.size());
        final String key = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).stream()
                .filter(f -> f.getAttribute("uuid").equals(original.getAttribute("uuid"))).findFirst().orElseThrow()
                .getAttribute(BulkImportAttributes.IDEMPOTENCY_KEY);
        assertTrue(key.matches("[0-9a-f]{64}"), key);
        assertEquals(java.util.Set.of(key), creates.stream().map(c -> c.header("Idempotency-Key")).filter(key::equals).collect(java.util.stream.Collectors.toSet()));
        assertEquals(2, creates.stream().map(c -> c.header("Idempotency-Key")).distinct().count(), "another flowfile, another key");

        final TestRunner again = newRunner();
        again.setProperty(JobMemory.SIZE, "0");
        again.enqueue(original);
        again.run();
        assertEquals(key, emulator.requests("create").get(2).header("Idempotency-Key"), "the same flowfile, the same key");
    }

    @Test
    void crashAfterTheAnswerReattachesThroughTheServersKeySupport() {
        emulator = Emulators.milvus().idempotency(true).start();
        final TestRunner beforeCrash = newRunner();
        beforeCrash.setProperty(JobMemory.SIZE, "0");
        final MockFlowFile original = beforeCrash.enqueue(new byte[0], UPLOADED);
        beforeCrash.run();
        final String jobId = only(beforeCrash).getAttribute(BulkImportAttributes.JOB_ID);

        // NiFi dies before the session commits: after the restart the original flowfile is back in the queue
        final TestRunner afterRestart = newRunner();
        afterRestart.setProperty(JobMemory.SIZE, "0");
        afterRestart.enqueue(original);
        afterRestart.run();

        assertEquals(jobId, only(afterRestart).getAttribute(BulkImportAttributes.JOB_ID));
        assertEquals(2, emulator.requests("create").size());
        assertTrue(emulator.requests("create").get(1).replayed());
        assertEquals(1, emulator.jobCount(), "no duplicate job");
    }

    @Test
    void crashAfterTheAnswerReattachesThroughStateWhenTheServerIgnoresKeys() throws IOException {
        emulator = Emulators.milvus().idempotency(false).start();
        final TestRunner beforeCrash = newRunner();
        final MockFlowFile original = beforeCrash.enqueue(new byte[0], UPLOADED);
        beforeCrash.run();
        final MockFlowFile first = only(beforeCrash);

        final TestRunner afterRestart = newRunner();
        restoreState(beforeCrash, afterRestart);
        afterRestart.enqueue(original);
        afterRestart.run();

        final MockFlowFile replayed = only(afterRestart);
        replayed.assertAttributeEquals(BulkImportAttributes.JOB_ID, first.getAttribute(BulkImportAttributes.JOB_ID));
        replayed.assertAttributeEquals(BulkImportAttributes.REATTACHED, "true");
        replayed.assertAttributeEquals(BulkImportAttributes.SUBMITTED_AT, first.getAttribute(BulkImportAttributes.SUBMITTED_AT));
        assertEquals(1, emulator.requests("create").size(), "no second request at all");
        assertEquals(1, emulator.jobCount());
        assertFalse(afterRestart.getProvenanceEvents().isEmpty());
    }

    @Test
    void aLostReplyIsRetriedIntoTheSameJob() {
        emulator = Emulators.milvus().start();
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1));
        final TestRunner runner = newRunner();
        runner.enqueue(new byte[0], UPLOADED);
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 1);
        assertEquals(1, emulator.jobCount(), "the server created the job although the answer was lost");

        final MockFlowFile retried = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).getFirst();
        runner.clearTransferState();
        runner.enqueue(retried);
        runner.run();

        assertEquals(emulator.jobs().getFirst().id(), only(runner).getAttribute(BulkImportAttributes.JOB_ID));
        assertEquals(1, emulator.jobCount());
    }

    @Test
    void aFlowFileWhoseJobFailedStartsANewJob() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = newRunner();
        final MockFlowFile original = runner.enqueue(new byte[0], UPLOADED);
        runner.run();
        final MockFlowFile started = only(runner);

        // as GetBulkImportProgress leaves it when the job Failed
        final Map<String, String> failed = new HashMap<>(started.getAttributes());
        failed.put(BulkImportAttributes.STATE, "Failed");
        final MockFlowFile failedFlowFile = new MockFlowFile(original.getId() + 1_000, started);
        failedFlowFile.putAttributes(failed);
        runner.clearTransferState();
        runner.enqueue(failedFlowFile);
        runner.run();

        assertNotEquals(started.getAttribute(BulkImportAttributes.JOB_ID), only(runner).getAttribute(BulkImportAttributes.JOB_ID));
        assertNotEquals(emulator.requests("create").get(0).header("Idempotency-Key"), emulator.requests("create").get(1).header("Idempotency-Key"));
        assertEquals(2, emulator.jobCount());
    }

    @Test
    void aCustomKeyIsSentAsIsAndCheckedFirst() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = newRunner();
        runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "${s3.key}-v1");
        runner.enqueue(new byte[0], UPLOADED);
        runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "é/x.parquet"));
        runner.run(2);

        assertEquals("batch/part-0001.parquet-v1", emulator.requests("create").getFirst().header("Idempotency-Key"));
        runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 1);
        runner.assertTransferCount(TriggerRouting.REL_FAILURE, 1);
        final MockFlowFile rejected = runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE).getFirst();
        assertTrue(rejected.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Idempotency Key"));
        assertEquals(1, emulator.requests("create").size());
    }

    @Test
    void memoryIsBoundedInSizeAndKeptInTheNodesLocalStateEvenInACluster() throws IOException {
        emulator = Emulators.milvus().start();
        final TestRunner runner = newRunner();
        runner.setIsConfiguredForClustering(true);
        runner.setClustered(true);
        runner.setProperty(JobMemory.SIZE, "3");
        runner.setProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT, "1");
        for (int i = 0; i < 5; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "f" + i + ".parquet"));
            runner.run(1, false, i == 0);
        }

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 5);
        final Map<String, String> state = runner.getStateManager().getState(Scope.LOCAL).toMap();
        assertTrue(state.size() <= 3, state.toString());
        runner.getStateManager().assertStateNotSet(Scope.CLUSTER);
        assertEquals(5, runner.getCounterValue(Counters.JOB_MEMORY_WRITES), "one write per run that started a job");
        assertEquals(5, runner.getCounterValue(Counters.JOBS_STARTED));
        final String newest = emulator.jobs().getLast().id();
        assertTrue(state.values().stream().anyMatch(value -> value.startsWith(newest + "|")), "the newest job is kept: " + state);
        state.forEach((key, value) -> assertTrue(key.matches("k\\.[0-9a-f]{32}") && value.matches("\\d+\\|\\d+\\|0\\|1"), key + "=" + value));
    }

    /**
     * NiFi's load-balanced connections deliver at least once: when a node dies after taking in a
     * transfer but before confirming it, the sender sends the flowfiles again, and each copy gets a
     * new uuid. A copy carries the same upload attributes, so it gets the job of its twin.
     */
    @Test
    void aLoadBalancedCopyOfAnUploadGetsTheJobItsTwinStarted() {
        final Map<String, String> upload = new HashMap<>(UPLOADED);
        upload.put("s3.etag", "9b2cf535f27731c974343645a3985328");
        for (final boolean serverKeys : List.of(true, false)) {
            emulator = Emulators.milvus().idempotency(serverKeys).start();
            final TestRunner runner = newRunner();
            runner.enqueue(new byte[0], upload);
            runner.enqueue(new byte[0], upload);
            runner.run(2);

            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
            assertEquals(1, emulator.jobCount(), serverKeys ? "the server returned the same job" : "the job memory re-attached the copy");
            assertEquals(1, runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).stream()
                    .map(flowFile -> flowFile.getAttribute(BulkImportAttributes.JOB_ID)).distinct().count());

            upload.put("s3.etag", "a new upload of the object " + serverKeys);
            runner.clearTransferState();
            runner.enqueue(new byte[0], upload);
            runner.run();
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
            assertEquals(2, emulator.jobCount(), "a new upload of the same key is a new import (server honours keys: " + serverKeys + ")");
            emulator.close();
        }
    }

    @Test
    void aRunThatStartsNoJobWritesNoState() {
        emulator = Emulators.milvus().collections("other").start();
        final TestRunner runner = newRunner();
        runner.enqueue(new byte[0], UPLOADED);
        runner.enqueue(new byte[0], Map.of("s3.bucket", "b"));
        runner.run(2);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 2);
        runner.getStateManager().assertStateNotSet(Scope.LOCAL);
        assertNull(runner.getCounterValue(Counters.JOB_MEMORY_WRITES));
        assertEquals(2, runner.getCounterValue(Counters.HTTP_CALLS), "the listing before the first start, and one create: the flowfile "
                + "without a key never reached the server");
    }

    @Test
    void aStateFailureDoesNotFailTheFlowFile() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = newRunner();
        runner.getStateManager().setFailOnStateSet(Scope.LOCAL, true);
        runner.enqueue(new byte[0], UPLOADED);
        runner.run();

        only(runner);
        assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> m.getMsg().contains("Cannot remember")));
    }

    /**
     * A flowfile whose job Failed is sent back, starts a new job, and is looped back once more for an
     * unrelated reason: it keeps its new job, on a server that ignores keys and with no job memory, too.
     */
    @Test
    void aFlowFileSentBackAfterAFailureForgetsTheFailedJobAndStartsNoThirdOne() {
        emulator = Emulators.milvus().idempotency(false).start();
        final TestRunner runner = newRunner();
        runner.setProperty(JobMemory.SIZE, "0");
        final MockFlowFile original = runner.enqueue(new byte[0], UPLOADED);
        runner.run();
        final MockFlowFile first = only(runner);

        // as GetBulkImportProgress leaves a flowfile whose job Failed
        final Map<String, String> failed = new HashMap<>(first.getAttributes());
        failed.putAll(Map.of(BulkImportAttributes.STATE, "Failed", BulkImportAttributes.REASON, "schema", BulkImportAttributes.PROGRESS, "40",
                BulkImportAttributes.CHECKED_AT, "2026-11-28T12:00:00Z"));
        final MockFlowFile sentBack = new MockFlowFile(original.getId() + 1_000, first);
        sentBack.putAttributes(failed);
        runner.clearTransferState();
        runner.enqueue(sentBack);
        runner.run();
        final MockFlowFile second = only(runner);
        assertNotEquals(first.getAttribute(BulkImportAttributes.JOB_ID), second.getAttribute(BulkImportAttributes.JOB_ID));
        for (final String stale : List.of(BulkImportAttributes.STATE, BulkImportAttributes.REASON, BulkImportAttributes.PROGRESS, BulkImportAttributes.CHECKED_AT)) {
            second.assertAttributeNotExists(stale);
        }
        second.assertAttributeEquals(BulkImportAttributes.REPLACES_JOB_ID, first.getAttribute(BulkImportAttributes.JOB_ID));

        runner.clearTransferState();
        runner.enqueue(new MockFlowFile(original.getId() + 2_000, second));
        runner.run();

        final MockFlowFile third = only(runner);
        third.assertAttributeEquals(BulkImportAttributes.JOB_ID, second.getAttribute(BulkImportAttributes.JOB_ID));
        third.assertAttributeEquals(BulkImportAttributes.REATTACHED, "true");
        assertEquals(2, emulator.jobCount(), "no third job");
    }

    /** Trust round 2, item 1: a new upload is a new import, whatever the attributes of the old one say. */
    @Test
    void aFlowFileReUploadedAfterItsJobCompletedStartsANewJob() {
        emulator = Emulators.milvus().idempotency(false).start();
        final TestRunner runner = newRunner();
        final Map<String, String> uploaded = new HashMap<>(UPLOADED);
        uploaded.put("s3.etag", "etag-1");
        runner.enqueue(new byte[0], uploaded);
        runner.run();
        final MockFlowFile first = only(runner);

        // the job Completed; the same flowfile goes through PutS3Object again: a new ETag, and every bulkimport.* of the old job
        final MockFlowFile reUploaded = new MockFlowFile(first.getId() + 1, first);
        reUploaded.putAttributes(Map.of("s3.etag", "etag-2", BulkImportAttributes.STATE, "Completed"));
        runner.clearTransferState();
        runner.enqueue(reUploaded);
        runner.run();

        final MockFlowFile second = only(runner);
        assertNotEquals(first.getAttribute(BulkImportAttributes.JOB_ID), second.getAttribute(BulkImportAttributes.JOB_ID));
        second.assertAttributeNotExists(BulkImportAttributes.REATTACHED);
        assertEquals(2, emulator.jobCount());

        // looped back unchanged, it is the same import: its job again, without a request
        runner.clearTransferState();
        runner.enqueue(new MockFlowFile(second.getId() + 1, second));
        runner.run();
        only(runner).assertAttributeEquals(BulkImportAttributes.JOB_ID, second.getAttribute(BulkImportAttributes.JOB_ID));
        only(runner).assertAttributeEquals(BulkImportAttributes.REATTACHED, "true");
        assertEquals(2, emulator.requests("create").size());
    }

    /** Trust round 2, item 3: the job memory is scoped as servers scope keys, whatever the key. */
    @Test
    void aCustomKeyReusedForAnotherCollectionNamesAnotherJob() {
        emulator = Emulators.milvus().idempotency(false).start();
        final TestRunner runner = newRunner();
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "${target}");
        runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "${s3.etag}");
        final Map<String, String> toDocs = new HashMap<>(UPLOADED);
        toDocs.putAll(Map.of("s3.etag", "etag-1", "target", "documents"));
        final Map<String, String> toImages = new HashMap<>(toDocs);
        toImages.put("target", "images");
        runner.enqueue(new byte[0], toDocs);
        runner.run();
        runner.enqueue(new byte[0], toImages);
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
        assertEquals(2, emulator.jobCount());
        for (final MockFlowFile flowFile : runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS)) {
            flowFile.assertAttributeNotExists(BulkImportAttributes.REATTACHED);
            assertEquals(flowFile.getAttribute("target"), emulator.job(flowFile.getAttribute(BulkImportAttributes.JOB_ID)).orElseThrow().collection());
        }
    }

    /** A neighbour of item 2: with a custom key too, a flowfile sent back after its job Failed starts a new job. */
    @Test
    void aCustomKeyFlowFileSentBackAfterAFailureStartsANewJob() {
        emulator = Emulators.milvus().idempotency(true).start();
        final TestRunner runner = newRunner();
        runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "${s3.etag}");
        final Map<String, String> uploaded = new HashMap<>(UPLOADED);
        uploaded.put("s3.etag", "etag-1");
        runner.enqueue(new byte[0], uploaded);
        runner.run();
        final MockFlowFile first = only(runner);
        first.assertAttributeEquals(BulkImportAttributes.IDEMPOTENCY_KEY, "etag-1");

        final MockFlowFile failed = new MockFlowFile(first.getId() + 1, first);
        failed.putAttributes(Map.of(BulkImportAttributes.STATE, "Failed"));
        runner.clearTransferState();
        runner.enqueue(failed);
        runner.run();

        final MockFlowFile second = only(runner);
        assertNotEquals(first.getAttribute(BulkImportAttributes.JOB_ID), second.getAttribute(BulkImportAttributes.JOB_ID));
        assertNotEquals("etag-1", second.getAttribute(BulkImportAttributes.IDEMPOTENCY_KEY), "servers return the failed job for its key");
        second.assertAttributeEquals(BulkImportAttributes.REPLACES_JOB_ID, first.getAttribute(BulkImportAttributes.JOB_ID));
        assertEquals(2, emulator.jobCount());
    }

    /** Trust round 2, item 12: a copy that gets its twin's job again from the server counts no second job started. */
    @Test
    void aJobCountsOnceAsStartedWhateverTheFlowFilesThatGetIt() {
        emulator = Emulators.milvus().idempotency(true).start();
        final TestRunner runner = newRunner();
        runner.setProperty(JobMemory.SIZE, "0");
        final Map<String, String> uploaded = new HashMap<>(UPLOADED);
        uploaded.put("s3.etag", "etag-1");
        runner.enqueue(new byte[0], uploaded);
        runner.run();
        runner.enqueue(new byte[0], uploaded);
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
        assertEquals(1, emulator.jobCount());
        assertEquals(3, runner.getCounterValue(Counters.HTTP_CALLS), "the listing before the first start, and two creates");
        assertEquals(1, runner.getCounterValue(Counters.JOBS_STARTED));
    }

    /**
     * Found by the model check: a re-uploaded flowfile whose new request lost its answer was bound to
     * that request with its new key, and the next pass took the old job its attributes still named.
     */
    @Test
    void aReUploadedFlowFileBoundToItsNewRequestIsNeverGivenItsOldJob() {
        emulator = Emulators.milvus().idempotency(true).start();
        final TestRunner runner = newRunner();
        runner.setProperty(JobMemory.SIZE, "0");
        final Map<String, String> uploaded = new HashMap<>(UPLOADED);
        uploaded.put("s3.etag", "etag-1");
        runner.enqueue(new byte[0], uploaded);
        runner.run();
        final MockFlowFile first = only(runner);

        final MockFlowFile reUploaded = new MockFlowFile(first.getId() + 1, first);
        reUploaded.putAttributes(Map.of("s3.etag", "etag-2"));
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1));
        runner.clearTransferState();
        runner.enqueue(reUploaded);
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 1);
        final MockFlowFile bound = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).getFirst();

        runner.clearTransferState();
        runner.enqueue(bound);
        runner.run();
        final MockFlowFile second = only(runner);
        assertNotEquals(first.getAttribute(BulkImportAttributes.JOB_ID), second.getAttribute(BulkImportAttributes.JOB_ID));
        assertEquals(emulator.jobs().get(1).id(), second.getAttribute(BulkImportAttributes.JOB_ID), "the job its lost answer started");
        assertEquals(2, emulator.jobCount());
    }
}
