package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.JobInput;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input that makes an expression or a date computation throw: the flowfile goes to failure with a
 * message naming what to fix, instead of being rolled back and retried for ever.
 */
class NothingStuckTest {

    private static final String NOT_A_DATE = "${not.a.date:toDate('yyyy-MM-dd')}";

    private final MockApi api = new MockApi();
    private TestRunner runner;

    @AfterEach
    void tearDown() {
        api.close();
    }

    private MockFlowFile failedOnce(final Map<String, String> attributes) {
        runner.enqueue(new byte[0], attributes);
        runner.run();
        runner.assertQueueEmpty();
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        assertEquals(0, api.requestCount(), "nothing was sent");
        final MockFlowFile out = runner.getFlowFilesForRelationship(ProgressRouting.REL_FAILURE).getFirst();
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "INVALID_INPUT");
        return out;
    }

    @Test
    void anExpressionFailingInJobIdRoutesToFailure() {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        runner.setProperty(JobCheck.JOB_ID, NOT_A_DATE);
        final MockFlowFile out = failedOnce(Map.of("not.a.date", "yesterday"));
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).startsWith("Job ID's expression could not be evaluated"),
                out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
    }

    @Test
    void anExpressionFailingInDatabaseNameRoutesToFailure() {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        runner.setProperty(JobInput.DATABASE_NAME, NOT_A_DATE);
        final MockFlowFile out = failedOnce(Map.of(BulkImportAttributes.JOB_ID, "455", "not.a.date", "yesterday"));
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Database Name"), out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
    }

    @Test
    void aSubmitTimeNoDeadlineCanBeCountedFromRoutesToFailure() {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        final MockFlowFile out = failedOnce(Map.of(BulkImportAttributes.JOB_ID, "455", BulkImportAttributes.SUBMITTED_AT, "+1000000000-12-31T23:59:59Z"));
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains(BulkImportAttributes.SUBMITTED_AT));
    }

    @Test
    void verifyReportsAnExpressionThatFailsAsAFailedStep() {
        runner = Runners.milvus(new TriggerBulkImport(), api.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        runner.setProperty("timeout", NOT_A_DATE);

        final List<ConfigVerificationResult> results = ((TriggerBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), Map.of("s3.bucket", "b", "s3.key", "k.parquet", "not.a.date", "yesterday"));

        assertEquals(Outcome.FAILED, results.getFirst().getOutcome());
        assertTrue(results.getFirst().getExplanation().contains("could not be evaluated"), results.getFirst().getExplanation());
    }
}
