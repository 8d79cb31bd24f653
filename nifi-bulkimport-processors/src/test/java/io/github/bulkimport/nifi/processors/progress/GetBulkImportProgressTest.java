package io.github.bulkimport.nifi.processors.progress;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.ObjectSets;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.processors.trigger.TriggerRouting;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import io.github.bulkimport.nifi.testing.Secrets;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.nifi.annotation.configuration.DefaultSettings;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.migration.RelationshipConfiguration;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.bulkimport.nifi.testing.Json.assertJsonEquals;
import static io.github.bulkimport.nifi.testing.MockApi.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GetBulkImportProgressTest {

    private static final String CONTENT = "untouched content";

    private MockApi api;
    private TestRunner runner;

    @BeforeEach
    void setUp() {
        api = new MockApi();
        runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static Map<String, String> started(final String jobId, final Instant submittedAt) {
        final Map<String, String> attributes = new HashMap<>();
        attributes.put(BulkImportAttributes.JOB_ID, jobId);
        attributes.put(BulkImportAttributes.COLLECTION, "documents");
        attributes.put(BulkImportAttributes.SUBMITTED_AT, submittedAt.toString());
        return attributes;
    }

    private void describes(final String data) {
        api.json("""
                {"code":0,"data":%s}""".formatted(data));
    }

    private MockFlowFile check(final Map<String, String> attributes) {
        runner.enqueue(CONTENT, attributes);
        runner.run();
        runner.assertQueueEmpty();
        final List<MockFlowFile> out = new ArrayList<>();
        runner.getProcessor().getRelationships().forEach(r -> out.addAll(runner.getFlowFilesForRelationship(r)));
        assertEquals(1, out.size());
        out.getFirst().assertContentEquals(CONTENT);
        assertTrue(Instant.parse(out.getFirst().getAttribute(BulkImportAttributes.CHECKED_AT)).isAfter(Instant.now().minusSeconds(30)),
                "bulkimport.checked.at is written on every outcome");
        return out.getFirst();
    }

    @Test
    void completedGoesToSuccessWithEveryProgressAttribute() {
        describes("""
                {"jobId":"job-1","collectionName":"documents","state":"Completed","progress":100,"importedRows":1000,"totalRows":1000,"fileSize":2048,"completeTime":"2026-11-28T17:30:00Z","details":[]}""");

        final MockFlowFile out = check(started("job-1", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 1);
        runner.assertPenalizeCount(0);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Completed");
        out.assertAttributeEquals(BulkImportAttributes.PROGRESS, "100");
        out.assertAttributeEquals(BulkImportAttributes.IMPORTED_ROWS, "1000");
        out.assertAttributeEquals(BulkImportAttributes.TOTAL_ROWS, "1000");
        out.assertAttributeEquals(BulkImportAttributes.FILE_SIZE, "2048");
        out.assertAttributeEquals(BulkImportAttributes.COMPLETE_TIME, "2026-11-28T17:30:00Z");
        out.assertAttributeNotExists(BulkImportAttributes.REASON);
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.DESCRIBE_PATH, request.getTarget());
        assertEquals("Bearer " + Secrets.API_KEY, request.getHeaders().get("Authorization"));
        assertJsonEquals("""
                {"clusterId":"%s","jobId":"job-1"}""".formatted(Runners.CLUSTER_ID), body(request));
        assertEquals(ProvenanceEventType.REMOTE_INVOCATION, runner.getProvenanceEvents().getFirst().getEventType());
    }

    @Test
    void milvusSendsTheDatabaseFromTheAttribute() {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        describes("""
                {"jobId":"4552","state":"Completed","progress":100}""");
        final Map<String, String> attributes = started("4552", Instant.now());
        attributes.put(BulkImportAttributes.DATABASE, "tenant_a");

        check(attributes);

        final RecordedRequest request = api.take();
        assertEquals("tenant_a", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"jobId":"4552","dbName":"tenant_a"}""", body(request));
    }

    @Test
    void runningJobsArePenalizedOnTheLoopUntilTheyComplete() {
        describes("""
                {"jobId":"job-2","state":"Pending","progress":0}""");
        MockFlowFile out = check(started("job-2", Instant.now()));
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        runner.assertPenalizeCount(1);
        assertFalse(runner.isYieldCalled());
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Pending");

        describes("""
                {"jobId":"job-2","state":"ImportStarted","progress":55,"importedRows":550,"totalRows":1000}""");
        out = loopBack(out);
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Importing");
        out.assertAttributeEquals(BulkImportAttributes.PROGRESS, "55");

        describes("""
                {"jobId":"job-2","state":"ImportCompleted","progress":100,"importedRows":1000,"totalRows":1000}""");
        out = loopBack(out);
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Completed");
        out.assertContentEquals(CONTENT);
        assertEquals(3, api.requestCount());
    }

    private MockFlowFile loopBack(final MockFlowFile previous) {
        runner.clearTransferState();
        runner.enqueue(previous);
        runner.run();
        final List<MockFlowFile> out = new ArrayList<>();
        runner.getProcessor().getRelationships().forEach(r -> out.addAll(runner.getFlowFilesForRelationship(r)));
        return out.getFirst();
    }

    @Test
    void failedJobsGoToFailureWithTheReason() {
        describes("""
                {"jobId":"job-3","state":"Failed","progress":0,"reason":"field 'vector' missing from file a.parquet"}""");

        final MockFlowFile out = check(started("job-3", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
        out.assertAttributeEquals(BulkImportAttributes.REASON, "field 'vector' missing from file a.parquet");
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, ProgressRouting.JOB_FAILED);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("field 'vector' missing"));
    }

    @Test
    void oldFailedStateNamesAreMapped() {
        describes("""
                {"jobId":"job-3","state":"ImportFailedAndCleaned","reason":"disk quota exceeded"}""");

        final MockFlowFile out = check(started("job-3", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
    }

    @Test
    void vanishedJobsGoToFailure() {
        api.envelopeError(2100, "import job does not exist, jobID=job-4: importing data failed");

        final MockFlowFile out = check(started("job-4", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "JOB_NOT_FOUND");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("unknown to the server"));
    }

    @Test
    void transientErrorsGoToRetry() {
        api.json(503, """
                {"code":503,"message":"unavailable"}""");

        final MockFlowFile out = check(started("job-5", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 1);
        runner.assertPenalizeCount(1);
        assertTrue(runner.isYieldCalled(), "an unavailable server makes the processor yield");
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "503");
    }

    @Test
    void throttlingYieldsAndHonoursRetryAfter() {
        api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "60").body("").build());

        check(started("job-6", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 1);
        assertTrue(runner.isYieldCalled());
        runner.clearTransferState();
        runner.enqueue(CONTENT, started("job-6", Instant.now()));
        runner.run(1, false, false);
        assertEquals(1, runner.getQueueSize().getObjectCount(), "nothing is taken while Retry-After lasts");
        assertEquals(1, api.requestCount());
    }

    @Test
    void rateLimitEnvelopeIsThrottling() {
        api.envelopeError(1807, "rate limit exceeded");

        check(started("job-6", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 1);
        assertTrue(runner.isYieldCalled());
    }

    @Test
    void rejectedCredentialsGoToFailure() {
        api.json(401, """
                {"code":1800,"message":"user hasn't authenticated"}""");

        final MockFlowFile out = check(started("job-7", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("API Key or Token"));
    }

    @Test
    void unfinishedJobsExpireAfterTheMaximumWaitTime() {
        runner.setProperty(JobCheck.MAXIMUM_WAIT_TIME, "1 hour");
        describes("""
                {"jobId":"job-8","state":"Importing","progress":95}""");

        final MockFlowFile out = check(started("job-8", Instant.now().minus(Duration.ofHours(2))));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_EXPIRED, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Importing");
        out.assertAttributeEquals(BulkImportAttributes.PROGRESS, "95");
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, ProgressRouting.EXPIRED);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Maximum Wait Time"));
    }

    @Test
    void aJobThatFinishedLateStillSucceeds() {
        runner.setProperty(JobCheck.MAXIMUM_WAIT_TIME, "1 hour");
        describes("""
                {"jobId":"job-9","state":"Completed","progress":100}""");

        check(started("job-9", Instant.now().minus(Duration.ofHours(2))));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 1);
    }

    @Test
    void transientErrorsAfterTheDeadlineExpire() {
        runner.setProperty(JobCheck.MAXIMUM_WAIT_TIME, "1 min");
        api.json(502, "{}");

        check(started("job-10", Instant.now().minus(Duration.ofMinutes(5))));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_EXPIRED, 1);
    }

    @Test
    void withoutSubmittedAtTheWaitCountsFromTheLineageStart() {
        runner.setProperty(JobCheck.MAXIMUM_WAIT_TIME, "1 hour");
        describes("""
                {"jobId":"job-11","state":"Importing","progress":10}""");

        check(Map.of(BulkImportAttributes.JOB_ID, "job-11"));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
    }

    @Test
    void unknownStatesKeepPollingUnderTheirOwnName() {
        describes("""
                {"jobId":"job-12","state":"Reindexing","progress":99}""");

        final MockFlowFile out = check(started("job-12", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Reindexing");
        assertEquals(1, runner.getLogger().getWarnMessages().size());
    }

    @Test
    void missingJobIdIsRejectedWithoutACall() {
        final MockFlowFile out = check(Map.of("filename", "x"));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        assertEquals(0, api.requestCount());
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "INVALID_INPUT");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Job ID evaluated to an empty value"));
    }

    @Test
    void unreadableSubmittedAtIsRejectedWithoutACall() {
        final Map<String, String> attributes = started("job-13", Instant.now());
        attributes.put(BulkImportAttributes.SUBMITTED_AT, "yesterday");

        final MockFlowFile out = check(attributes);

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        assertEquals(0, api.requestCount());
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains(BulkImportAttributes.SUBMITTED_AT));
    }

    @Test
    void jobIdCanComeFromAnotherAttribute() {
        runner.setProperty(JobCheck.JOB_ID, "${my.job}");
        describes("""
                {"jobId":"other-job","state":"Completed"}""");

        check(Map.of("my.job", "other-job"));

        assertJsonEquals("""
                {"clusterId":"%s","jobId":"other-job"}""".formatted(Runners.CLUSTER_ID), body(api.take()));
    }

    @Test
    void staleProgressAttributesAreReplaced() {
        final Map<String, String> attributes = started("job-14", Instant.now());
        attributes.put(BulkImportAttributes.REASON, "an old reason");
        attributes.put(BulkImportAttributes.ERROR_CODE, "HTTP_503");
        attributes.put(BulkImportAttributes.FAILED_COUNT, "3");
        attributes.put(BulkImportAttributes.FAILED_FILES, "a.parquet: an old failure");
        describes("""
                {"jobId":"job-14","state":"Completed","progress":100}""");

        final MockFlowFile out = check(attributes);

        out.assertAttributeNotExists(BulkImportAttributes.REASON);
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE);
        out.assertAttributeNotExists(BulkImportAttributes.FAILED_COUNT);
        out.assertAttributeNotExists(BulkImportAttributes.FAILED_FILES);
    }

    @Test
    void pollingIntervalDefaultsToTenSeconds() {
        assertEquals("10 sec", GetBulkImportProgress.class.getAnnotation(DefaultSettings.class).penaltyDuration());
    }

    @Test
    void verifyDescribesTheSampleJob() {
        describes("""
                {"jobId":"job-15","state":"Importing","progress":40}""");

        final List<ConfigVerificationResult> results = ((GetBulkImportProgress) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), Map.of(BulkImportAttributes.JOB_ID, "job-15"));

        assertEquals(Outcome.SUCCESSFUL, results.getFirst().getOutcome());
        assertTrue(results.getFirst().getExplanation().contains("Importing (40%)"));
        final List<ConfigVerificationResult> skipped = ((GetBulkImportProgress) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), Map.of());
        assertEquals(Outcome.SKIPPED, skipped.getFirst().getOutcome());
    }

    @Test
    void numbersOutOfRangeAreLeftOutRatherThanWrittenWrong() {
        describes("""
                {"jobId":"job-20","state":"Importing","progress":150,"importedRows":1e20,"totalRows":18446744073709551621,"fileSize":-5}""");

        final MockFlowFile out = check(started("job-20", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Importing");
        for (final String attribute : List.of(BulkImportAttributes.PROGRESS, BulkImportAttributes.IMPORTED_ROWS, BulkImportAttributes.TOTAL_ROWS,
                BulkImportAttributes.FILE_SIZE)) {
            out.assertAttributeNotExists(attribute);
        }
    }

    @Test
    void aTwoPhaseJobIsRoutedToUncommittedAndKeepsPollingWhileCommitting() {
        describes("""
                {"jobId":"job-30","state":"Uncommitted","progress":100,"importedRows":1000,"totalRows":1000}""");
        MockFlowFile out = check(started("job-30", Instant.now()));
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_UNCOMMITTED, 1);
        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Uncommitted");

        describes("""
                {"jobId":"job-30","state":"Committing","progress":100}""");
        out = loopBack(out);
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Committing");
    }

    @Test
    void zillizInProgressIsImporting() {
        describes("""
                {"jobId":"job-31","state":"InProgress","progress":30}""");
        final MockFlowFile out = check(started("job-31", Instant.now()));
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        out.assertAttributeEquals(BulkImportAttributes.STATE, "Importing");
        assertTrue(runner.getLogger().getWarnMessages().isEmpty(), "InProgress is a known state");
    }

    @Test
    void theFilesThatFailedAreNamedWithTheirReasons() {
        describes("""
                {"jobId":"job-32","state":"Failed","progress":0,"details":[
                 {"fileName":"[s3://b/good.parquet]","state":"Completed","progress":100},
                 {"fileName":"[s3://b/bad.parquet]","state":"Failed","reason":"field 'vector' missing; token %s"},
                 {"fileName":"[s3://b/n/id.npy s3://b/n/vector.npy]","state":"ImportFailed"}]}""".formatted(Secrets.API_KEY));

        final MockFlowFile out = check(started("job-32", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.FAILED_COUNT, "2");
        final List<String> lines = out.getAttribute(BulkImportAttributes.FAILED_FILES).lines().toList();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("[s3://b/bad.parquet]: field 'vector' missing; token "), lines.get(0));
        assertFalse(lines.get(0).contains(Secrets.API_KEY), "a secret echoed in a file's reason is masked");
        assertEquals("[s3://b/n/id.npy s3://b/n/vector.npy]: no reason given", lines.get(1));
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("[s3://b/bad.parquet]: field 'vector' missing"),
                "without a job-level reason the first failed file's is the message");
    }

    // ---- a failed batch: the innocent resubmitted ------------------------------------------------

    /** A flowfile of a batched job, with the files it sent as TriggerBulkImport writes them (a set's paths joined by " + " here). */
    private static Map<String, String> sharing(final String jobId, final String objectUrls) {
        final Map<String, String> attributes = sharingAsBefore(jobId, objectUrls);
        if (!objectUrls.isEmpty()) {
            attributes.put(BulkImportAttributes.OBJECT_SETS, ObjectSets.json(objectUrls.lines()
                    .map(line -> new ImportFile(List.of(line.split(" \\+ ")))).toList()));
        }
        return attributes;
    }

    /** A flowfile of a batched job that sent one file, whatever its key holds. */
    private static Map<String, String> sharingOne(final String jobId, final String key) {
        final Map<String, String> attributes = sharingAsBefore(jobId, key);
        attributes.put(BulkImportAttributes.OBJECT_SETS, ObjectSets.json(List.of(ImportFile.of(key))));
        return attributes;
    }

    /** As a flowfile started by an earlier version carries them: no bulkimport.object.sets. */
    private static Map<String, String> sharingAsBefore(final String jobId, final String objectUrls) {
        final Map<String, String> attributes = started(jobId, Instant.now());
        attributes.put(BulkImportAttributes.OBJECT_URLS, objectUrls);
        attributes.put(BulkImportAttributes.BATCH_SIZE, "4");
        return attributes;
    }

    private static final String FAILED_BATCH = """
            {"jobId":"job-40","state":"Failed","progress":0,"details":[
             {"fileName":"[s3://b/good.parquet]","state":"Completed","progress":100},
             {"fileName":"[s3://b/bad.parquet]","state":"Failed","reason":"field 'vector' missing"},
             {"fileName":"[s3://b/n/id.npy s3://b/n/vector.npy]","state":"Completed"},
             {"fileName":"[s3://b/m/id.npy s3://b/m/vector.npy]","state":"Failed","reason":"dim 3, expected 8"}]}""";

    @Test
    void aFailedBatchSendsTheFlowFilesOfTheFailedFilesToFailureAndTheOthersToResubmit() {
        describes(FAILED_BATCH);
        runner.enqueue(CONTENT, sharing("job-40", "s3://b/good.parquet"));
        runner.enqueue(CONTENT, sharing("job-40", "s3://b/bad.parquet"));
        runner.enqueue(CONTENT, sharing("job-40", "s3://b/n/id.npy + s3://b/n/vector.npy"));
        runner.enqueue(CONTENT, sharing("job-40", "s3://b/m/id.npy + s3://b/m/vector.npy"));
        runner.run();

        assertEquals(1, api.requestCount(), "one describe for the job");
        final List<MockFlowFile> resubmitted = runner.getFlowFilesForRelationship(ProgressRouting.REL_RESUBMIT);
        assertEquals(List.of("s3://b/good.parquet", "s3://b/n/id.npy + s3://b/n/vector.npy"),
                resubmitted.stream().map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).toList());
        for (final MockFlowFile flowFile : resubmitted) {
            flowFile.assertAttributeEquals(BulkImportAttributes.RESUBMITTED, "1");
            flowFile.assertAttributeEquals(BulkImportAttributes.STATE, "Failed");
            flowFile.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, ProgressRouting.JOB_FAILED);
            assertFalse(flowFile.isPenalized(), "back into a new job at once");
        }
        assertEquals(List.of("s3://b/bad.parquet", "s3://b/m/id.npy + s3://b/m/vector.npy"), runner.getFlowFilesForRelationship(ProgressRouting.REL_FAILURE)
                .stream().map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).toList());
        assertEquals(1, runner.getCounterValue(Counters.JOBS_FAILED), "the job counts once");
    }

    /** Legal object keys that splitting a name, or cutting it, would get wrong: each matched whole, or not at all. */
    @ParameterizedTest
    @ValueSource(strings = {"my bad-schema file.parquet", "part,bad-schema,7.parquet", "a [b] c.parquet", "x + y.parquet", "\"quoted\".parquet"})
    void aFailedFileWhoseKeyHoldsSpacesCommasOrBracketsIsMatchedWhole(final String key) {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        final String bad = "vectors/" + key;
        final ObjectNode failed = JsonNodeFactory.instance.objectNode();
        failed.put("jobId", "43").put("state", "Failed");
        failed.putArray("details").add(JsonNodeFactory.instance.objectNode().put("fileName", "[vectors/ok 1.parquet]").put("state", "Completed"))
                .add(JsonNodeFactory.instance.objectNode().put("fileName", "[" + bad + "]").put("state", "Failed").put("reason", "bad"));
        describes(failed.toString());
        runner.enqueue(CONTENT, sharingOne("43", "vectors/ok 1.parquet"));
        runner.enqueue(CONTENT, sharingOne("43", bad));
        runner.run();
        runner.assertTransferCount(ProgressRouting.REL_RESUBMIT, 1);
        runner.getFlowFilesForRelationship(ProgressRouting.REL_RESUBMIT).getFirst().assertAttributeEquals(BulkImportAttributes.OBJECT_URLS,
                "vectors/ok 1.parquet");
        runner.assertTransferCount(ProgressRouting.REL_FAILURE, 1);
        runner.getFlowFilesForRelationship(ProgressRouting.REL_FAILURE).getFirst().assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, bad);
    }

    @Test
    void aFailedKeyOfATousandCharactersAndMoreIsMatchedWholeNotCutToAMessagesLength() {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        final String prefix = "vectors/" + "k".repeat(1_000);
        final ObjectNode failed = JsonNodeFactory.instance.objectNode();
        failed.put("jobId", "44").put("state", "Failed");
        // two keys alike in their first 1,000 characters: only the whole name tells the bad one
        failed.putArray("details").add(JsonNodeFactory.instance.objectNode().put("fileName", "[" + prefix + "-ok.parquet]").put("state", "Completed"))
                .add(JsonNodeFactory.instance.objectNode().put("fileName", "[" + prefix + "-bad.parquet]").put("state", "Failed").put("reason", "x"));
        describes(failed.toString());
        runner.enqueue(CONTENT, sharing("44", prefix + "-ok.parquet"));
        runner.enqueue(CONTENT, sharing("44", prefix + "-bad.parquet"));
        runner.run();
        runner.assertTransferCount(ProgressRouting.REL_RESUBMIT, 1);
        runner.getFlowFilesForRelationship(ProgressRouting.REL_RESUBMIT).getFirst().assertAttributeEquals(BulkImportAttributes.OBJECT_URLS,
                prefix + "-ok.parquet");
        runner.assertTransferCount(ProgressRouting.REL_FAILURE, 1);
    }

    @Test
    void aFlowFileOfAnEarlierVersionIsMatchedByItsLinesUnlessALineCouldBeASet() {
        describes(FAILED_BATCH);
        runner.enqueue(CONTENT, sharingAsBefore("job-40", "s3://b/good.parquet"));
        runner.enqueue(CONTENT, sharingAsBefore("job-40", "s3://b/bad.parquet"));
        runner.enqueue(CONTENT, sharingAsBefore("job-40", "s3://b/n/id.npy + s3://b/n/vector.npy"));
        runner.run();
        assertEquals(List.of("s3://b/good.parquet"), runner.getFlowFilesForRelationship(ProgressRouting.REL_RESUBMIT).stream()
                .map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).toList());
        assertEquals(List.of("s3://b/bad.parquet", "s3://b/n/id.npy + s3://b/n/vector.npy"), runner.getFlowFilesForRelationship(
                ProgressRouting.REL_FAILURE).stream().map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).toList(),
                "a line with \" + \" may be a set or one key: its innocence cannot be told, so it is not resubmitted");
    }

    @Test
    void aFailedFileNamedOnlyInPartOrNotAtAllLeavesEveryFlowFileToFailure() {
        describes("""
                {"jobId":"job-45","state":"Failed","details":[
                 {"fileName":"[s3://b/good.parquet]","state":"Completed"},
                 {"state":"Failed","reason":"a file with no name"}]}""");
        runner.enqueue(CONTENT, sharing("job-45", "s3://b/good.parquet"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
    }

    @Test
    void milvusBucketPathsAreMatchedToTheNamesInTheAnswer() {
        runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        describes("""
                {"jobId":"41","state":"Failed","details":[
                 {"fileName":"[vectors/a.parquet]","state":"Completed"},
                 {"fileName":"id:7 paths:\\"vectors/b.parquet\\"","state":"Failed","reason":"bad"}]}""");
        runner.enqueue(CONTENT, sharing("41", "vectors/a.parquet"));
        runner.enqueue(CONTENT, sharing("41", "vectors/b.parquet"));
        runner.run();
        runner.assertTransferCount(ProgressRouting.REL_RESUBMIT, 1);
        runner.getFlowFilesForRelationship(ProgressRouting.REL_FAILURE).getFirst().assertAttributeEquals(BulkImportAttributes.OBJECT_URLS,
                "vectors/b.parquet");
    }

    @Test
    void withoutTheFailedFilesNamedOrAfterThreeResubmitsEveryFlowFileGoesToFailure() {
        describes("""
                {"jobId":"job-42","state":"Failed","reason":"disk quota exceeded"}""");
        runner.enqueue(CONTENT, sharing("job-42", "s3://b/good.parquet"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);

        runner.clearTransferState();
        describes(FAILED_BATCH);
        final Map<String, String> thrice = sharing("job-40", "s3://b/good.parquet");
        thrice.put(BulkImportAttributes.RESUBMITTED, "3");
        runner.enqueue(CONTENT, thrice);
        runner.enqueue(CONTENT, sharing("job-40", ""));
        runner.run();
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 2);
    }

    // ---- stalls ------------------------------------------------------------------------------

    @Test
    void aJobWhoseProgressStaysTheSameLongerThanTheStallTimeoutExpiresAsStalled() {
        runner.setProperty(ProgressRouting.STALL_TIMEOUT, "1 hour");
        describes("""
                {"jobId":"job-50","state":"Importing","progress":40}""");
        final MockFlowFile first = check(started("job-50", Instant.now()));
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        final Instant since = Instant.parse(first.getAttribute(BulkImportAttributes.PROGRESS_SINCE));
        assertTrue(since.isAfter(Instant.now().minusSeconds(30)), "a first check starts the stall clock");

        // the same progress 2 hours later (the attributes as a restart would find them)
        runner.clearTransferState();
        describes("""
                {"jobId":"job-50","state":"Importing","progress":40}""");
        final Map<String, String> later = new HashMap<>(first.getAttributes());
        later.put(BulkImportAttributes.PROGRESS_SINCE, Instant.now().minus(Duration.ofHours(2)).toString());
        final MockFlowFile stalled = check(later);
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_EXPIRED, 1);
        stalled.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, ProgressRouting.STALLED);
        assertTrue(stalled.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("still Importing with no change"),
                stalled.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        assertEquals(1, runner.getCounterValue(Counters.JOBS_EXPIRED));

        // progress that moved restarts the clock
        runner.clearTransferState();
        describes("""
                {"jobId":"job-50","state":"Importing","progress":41}""");
        final MockFlowFile moved = check(later);
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        assertTrue(Instant.parse(moved.getAttribute(BulkImportAttributes.PROGRESS_SINCE)).isAfter(Instant.now().minusSeconds(30)));
    }

    @Test
    void withoutAStallTimeoutOnlyTheMaximumWaitTimeApplies() {
        describes("""
                {"jobId":"job-51","state":"Pending","progress":0}""");
        final Map<String, String> attributes = started("job-51", Instant.now());
        attributes.put(BulkImportAttributes.STATE, "Pending");
        attributes.put(BulkImportAttributes.PROGRESS, "0");
        attributes.put(BulkImportAttributes.PROGRESS_SINCE, Instant.now().minus(Duration.ofHours(20)).toString());
        final MockFlowFile out = check(attributes);
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 1);
        assertEquals(attributes.get(BulkImportAttributes.PROGRESS_SINCE), out.getAttribute(BulkImportAttributes.PROGRESS_SINCE),
                "an unchanged job keeps the time its progress last moved");
    }

    @Test
    void zillizCloudsTopLevelFileNameCountsAsTheJobsFile() {
        describes("""
                {"jobId":"job-33","state":"Failed","fileName":"s3://b/only.parquet","reason":"schema mismatch"}""");

        final MockFlowFile out = check(started("job-33", Instant.now()));

        out.assertAttributeEquals(BulkImportAttributes.FAILED_COUNT, "1");
        out.assertAttributeEquals(BulkImportAttributes.FAILED_FILES, "s3://b/only.parquet: schema mismatch");
    }

    @Test
    void manyFailedFilesAreBoundedButCounted() {
        final String details = IntStream.range(0, 40)
                .mapToObj(i -> """
                        {"fileName":"[s3://b/f%d.parquet]","state":"Failed","reason":"%s"}""".formatted(i, "x".repeat(400)))
                .collect(Collectors.joining(","));
        describes("""
                {"jobId":"job-34","state":"Failed","reason":"40 files failed","details":[%s]}""".formatted(details));

        final MockFlowFile out = check(started("job-34", Instant.now()));

        out.assertAttributeEquals(BulkImportAttributes.FAILED_COUNT, "40");
        final String named = out.getAttribute(BulkImportAttributes.FAILED_FILES);
        assertTrue(named.length() <= 1_000, named.length() + " characters");
        final List<String> lines = named.lines().toList();
        assertTrue(lines.size() >= 3 && lines.size() <= JobDescription.MAX_FAILED_FILES_NAMED, lines.size() + " lines");
        assertTrue(lines.getFirst().startsWith("[s3://b/f0.parquet]: xxx"), lines.getFirst());
    }

    @Test
    void theJobDescriptionCanReplaceTheContent() {
        runner.setProperty(ProgressRouting.OUTPUT_CONTENT, ProgressRouting.JOB_DESCRIPTION.getValue());
        describes("""
                {"jobId":"job-35","collectionName":"documents","state":"Completed","progress":100,"importedRows":1000,"totalRows":1000,
                 "completeTime":"2026-11-28T17:30:00Z","details":[{"fileName":"[a.parquet]","fileSize":2048,"state":"Completed","progress":100,
                 "importedRows":1000,"totalRows":1000,"completeTime":"2026-11-28T17:30:00Z"}]}""");
        runner.enqueue(CONTENT, started("job-35", Instant.now()));
        runner.run();

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 1);
        final MockFlowFile out = runner.getFlowFilesForRelationship(ProgressRouting.REL_SUCCESS).getFirst();
        out.assertAttributeEquals("mime.type", "application/json");
        assertJsonEquals("""
                {"jobId":"job-35","collectionName":"documents","state":"Completed","progress":100,"importedRows":1000,"totalRows":1000,
                 "completeTime":"2026-11-28T17:30:00Z","files":[{"name":"[a.parquet]","state":"Completed","progress":100,"importedRows":1000,
                 "totalRows":1000,"fileSize":2048,"completeTime":"2026-11-28T17:30:00Z"}]}""", out.getContent());
    }

    @Test
    void oneFlowFileChecksOneJob() {
        final MockFlowFile out = check(started("job-1, job-2", Instant.now()));

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_FAILURE, 1);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("names 2 jobs"));
        assertEquals(0, api.requestCount());
    }

    @Test
    void anUpgradedFlowSendsUncommittedJobsWhereRunningGoes() {
        // as NiFi's framework sees a flow: the relationships its connections and auto-termination use
        final Map<String, List<String>> splits = new HashMap<>();
        final Set<String> used = new HashSet<>(Set.of("success", "running", "retry", "failure", "expired"));
        final RelationshipConfiguration flow = new RelationshipConfiguration() {
            @Override
            public boolean renameRelationship(final String from, final String to) {
                throw new AssertionError("nothing is renamed");
            }

            @Override
            public boolean splitRelationship(final String existing, final String first, final String... more) {
                final List<String> into = new ArrayList<>(List.of(first));
                into.addAll(List.of(more));
                splits.put(existing, into);
                used.addAll(into);
                return true;
            }

            @Override
            public boolean hasRelationship(final String name) {
                return used.contains(name);
            }
        };

        new GetBulkImportProgress().migrateRelationships(flow);
        assertEquals(Map.of("running", List.of("running", "uncommitted"), "failure", List.of("failure", "resubmit")), splits);

        splits.clear();
        new GetBulkImportProgress().migrateRelationships(flow);
        assertTrue(splits.isEmpty(), "a flow that routes uncommitted and resubmit already is left alone");
    }

    // ---- many flowfiles, one poll ----------------------------------------------------------------

    private List<MockFlowFile> enqueueJobs(final String... jobIds) {
        final List<MockFlowFile> queued = new ArrayList<>();
        for (final String jobId : jobIds) {
            queued.add(runner.enqueue(CONTENT, started(jobId, Instant.now())));
        }
        return queued;
    }

    private static String listed(final String jobId, final String state, final int progress) {
        return """
                {"jobId":"%s","collectionName":"documents","state":"%s","progress":%d}""".formatted(jobId, state, progress);
    }

    private void listPage(final int count, final String... records) {
        api.json("""
                {"code":0,"data":{"count":%d,"currentPage":1,"pageSize":100,"records":[%s]}}""".formatted(count, String.join(",", records)));
    }

    @Test
    void runningJobsOfOneCollectionCostOneListCall() {
        enqueueJobs("job-a", "job-b", "job-c", "job-d", "job-e");
        listPage(5, listed("job-a", "Pending", 0), listed("job-b", "Importing", 40), listed("job-c", "InProgress", 60),
                listed("job-d", "Committing", 100), listed("job-e", "Importing", 99));

        runner.run();

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 5);
        runner.assertPenalizeCount(5);
        assertEquals(1, api.requestCount(), "one list call for five jobs");
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","pageSize":100,"currentPage":1}""".formatted(Runners.CLUSTER_ID), body(api.take()));
        final Map<String, MockFlowFile> byJob = new HashMap<>();
        runner.getFlowFilesForRelationship(ProgressRouting.REL_RUNNING).forEach(f -> byJob.put(f.getAttribute(BulkImportAttributes.JOB_ID), f));
        byJob.get("job-b").assertAttributeEquals(BulkImportAttributes.STATE, "Importing");
        byJob.get("job-b").assertAttributeEquals(BulkImportAttributes.PROGRESS, "40");
        byJob.get("job-c").assertAttributeEquals(BulkImportAttributes.STATE, "Importing");
        byJob.get("job-d").assertAttributeEquals(BulkImportAttributes.STATE, "Committing");
        byJob.values().forEach(f -> f.assertContentEquals(CONTENT));
        assertEquals(1, runner.getCounterValue(Counters.HTTP_CALLS));
    }

    @Test
    void finishedAndUnlistedJobsAreDescribedTheOthersAreNotAndAJobOnceWhateverItsFlowFiles() {
        final Map<String, String> second = started("job-a", Instant.now());
        second.put(BulkImportAttributes.BATCH_INDEX, "1");
        runner.enqueue(CONTENT, started("job-a", Instant.now()));
        runner.enqueue(CONTENT, second);
        runner.enqueue(CONTENT, started("job-c", Instant.now()));
        runner.enqueue(CONTENT, started("job-d", Instant.now()));
        listPage(2, listed("job-a", "Completed", 100), listed("job-c", "Importing", 50));
        describes("""
                {"jobId":"job-a","state":"Completed","progress":100,"importedRows":1000,"totalRows":1000}""");
        api.envelopeError(2100, "import job does not exist, jobID=job-d: importing data failed");

        runner.run();

        assertEquals(3, api.requestCount(), "one list, and one describe for the finished job its two flowfiles share and for the one the list does not show");
        runner.assertTransferCount(ProgressRouting.REL_SUCCESS, 2);
        runner.assertTransferCount(ProgressRouting.REL_RUNNING, 1);
        runner.assertTransferCount(ProgressRouting.REL_FAILURE, 1);
        runner.getFlowFilesForRelationship(ProgressRouting.REL_SUCCESS)
                .forEach(f -> f.assertAttributeEquals(BulkImportAttributes.IMPORTED_ROWS, "1000"));
        runner.getFlowFilesForRelationship(ProgressRouting.REL_FAILURE).getFirst().assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "JOB_NOT_FOUND");
        assertEquals(1, runner.getCounterValue(Counters.JOBS_COMPLETED), "two flowfiles share job-a: it counts once");
        assertEquals(1000, runner.getCounterValue(Counters.ROWS_IMPORTED));
        assertEquals(3, runner.getCounterValue(Counters.HTTP_CALLS));
    }

    @Test
    void aCollectionWithOlderJobsIsPagedNoFurtherThanTheJobsFillPlusOne() {
        final String[] ids = IntStream.range(0, 150).mapToObj(i -> "job-" + i).toArray(String[]::new);
        enqueueJobs(ids);
        for (int page = 1; page <= 3; page++) {
            final String older = IntStream.range(0, 100).mapToObj(i -> listed("old-" + i, "Completed", 100)).collect(Collectors.joining(","));
            api.json("""
                    {"code":0,"data":{"count":100000,"currentPage":%d,"pageSize":100,"records":[%s]}}""".formatted(page, older));
        }
        for (final String id : ids) {
            describes("""
                    {"jobId":"%s","state":"Importing","progress":10}""".formatted(id));
        }

        runner.run();

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 150);
        assertEquals(3 + 150, api.requestCount(), "ceil(150/100) + 1 pages, then a describe for each job not found");
    }

    @Test
    void aFailedListingRoutesEveryFlowFileOfItsGroupAsAFailedCheck() {
        enqueueJobs("job-a", "job-b");
        api.json(503, """
                {"code":503,"message":"unavailable"}""");

        runner.run();

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 2);
        runner.assertPenalizeCount(2);
        assertEquals(1, api.requestCount());
    }

    @Test
    void aThrottledDescribeStopsTheRunsCallsAndTheOtherFlowFilesGoToRetryUnasked() {
        for (int i = 0; i < 10; i++) {
            // one collection each: no listing, a describe each
            final Map<String, String> attributes = started("job-" + i, Instant.now());
            attributes.put(BulkImportAttributes.COLLECTION, "documents-" + i);
            runner.enqueue(CONTENT, attributes);
        }
        api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "30").body("").build());

        runner.run();

        assertEquals(1, api.requestCount(), "one describe, refused: the run asks nothing more");
        assertEquals(1, runner.getCounterValue(Counters.HTTP_CALLS));
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 10);
        runner.assertPenalizeCount(10);
        final List<MockFlowFile> retried = runner.getFlowFilesForRelationship(ProgressRouting.REL_RETRY);
        retried.forEach(f -> f.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "429"));
        assertEquals(9, retried.stream().filter(f -> f.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Not sent")).count(),
                retried.toString());
    }

    @Test
    void aThrottledListingStopsTheRunsCallsForTheOtherCollectionsToo() {
        for (final String collection : List.of("a", "b")) {
            for (final String job : List.of("job-1", "job-2")) {
                final Map<String, String> attributes = started(collection + job, Instant.now());
                attributes.put(BulkImportAttributes.COLLECTION, collection);
                runner.enqueue(CONTENT, attributes);
            }
        }
        api.envelopeError(1807, "rate limit exceeded");

        runner.run();

        assertEquals(1, api.requestCount(), "the first collection's listing, refused: no listing or describe after it");
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 4);
    }

    @Test
    void aRefusedListingLeavesEachJobToItsDescribe() {
        enqueueJobs("job-a", "job-b");
        api.envelopeError(100, "collection not found[collection=documents]");
        describes("""
                {"jobId":"job-a","state":"Completed","progress":100,"importedRows":10,"totalRows":10}""");
        describes("""
                {"jobId":"job-b","state":"Importing","progress":10}""");

        runner.run();

        runner.assertTransferCount(ProgressRouting.REL_SUCCESS, 1);
        runner.assertTransferCount(ProgressRouting.REL_RUNNING, 1);
        assertEquals(3, api.requestCount(), "the refused list, then a describe each");
        assertEquals(3, runner.getCounterValue(Counters.HTTP_CALLS));
        assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> m.getMsg().contains("described instead")));
    }

    @Test
    void aPollBatchSizeOfOneDescribesEachJob() {
        runner.setProperty(GetBulkImportProgress.POLL_BATCH_SIZE, "1");
        enqueueJobs("job-a", "job-b");
        describes("""
                {"jobId":"job-a","state":"Importing","progress":10}""");
        describes("""
                {"jobId":"job-b","state":"Importing","progress":10}""");

        runner.run(2);

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 2);
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
    }

    @Test
    void listedJobsPastTheirDeadlineAreDescribedAndExpire() {
        runner.enqueue(CONTENT, started("job-a", Instant.now().minus(Duration.ofDays(2))));
        runner.enqueue(CONTENT, started("job-b", Instant.now()));
        listPage(2, listed("job-a", "Importing", 10), listed("job-b", "Importing", 10));
        describes("""
                {"jobId":"job-a","state":"Importing","progress":10,"importedRows":100,"totalRows":1000}""");

        runner.run();

        runner.assertTransferCount(ProgressRouting.REL_EXPIRED, 1);
        runner.assertTransferCount(ProgressRouting.REL_RUNNING, 1);
        assertEquals(1, runner.getCounterValue(Counters.JOBS_EXPIRED));
        runner.getFlowFilesForRelationship(ProgressRouting.REL_EXPIRED).getFirst().assertAttributeEquals(BulkImportAttributes.IMPORTED_ROWS, "100");
        assertEquals(2, api.requestCount(), "the list, and the describe of the expired job");
    }

    /** Trust round 2, item 11: a job shared by many flowfiles counts once as expired, and is described once. */
    @Test
    void aJobSharedByFlowFilesThatExpireCountsOnceAndIsDescribedOnce() {
        for (int i = 0; i < 3; i++) {
            final Map<String, String> attributes = started("job-x", Instant.now().minus(Duration.ofDays(2)));
            attributes.put(BulkImportAttributes.BATCH_INDEX, String.valueOf(i));
            runner.enqueue(CONTENT, attributes);
        }
        describes("""
                {"jobId":"job-x","state":"Importing","progress":10}""");

        runner.run();

        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_EXPIRED, 3);
        assertEquals(1, runner.getCounterValue(Counters.JOBS_EXPIRED));
        assertEquals(1, api.requestCount(), "one describe for the job the three flowfiles share");
    }

    /** Trust round 2, item 12: an upload and its load-balanced copy, checked in different runs, count the job and its rows once. */
    @Test
    void anUploadAndItsCopyCountTheJobAndItsRowsOnce() {
        for (int run = 0; run < 2; run++) {
            describes("""
                    {"jobId":"job-y","state":"Completed","progress":100,"importedRows":1000,"totalRows":1000}""");
            final Map<String, String> attributes = started("job-y", Instant.now());
            attributes.put(BulkImportAttributes.BATCH_INDEX, "0");
            runner.enqueue(CONTENT, attributes);
            runner.run();
        }
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 2);
        assertEquals(1, runner.getCounterValue(Counters.JOBS_COMPLETED));
        assertEquals(1000, runner.getCounterValue(Counters.ROWS_IMPORTED));
    }

    /** Trust round 2, item 15: Output Content = Job Description gives the same answer whatever Poll Batch Size. */
    @ParameterizedTest(name = "Poll Batch Size {0}")
    @ValueSource(ints = {1, 1000})
    void theJobDescriptionIsTheContentWhateverThePollBatchSize(final int pollBatchSize) {
        final AtomicLong now = new AtomicLong(1_800_000_000_000L);
        try (ImportApiEmulator emulator = Emulators.zilliz().importDuration(Duration.ofSeconds(10)).clock(now::get).start()) {
            final TestRunner trigger = Runners.zilliz(new TriggerBulkImport(), emulator.url());
            trigger.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
            trigger.enqueue(CONTENT, Map.of("s3.bucket", "b", "s3.key", "a.parquet"));
            trigger.enqueue(CONTENT, Map.of("s3.bucket", "b", "s3.key", "b.parquet"));
            trigger.run(2);
            final List<MockFlowFile> started = trigger.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS);
            final TestRunner progress = Runners.zilliz(new GetBulkImportProgress(), emulator.url());
            progress.setProperty(ProgressRouting.OUTPUT_CONTENT, ProgressRouting.JOB_DESCRIPTION.getValue());
            progress.setProperty(GetBulkImportProgress.POLL_BATCH_SIZE, String.valueOf(pollBatchSize));

            now.addAndGet(5_000);
            started.forEach(flowFile -> progress.enqueue(new MockFlowFile(flowFile.getId() + 100, flowFile)));
            progress.run(2);
            progress.assertAllFlowFilesTransferred(ProgressRouting.REL_RUNNING, 2);
            progress.getFlowFilesForRelationship(ProgressRouting.REL_RUNNING).forEach(f -> f.assertContentEquals(CONTENT));

            now.addAndGet(10_000);
            final List<MockFlowFile> running = progress.getFlowFilesForRelationship(ProgressRouting.REL_RUNNING);
            progress.clearTransferState();
            running.forEach(flowFile -> progress.enqueue(new MockFlowFile(flowFile.getId() + 100, flowFile)));
            progress.run(2);
            progress.assertAllFlowFilesTransferred(ProgressRouting.REL_SUCCESS, 2);
            for (final MockFlowFile done : progress.getFlowFilesForRelationship(ProgressRouting.REL_SUCCESS)) {
                done.assertAttributeEquals("mime.type", "application/json");
                assertTrue(done.getContent().contains("\"state\":\"Completed\"") && done.getContent().contains("\"files\":[{"), done.getContent());
            }
        }
    }
}
