package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.processors.action.AbortBulkImport;
import io.github.bulkimport.nifi.processors.action.AbstractJobActionProcessor;
import io.github.bulkimport.nifi.processors.action.CommitBulkImport;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.progress.ProgressRouting;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.processors.trigger.TriggerRouting;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job's whole life against the emulator, processor after processor as a flow chains them:
 * start, poll, commit or abort, and what a failed file leaves on the flowfile. Against a server that
 * answers a repeated commit and an abort of a Failed job with success, as Milvus does, and against one
 * that refuses both, as servers did before.
 */
@ParameterizedClass(name = "strict actions: {0}")
@ValueSource(booleans = {false, true})
class JobLifecycleTest {

    @Parameter
    boolean strictActions;

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private ImportApiEmulator emulator;

    @BeforeEach
    void start() {
        emulator = Emulators.milvus().importDuration(Duration.ofSeconds(10)).clock(now::get).strictActions(strictActions).start();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private TestRunner runner(final Processor processor) {
        return Runners.milvus(processor, emulator.url());
    }

    /** Runs one flowfile through a processor and returns it from the one relationship it went to. */
    private static MockFlowFile pass(final TestRunner runner, final MockFlowFile in, final Relationship expected) {
        runner.clearTransferState();
        runner.enqueue(in);
        runner.run();
        runner.assertAllFlowFilesTransferred(expected, 1);
        return runner.getFlowFilesForRelationship(expected).getFirst();
    }

    private MockFlowFile started(final String file, final Map<String, String> options) {
        final TestRunner trigger = runner(new TriggerBulkImport());
        trigger.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        trigger.setProperty(ImportRequestReader.OBJECT_URLS, file);
        options.forEach(trigger::setProperty);
        trigger.enqueue("rows");
        trigger.run();
        trigger.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        return trigger.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
    }

    @Test
    void aTwoPhaseCsvImportWithATabSeparatorIsCommittedAndCompletes() {
        final MockFlowFile started = started("s3://bucket/rows.tsv", Map.of("auto_commit", "false", "sep", "${literal('\\t')}"));
        final Job job = emulator.jobs().getFirst();
        assertEquals("\t", job.options().get("sep"), "the tab reached the server");

        final TestRunner progress = runner(new GetBulkImportProgress());
        final TestRunner commit = runner(new CommitBulkImport());
        MockFlowFile flowFile = pass(progress, started, ProgressRouting.REL_RUNNING);
        now.addAndGet(10_000);
        flowFile = pass(progress, flowFile, ProgressRouting.REL_UNCOMMITTED);
        flowFile.assertAttributeEquals(BulkImportAttributes.STATE, "Uncommitted");

        flowFile = pass(commit, flowFile, AbstractJobActionProcessor.REL_SUCCESS);
        flowFile.assertAttributeEquals(BulkImportAttributes.ACTION, "committed");
        flowFile = pass(progress, flowFile, ProgressRouting.REL_RUNNING);
        flowFile.assertAttributeEquals(BulkImportAttributes.STATE, "Committing");
        flowFile = pass(commit, flowFile, AbstractJobActionProcessor.REL_SUCCESS);
        flowFile.assertAttributeEquals(BulkImportAttributes.ACTION, "already committed");
        now.addAndGet(1_000);
        flowFile = pass(progress, flowFile, ProgressRouting.REL_SUCCESS);
        flowFile.assertAttributeEquals(BulkImportAttributes.STATE, "Completed");
        flowFile.assertContentEquals("rows");
        assertTrue(job.committedAt() >= 0);
    }

    @Test
    void anUncommittedJobCanBeAbortedOnceAndReplayedSafely() {
        final MockFlowFile started = started("s3://bucket/rows.parquet", Map.of("auto_commit", "false"));
        now.addAndGet(10_000);
        final MockFlowFile uncommitted = pass(runner(new GetBulkImportProgress()), started, ProgressRouting.REL_UNCOMMITTED);

        final TestRunner abort = runner(new AbortBulkImport());
        final MockFlowFile aborted = pass(abort, uncommitted, AbstractJobActionProcessor.REL_SUCCESS);
        aborted.assertAttributeEquals(BulkImportAttributes.ACTION, "aborted");
        aborted.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
        pass(abort, uncommitted, AbstractJobActionProcessor.REL_SUCCESS).assertAttributeEquals(BulkImportAttributes.ACTION, "already aborted");
        final MockFlowFile refused = pass(runner(new CommitBulkImport()), uncommitted, AbstractJobActionProcessor.REL_FAILURE);
        assertTrue(refused.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("can never be committed"));

        final Job job = emulator.jobs().getFirst();
        assertTrue(job.aborted());
        assertEquals(-1, job.committedAt());
    }

    @Test
    void theInnocentFilesOfAFailedBatchAreResubmittedIntoANewJobAndNothingIsImportedTwice() {
        final TestRunner trigger = runner(new TriggerBulkImport());
        trigger.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        trigger.setProperty("Max Flowfiles per Job", "10");
        // GetBulkImportProgress uses a service of its own here: TriggerBulkImport's never sees the job fail, and the resubmitted wait for nothing
        trigger.setProperty("Max Batch Wait", "0 sec");
        for (final String key : List.of("vectors/a.parquet", "vectors/bad-schema.parquet", "vectors/c.parquet")) {
            trigger.enqueue("rows", Map.of("s3.bucket", "bucket", "s3.key", key));
        }
        trigger.run();
        trigger.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 3);
        final String failedJob = trigger.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst().getAttribute(BulkImportAttributes.JOB_ID);

        now.addAndGet(10_000);
        final TestRunner progress = runner(new GetBulkImportProgress());
        trigger.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(progress::enqueue);
        progress.run();
        progress.assertTransferCount(ProgressRouting.REL_FAILURE, 1);
        progress.assertTransferCount(ProgressRouting.REL_RESUBMIT, 2);
        progress.getFlowFilesForRelationship(ProgressRouting.REL_FAILURE).getFirst().assertAttributeEquals(BulkImportAttributes.OBJECT_URLS,
                "vectors/bad-schema.parquet");

        // resubmit loops back to TriggerBulkImport: one new job for the two innocent files
        trigger.clearTransferState();
        progress.getFlowFilesForRelationship(ProgressRouting.REL_RESUBMIT).forEach(trigger::enqueue);
        trigger.run();
        trigger.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
        for (final MockFlowFile again : trigger.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS)) {
            again.assertAttributeEquals(BulkImportAttributes.REPLACES_JOB_ID, failedJob);
            assertNotEquals(failedJob, again.getAttribute(BulkImportAttributes.JOB_ID));
        }
        assertEquals(2, emulator.jobs().size());
        assertEquals(Set.of(List.of("vectors/a.parquet"), List.of("vectors/c.parquet")), Set.copyOf(emulator.jobs().get(1).files()),
                "the new job holds the innocent files only");

