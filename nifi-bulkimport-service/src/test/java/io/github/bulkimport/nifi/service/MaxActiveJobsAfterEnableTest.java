package io.github.bulkimport.nifi.service;

import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Secrets;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Max Active Jobs across a disable and enable of the service, or a restart of NiFi: the jobs still
 * running on the server count against the limit from the first start on, learned with one listing.
 */
@Timeout(60)
class MaxActiveJobsAfterEnableTest {

    private static final Duration IMPORT_TAKES = Duration.ofSeconds(60);

    private final AtomicLong serverClock = new AtomicLong(1_800_000_000_000L);
    private final AtomicInteger calls = new AtomicInteger();

    private static TestRunner runnerWithService(final String serviceId, final StandardBulkImportConnectionService service, final String url) {
        final TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        try {
            runner.addControllerService(serviceId, service);
        } catch (final InitializationException e) {
            throw new AssertionError(e);
        }
        runner.setProperty(service, StandardBulkImportConnectionService.DEPLOYMENT, Deployment.MILVUS);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, url);
        runner.setProperty(service, StandardBulkImportConnectionService.API_KEY, Secrets.MILVUS_TOKEN);
        runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "2 secs");
        runner.setProperty(service, StandardBulkImportConnectionService.MAX_ACTIVE_JOBS, "1");
        runner.enableControllerService(service);
        return runner;
    }

    private static ImportRequest request(final int part) {
        return new ImportRequest(ImportTarget.of("docs", null, null, Map.of()), List.of(ImportFile.of("docs/part-" + part + ".parquet")));
    }

    private ImportApiEmulator slowJobs() {
        return Emulators.milvus().importDuration(IMPORT_TAKES).clock(serverClock::get).start();
    }

    @Test
    void aJobStillRunningWhenTheServiceIsEnabledAgainKeepsTheNextStartWaiting() throws ImportApiException {
        try (ImportApiEmulator emulator = slowJobs()) {
            final StandardBulkImportConnectionService service = new StandardBulkImportConnectionService();
            final TestRunner runner = runnerWithService("service", service, emulator.url());
            final String first = service.startJob(request(1), "key-1", calls::addAndGet);
            assertEquals(2, calls.getAndSet(0), "the listing (nothing running yet) and the create");

            runner.disableControllerService(service);
            runner.enableControllerService(service);
            final ImportApiException refused = assertThrows(ImportApiException.class, () -> service.startJob(request(2), "key-2", calls::addAndGet));
            assertEquals(ErrorKind.THROTTLED, refused.getKind(), "the job started before is still running: the node is full");
            assertFalse(refused.isOutcomeUnknown());
            assertEquals(1, calls.getAndSet(0), "one listing, no create");
            assertEquals(1, emulator.requests("create").size());
            assertThrows(ImportApiException.class, () -> service.startJob(request(2), "key-2", calls::addAndGet));
            assertEquals(0, calls.getAndSet(0), "listed once per enable: refused without a call while the job was seen a moment ago");
            assertEquals(2, emulator.requests("list").size());

            serverClock.addAndGet(IMPORT_TAKES.plusSeconds(1).toMillis());
            assertEquals(JobState.COMPLETED, service.describeJob(new JobReference(first, null)).state(), "GetBulkImportProgress sees it finish");
            service.startJob(request(2), "key-2", calls::addAndGet);
            assertEquals(1, calls.get(), "the create");
            assertEquals(2, emulator.requests("create").size());
        }
    }

    @Test
    void aJobStartedBeforeNiFiRestartedCountsOnTheNewService() throws ImportApiException {
        try (ImportApiEmulator emulator = slowJobs()) {
            final StandardBulkImportConnectionService before = new StandardBulkImportConnectionService();
            final TestRunner beforeRestart = runnerWithService("before", before, emulator.url());
            before.startJob(request(1), "key-1", calls::addAndGet);
            beforeRestart.disableControllerService(before);

            final StandardBulkImportConnectionService after = new StandardBulkImportConnectionService();
            runnerWithService("after", after, emulator.url());
            assertEquals(ErrorKind.THROTTLED, assertThrows(ImportApiException.class, () -> after.startJob(request(2), "key-2", calls::addAndGet))
                    .getKind());
            assertEquals(1, emulator.requests("create").size());
            assertEquals(0, after.freeJobSlots().orElseThrow());
        }
    }

    @Test
    void aBurstsSizingListsAheadAndTheFirstStartFindsTheCountMadeEachCallCountedOnce() throws Exception {
        try (ImportApiEmulator emulator = slowJobs()) {
            final StandardBulkImportConnectionService before = new StandardBulkImportConnectionService();
            final TestRunner beforeRestart = runnerWithService("before", before, emulator.url());
            before.startJob(request(1), "key-1", calls::addAndGet);
            beforeRestart.disableControllerService(before);
            calls.set(0);

            final StandardBulkImportConnectionService after = new StandardBulkImportConnectionService();
            runnerWithService("after", after, emulator.url());
            after.freeJobSlots(1, calls::addAndGet);
            Thread.sleep(200);
            assertEquals(1, emulator.requests("list").size(), "a trickle's sizing lists nothing ahead: only the first service's listing");

            after.freeJobSlots(64, calls::addAndGet);
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (emulator.requests("list").size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2, emulator.requests("list").size(), "a burst's sizing lists the default database ahead, in the background");
            assertEquals(ErrorKind.THROTTLED, assertThrows(ImportApiException.class, () -> after.startJob(request(2), "key-2", calls::addAndGet))
                    .getKind(), "the listing ahead counted the job still running");
            assertEquals(2, emulator.requests("list").size(), "the first start listed nothing again");
            assertEquals(1, calls.get(), "the listing ahead, counted once, on the first caller after it");
        }
    }

    @Test
    void whileTheListingFailsNoStartIsAdmittedAndTheNextStartListsAgain() throws ImportApiException {
        try (ImportApiEmulator emulator = Emulators.milvus().importDuration(IMPORT_TAKES).clock(serverClock::get)
                .fault(Fault.on("list", FaultType.HTTP_503, 1)).start()) {
            final StandardBulkImportConnectionService service = new StandardBulkImportConnectionService();
            runnerWithService("service", service, emulator.url());
            final ImportApiException refused = assertThrows(ImportApiException.class, () -> service.startJob(request(1), "key-1", calls::addAndGet));
            assertEquals(ErrorKind.UNAVAILABLE, refused.getKind(), "the listing's own kind: the start goes to retry");
            assertFalse(refused.isOutcomeUnknown(), "no create was sent, though the listing's own outcome was unknown");
            assertEquals(0, emulator.requests("create").size());
            assertEquals(1, calls.getAndSet(0), "the listing that failed");

            service.startJob(request(1), "key-1", calls::addAndGet);
            assertEquals(2, calls.get(), "listed again, then created");
        }
    }
}
