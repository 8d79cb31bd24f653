package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.controller.queue.QueueSize;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.MockProcessSession;
import org.apache.nifi.util.SharedSessionState;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Uploads that arrive while a run takes its flowfiles: the run sized its jobs from the queue at its start, so
 * it takes no more than those, and the next run sizes jobs for what arrived. (In a real NiFi, a cold first run of
 * a trickle read 2 queued and took 30 more in jobs of 2, until the server's job limit of 16 refused one.)
 */
class UploadsArrivingDuringARunTest {

    private ImportApiEmulator emulator;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    /** A session that tells the queue's size as it was before the uploads after the first {@code reported} arrived. */
    private static final class EarlyQueueSize extends MockProcessSession {
        private final int reported;

        EarlyQueueSize(final SharedSessionState shared, final Processor processor, final TestRunner runner, final int reported) {
            super(shared, processor, true, runner.getStateManager(), true, false);
            this.reported = reported;
        }

        @Override
        public QueueSize getQueueSize() {
            return new QueueSize(reported, reported);
        }
    }

    @Test
    void aRunTakesNoMoreThanTheFlowFilesItsJobsWereSizedFor() throws Exception {
        emulator = Emulators.milvus().start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = Runners.milvus(processor, emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        runner.run(1, false, true); // @OnScheduled, on an empty queue
        for (int i = 0; i < 32; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet", "s3.etag", "etag-" + i));
        }

        final EarlyQueueSize session = new EarlyQueueSize(RedTeamUncommittedProcessorTest.sharedState(runner), processor, runner, 2);
        processor.onTrigger(runner.getProcessContext(), session);
        session.commitAsync();

        final List<MockFlowFile> started = session.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS);
        assertEquals(2, started.size(), "the two queued when the run began");
        assertEquals(1, started.stream().map(f -> f.getAttribute(BulkImportAttributes.JOB_ID)).collect(Collectors.toSet()).size(), "in one job");
        assertEquals(30, runner.getQueueSize().getObjectCount(), "those that arrived meanwhile wait for the next run");
    }
}
