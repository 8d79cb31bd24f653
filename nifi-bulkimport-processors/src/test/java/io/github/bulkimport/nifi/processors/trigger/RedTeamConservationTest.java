package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HELD (expected): one run with many requests in flight and a transient fault accounts for every flowfile once. */
class RedTeamConservationTest {

    @ParameterizedTest(name = "{0} in flight, {1}")
    @CsvSource({"64,HTTP_503", "1,HTTP_503", "64,LOST_REPLY", "64,JOB_LIMIT", "2,DROP", "8,DRIP"})
    void everyFlowFileOnceAfterATransientFault(final int inFlight, final FaultType fault) {
        try (ImportApiEmulator emulator = Emulators.milvus().fault(new Fault(fault, 1, "create", -1, fault == FaultType.SLOW || fault == FaultType.DRIP ? 300 : 0)).start()) {
            final TestRunner runner = Runners.milvus(new TriggerBulkImport(), emulator.url());
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
            runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "3");
            runner.setProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT, String.valueOf(inFlight));
            for (int i = 0; i < 300; i++) {
                runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet", "s3.etag", "e" + i));
            }
            runner.run(1, true, true);
            final List<MockFlowFile> success = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS);
            final List<MockFlowFile> retry = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY);
            final List<MockFlowFile> failure = runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE);
            final int queued = runner.getQueueSize().getObjectCount();
            assertEquals(0, failure.size());
            assertEquals(300, success.size() + retry.size() + queued, "success " + success.size() + " retry " + retry.size() + " queued " + queued);
            final List<MockFlowFile> out = new ArrayList<>(success);
            out.addAll(retry);
            final Set<String> keys = new HashSet<>();
            out.forEach(f -> assertTrue(keys.add(f.getAttribute("s3.key")), "twice: " + f.getAttribute("s3.key")));
            final Set<String> jobs = new HashSet<>();
            success.forEach(f -> jobs.add(f.getAttribute(BulkImportAttributes.JOB_ID)));
            System.out.println("RT " + inFlight + " " + fault + ": creates " + emulator.requests("create").size() + ", jobs routed " + jobs.size()
                    + ", server jobs " + emulator.jobCount() + ", retry " + retry.size() + ", queued " + queued);
            assertEquals(emulator.jobCount(), jobs.size() + (fault.processes() ? 1 : 0), "jobs on the server vs jobs routed");
            assertEquals(fault == FaultType.JOB_LIMIT ? 0 : 3, retry.size());
            // after the fault, no request left beyond those in flight
            assertTrue(emulator.requests("create").size() <= jobs.size() + inFlight + 1, "creates " + emulator.requests("create").size());
        }
    }
}
