package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.github.bulkimport.nifi.testing.Json.assertJsonEquals;
import static io.github.bulkimport.nifi.testing.MockApi.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CommitBulkImport and AbortBulkImport: what they send, and how a replay, a refusal or a dataset of jobs is routed. */
class JobActionsTest {

    private final MockApi api = new MockApi();
    private TestRunner runner;

    @AfterEach
    void tearDown() {
        api.close();
    }

    private TestRunner commit() {
        runner = Runners.zilliz(new CommitBulkImport(), api.url());
        return runner;
    }

    private TestRunner abort() {
        runner = Runners.milvus(new AbortBulkImport(), api.url());
        return runner;
    }

    private void ok() {
        api.json("""
                {"code":0,"data":{}}""");
    }

    private void refused(final String message) {
        api.envelopeError(2100, message + ": importing data failed");
    }

    private void describes(final String jobId, final String state) {
        api.json("""
                {"code":0,"data":{"jobId":"%s","state":"%s","progress":100}}""".formatted(jobId, state));
    }

    private MockFlowFile runOn(final String content, final Map<String, String> attributes, final Relationship expected) {
        runner.enqueue(content, attributes);
        runner.run();
        runner.assertAllFlowFilesTransferred(expected, 1);
        final MockFlowFile out = runner.getFlowFilesForRelationship(expected).getFirst();
        out.assertContentEquals(content);
        return out;
    }

