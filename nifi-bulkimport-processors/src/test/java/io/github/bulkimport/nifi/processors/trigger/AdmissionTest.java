package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The server's job limit, and the service's own Max Active Jobs: a refused start leaves its flowfiles
 * queued and untouched, batched or not, bound or not, and they start once a slot is free.
 */
@Timeout(60)
class AdmissionTest {

    private final AtomicLong serverClock = new AtomicLong(1_800_000_000_000L);
    private final AtomicLong processorClock = new AtomicLong();

    private TestRunner trigger(final ImportApiEmulator emulator, final int maxPerJob) {
        final TriggerBulkImport processor = new TriggerBulkImport();
        processor.useClock(processorClock::get);
        final TestRunner runner = Runners.milvus(processor, emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, String.valueOf(maxPerJob));
        return runner;
    }

    private static void enqueue(final TestRunner runner, final int count) {
        for (int i = 0; i < count; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "docs/part-" + i + ".parquet"));
        }
    }

    @Test
    void maxActiveJobsHoldsStartsBackWithoutACallUntilTheServiceSeesAJobFinish() throws ImportApiException {
        try (ImportApiEmulator emulator = Emulators.milvus().importDuration(Duration.ofSeconds(10)).clock(serverClock::get).start()) {
            final TestRunner runner = trigger(emulator, 1);
            final StandardBulkImportConnectionService service = (StandardBulkImportConnectionService) runner.getControllerService(Runners.SERVICE_ID);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.MAX_ACTIVE_JOBS, "2");
            runner.enableControllerService(service);
            enqueue(runner, 3);

            runner.run(1, false, true);
            assertEquals(2, emulator.requests("create").size(), "no call beyond Max Active Jobs");
            runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 2);
            assertEquals(1, runner.getQueueSize().getObjectCount(), "the third waits in the queue");
            assertEquals(1, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));
            assertEquals(3, runner.getCounterValue(Counters.HTTP_CALLS), "the listing before the first start, two creates; the start refused "
                    + "by the service made no call");

            // the jobs finish, and GetBulkImportProgress (through the same service) sees one of them so
            serverClock.addAndGet(11_000);
            final MockFlowFile first = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
            ((BulkImportConnectionService) service).describeJob(new JobReference(first.getAttribute(BulkImportAttributes.JOB_ID), null));
            processorClock.addAndGet(Duration.ofSeconds(1).toNanos());
            runner.run(1, true, false);
            runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 3);
            assertEquals(3, emulator.requests("create").size());
        }
    }

    @Test
    void everyCallMaxActiveJobsMakesToAdmitAStartCountsAsAnApiCall() throws Exception {
        try (ImportApiEmulator emulator = Emulators.milvus().importDuration(Duration.ofSeconds(60)).clock(serverClock::get).start()) {
            final TestRunner runner = trigger(emulator, 1);
            final StandardBulkImportConnectionService service = (StandardBulkImportConnectionService) runner.getControllerService(Runners.SERVICE_ID);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.MAX_ACTIVE_JOBS, "1");
            runner.enableControllerService(service);
            enqueue(runner, 2);

            runner.run(1, false, true);
            assertEquals(List.of(1, 1, 0), calls(emulator), "listed once before the first start, one job started, the node full");
            assertEquals(2, runner.getCounterValue(Counters.HTTP_CALLS));
            assertEquals(1, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));

            // the service's own clock: a full node describes the jobs it has not seen for 5 s, as part of admitting a start
            Thread.sleep(5_100);
            processorClock.addAndGet(Duration.ofSeconds(1).toNanos());
            runner.run(1, false, false);
            assertEquals(List.of(1, 1, 1), calls(emulator), "the job described, still Importing: the start refused again");
            assertEquals(3, runner.getCounterValue(Counters.HTTP_CALLS), "the description counts, on the onTrigger thread");
            assertEquals(2, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));

            serverClock.addAndGet(61_000);
            final MockFlowFile started = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
            ((BulkImportConnectionService) service).describeJob(new JobReference(started.getAttribute(BulkImportAttributes.JOB_ID), null));
            processorClock.addAndGet(Duration.ofSeconds(10).toNanos());
            runner.run(1, true, false);
            runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 2);
            assertEquals(List.of(1, 2, 2), calls(emulator));
            assertEquals(4, runner.getCounterValue(Counters.HTTP_CALLS), "GetBulkImportProgress's description is its own to count");
        }
    }

    /** The list, create and describe calls the emulator received. */
    private static List<Integer> calls(final ImportApiEmulator emulator) {
        return List.of(emulator.requests("list").size(), emulator.requests("create").size(), emulator.requests("describe").size());
    }

    @Test
    void aBatchRefusedByTheServersJobLimitWaitsWholeAndStartsAsOneJob() {
        try (ImportApiEmulator emulator = Emulators.milvus().fault(new Fault(FaultType.JOB_LIMIT, 2, "create", -1, 0)).start()) {
            final TestRunner runner = trigger(emulator, 5);
            enqueue(runner, 5);
            runner.run(1, false, true);
            assertEquals(5, runner.getQueueSize().getObjectCount());
            processorClock.addAndGet(Duration.ofMillis(300).toNanos());
            runner.run(1, false, false);
            assertEquals(5, runner.getQueueSize().getObjectCount(), "refused again");
            processorClock.addAndGet(Duration.ofMillis(600).toNanos());
            runner.run(1, true, false);
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 5);
            assertEquals(1, emulator.jobCount(), "one job for the five, as if never refused");
            assertEquals(2, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));
            runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(f -> f.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE));
        }
    }
}
