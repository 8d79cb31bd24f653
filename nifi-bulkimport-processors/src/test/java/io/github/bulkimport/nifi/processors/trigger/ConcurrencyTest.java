package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Several concurrent tasks share one pooled client; no flowfile is processed twice.
 */
class ConcurrencyTest {

    private static final int FLOWFILES = 400;

    @Test
    void concurrentTasksShareThePoolAndProcessEachFlowFileOnce() {
        try (ImportApiEmulator emulator = Emulators.milvus().start()) {
            final TestRunner runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
            final var service = runner.getControllerService(Runners.SERVICE_ID);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.MAX_CONNECTIONS, "3");
            runner.enableControllerService(service);
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
            runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1");
            for (int i = 0; i < FLOWFILES; i++) {
                runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet"));
            }
            runner.setThreadCount(4);
            // a run stops at its time budget, which a cold, busy JVM reaches with fewer flowfiles: go on until the queue is empty
            runner.run(40, false, true);
            for (int more = 0; more < 100 && !runner.isQueueEmpty(); more++) {
                runner.run(4, false, false);
            }
            runner.stop();

            runner.assertQueueEmpty();
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, FLOWFILES);
            final List<MockFlowFile> out = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS);
            final Set<String> uuids = out.stream().map(f -> f.getAttribute("uuid")).collect(Collectors.toSet());
            final Set<String> jobs = out.stream().map(f -> f.getAttribute(BulkImportAttributes.JOB_ID)).collect(Collectors.toSet());
            assertEquals(FLOWFILES, uuids.size(), "every flowfile once");
            assertEquals(FLOWFILES, jobs.size(), "one job each");
            assertEquals(FLOWFILES, emulator.requests("create").size(), "no flowfile sent twice");
            assertEquals(FLOWFILES, emulator.jobCount());
            assertEquals(FLOWFILES, out.stream().map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).distinct().count());
        }
    }

    /**
     * A flowfile and its copy taken by two tasks, on a server that ignores Idempotency-Key: the task
     * that claims the share after the other has released it must find the job the other remembered,
     * not start a second one (found by the model check: the memory was read before the other task
     * remembered, the claim made after it released).
     */
    @Test
    void aCopyClaimedAfterItsTwinWasAnsweredFindsItsTwinsJob() {
        final int uploads = 300;
        try (ImportApiEmulator emulator = Emulators.milvus().idempotency(false).start()) {
            final TestRunner runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
            runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1");
            runner.setProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT, "1");
            for (int i = 0; i < uploads; i++) {
                final Map<String, String> upload = Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet", "s3.etag", "etag-" + i);
                runner.enqueue(new byte[0], upload);
                runner.enqueue(new byte[0], upload);
            }
            runner.setThreadCount(4);
            runner.run(40, false, true);
            for (int more = 0; more < 200 && !runner.isQueueEmpty(); more++) {
                runner.run(4, false, false);
            }
            runner.stop();

            runner.assertQueueEmpty();
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2 * uploads);
            final Map<String, Set<String>> jobsOfUpload = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).stream()
                    .collect(Collectors.groupingBy(f -> f.getAttribute("s3.key"), Collectors.mapping(f -> f.getAttribute(BulkImportAttributes.JOB_ID),
                            Collectors.toSet())));
            jobsOfUpload.forEach((upload, jobs) -> assertEquals(1, jobs.size(), upload + " and its copy in one job: " + jobs));
            assertEquals(uploads, emulator.jobCount(), "one job per upload");
        }
    }
}
