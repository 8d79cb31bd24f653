package io.github.bulkimport.nifi.processors.listing;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import mockwebserver3.MockResponse;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.MockPropertyConfiguration;
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

    /** What the listing remembers of each job: its state when unfinished, "finished" when finished, nothing when forgotten. */
    private Map<String, String> remembered(final String... jobIds) {
        final Map<String, String> state;
        try {
            state = new HashMap<>(runner.getStateManager().getState(Scope.CLUSTER).toMap());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        assertNotNull(state.get(ListingMemory.LISTED_AT_KEY), "every listing records when it ran");
        final String digests = state.entrySet().stream().filter(e -> e.getKey().startsWith(ListingMemory.FINISHED_PREFIX)
                || e.getKey().startsWith(ListingMemory.OLDER_PREFIX)).filter(e -> !e.getKey().equals(ListingMemory.GENERATION_KEY))
                .map(Map.Entry::getValue).collect(Collectors.joining());
        final Map<String, String> jobs = new HashMap<>();
        for (final String jobId : jobIds) {
            final String unfinished = state.get(ListingMemory.JOB_PREFIX + jobId);
            if (unfinished != null) {
                jobs.put(jobId, unfinished.replaceAll("\t\\d+$", " (missing)"));
            } else if (contains(digests, ListingMemory.digest(jobId))) {
                jobs.put(jobId, "finished");
            }
        }
        return jobs;
    }

    private static boolean contains(final String packed, final String digest) {
        for (int i = 0; i + digest.length() <= packed.length(); i += digest.length()) {
            if (packed.startsWith(digest, i)) {
                return true;
            }
        }
        return false;
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
    void changesOnlyEmitsNewAndChangedJobsOnceEvenAcrossAListingThatMissesThem() {
        page(3, 1, 100, job("a", "Importing"), job("b", "Pending"), job("c", "Completed"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ListBulkImportJobs.REL_SUCCESS, 3);
        assertEquals(Map.of("a", "Importing", "b", "Pending", "c", "finished"), remembered("a", "b", "c"));

        runner.clearTransferState();
        page(3, 1, 100, job("a", "Importing"), job("b", "Pending"), job("c", "Completed"));
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertTrue(runner.isYieldCalled(), "nothing new: yield");

        // b and c are not shown this time (the pages shifted while they were read, or c was cleaned up)
        runner.clearTransferState();
        page(3, 1, 100, job("a", "Failed"), job("d", "Pending"));
        runner.run();
        final Map<String, MockFlowFile> emitted = emittedById();
        assertEquals(Map.of("a", "Failed", "d", "Pending"), emitted.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getAttribute(BulkImportAttributes.STATE))));
        emitted.get("a").assertAttributeEquals(BulkImportAttributes.PREVIOUS_STATE, "Importing");
        emitted.get("d").assertAttributeNotExists(BulkImportAttributes.PREVIOUS_STATE);
        assertEquals(Map.of("a", "finished", "b", "Pending (missing)", "c", "finished", "d", "Pending"), remembered("a", "b", "c", "d"));

        // shown again, as they were: no job is news twice
        runner.clearTransferState();
        page(4, 1, 100, job("a", "Failed"), job("b", "Pending"), job("c", "Completed"), job("d", "Pending"));
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        assertEquals(Map.of("a", "finished", "b", "Pending", "c", "finished", "d", "Pending"), remembered("a", "b", "c", "d"));
    }

    @Test
    void aJobNoListingShowsIsForgottenOnceServersForgetFinishedJobs() throws IOException {
        runner.getStateManager().setState(Map.of(ListingMemory.LISTED_AT_KEY, "2026-11-29T00:00:00Z",
                ListingMemory.JOB_PREFIX + "gone", "Importing\t" + (System.currentTimeMillis() - ListingMemory.MISSING_GRACE_MILLIS - 1),
                ListingMemory.JOB_PREFIX + "hidden", "Importing\t" + (System.currentTimeMillis() - 60_000)), Scope.CLUSTER);
        page(0, 1, 100);
        runner.run();
        assertEquals(Map.of("hidden", "Importing (missing)"), remembered("gone", "hidden"));
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
    void aRecordWriterThatThrowsEmitsNothingAndKeepsTheState() throws Exception {
        recordWriter().throwAfterTheFirstRecord();
        runner.getStateManager().setState(Map.of("job.a", "Importing"), Scope.CLUSTER);
        page(2, 1, 100, job("a", "Completed"), job("b", "Failed"));

        runner.run();

        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        runner.getStateManager().assertStateEquals(Map.of("job.a", "Importing"), Scope.CLUSTER);
        assertTrue(runner.isYieldCalled());
        final String error = runner.getLogger().getErrorMessages().getFirst().getMsg();
        assertTrue(error.contains("IllegalStateException: a defect in the writer") && error.contains("will be repeated"), error);
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
        assertEquals(Map.of("old-done", "finished", "old-running", "Importing"), remembered("old-done", "old-running"));

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
        runner.setProperty(ListingRecords.RECORD_WRITER, "writer");
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
    void fromNowOnNeverReportsHistoryHoweverLong() {
        runner = Runners.milvus(new ListBulkImportJobs(), api.url());
        runInCluster(runner);
        runner.setProperty(ListBulkImportJobs.INITIAL_LISTING, ListBulkImportJobs.FROM_NOW_ON);
        final List<String> history = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            history.add(job(String.valueOf(455_000_000_000_000_000L + i), i % 7 == 0 ? "Failed" : "Completed"));
        }
        history.add(job("running-1", "Importing"));
        milvusListing(history);
        runner.run();
        runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);

        for (int listing = 0; listing < 2; listing++) {
            milvusListing(history);
            runner.run();
            runner.assertTransferCount(ListBulkImportJobs.REL_SUCCESS, 0);
        }
        assertTrue(runner.getLogger().getWarnMessages().isEmpty(), "everything fits: " + runner.getLogger().getWarnMessages());

        final List<String> later = new ArrayList<>(history);
        later.set(later.size() - 1, job("running-1", "Completed"));
        later.add(job("new-1", "Pending"));
        milvusListing(later);
        runner.run();
        assertEquals(Map.of("new-1", "Pending", "running-1", "Completed"), emittedById().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getAttribute(BulkImportAttributes.STATE))));
    }

    private void milvusListing(final List<String> jobs) {
        api.json("""
                {"code":0,"data":{"records":[%s]}}""".formatted(String.join(",", jobs)));
    }

    @Test
    void theStateStaysUnderZooKeepersLimitWhateverTheJobIds() {
        final long now = System.currentTimeMillis();
        final ListingMemory memory = ListingMemory.of(Map.of(), now);
        // the longest job IDs the client accepts, all unfinished: far more than 1 MB if all were kept
        for (int i = 0; i < 20_000; i++) {
            memory.see(String.format("%0128d", i), "Uncommitted");
        }
        for (int i = 0; i < 100_000; i++) {
            memory.see("done-" + i, "Completed");
        }
        final Map<String, String> state = memory.toState("2026-11-29T00:00:00Z", now);
        assertTrue(bytes(state) <= ListingMemory.MAX_BYTES && bytes(state) > ListingMemory.MAX_BYTES - 200, bytes(state) + " bytes");
        assertTrue(memory.dropped() > 100_000, "what does not fit is counted: " + memory.dropped());
        assertTrue(state.values().stream().allMatch(value -> value.length() < 65_535), "each value fits one UTF string");

        final ListingMemory finishedOnly = ListingMemory.of(Map.of(), now);
        for (int i = 0; i < 100_000; i++) {
            finishedOnly.see("job-" + i, i % 2 == 0 ? "Completed" : "Failed");
        }
        final Map<String, String> compact = finishedOnly.toState("2026-11-29T00:00:00Z", now);
        assertEquals(0, finishedOnly.dropped(), "100,000 finished jobs, more than a listing returns, fit");
        final ListingMemory readBack = ListingMemory.of(compact, now + 60_000);
        for (int i = 0; i < 100_000; i += 997) {
            assertEquals(false, readBack.see("job-" + i, "Completed").changed(), "job-" + i + " is remembered");
        }
    }

    private static long bytes(final Map<String, String> state) {
        // ZooKeeperStateProvider's encoding: per entry a UTF key and value with their lengths, and a presence flag
        return state.entrySet().stream().mapToLong(e -> 2 + e.getKey().length() + 1 + 2 + e.getValue().length()).sum();
    }

    @Test
    void finishedJobsNoListingShowsAreForgottenAfterTwoGenerations() {
        final long start = System.currentTimeMillis();
        final ListingMemory first = ListingMemory.of(Map.of(), start);
        first.see("old", "Completed");
        Map<String, String> state = first.toState("t1", start);
        final long dayLater = start + ListingMemory.GENERATION_MILLIS;
        final ListingMemory second = ListingMemory.of(state, dayLater);
        assertEquals(true, second.see("still-listed", "Completed").changed());
        state = second.toState("t2", dayLater);
        assertEquals(false, ListingMemory.of(state, dayLater + 1).see("old", "Completed").changed(), "kept a generation more");
        final ListingMemory third = ListingMemory.of(state, dayLater + ListingMemory.GENERATION_MILLIS);
        state = third.toState("t3", dayLater + ListingMemory.GENERATION_MILLIS);
        assertEquals(true, ListingMemory.of(state, dayLater + ListingMemory.GENERATION_MILLIS + 1).see("old", "Completed").changed(),
                "two generations after no listing showed it, it is forgotten");
        assertEquals(false, ListingMemory.of(state, dayLater + ListingMemory.GENERATION_MILLIS + 1).see("still-listed", "Completed").changed());
    }

    @Test
    void aFlowSavedWithMaximumRememberedJobsLosesTheProperty() {
        final MockPropertyConfiguration saved = new MockPropertyConfiguration(Map.of("Maximum Remembered Jobs", "10000", "Page Size", "50"));
        new ListBulkImportJobs().migrateProperties(saved);
        assertEquals(Map.of("Page Size", "50"), saved.getRawProperties());
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