        now.addAndGet(10_000);
        progress.clearTransferState();
        trigger.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(progress::enqueue);
        progress.run();
        progress.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 2);
    }

    @Test
    void aJobThatFailedByItselfIsReportedSoByAbortNotAsAborted() {
        final MockFlowFile started = started("s3://bucket/bad-schema.parquet", Map.of("auto_commit", "false"));
        now.addAndGet(10_000);
        final MockFlowFile failed = pass(runner(new GetBulkImportProgress()), started, ProgressRouting.REL_FAILURE);
        final MockFlowFile out = pass(runner(new AbortBulkImport()), failed, AbstractJobActionProcessor.REL_SUCCESS);
        out.assertAttributeEquals(BulkImportAttributes.ACTION, "already failed");
        assertFalse(emulator.jobs().getFirst().aborted());
    }

    @Test
    void aFlowFileWhoseJobWasAbortedStartsANewJobWhenSentBack() {
        final MockFlowFile started = started("s3://bucket/rows.parquet", Map.of("auto_commit", "false"));
        now.addAndGet(10_000);
        final MockFlowFile uncommitted = pass(runner(new GetBulkImportProgress()), started, ProgressRouting.REL_UNCOMMITTED);
        final MockFlowFile aborted = pass(runner(new AbortBulkImport()), uncommitted, AbstractJobActionProcessor.REL_SUCCESS);

        final TestRunner trigger = runner(new TriggerBulkImport());
        trigger.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        trigger.setProperty(ImportRequestReader.OBJECT_URLS, "s3://bucket/rows.parquet");
        trigger.setProperty("auto_commit", "false");
        final MockFlowFile again = pass(trigger, aborted, TriggerRouting.REL_SUCCESS);

        final String abortedJob = started.getAttribute(BulkImportAttributes.JOB_ID);
        assertNotEquals(abortedJob, again.getAttribute(BulkImportAttributes.JOB_ID), "not re-attached to the aborted job");
        again.assertAttributeEquals(BulkImportAttributes.REPLACES_JOB_ID, abortedJob);
        again.assertAttributeNotExists(BulkImportAttributes.REATTACHED);
        assertEquals(2, emulator.jobCount());
    }

    @Test
    void anUncommittedJobNobodyCommitsExpiresAndIsPolledAtThePenaltyMeanwhile() {
        final MockFlowFile started = started("s3://bucket/rows.parquet", Map.of("auto_commit", "false"));
        now.addAndGet(10_000);
        final TestRunner progress = runner(new GetBulkImportProgress());
        progress.setProperty("Maximum Wait Time", "1 hour");
        final MockFlowFile uncommitted = pass(progress, started, ProgressRouting.REL_UNCOMMITTED);
        assertTrue(uncommitted.isPenalized(), "a loop of uncommitted back into the processor polls at the Penalty Duration");

        final MockFlowFile late = new MockFlowFile(uncommitted.getId() + 1, uncommitted);
        late.putAttributes(Map.of(BulkImportAttributes.SUBMITTED_AT, Instant.now().minus(Duration.ofHours(2)).toString()));
        final MockFlowFile expired = pass(progress, late, ProgressRouting.REL_EXPIRED);
        expired.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "EXPIRED");
        assertTrue(expired.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("still Uncommitted"), expired.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        assertEquals(1, progress.getCounterValue(Counters.JOBS_EXPIRED));
    }

    @Test
    void aFailedFileIsNamedWithItsReasonAndTheDescriptionCanBecomeTheContent() {
        final MockFlowFile started = started("s3://bucket/good.parquet, s3://bucket/bad-schema.parquet", Map.of());
        now.addAndGet(5_000);
        final TestRunner progress = runner(new GetBulkImportProgress());
        progress.setProperty(ProgressRouting.OUTPUT_CONTENT, ProgressRouting.JOB_DESCRIPTION.getValue());

        final MockFlowFile failed = pass(progress, started, ProgressRouting.REL_FAILURE);

        failed.assertAttributeEquals(BulkImportAttributes.FAILED_COUNT, "1");
        final String named = failed.getAttribute(BulkImportAttributes.FAILED_FILES);
        assertTrue(named.startsWith("[bad-schema.parquet]: failed to parse file bad-schema.parquet: the field 'vector' is missing"), named);
        assertFalse(named.contains("good.parquet"));
        final String description = failed.getContent();
        assertTrue(description.contains("\"name\":\"[good.parquet]\",\"state\":\"Completed\""), description);
        assertTrue(description.contains("\"name\":\"[bad-schema.parquet]\",\"state\":\"Failed\""), description);
    }

    @Test
    void aRunningJobCanBeAbortedButACompletedOneCannot() {
        final MockFlowFile running = started("s3://bucket/a.parquet", Map.of());
        final MockFlowFile done = started("s3://bucket/b.parquet", Map.of());
        final TestRunner abort = runner(new AbortBulkImport());
        abort.setProperty(AbstractJobActionProcessor.JOB_ID, running.getAttribute(BulkImportAttributes.JOB_ID));
        pass(abort, running, AbstractJobActionProcessor.REL_SUCCESS);

        now.addAndGet(10_000);
        abort.setProperty(AbstractJobActionProcessor.JOB_ID, done.getAttribute(BulkImportAttributes.JOB_ID));
        final MockFlowFile refused = pass(abort, done, AbstractJobActionProcessor.REL_FAILURE);
        assertTrue(refused.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("its rows are visible already"));
        assertEquals(List.of(true, false), emulator.jobs().stream().map(Job::aborted).toList());
    }
}
