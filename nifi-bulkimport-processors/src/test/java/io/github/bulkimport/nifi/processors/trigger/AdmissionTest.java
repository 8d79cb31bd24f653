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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's job limit, and the service's own Max Active Jobs: a refused start leaves its flowfiles
 * queued and untouched, batched or not, bound or not, and they start once a slot is free.
 */
@Timeout(60)
class AdmissionTest {

    private final AtomicLong serverClock = new AtomicLong(1_800_000_000_000L);
    private final AtomicLong processorClock = new AtomicLong();
    private final AtomicLong serviceClock = new AtomicLong(1_000_000L);

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
            final StandardBulkImportConnectionService service = withServiceClock(runner);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.MAX_ACTIVE_JOBS, "1");
            runner.enableControllerService(service);
            enqueue(runner, 2);

            runner.run(1, false, true);
            assertEquals(List.of(1, 1, 0), calls(emulator), "listed once before the first start, one job started, the node full");
            assertEquals(2, runner.getCounterValue(Counters.HTTP_CALLS));
            assertEquals(1, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));

            // a full node lists the database (one call for every job on Milvus) to learn whether its jobs finished, as part of admitting a start
            serviceClock.addAndGet(1_000);
            processorClock.addAndGet(Duration.ofSeconds(1).toNanos());
            runner.run(1, false, false);
            assertEquals(List.of(2, 1, 0), calls(emulator), "the job listed, still Importing: the start refused again");
            assertEquals(3, runner.getCounterValue(Counters.HTTP_CALLS), "the listing counts, on the onTrigger thread");
            assertEquals(2, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));

            // a job unseen for 5 s is described (Zilliz Cloud's listing may not show it): the listing saw it 0 s ago here
            serverClock.addAndGet(61_000);
            serviceClock.addAndGet(1_000);
            processorClock.addAndGet(Duration.ofSeconds(10).toNanos());
            runner.run(1, true, false);
            runner.assertTransferCount(TriggerRouting.REL_SUCCESS, 2);
            assertEquals(List.of(3, 2, 0), calls(emulator), "listed again: the job Completed, its slot free, the start admitted");
            assertEquals(5, runner.getCounterValue(Counters.HTTP_CALLS));
        }
    }

    @Test
    void theServersJobLimitIsLearnedFromItsRefusalAndStartsBeyondItWaitWithoutACall() {
        try (ImportApiEmulator emulator = Emulators.milvus().importDuration(Duration.ofSeconds(60)).maxActiveJobs(4).clock(serverClock::get).start()) {
            final TestRunner runner = defaults(emulator);
            final StandardBulkImportConnectionService service = withServiceClock(runner);
            enqueue(runner, 1_000);

            runner.run(1, false, true);
            for (int i = 0; i < 20 && emulator.requests("create").size() == emulator.jobCount(); i++) {
                // a run sends no more once its half second is up: on a slow machine, the rest in the runs after
                processorClock.addAndGet(Duration.ofMillis(300).toNanos());
                runner.run(1, false, false);
            }
            assertEquals(4, emulator.jobCount(), "the server took 4 jobs");
            final int createsAtFirst = emulator.requests("create").size();
            assertTrue(createsAtFirst >= 5 && createsAtFirst <= 8, "jobs of about 128 flowfiles while the limit is unknown, the fifth refused "
                    + "(and those in flight with it): the limit learned; " + createsAtFirst + " creates");
            assertEquals(0, service.freeJobSlots().orElseThrow(), "4 unfinished jobs when refused: the node's share is 4");

            processorClock.addAndGet(Duration.ofMillis(500).toNanos());
            serviceClock.addAndGet(100);
            runner.run(1, false, false);
            assertEquals(createsAtFirst, emulator.requests("create").size(), "refused here, without a create");

            // one job finishes, and the listing of a full node sees it: its slot is used at once, by a job of what is queued
            serverClock.addAndGet(61_000);
            serviceClock.addAndGet(600);
            processorClock.addAndGet(Duration.ofSeconds(1).toNanos());
            runner.run(1, false, false);
            assertEquals(8, emulator.jobCount(), "every finished job's slot refilled");
            assertEquals(4, service.unfinishedJobs());
            assertEquals(0, runner.getQueueSize().getObjectCount(), "the rest in four jobs, one a free slot");

            // a second after the refusal, the share is probed upward
            enqueue(runner, 100);
            serviceClock.addAndGet(1_000);
            processorClock.addAndGet(Duration.ofSeconds(1).toNanos());
            final int createsBeforeProbe = emulator.requests("create").size();
            runner.run(1, false, false);
            assertEquals(createsBeforeProbe + 1, emulator.requests("create").size(), "one start beyond the share");
            assertEquals(8, emulator.jobCount(), "the probe refused: the server takes 4");
            assertEquals(0, service.freeJobSlots().orElseThrow());
            assertEquals(0, runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE).size());
            assertEquals(0, runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).size());
        }
    }

    @Test
    void aLoneUploadToAnIdleServerStartsAtOnceAndThoseWhileItRunsGatherIntoOneJob() {
        try (ImportApiEmulator emulator = Emulators.milvus().importDuration(Duration.ofSeconds(60)).clock(serverClock::get).start()) {
            final TestRunner runner = defaults(emulator);
            enqueue(runner, 1);
            runner.run(1, false, true);
            assertEquals(1, emulator.jobCount(), "no job of the node runs: the lone upload starts at once");

            for (int i = 1; i <= 20; i++) {
                runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "docs/more-" + i + ".parquet"))
                        .setLastEnqueuedDate(System.currentTimeMillis());
            }
            runner.run(1, false, false);
            assertEquals(1, emulator.jobCount(), "a job runs: the trickle gathers for Max Batch Wait");
            try {
                Thread.sleep(350);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            runner.run(1, false, false);
            assertEquals(2, emulator.jobCount(), "the oldest waited 300 ms: one job for the twenty");
            assertEquals(20, emulator.jobs().get(1).files().size());
        }
    }

    @Test
    void jobsNeverHoldMoreBytesThanMaxBytesPerJobAndAFlowFileOfUnknownSizeGoesAlone() {
        try (ImportApiEmulator emulator = Emulators.milvus().importDuration(Duration.ofSeconds(60)).clock(serverClock::get).start()) {
            final TestRunner runner = defaults(emulator);
            runner.setProperty(BatchTaker.MAX_BYTES_PER_JOB, "10 KB");
            for (int i = 0; i < 6; i++) {
                // 4 KB uploads: two fit in a job of 10 KB
                runner.enqueue(new byte[4_096], Map.of("s3.bucket", "b", "s3.key", "docs/content-" + i + ".parquet"));
            }
            runner.enqueue(new byte[0], Map.of("gcs.bucket", "b", "gcs.key", "docs/listed.parquet", "gcs.size", "9000"));
            runner.enqueue(new byte[0], Map.of("gcs.bucket", "b", "gcs.key", "docs/listed-too.parquet", "gcs.size", "1000"));
            runner.run(1, true, true);
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 8);
            final Map<String, Integer> sizes = Map.of("docs/listed.parquet", 9_000, "docs/listed-too.parquet", 1_000);
            for (final var job : emulator.jobs()) {
                final int bytes = job.files().stream().mapToInt(file -> sizes.getOrDefault(file.getFirst(), 4_096)).sum();
                assertTrue(bytes <= 10_240, "at most 10 KB a job: " + job.files());
            }
            assertEquals(4, emulator.jobCount(), "6 x 4 KB and 9,000 and 1,000 bytes (gcs.size): 33,576 bytes in four jobs of 10 KB");

            // Object URLs name files whose size no attribute tells: each flowfile is a job of its own
            runner.clearTransferState();
            runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
            runner.enqueue(new byte[10], Map.of("urls", "docs/a.parquet"));
            runner.enqueue(new byte[10], Map.of("urls", "docs/b.parquet"));
            runner.run(1, true, true);
            assertEquals(0, runner.getQueueSize().getObjectCount(), "nothing left: " + runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE)
                    .stream().map(f -> f.getAttribute(BulkImportAttributes.ERROR_MESSAGE)).toList());
            assertEquals(6, emulator.jobCount());
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
            withServiceClock(runner);
            enqueue(runner, 5);
            runner.run(1, false, true);
            assertEquals(5, runner.getQueueSize().getObjectCount());
            assertEquals(1, emulator.requests("create").size());

            // refused with no job of the node running: its share is 0 for now, and starts wait without a call
            processorClock.addAndGet(Duration.ofMillis(300).toNanos());
            runner.run(1, false, false);
            assertEquals(1, emulator.requests("create").size(), "held back here");

            // a second later the share is probed: refused again, then taken
            serviceClock.addAndGet(1_000);
            processorClock.addAndGet(Duration.ofSeconds(1).toNanos());
            runner.run(1, false, false);
            assertEquals(2, emulator.requests("create").size());
            assertEquals(5, runner.getQueueSize().getObjectCount(), "refused again");
            serviceClock.addAndGet(1_000);
            processorClock.addAndGet(Duration.ofSeconds(11).toNanos());
            runner.run(1, true, false);
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 5);
            assertEquals(1, emulator.jobCount(), "one job for the five, as if never refused");
            assertEquals(3, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));
            runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(f -> f.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE));
        }
    }

    /** TriggerBulkImport and its connection service with nothing set but the endpoint and credentials. */
    private TestRunner defaults(final ImportApiEmulator emulator) {
        final TriggerBulkImport processor = new TriggerBulkImport();
        processor.useClock(processorClock::get);
        final TestRunner runner = Runners.milvus(processor, emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        return runner;
    }

    /** The service counts jobs by the test's clock, from its next enable. */
    private StandardBulkImportConnectionService withServiceClock(final TestRunner runner) {
        final StandardBulkImportConnectionService service = (StandardBulkImportConnectionService) runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        service.useClock(serviceClock::get);
        runner.enableControllerService(service);
        return service;
    }
}
