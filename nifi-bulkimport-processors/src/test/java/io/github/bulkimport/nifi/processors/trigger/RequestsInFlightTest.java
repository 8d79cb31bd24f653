package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several create requests of one task in flight at once.
 */
class RequestsInFlightTest {

    private ImportApiEmulator emulator;
    private TestRunner runner;

    @AfterEach
    void tearDown() {
        emulator.close();
    }

    private void start(final int inFlight, final Fault fault) {
        emulator = Emulators.milvus().fault(fault).start();
        runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        runner.setProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT, String.valueOf(inFlight));
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1");
        for (int i = 0; i < 10; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet"));
        }
    }

    @Test
    void aSlowAnswerDoesNotHoldBackTheOthers() {
        start(4, new Fault(FaultType.SLOW, 1, "create", -1, 1_000));
        final long began = System.nanoTime();
        runner.run(3);
        final long millis = (System.nanoTime() - began) / 1_000_000;

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 10);
        assertEquals(10, emulator.jobCount());
        // one request at a time would take the slow second plus nine more round trips; in flight, the others overlap it
        assertTrue(millis < 1_900, "took " + millis + " ms");
    }

    @Test
    void aTransientErrorStopsTakingNewWork() {
        start(1, Fault.on("create", FaultType.HTTP_503, 1));
        runner.run(1, false, true);

        runner.assertTransferCount(TriggerRouting.REL_RETRY, 1);
        runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 0);
        assertEquals(9, runner.getQueueSize().getObjectCount(), "the others wait in the queue, untouched");
        assertEquals(1, emulator.requests("create").size());
    }

    @Test
    void aTransientErrorAmongRequestsInFlightLosesNothing() {
        start(4, Fault.on("create", FaultType.HTTP_503, 1));
        runner.run(1, false, true);

        final int succeeded = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size();
        runner.assertTransferCount(TriggerRouting.REL_RETRY, 1);
        assertEquals(10, succeeded + 1 + runner.getQueueSize().getObjectCount(), "every flowfile answered or still queued");
        assertEquals(succeeded, emulator.jobCount());

        runner.run(1, true, false);
        runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 9);
        assertEquals(9, emulator.jobCount());
    }

    @Test
    void oneAtATimeSendsInQueueOrder() {
        start(1, new Fault(FaultType.SLOW, 1, "create", -1, 10));
        runner.run();

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 10);
        for (int i = 0; i < 10; i++) {
            assertTrue(emulator.requests("create").get(i).body().contains("part-" + i + ".parquet"));
        }
    }
}
