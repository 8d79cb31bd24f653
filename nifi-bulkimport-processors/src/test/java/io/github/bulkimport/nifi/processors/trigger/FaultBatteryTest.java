package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.LeakCheck;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fault the emulator can produce, against both deployments: where the flowfile goes, that it is
 * penalized, that nothing is lost, and that the retry ends in exactly one job.
 */
class FaultBatteryTest {

    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger LOST = new AtomicInteger();
    private static final AtomicInteger DUPLICATES = new AtomicInteger();
    private static final AtomicInteger TEXTS_CHECKED = new AtomicInteger();
    private static final AtomicInteger LEAKS = new AtomicInteger();

    static Stream<Arguments> faults() {
        final List<Arguments> cases = new ArrayList<>();
        for (final Deployment deployment : Deployment.values()) {
            cases.add(Arguments.of(deployment, new Fault(FaultType.HTTP_500, 1, "create", -1, 0), TriggerRouting.REL_RETRY, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HTTP_502, 1, "create", -1, 0), TriggerRouting.REL_RETRY, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HTTP_503, 1, "create", -1, 0), TriggerRouting.REL_RETRY, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HTTP_429, 1, "create", 1, 0), null, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HTTP_429, 1, "create", -1, 0), null, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.JOB_LIMIT, 1, "create", -1, 0), null, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.RATE_LIMIT, 1, "create", -1, 0), null, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.DROP, 1, "create", -1, 0), TriggerRouting.REL_RETRY, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.LOST_REPLY, 1, "create", -1, 0), TriggerRouting.REL_RETRY, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.SLOW, 1, "create", -1, 1_200), TriggerRouting.REL_RETRY, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.TRUNCATED, 1, "create", -1, 0), TriggerRouting.REL_RETRY, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HUGE_BODY, 1, "create", -1, 0), TriggerRouting.REL_RETRY, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.NON_JSON, 1, "create", -1, 0), TriggerRouting.REL_FAILURE, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.ECHO_SECRETS, 1, "create", -1, 0), TriggerRouting.REL_FAILURE, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.DRIP, 1, "create", -1, 100), TriggerRouting.REL_RETRY, true));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HUGE_DECLARED, 1, "create", -1, 0), TriggerRouting.REL_RETRY, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.HOSTILE_VALUES, 1, "create", -1, 0), TriggerRouting.REL_FAILURE, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.SECRET_JOB_ID, 1, "create", -1, 0), TriggerRouting.REL_FAILURE, false));
            cases.add(Arguments.of(deployment, new Fault(FaultType.CUT_JSON, 1, "create", -1, 0), TriggerRouting.REL_RETRY, false));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("faults")
    void faultRoutesPenalizedAndTheRetryCreatesExactlyOneJob(final Deployment deployment, final Fault fault, final Relationship expected,
                                                             final boolean yields) {
        CASES.incrementAndGet();
        try (ImportApiEmulator emulator = (deployment == Deployment.MILVUS ? Emulators.milvus() : Emulators.zilliz()).fault(fault).start()) {
            final TestRunner runner = deployment == Deployment.MILVUS ? Runners.milvus(new TriggerBulkImport(), emulator.url())
                    : Runners.zilliz(new TriggerBulkImport(), emulator.url());
            final var service = runner.getControllerService(Runners.SERVICE_ID);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "500 ms");
            final AtomicLong serviceClock = new AtomicLong(1_000_000L);
            ((StandardBulkImportConnectionService) service).useClock(serviceClock::get);
            runner.enableControllerService(service);
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
            final AtomicLong clock = new AtomicLong();
            ((TriggerBulkImport) runner.getProcessor()).useClock(clock::get);
            final MockFlowFile original = runner.enqueue("content stays", Map.of("s3.bucket", "b", "s3.key", "data/part-1.parquet"));

            runner.run();

            MockFlowFile current;
            if (expected == null) {
                // refused for now (a job or rate limit): the flowfile waits in the queue, untouched
                runner.assertTransferCount(TriggerRouting.REL_RETRY, 0);
                runner.assertPenalizeCount(0);
                assertEquals(1, runner.getQueueSize().getObjectCount(), "held in the incoming queue");
                current = null;
                // past any Retry-After and backoff, the same flowfile is sent again
                clock.addAndGet(Duration.ofSeconds(15).toNanos());
                serviceClock.addAndGet(Duration.ofSeconds(15).toMillis());
                runner.run();
                runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
                current = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
            } else {
                runner.assertAllFlowFilesTransferred(expected, 1);
                runner.assertPenalizeCount(1);
                current = runner.getFlowFilesForRelationship(expected).getFirst();
                assertNotNull(current.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
            }
            assertEquals(yields, runner.isYieldCalled(), "yield only when throttled or the server is unavailable");
            current.assertContentEquals("content stays");
            checkLeaks(runner);

            // loop back until the flowfile succeeds; it must never vanish
            for (int attempt = 0; attempt < 5 && current != null && current.getAttribute(BulkImportAttributes.JOB_ID) == null; attempt++) {
                runner.clearTransferState();
                runner.enqueue(current);
                runner.run();
                final List<MockFlowFile> out = new ArrayList<>();
                runner.getProcessor().getRelationships().forEach(r -> out.addAll(runner.getFlowFilesForRelationship(r)));
                if (out.size() != 1) {
                    LOST.incrementAndGet();
                }
                assertEquals(1, out.size(), "the flowfile is never lost or duplicated");
                current = out.getFirst();
            }
            assertEquals(original.getAttribute("uuid"), current.getAttribute("uuid"));
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
            current.assertAttributeNotExists(BulkImportAttributes.ERROR_MESSAGE);
            if (emulator.jobCount() != 1) {
                DUPLICATES.incrementAndGet();
            }
            assertEquals(1, emulator.jobCount(), "exactly one job after the retry");
            assertEquals(emulator.jobs().getFirst().id(), current.getAttribute(BulkImportAttributes.JOB_ID));
            checkLeaks(runner);
        }
    }

    private static void checkLeaks(final TestRunner runner) {
        try {
            TEXTS_CHECKED.addAndGet(LeakCheck.assertNoSecrets(runner, Runners.SERVICE_ID));
        } catch (final AssertionError leak) {
            LEAKS.incrementAndGet();
            throw leak;
        }
    }

    @AfterAll
    static void summary() {
        System.out.printf("FAULT BATTERY: cases=%d flowfilesLost=%d duplicateJobs=%d secretLeaks=%d (texts inspected=%d)%n",
                CASES.get(), LOST.get(), DUPLICATES.get(), LEAKS.get(), TEXTS_CHECKED.get());
        assertTrue(CASES.get() > 0);
    }
}
