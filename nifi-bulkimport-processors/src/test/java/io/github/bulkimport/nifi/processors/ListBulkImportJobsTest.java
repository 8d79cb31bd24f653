package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import mockwebserver3.MockResponse;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.github.bulkimport.nifi.testing.Json.assertJsonEquals;
import static io.github.bulkimport.nifi.testing.MockApi.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListBulkImportJobsTest {

    private MockApi api;
    private TestRunner runner;

    @BeforeEach
    void setUp() {
        api = new MockApi();
        runner = Runners.zilliz(new ListBulkImportJobs(), api.url());
        runInCluster(runner);
    }

    private static void runInCluster(final TestRunner runner) {
        runner.setIsConfiguredForClustering(true);
        runner.setClustered(true);
        runner.setPrimaryNode(true);
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static String job(final String id, final String state) {
        final String reason = "Failed".equals(state) ? ",\"reason\":\"bad schema\"" : "";
        return """
                {"jobId":"%s","collectionName":"documents","state":"%s","progress":%d%s}""".formatted(id, state, "Completed".equals(state) ? 100 : 10, reason);
    }

    private void page(final int count, final int current, final int size, final String... jobs) {
        api.json("""
                {"code":0,"data":{"count":%d,"currentPage":%d,"pageSize":%d,"records":[%s]}}""".formatted(count, current, size, String.join(",", jobs)));
    }

    /** The remembered job states, without the time of the last listing. */
    private Map<String, String> jobStates() {
        final Map<String, String> state;
        try {
            state = new HashMap<>(runner.getStateManager().getState(Scope.CLUSTER).toMap());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        assertNotNull(state.remove(ListBulkImportJobs.LISTED_AT_KEY), "every listing records when it ran");
        return state;
    }

    private Map<String, MockFlowFile> emittedById() {
        return runner.getFlowFilesForRelationship(ListBulkImportJobs.REL_SUCCESS).stream()
                .collect(Collectors.toMap(f -> f.getAttribute(BulkImportAttributes.JOB_ID), f -> f));
    }

    @Test
    void allJobsModeEmitsEveryJobAcrossPages() {
        runner.setProperty(ListBulkImportJobs.OUTPUT_MODE, ListBulkImportJobs.ALL_JOBS);
        runner.setProperty(ListBulkImportJobs.PAGE_SIZE, "2");
        runner.setProperty(ListBulkImportJobs.COLLECTION_NAME, "documents");
        page(3, 1, 2, job("a", "Completed"), job("b", "Importing"));
        page(3, 2, 2, job("c", "Failed"));

        runner.run();

        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 3);
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","pageSize":2,"currentPage":1}""".formatted(Runners.CLUSTER_ID), body(api.take()));
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","pageSize":2,"currentPage":2}""".formatted(Runners.CLUSTER_ID), body(api.take()));
        final MockFlowFile failed = emittedById().get("c");
        failed.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
        failed.assertAttributeEquals(BulkImportAttributes.COLLECTION, "documents");
        failed.assertAttributeEquals(BulkImportAttributes.REASON, "bad schema");
        failed.assertAttributeEquals(BulkImportAttributes.PROGRESS, "10");
        failed.assertAttributeEquals("mime.type", "application/json");
        failed.assertAttributeNotExists(BulkImportAttributes.PREVIOUS_STATE);
        assertNotNull(failed.getAttribute(BulkImportAttributes.CHECKED_AT));
        assertJsonEquals("""
                {"jobId":"c","collectionName":"documents","state":"Failed","progress":10,"reason":"bad schema"}""",
                failed.getContent());
        assertEquals(3, runner.getProvenanceEvents().size());
        assertEquals(ProvenanceEventType.RECEIVE, runner.getProvenanceEvents().getFirst().getEventType());
        assertEquals(api.url() + ImportApiClient.LIST_PATH, runner.getProvenanceEvents().getFirst().getTransitUri());

        // All Jobs mode keeps no state and repeats itself
        runner.clearTransferState();
        page(1, 1, 2, job("a", "Completed"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 1);
        runner.getStateManager().assertStateNotSet(Scope.CLUSTER);
    }

    @Test
    void changesOnlyEmitsNewAndChangedJobsAndForgetsVanishedOnes() {
        page(3, 1, 100, job("a", "Importing"), job("b", "Pending"), job("c", "Completed"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 3);
        assertEquals(Map.of("job.a", "Importing", "job.b", "Pending", "job.c", "Completed"), jobStates());

        runner.clearTransferState();
        page(3, 1, 100, job("a", "Importing"), job("b", "Pending"), job("c", "Completed"));
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertTrue(runner.isYieldCalled(), "nothing new: yield");

        runner.clearTransferState();
        page(3, 1, 100, job("a", "Failed"), job("b", "Pending"), job("d", "Pending"));
        runner.run();
        final Map<String, MockFlowFile> emitted = emittedById();
        assertEquals(Map.of("a", "Failed", "d", "Pending"), emitted.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getAttribute(BulkImportAttributes.STATE))));
        emitted.get("a").assertAttributeEquals(BulkImportAttributes.PREVIOUS_STATE, "Importing");
        emitted.get("d").assertAttributeNotExists(BulkImportAttributes.PREVIOUS_STATE);
        assertEquals(Map.of("job.a", "Failed", "job.b", "Pending", "job.d", "Pending"), jobStates());
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        page(1, 1, 100, job("a", "Importing"));
        runner.run();
        final Map<String, String> saved = runner.getStateManager().getState(Scope.CLUSTER).toMap();

        final TestRunner restarted = Runners.zilliz(new ListBulkImportJobs(), api.url());
        runInCluster(restarted);
        restarted.getStateManager().setState(saved, Scope.CLUSTER);
        page(1, 1, 100, job("a", "Importing"));
        restarted.run();
        restarted.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);

        page(1, 1, 100, job("a", "Completed"));
        restarted.run();
        restarted.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 1);
        restarted.getFlowFilesForRelationship(ListBulkImportJobs.REL_SUCCESS).getFirst()
                .assertAttributeEquals(BulkImportAttributes.PREVIOUS_STATE, "Importing");
    }

    @Test
    void aFailedPageEmitsNothingAndKeepsTheState() throws Exception {
        runner.setProperty(ListBulkImportJobs.PAGE_SIZE, "1");
        runner.getStateManager().setState(Map.of("job.a", "Importing"), Scope.CLUSTER);
        page(2, 1, 1, job("a", "Completed"));
        api.json(503, "{}");

        runner.run();

        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertTrue(runner.isYieldCalled());
        runner.getStateManager().assertStateEquals(Map.of("job.a", "Importing"), Scope.CLUSTER);
        assertEquals(1, runner.getLogger().getErrorMessages().size());
    }

    @Test
    void throttlingWithRetryAfterPausesTheListing() {
        api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "60").body("").build());

        runner.run();
        runner.run(1, false, false);

        assertEquals(1, api.requestCount());
        assertTrue(runner.isYieldCalled());
    }

    @Test
    void milvusListsEverythingInOneCall() {
        runner = Runners.milvus(new ListBulkImportJobs(), api.url());
        runner.setProperty(ListBulkImportJobs.DATABASE_NAME, "tenant_a");
        api.json("""
                {"code":0,"data":{"records":[%s,%s]}}""".formatted(job("1", "Completed"), job("2", "Importing")));

        runner.run();

        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 2);
        final var request = api.take();
        assertEquals("tenant_a", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"dbName":"tenant_a"}""", body(request));
        assertEquals(1, api.requestCount());
    }

    @Test
    void verifyListsTheJobsAndCountsFailures() {
        page(2, 1, 100, job("a", "Completed"), job("b", "Failed"));

        final var results = ((ListBulkImportJobs) runner.getProcessor()).verify(runner.getProcessContext(), runner.getLogger(), Map.of());

        assertEquals(org.apache.nifi.components.ConfigVerificationResult.Outcome.SUCCESSFUL, results.getFirst().getOutcome());
        assertTrue(results.getFirst().getExplanation().contains("Listed 2 jobs, 1 of them Failed"), results.getFirst().getExplanation());
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
    }

    @Test
    void runsOnThePrimaryNodeOnly() {
        assertNotNull(ListBulkImportJobs.class.getAnnotation(PrimaryNodeOnly.class));
    }

    @Test
    void aJobPushedOntoTheNextPageDuringAListingIsEmittedOnce() {
        runner.setProperty(ListBulkImportJobs.OUTPUT_MODE, ListBulkImportJobs.ALL_JOBS);
        runner.setProperty(ListBulkImportJobs.PAGE_SIZE, "2");
        // a new job arrived between the two pages: b moved from the first page to the second
        page(3, 1, 2, job("a", "Completed"), job("b", "Importing"));
        page(4, 2, 2, job("b", "Importing"), job("c", "Failed"));

        runner.run();

        final List<String> ids = runner.getFlowFilesForRelationship(ListBulkImportJobs.REL_SUCCESS).stream()
                .map(flowFile -> flowFile.getAttribute(BulkImportAttributes.JOB_ID)).toList();
        assertEquals(List.of("a", "b", "c"), ids);
    }

    @Test
    void aListingWithoutItsRecordsKeepsTheRememberedStates() {
        page(1, 1, 100, job("a", "Failed"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 1);
        runner.clearTransferState();

        api.json("""
                {"code":0,"data":{}}""");
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertTrue(runner.isYieldCalled());

        page(1, 1, 100, job("a", "Failed"));
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
    }

    @Test
    void fromNowOnTheFirstListingRecordsWithoutEmittingThenChangesOfOldAndNewJobsAreEmitted() {
        runner.setProperty(ListBulkImportJobs.INITIAL_LISTING, ListBulkImportJobs.FROM_NOW_ON);
        page(2, 1, 100, job("old-done", "Completed"), job("old-running", "Importing"));
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertEquals(Map.of("job.old-done", "Completed", "job.old-running", "Importing"), jobStates());

        page(3, 1, 100, job("old-done", "Completed"), job("old-running", "Failed"), job("new", "Pending"));
        runner.run();
        final Map<String, MockFlowFile> emitted = emittedById();
        assertEquals(List.of("new", "old-running"), emitted.keySet().stream().sorted().toList());
        emitted.get("old-running").assertAttributeEquals(BulkImportAttributes.PREVIOUS_STATE, "Importing");
    }

    @Test
    void aFirstListingThatFindsNoJobIsStillTheFirst() {
        runner.setProperty(ListBulkImportJobs.INITIAL_LISTING, ListBulkImportJobs.FROM_NOW_ON);
        page(0, 1, 100);
        runner.run();
        page(1, 1, 100, job("first-ever", "Pending"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 1);
    }

    @Test
    void theInitialListingOnlyMattersForChangesOnly() {
        runner.setProperty(ListBulkImportJobs.OUTPUT_MODE, ListBulkImportJobs.ALL_JOBS);
        runner.setProperty(ListBulkImportJobs.INITIAL_LISTING, ListBulkImportJobs.FROM_NOW_ON);
        page(1, 1, 100, job("a", "Completed"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 1);
    }

    private JsonLinesRecordWriter recordWriter() throws Exception {
        final JsonLinesRecordWriter writer = new JsonLinesRecordWriter();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(ListBulkImportJobs.RECORD_WRITER, "writer");
        return writer;
    }

    @Test
    void withARecordWriterAListingIsOneFlowFileOfRecords() throws Exception {
        recordWriter();
        page(2, 1, 100, job("a", "Completed"), job("b", "Failed"));
        runner.run();

        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 1);
        final MockFlowFile listing = runner.getFlowFilesForRelationship(ListBulkImportJobs.REL_SUCCESS).getFirst();
        listing.assertAttributeEquals("record.count", "2");
        listing.assertAttributeEquals("mime.type", "application/x-ndjson");
        final String listedAt = listing.getAttribute(BulkImportAttributes.CHECKED_AT);
        final List<String> lines = listing.getContent().lines().toList();
        assertJsonEquals("""
                {"jobId":"a","collectionName":"documents","state":"Completed","progress":100,"listedAt":"%s"}""".formatted(listedAt), lines.get(0));
        assertJsonEquals("""
                {"jobId":"b","collectionName":"documents","state":"Failed","progress":10,"reason":"bad schema","listedAt":"%s"}""".formatted(listedAt), lines.get(1));
        assertEquals(ProvenanceEventType.RECEIVE, runner.getProvenanceEvents().getFirst().getEventType());

        runner.clearTransferState();
        page(2, 1, 100, job("a", "Completed"), job("b", "Failed"));
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertTrue(runner.isYieldCalled(), "no change, no empty listing flowfile");

        page(2, 1, 100, job("a", "Completed"), job("c", "Pending"));
        runner.run();
        final MockFlowFile change = runner.getFlowFilesForRelationship(ListBulkImportJobs.REL_SUCCESS).getFirst();
        assertJsonEquals("""
                {"jobId":"c","collectionName":"documents","state":"Pending","progress":10,"listedAt":"%s"}""".formatted(
                change.getAttribute(BulkImportAttributes.CHECKED_AT)), change.getContent().strip());
    }

    @Test
    void aRecordWriterThatFailsEmitsNothingAndKeepsTheState() throws Exception {
        recordWriter().failAfterTheFirstRecord();
        runner.getStateManager().setState(Map.of("job.a", "Importing"), Scope.CLUSTER);
        page(2, 1, 100, job("a", "Completed"), job("b", "Failed"));

        runner.run();

        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        runner.getStateManager().assertStateEquals(Map.of("job.a", "Importing"), Scope.CLUSTER);
        assertTrue(runner.isYieldCalled());
        assertTrue(runner.getLogger().getErrorMessages().getFirst().getMsg().contains("the stream broke"));
    }

    @Test
    void theRememberedStatesAreBoundedKeepingUnfinishedJobsFirst() {
        runner.setProperty(ListBulkImportJobs.MAXIMUM_REMEMBERED_JOBS, "100");
        final List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 147; i++) {
            jobs.add(job("done-" + i, "Completed"));
        }
        jobs.add(job("running-1", "Importing"));
        jobs.add(job("running-2", "Pending"));
        jobs.add(job("running-3", "Importing"));
        listing(jobs);
        runner.run();

        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 150);
        final Map<String, String> remembered = jobStates();
        assertEquals(100, remembered.size());
        assertTrue(remembered.keySet().containsAll(List.of("job.running-1", "job.running-2", "job.running-3")), "unfinished jobs are kept");
        assertTrue(runner.getLogger().getWarnMessages().getFirst().getMsg().contains("Maximum Remembered Jobs"));

        runner.clearTransferState();
        listing(jobs);
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 50);
        assertTrue(emittedById().keySet().stream().allMatch(id -> id.startsWith("done-")), "only finished jobs that did not fit come again");
    }

    /** The jobs in pages of 100. */
    private void listing(final List<String> jobs) {
        for (int from = 0; from < jobs.size(); from += 100) {
            page(jobs.size(), from / 100 + 1, 100, jobs.subList(from, Math.min(jobs.size(), from + 100)).toArray(String[]::new));
        }
    }

    @Test
    void theStateStaysUnderZooKeepersLimitWhateverTheJobIds() {
        runner.setProperty(ListBulkImportJobs.MAXIMUM_REMEMBERED_JOBS, String.valueOf(RememberedStates.MAX_BOUND + 1));
        runner.assertNotValid();
        // the longest job IDs the client accepts, all unfinished: far more than 1 MB if all were kept
        final RememberedStates states = new RememberedStates(RememberedStates.MAX_BOUND);
        for (int i = 0; i < RememberedStates.MAX_BOUND; i++) {
            states.put(ListBulkImportJobs.STATE_KEY_PREFIX + String.format("%0128d", i), JobState.UNCOMMITTED, "Uncommitted");
        }
        final Map<String, String> state = states.toState("2026-11-29T00:00:00Z");
        // ZooKeeperStateProvider's encoding: per entry a UTF key and value with their lengths, and a presence flag
        final long bytes = state.entrySet().stream().mapToLong(e -> 2 + e.getKey().length() + 1 + 2 + e.getValue().length()).sum();
        assertTrue(bytes <= RememberedStates.MAX_BYTES && bytes > RememberedStates.MAX_BYTES - 200, bytes + " bytes");
        assertEquals(RememberedStates.MAX_BOUND - (state.size() - 1), states.dropped());
    }

    @Test
    void everyPageIsCountedAsAnApiCall() {
        runner.setProperty(ListBulkImportJobs.PAGE_SIZE, "1");
        page(2, 1, 1, job("a", "Completed"));
        page(2, 2, 1, job("b", "Completed"));
        runner.run();
        assertEquals(2, runner.getCounterValue("Bulk-import API calls"));
    }
}
