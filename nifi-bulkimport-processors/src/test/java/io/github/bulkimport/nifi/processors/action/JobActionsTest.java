package io.github.bulkimport.nifi.processors.action;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.Routing;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.testing.Json;
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

import java.util.ArrayList;
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
    void commitAsksTheStateThenSendsTheJobAndTheClusterAsPymilvusDoes() {
        commit();
        describes("job-1", "Uncommitted");
        ok();

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1", BulkImportAttributes.ERROR_CODE, "HTTP_503"),
                AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "committed");
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE);
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.COMMIT_PATH, request.getTarget());
        assertJsonEquals("""
                {"clusterId":"%s","jobId":"job-1"}""".formatted(Runners.CLUSTER_ID), body(request));
        final ProvenanceEventRecord event = runner.getProvenanceEvents().getFirst();
        assertEquals(ProvenanceEventType.REMOTE_INVOCATION, event.getEventType());
        assertTrue(event.getTransitUri().endsWith(ImportApiClient.COMMIT_PATH), event.getTransitUri());
        assertEquals(2, runner.getCounterValue(Counters.HTTP_CALLS));
    }

    @Test
    void abortOnMilvusSendsTheDatabaseInTheBodyAndTheHeaderAndMarksTheFlowFilesJobFailed() {
        abort();
        describes("4552", "Uncommitted");
        ok();

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552", BulkImportAttributes.DATABASE, "tenant_a",
                BulkImportAttributes.STATE, "Uncommitted"), AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "aborted");
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.ABORT_PATH, request.getTarget());
        assertEquals("tenant_a", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"jobId":"4552","dbName":"tenant_a"}""", body(request));
    }

    @Test
    void aReplayedCommitFindsTheJobCommittedWithoutCallingAgain() {
        commit();
        describes("job-1", "Committing");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "already committed");
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
        assertEquals(1, api.requestCount(), "a job committed already is not committed again");
    }

    @Test
    void aReplayedAbortAndAJobThatFailedByItselfAreToldApartByTheirReason() {
        abort();
        api.json("""
                {"code":0,"data":{"jobId":"4552","state":"Failed","progress":0,"reason":"import job aborted by user"}}""");
        // Milvus answers an abort of a Failed job with success (and a strict server refuses it): either way, the state decides
        ok();
        final MockFlowFile replayed = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552"), AbstractJobActionProcessor.REL_SUCCESS);
        replayed.assertAttributeEquals(BulkImportAttributes.ACTION, "already aborted");

        runner.clearTransferState();
        api.json("""
                {"code":0,"data":{"jobId":"4553","state":"Failed","progress":40,"reason":"the field 'vector' is missing in the file"}}""");
        refused("job 4553 is Failed, only an unfinished job can be aborted");
        final MockFlowFile failedByItself = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4553"), AbstractJobActionProcessor.REL_SUCCESS);
        failedByItself.assertAttributeEquals(BulkImportAttributes.ACTION, "already failed");
        failedByItself.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
        assertEquals(4, api.requestCount(), "a Failed job is aborted all the same: on a replicating Milvus that releases its copy on the peer");
    }

    @Test
    void aFailedJobIsNeverCommittedNorAskedTo() {
        commit();
        describes("job-1", "Failed");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_FAILURE);

        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "JOB_STATE");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job job-1 is Failed: a Failed job can never be committed"),
                out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        out.assertAttributeNotExists(BulkImportAttributes.ACTION);
        assertEquals(1, api.requestCount());
    }

    @Test
    void aCompletedOrCommittingJobCannotBeAborted() {
        abort();
        describes("4552", "Completed");
        final MockFlowFile completed = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552"), AbstractJobActionProcessor.REL_FAILURE);
        assertTrue(completed.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("its rows are visible already"));
        completed.assertAttributeNotExists(BulkImportAttributes.STATE);

        runner.clearTransferState();
        describes("4552", "Committing");
        final MockFlowFile committing = runOn("", Map.of(BulkImportAttributes.JOB_ID, "4552"), AbstractJobActionProcessor.REL_FAILURE);
        assertTrue(committing.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("being committed"));
        assertEquals(2, api.requestCount(), "no abort is sent for either");
    }

    @Test
    void aJobThatMovedBetweenTheQuestionAndTheCallIsReportedWhereItIsNow() {
        commit();
        describes("job-1", "Uncommitted");
        refused("job job-1 is Committing, only an Uncommitted job can be committed");
        describes("job-1", "Committing");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "already committed");
    }

    @Test
    void aRefusalForAJobNotReadyYetNamesItsState() {
        commit();
        describes("job-1", "Importing");
        refused("job job-1 is Importing, only an Uncommitted job can be committed");
        describes("job-1", "Importing");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_FAILURE);

        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "2100");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("The server refused to commit job job-1, which is Importing"),
                out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
    }

    @Test
    void anUnreadableAnswerIsReportedAsItselfNotAsARefusal() {
        commit();
        describes("job-1", "Uncommitted");
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

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-9"), AbstractJobActionProcessor.REL_FAILURE);

        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job job-9 could not be committed"));
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "2100");
    }

    @Test
    void transientErrorsGoToRetry() {
        commit();
        describes("job-1", "Uncommitted");
        api.json(503, """
                {"code":503,"message":"unavailable"}""");

        final MockFlowFile out = runOn("", Map.of(BulkImportAttributes.JOB_ID, "job-1"), AbstractJobActionProcessor.REL_RETRY);

        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "503");
        assertEquals(2, api.requestCount(), "a transient error is not mistaken for a refusal");
    }

    @Test
    void aDatasetNamedInTheContentIsCommittedJobByJobEachOnce() {
        commit();
        runner.setProperty(AbstractJobActionProcessor.JOB_ID_SOURCE, AbstractJobActionProcessor.FROM_CONTENT.getValue());
        describes("job-1", "Uncommitted");
        ok();
        describes("job-2", "Completed");
        describes("job-3", "Uncommitted");
        ok();

        final MockFlowFile out = runOn("job-1 Uncommitted\r\njob-2 Uncommitted\n\n  job-3\tUncommitted\njob-1 Uncommitted\n".repeat(3), Map.of(),
                AbstractJobActionProcessor.REL_SUCCESS);

        out.assertAttributeEquals(BulkImportAttributes.ACTION, "committed, already committed, committed");
        final List<String> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final RecordedRequest request = api.take();
            calls.add(request.getTarget().substring(request.getTarget().lastIndexOf('/') + 1) + " " + Json.parse(body(request)).get("jobId").asText());
        }
        assertEquals(List.of("describe job-1", "commit job-1", "describe job-2", "describe job-3", "commit job-3"), calls);
        assertEquals(5, api.requestCount(), "a job named on several lines is acted on once");
        assertEquals(3, runner.getProvenanceEvents().size(), "one event per job");
    }

    @Test
    void aDatasetHalfDoneIsFinishedOnReplay() {
        commit();
        runner.setProperty(AbstractJobActionProcessor.JOB_ID, "job-1, job-2");
        describes("job-1", "Uncommitted");
        ok();
        api.json(503, """
                {"code":503,"message":"unavailable"}""");

        final MockFlowFile retried = runOn("", Map.of(), AbstractJobActionProcessor.REL_RETRY);
        assertTrue(retried.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job job-2 could not be committed (1 of 2 jobs done before it)"),
                retried.getAttribute(BulkImportAttributes.ERROR_MESSAGE));

        runner.clearTransferState();
        describes("job-1", "Committing");
        describes("job-2", "Uncommitted");
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

        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, Routing.INVALID_INPUT);
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