    @Test
    void commitSendsTheJobAndTheClusterAsPymilvusDoes() {
        commit();
        ok();

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1", BulkImportAttributes.ERROR_CODE, "HTTP_503"),
                AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "committed");
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE);
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.COMMIT_PATH, request.getTarget());
        assertJsonEquals("""
                {"clusterId":"%s","jobId":"job-1"}""".formatted(Runners.CLUSTER_ID), body(request));
        final ProvenanceEventRecord event = runner.getProvenanceEvents().getFirst();
        assertEquals(ProvenanceEventType.REMOTE_INVOCATION, event.getEventType());
        assertTrue(event.getTransitUri().endsWith(ImportApiClient.COMMIT_PATH), event.getTransitUri());
    }

    @Test
    void abortOnMilvusSendsTheDatabaseInTheBodyAndTheHeader() {
        abort();
        ok();

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552", BulkImportAttributes.DATABASE, "tenant_a"),
                AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "aborted");
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.ABORT_PATH, request.getTarget());
        assertEquals("tenant_a", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"jobId":"4552","dbName":"tenant_a"}""", body(request));
    }

    @Test
    void aReplayedCommitFindsTheJobCommittedAndSucceeds() {
        commit();
        refused("job job-1 is Committing, only an Uncommitted job can be committed");
        describes("job-1", "Committing");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "already committed");
        assertEquals(ImportApiClient.COMMIT_PATH, api.take().getTarget());
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
    }

    @Test
    void aReplayedAbortFindsTheJobFailedAndSucceeds() {
        abort();
        refused("job 4552 is Failed, only an unfinished job can be aborted");
        describes("4552", "Failed");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552"), AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "already aborted");
    }

    @Test
    void aFailedJobCanNeverBeCommitted() {
        commit();
        refused("job job-1 is Failed, only an Uncommitted job can be committed");
        describes("job-1", "Failed");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_FAILURE);

        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "2100");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("which is Failed and can never be committed"),
                out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        out.assertAttributeNotExists(BulkImportAttributes.ACTION);
    }

    @Test
    void aCompletedJobCannotBeAborted() {
        abort();
        refused("job 4552 is Completed, only an unfinished job can be aborted");
        describes("4552", "Completed");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552"), AbstractJobActionProcessor.REL_FAILURE);

        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("its rows are visible already"));
    }

    @Test
    void anUnreadableAnswerIsReportedAsItselfNotAsARefusal() {
        commit();
        api.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html").body("<html>proxy</html>").build());
        describes("job-1", "Uncommitted");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_FAILURE);

        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "NOT_JSON");
        assertTrue(!out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("refused"), out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
    }

    @Test
    void anUnknownJobGoesToFailure() {
        commit();
        refused("import job does not exist, jobID=job-9");
        refused("import job does not exist, jobID=job-9");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-9"), AbstractJobActionProcessor.REL_FAILURE);

        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job job-9 could not be committed"));
    }

    @Test
    void transientErrorsGoToRetry() {
        commit();
        api.json(503, """
                {"code":503,"message":"unavailable"}""");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_RETRY);

        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "503");
        assertEquals(1, api.requestCount(), "a transient error is not mistaken for a refusal");
    }

    @Test
    void aDatasetNamedInTheContentIsCommittedJobByJob() {
        commit();
        runner.setProperty(AbstractJobActionProcessor.JOB_ID_SOURCE, AbstractJobActionProcessor.FROM_CONTENT.getValue());
        ok();
        refused("job job-2 is Completed, only an Uncommitted job can be committed");
        describes("job-2", "Completed");
        ok();

        final MockFlowFile out = runOn("job-1 Uncommitted\r\njob-2 Uncommitted\n\n  job-3\tUncommitted\n", Map.of(), AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "committed, already committed, committed");
        final List<String> committed = List.of(body(api.take()), body(api.take()), body(api.take()), body(api.take()));
        assertTrue(committed.get(0).contains("\"job-1\"") && committed.get(1).contains("\"job-2\"") && committed.get(3).contains("\"job-3\""),
                committed.toString());
        assertEquals(3, runner.getProvenanceEvents().size(), "one event per job");
    }

    @Test
    void aDatasetHalfDoneIsFinishedOnReplay() {
        commit();
        runner.setProperty(AbstractJobActionProcessor.JOB_ID, "job-1, job-2");
        ok();
        api.json(503, """
                {"code":503,"message":"unavailable"}""");

        final MockFlowFile retried = runOn("", Map.of(), AbstractJobActionProcessor.REL_RETRY);
        assertTrue(retried.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job job-2 could not be committed (1 of 2 jobs done before it)"),
                retried.getAttribute(BulkImportAttributes.ERROR_MESSAGE));

        runner.clearTransferState();
        refused("job job-1 is Committing, only an Uncommitted job can be committed");
        describes("job-1", "Committing");
        ok();
        runner.enqueue(retried);
        runner.run();
        runner.assertAllFlowFilesTransferred(AbstractJobActionProcessor.REL_SUCCESS, 1);
        final MockFlowFile out = runner.getFlowFilesForRelationship(AbstractJobActionProcessor.REL_SUCCESS).getFirst();
        out.assertAttributeEquals(BulkImportAttributes.ACTION, "already committed, committed");
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_MESSAGE);
    }

    @Test
    void contentNamingNoJobIsRejectedWithoutACall() {
        abort();
        runner.setProperty(AbstractJobActionProcessor.JOB_ID_SOURCE, AbstractJobActionProcessor.FROM_CONTENT.getValue());

        final MockFlowFile out = runOn(" \n\n", Map.of(), AbstractJobActionProcessor.REL_FAILURE);

        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, ErrorAttributes.INVALID_INPUT);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job ID Source is Content"));
        assertEquals(0, api.requestCount());
    }

    @Test
    void aMissingJobIdAttributeIsRejectedWithoutACall() {
        abort();

        final MockFlowFile out = runOn("", Map.of(), AbstractJobActionProcessor.REL_FAILURE);

        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("has no " + BulkImportAttributes.JOB_ID + " attribute"));
        assertEquals(0, api.requestCount());
    }

    @Test
    void verifyDescribesEachJobNamed() {
        commit();
        describes("job-1", "Uncommitted");
        describes("job-2", "Importing");

        final List<ConfigVerificationResult> results = ((CommitBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), Map.of(BulkImportAttributes.JOB_ID, "job-1,job-2"));

        final List<String> explanations = results.stream().filter(r -> r.getOutcome() == Outcome.SUCCESSFUL).map(ConfigVerificationResult::getExplanation).toList();
        assertTrue(explanations.contains("Job job-1 is Uncommitted") && explanations.contains("Job job-2 is Importing"), results.toString());
        assertTrue(api.take().getTarget().endsWith("describe"), "verify never commits");
    }
}
