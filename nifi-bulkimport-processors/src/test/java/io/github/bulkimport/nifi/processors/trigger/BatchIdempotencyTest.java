package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batching meets lost answers, crashes and replays: a file that is already in a job started by an
 * earlier request is never imported again while the server honours Idempotency-Key, whatever the
 * composition of the batch that is retried or replayed.
 */
class BatchIdempotencyTest {

    private ImportApiEmulator emulator;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private TestRunner trigger(final int maxFlowFilesPerJob, final int jobMemorySize) {
        final TestRunner runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, String.valueOf(maxFlowFilesPerJob));
        // Object URLs name files of no known size: unbounded, so that they may share a job
        runner.setProperty(BatchTaker.MAX_BYTES_PER_JOB, "0 B");
        runner.setProperty(JobMemory.SIZE, String.valueOf(jobMemorySize));
        return runner;
    }

    private static MockFlowFile upload(final TestRunner runner, final String name) {
        return runner.enqueue(new byte[0], Map.of("s3.bucket", "bucket", "s3.key", "data/" + name + ".parquet"));
    }

    /** Every file of every job that did not fail, with how many jobs hold it. */
    private Map<String, Integer> filesInJobs() {
        final Map<String, Integer> files = new HashMap<>();
        for (final Job job : emulator.jobs()) {
            job.files().forEach(group -> group.forEach(file -> files.merge(file, 1, Integer::sum)));
        }
        return files;
    }

    private void assertNoFileInTwoJobs() {
        filesInJobs().forEach((file, jobs) -> assertEquals(1, jobs, file + " is in " + jobs + " jobs: " + emulator.jobs()));
    }

    @Test
    void aLostAnswerThenARetryWithAnotherFlowFileImportsNothingTwice() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(4, 1_000);
        upload(runner, "a");
        upload(runner, "b");
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1));
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 2);
        assertEquals(1, emulator.jobCount(), "the server started the job although its answer was lost");

        final List<MockFlowFile> retried = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY);
        retried.forEach(flowFile -> assertNotNull(flowFile.getAttribute(BulkImportAttributes.REQUEST_KEY), "bound to the request"));
        runner.clearTransferState();
        upload(runner, "c");
        retried.forEach(runner::enqueue);
        runner.run(3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 3);
        assertNoFileInTwoJobs();
        assertEquals(2, emulator.jobCount(), "a and b in the job the lost answer started, c in its own");
        runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS)
                .forEach(flowFile -> flowFile.assertAttributeNotExists(BulkImportAttributes.REQUEST_KEY));
    }

    /**
     * NiFi dies while the request is in flight: the flowfiles come back without anything this run wrote
     * to them, next to a new one; the state is what had been stored when the request reached the server.
     */
    @Test
    void aCrashWhileTheRequestIsInFlightReplaysTheSameRequestEvenWithoutJobMemory() throws IOException {
        emulator = Emulators.milvus().start();
        final TestRunner beforeCrash = trigger(4, 0);
        final MockFlowFile a = upload(beforeCrash, "a");
        final MockFlowFile b = upload(beforeCrash, "b");
        final AtomicReference<Map<String, String>> stateInFlight = new AtomicReference<>();
        emulator.onRequest(operation -> stateInFlight.compareAndSet(null, state(beforeCrash)));
        beforeCrash.run();
        emulator.onRequest(null);

        final TestRunner afterRestart = trigger(4, 0);
        afterRestart.getStateManager().setState(stateInFlight.get(), Scope.LOCAL);
        upload(afterRestart, "c");
        afterRestart.enqueue(new MockFlowFile(a.getId() + 1_000, a), new MockFlowFile(b.getId() + 1_000, b));
        afterRestart.run(3);

        afterRestart.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 3);
        assertNoFileInTwoJobs();
    }

    /** Found by the model check: a request for one flowfile could be recomposed after a crash once batching is on. */
    @Test
    void aCrashAfterARequestForOneFlowFileDoesNotMakeItPartOfAnotherRequest() throws IOException {
        emulator = Emulators.milvus().start();
        final TestRunner beforeCrash = trigger(2, 1_000);
        final MockFlowFile a = upload(beforeCrash, "a");
        final AtomicReference<Map<String, String>> stateInFlight = new AtomicReference<>();
        emulator.onRequest(operation -> stateInFlight.compareAndSet(null, state(beforeCrash)));
        beforeCrash.run();
        emulator.onRequest(null);

        final TestRunner afterRestart = trigger(2, 1_000);
        afterRestart.getStateManager().setState(stateInFlight.get(), Scope.LOCAL);
        upload(afterRestart, "b");
        afterRestart.enqueue(new MockFlowFile(a.getId() + 1_000, a));
        afterRestart.run(2);

        afterRestart.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
        assertNoFileInTwoJobs();
    }

    /** Found by the model check: a crash after the jobs started but before the session committed, without job memory. */
    @Test
    void aCrashBeforeTheSessionCommitsReplaysTheSameRequestsWithoutJobMemory() throws IOException {
        emulator = Emulators.milvus().start();
        final TestRunner beforeCrash = trigger(2, 0);
        final List<MockFlowFile> originals = List.of(upload(beforeCrash, "a"), upload(beforeCrash, "b"), upload(beforeCrash, "c"));
        beforeCrash.run();
        final Map<String, String> stored = state(beforeCrash);

        final TestRunner afterRestart = trigger(2, 0);
        afterRestart.getStateManager().setState(stored, Scope.LOCAL);
        upload(afterRestart, "d");
        originals.forEach(original -> afterRestart.enqueue(new MockFlowFile(original.getId() + 1_000, original)));
        afterRestart.run(4);

        afterRestart.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 4);
        assertNoFileInTwoJobs();
    }

    /**
     * Found by the model check (concurrent tasks): after a crash, a request bound only by the job
     * memory that goes back to the queue untouched (an earlier request of the run met a transient
     * error) must stay bound, although the session that took it commits; here a later run's write
     * comes first, as another task's would.
     */
    @Test
    void aBoundRequestPutBackUntouchedStaysBoundAfterOtherWrites() throws IOException {
        emulator = Emulators.milvus().start();
        final TestRunner beforeCrash = trigger(2, 0);
        final List<MockFlowFile> originals = List.of(upload(beforeCrash, "a"), upload(beforeCrash, "b"), upload(beforeCrash, "c"),
                upload(beforeCrash, "d"));
        beforeCrash.run();
        assertEquals(2, emulator.jobCount());
        final Map<String, String> stored = state(beforeCrash);

        final TestRunner afterRestart = trigger(2, 0);
        afterRestart.setProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT, "1");
        afterRestart.getStateManager().setState(stored, Scope.LOCAL);
        originals.forEach(original -> afterRestart.enqueue(new MockFlowFile(original.getId() + 1_000, original)));
        // enough new flowfiles that the first run leaves some queued ahead of c and d, and the second run writes before they are taken
        final int fresh = (TriggerBulkImport.MAX_JOBS_PER_TRIGGER - 2) * 2 + TriggerBulkImport.MAX_JOBS_PER_TRIGGER * 2 + 3;
        for (int i = 0; i < fresh; i++) {
            upload(afterRestart, "new-" + i);
        }
        emulator.faults().add(Fault.on("create", FaultType.HTTP_502, 1));
        afterRestart.run(1, false, true);
        afterRestart.assertTransferCount(TriggerRouting.REL_RETRY, 2);
        for (int run = 0; run < 30 && afterRestart.getQueueSize().getObjectCount() > 0; run++) {
            afterRestart.run(1, false, false);
        }

        assertEquals(0, afterRestart.getQueueSize().getObjectCount());
        assertNoFileInTwoJobs();
    }

    @Test
    void flowFilesNamingTheSameObjectMakeOneJobThatListsItOnce() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(10, 1_000);
        for (int i = 0; i < 10; i++) {
            upload(runner, "same");
        }
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 10);
        assertEquals(1, emulator.jobCount());
        assertEquals(List.of(List.of("data/same.parquet")), emulator.jobs().getFirst().files());
    }

    @Test
    void concurrentTasksBatchingAndLostAnswersImportEveryFileOnce() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(4, 1_000);
        runner.setThreadCount(4);
        for (int i = 0; i < 120; i++) {
            upload(runner, "part-" + i);
        }
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 6)).add(Fault.on("create", FaultType.HTTP_503, 4))
                .add(Fault.on("create", FaultType.TRUNCATED, 3));
        int done = 0;
        for (int round = 0; round < 20 && done < 120; round++) {
            runner.run(8, false, round == 0);
            done += runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size();
            runner.assertTransferCount(TriggerRouting.REL_FAILURE, 0);
            final List<MockFlowFile> retried = new ArrayList<>(runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY));
            runner.clearTransferState();
            retried.forEach(runner::enqueue);
        }
        assertEquals(120, done, "every flowfile started its job");
        assertTrue(emulator.faults().pending().isEmpty(), "every fault was hit: " + emulator.faults().pending());
        assertEquals(120, filesInJobs().size());
        assertNoFileInTwoJobs();
    }

    private static Map<String, String> state(final TestRunner runner) {
        try {
            return runner.getStateManager().getState(Scope.LOCAL).toMap();
        } catch (final IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Trust round 2, item 5: a set is a set. */
    @Test
    void theSameNumpySetNamedInAnotherOrderIsOneFileOfTheJob() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(10, 1_000);
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
        runner.enqueue(new byte[0], Map.of("urls", "[[\"s3://b/1/id.npy\", \"s3://b/1/vector.npy\"]]"));
        runner.enqueue(new byte[0], Map.of("urls", "[[\"s3://b/1/vector.npy\", \"s3://b/1/id.npy\"]]"));
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
        assertEquals(1, emulator.jobCount());
        assertEquals(List.of(List.of("1/id.npy", "1/vector.npy")), emulator.jobs().getFirst().files(), "listed once, rows imported once");
    }

    /**
     * Trust round 2, item 6: a flowfile bound to a request is delivered twice (a load-balanced copy with a
     * new uuid, and the original): the request is the same request, not an incomplete one.
     */
    @Test
    void aBoundFlowFileDeliveredTwiceStillMakesItsRequestComplete() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(4, 0);
        final MockFlowFile a = runner.enqueue(new byte[0], Map.of("s3.bucket", "bucket", "s3.key", "data/a.parquet", "s3.etag", "etag-a"));
        runner.enqueue(new byte[0], Map.of("s3.bucket", "bucket", "s3.key", "data/b.parquet", "s3.etag", "etag-b"));
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1));
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 2);
        final List<MockFlowFile> retried = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY);

        runner.clearTransferState();
        retried.forEach(runner::enqueue);
        final MockFlowFile boundA = retried.stream().filter(f -> f.getAttribute("uuid").equals(a.getAttribute("uuid"))).findFirst().orElseThrow();
        final MockFlowFile copy = new MockFlowFile(boundA.getId() + 1_000, boundA);
        copy.putAttributes(Map.of("uuid", java.util.UUID.randomUUID().toString()));
        runner.enqueue(copy);
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 3);
        assertEquals(1, emulator.jobCount(), "the job the lost answer started, for all three");
        assertEquals(1, runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).stream()
                .map(f -> f.getAttribute(BulkImportAttributes.JOB_ID)).distinct().count());
        assertEquals(2, emulator.requests("create").size());
        assertEquals(emulator.requests("create").get(0).header("Idempotency-Key"), emulator.requests("create").get(1).header("Idempotency-Key"),
                "the same request again");
        assertTrue(emulator.requests("create").get(1).replayed());
    }

    /** The patience of a bound request runs on the processor's clock: ten minutes pass without anyone waiting them out. */
    @Test
    void aBoundRequestWaitsForItsOtherFlowFilesTenMinutesOfTheProcessorsClock() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(4, 0);
        final AtomicLong clock = new AtomicLong();
        ((TriggerBulkImport) runner.getProcessor()).useClock(clock::get);
        upload(runner, "a");
        upload(runner, "b");
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1));
        runner.run();
        final MockFlowFile one = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).getFirst();

        runner.clearTransferState();
        runner.enqueue(one);
        runner.run(1, false, false);
        assertEquals(1, runner.getQueueSize().getObjectCount(), "put back to wait for the other");
        clock.addAndGet(WaitingRequests.PATIENCE.plusSeconds(1).toNanos());
        runner.run(1, false, false);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 1);
        runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE).getFirst()
                .assertAttributeEquals(BulkImportAttributes.ERROR_CODE, TriggerRouting.INCOMPLETE_REQUEST);
        assertEquals(1, emulator.requests("create").size(), "nothing sent while waiting");
    }

    /** Found by the model check: a copy taken in the same run as its twin, but into another batch, started a second job. */
    @Test
    void aCopyTakenInTheSameRunAsItsTwinJoinsItsRequest() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(2, 0);
        final Map<String, String> a = Map.of("s3.bucket", "bucket", "s3.key", "data/a.parquet", "s3.etag", "etag-a");
        runner.enqueue(new byte[0], a);
        runner.enqueue(new byte[0], Map.of("s3.bucket", "bucket", "s3.key", "data/b.parquet", "s3.etag", "etag-b"));
        runner.enqueue(new byte[0], Map.of("s3.bucket", "bucket", "s3.key", "data/c.parquet", "s3.etag", "etag-c"));
        runner.enqueue(new byte[0], a);
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 4);
        assertNoFileInTwoJobs();
        final List<MockFlowFile> ofA = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).stream()
                .filter(f -> "etag-a".equals(f.getAttribute("s3.etag"))).toList();
        assertEquals(ofA.get(0).getAttribute(BulkImportAttributes.JOB_ID), ofA.get(1).getAttribute(BulkImportAttributes.JOB_ID));
        assertEquals(ofA.get(0).getAttribute(BulkImportAttributes.BATCH_INDEX), ofA.get(1).getAttribute(BulkImportAttributes.BATCH_INDEX));
    }

    /**
     * Found by the model check (random seed, four tasks): a copy made before its twin's request lost its
     * answer knows nothing of that request; the job memory's mark binds it to the request all the same.
     */
    @Test
    void aCopyMadeBeforeItsTwinWasBoundJoinsItsTwinsRequest() {
        emulator = Emulators.milvus().start();
        final TestRunner runner = trigger(4, 1_000);
        final Map<String, String> a = Map.of("s3.bucket", "bucket", "s3.key", "data/a.parquet", "s3.etag", "etag-a");
        runner.enqueue(new byte[0], a);
        runner.enqueue(new byte[0], Map.of("s3.bucket", "bucket", "s3.key", "data/b.parquet", "s3.etag", "etag-b"));
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1));
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 2);
        final List<MockFlowFile> retried = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY);
        // another job starts meanwhile: the job memory is written again
        runner.clearTransferState();
        upload(runner, "c");
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);

        // the copy arrives alone: it waits for the request it is part of rather than start another
        runner.clearTransferState();
        runner.enqueue(new byte[0], a);
        runner.run();
        assertEquals(1, runner.getQueueSize().getObjectCount(), "put back to wait for its request's other flowfiles");
        assertEquals(2, emulator.requests("create").size(), "a and b's request, and c's: none for the copy");

        retried.forEach(runner::enqueue);
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 3);
        assertEquals(2, emulator.jobCount(), "the job the lost answer started, for the copy too, and c's");
        assertNoFileInTwoJobs();
    }

    /** Removing bulkimport.request.key on purpose frees a flowfile, whatever the job memory remembers of its request. */
    @Test
    void aFlowFileWhoseRequestKeyWasRemovedStartsANewJob() {
        emulator = Emulators.milvus().idempotency(false).start();
        final TestRunner runner = trigger(4, 1_000);
        upload(runner, "a");
        upload(runner, "b");
        emulator.faults().add(Fault.on("create", FaultType.DROP, 1));
        runner.run();
        final MockFlowFile bound = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).getFirst();
        final MockFlowFile freed = new MockFlowFile(bound.getId() + 1_000, bound);
        freed.removeAttributes(java.util.Set.of(BulkImportAttributes.REQUEST_KEY));

        runner.clearTransferState();
        runner.enqueue(freed);
        runner.run();
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        assertEquals(1, emulator.jobCount());
    }
}
