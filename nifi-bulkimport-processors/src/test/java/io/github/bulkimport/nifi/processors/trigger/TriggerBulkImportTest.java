package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.Routing;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.LeakCheck;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.testing.Secrets;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.github.bulkimport.nifi.testing.Json.assertJsonEquals;
import static io.github.bulkimport.nifi.testing.MockApi.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriggerBulkImportTest {

    private static final String CLUSTER = Runners.CLUSTER_ID;
    private static final Map<String, String> AFTER_PUT_S3 = Map.of(
            "s3.bucket", "vectors-bucket", "s3.key", "embeddings/2026/part-0001.parquet",
            "s3.url", "https://vectors-bucket.s3.us-west-2.amazonaws.com/embeddings/2026/part-0001.parquet", "s3.etag", "abc");
    private static final String STORAGE_FIELDS = """
            "accessKey":"%s","secretKey":"%s","token":"%s\"""".formatted(Secrets.ACCESS_KEY, Secrets.SECRET_KEY, Secrets.SESSION_TOKEN);

    private MockApi api;
    private TestRunner runner;

    @BeforeEach
    void startServer() {
        api = new MockApi().withEmptyListings();
    }

    @AfterEach
    void stopServer() {
        api.close();
    }

    /** The requests and routes of TriggerBulkImport, whatever the jobs the mock server seems to run: nothing waits for a batch (BatchingTest). */
    private TestRunner zilliz() {
        runner = Runners.zilliz(new TriggerBulkImport(), api.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        runner.setProperty(BatchTaker.MAX_BATCH_WAIT, "0 sec");
        return runner;
    }

    private TestRunner milvus() {
        runner = Runners.milvus(new TriggerBulkImport(), api.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        runner.setProperty(BatchTaker.MAX_BATCH_WAIT, "0 sec");
        return runner;
    }

    private MockFlowFile runOnce(final Map<String, String> attributes) {
        runner.enqueue(new byte[0], attributes);
        runner.run();
        runner.assertQueueEmpty();
        final List<MockFlowFile> all = new java.util.ArrayList<>();
        for (final var relationship : runner.getProcessor().getRelationships()) {
            all.addAll(runner.getFlowFilesForRelationship(relationship));
        }
        assertEquals(1, all.size(), "exactly one flowfile out");
        return all.getFirst();
    }

    // ---- request shape ----------------------------------------------------------------------

    @Test
    void zillizAfterPutS3ObjectSendsOneS3UrlWithCredentialsAndHeaders() {
        zilliz();
        api.jobCreated("job-0a1b2c3d");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        final RecordedRequest request = api.take();
        assertEquals("POST", request.getMethod());
        assertEquals(ImportApiClient.CREATE_PATH, request.getTarget());
        assertEquals("Bearer " + Secrets.API_KEY, request.getHeaders().get("Authorization"));
        assertEquals("application/json", request.getHeaders().get("Accept"));
        assertTrue(request.getHeaders().get("Content-Type").startsWith("application/json"));
        assertTrue(request.getHeaders().get("User-Agent").startsWith("nifi-bulkimport/"), request.getHeaders().get("User-Agent"));
        assertNull(request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","objectUrls":[["s3://vectors-bucket/embeddings/2026/part-0001.parquet"]],%s}""".formatted(CLUSTER, STORAGE_FIELDS), body(request));

        out.assertAttributeEquals(BulkImportAttributes.JOB_ID, "job-0a1b2c3d");
        out.assertAttributeEquals(BulkImportAttributes.COLLECTION, "documents");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, "s3://vectors-bucket/embeddings/2026/part-0001.parquet");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_COUNT, "1");
        out.assertAttributeNotExists(BulkImportAttributes.PARTITION);
        out.assertAttributeNotExists(BulkImportAttributes.DATABASE);
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_MESSAGE);
        final Instant submitted = Instant.parse(out.getAttribute(BulkImportAttributes.SUBMITTED_AT));
        assertTrue(Duration.between(submitted, Instant.now()).abs().compareTo(Duration.ofSeconds(10)) < 0);
        assertTrue(out.getAttribute(BulkImportAttributes.SUBMITTED_AT).endsWith("Z"));
        runner.assertPenalizeCount(0);

        final List<ProvenanceEventRecord> events = runner.getProvenanceEvents();
        assertEquals(1, events.size());
        assertEquals(ProvenanceEventType.REMOTE_INVOCATION, events.getFirst().getEventType());
        assertEquals(api.url() + ImportApiClient.CREATE_PATH, events.getFirst().getTransitUri());
        assertTrue(events.getFirst().getDetails().contains("job-0a1b2c3d"));
    }

    @Test
    void zillizAfterPutGcsObjectSendsGsUrl() {
        zilliz();
        api.jobCreated("job-gcs");

        runOnce(Map.of("gcs.bucket", "gcs-bucket", "gcs.key", "dir/rows.json",
                "gcs.uri", "https://www.googleapis.com/storage/v1/b/gcs-bucket/o/dir%2Frows.json"));

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","objectUrls":[["gs://gcs-bucket/dir/rows.json"]],%s}""".formatted(CLUSTER, STORAGE_FIELDS), body(api.take()));
    }

    @Test
    void zillizAfterPutAzureBlobSendsPrimaryUri() {
        zilliz();
        api.jobCreated("job-azure");
        final String blob = "https://myaccount.blob.core.windows.net/container/folder/part%20one.parquet";

        runOnce(Map.of("azure.container", "container", "azure.blobname", "folder/part one.parquet", "azure.primaryUri", blob));

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","objectUrls":[["%s"]],%s}""".formatted(CLUSTER, blob, STORAGE_FIELDS), body(api.take()));
    }

    @Test
    void severalUrlsBecomeSeveralInnerListsWithPartitionDatabaseAndOptions() {
        zilliz();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
        runner.setProperty(ImportRequestReader.PARTITION_NAME, "${partition}");
        runner.setProperty(ImportRequestReader.DATABASE_NAME, "analytics");
        runner.setProperty("timeout", "300s");
        runner.setProperty("sep", "${separator}");
        api.jobCreated("job-many");

        final MockFlowFile out = runOnce(Map.of("urls", "s3://b/one.parquet, s3://b/two.parquet,s3://b/numpy-set/", "partition", "p2026",
                "separator", "|"));

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        final RecordedRequest request = api.take();
        assertEquals("analytics", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","partitionName":"p2026","dbName":"analytics","objectUrls":[["s3://b/one.parquet"],["s3://b/two.parquet"],["s3://b/numpy-set/"]],%s,"options":{"timeout":"300s","sep":"|"}}""".formatted(CLUSTER, STORAGE_FIELDS), body(request));
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, "s3://b/one.parquet\ns3://b/two.parquet\ns3://b/numpy-set/");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_COUNT, "3");
        out.assertAttributeEquals(BulkImportAttributes.PARTITION, "p2026");
        out.assertAttributeEquals(BulkImportAttributes.DATABASE, "analytics");
    }

    @Test
    void newlineSeparatedUrlsKeepCommasInKeys() {
        zilliz();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
        api.jobCreated("job-newlines");

        runOnce(Map.of("urls", "s3://b/a,b.parquet\r\ngs://g/c.parquet\n\n"));

        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","objectUrls":[["s3://b/a,b.parquet"],["gs://g/c.parquet"]],%s}""".formatted(CLUSTER, STORAGE_FIELDS), body(api.take()));
    }

    @Test
    void spacesUnicodeAndQuotesInKeysAreSentVerbatim() {
        zilliz();
        api.jobCreated("job-unicode");

        runOnce(Map.of("s3.bucket", "b", "s3.key", "dir/my file \"ü\" 日本.parquet"));

        final String sent = body(api.take());
        assertTrue(sent.contains("\"s3://b/dir/my file \\\"ü\\\" 日本.parquet\""), sent);
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","objectUrls":[["s3://b/dir/my file \\"ü\\" 日本.parquet"]],%s}""".formatted(CLUSTER, STORAGE_FIELDS), sent);
    }

    @Test
    void milvusAfterPutS3ObjectSendsThePathInsideTheBucket() {
        milvus();
        api.jobCreated("455212345678901234");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        final RecordedRequest request = api.take();
        assertEquals("Bearer " + Secrets.MILVUS_TOKEN, request.getHeaders().get("Authorization"));
        assertJsonEquals("""
                {"collectionName":"documents","files":[["embeddings/2026/part-0001.parquet"]]}""", body(request));
        out.assertAttributeEquals(BulkImportAttributes.JOB_ID, "455212345678901234");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, "embeddings/2026/part-0001.parquet");
    }

    @Test
    void milvusTurnsEveryUrlFormIntoABucketPath() {
        milvus();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
        runner.setProperty(ImportRequestReader.DATABASE_NAME, "${db}");
        runner.setProperty("auto_commit", "false");
        api.jobCreated("455212345678901235");

        runOnce(Map.of("db", "tenant_a", "urls", String.join("\n",
                "s3://milvus-bucket/a/1.parquet",
                "gs://milvus-bucket/a/2.parquet",
                "https://acct.blob.core.windows.net/milvus-bucket/a/3%20x.parquet",
                "/a/4.parquet",
                "a/5.json")));

        final RecordedRequest request = api.take();
        assertEquals("tenant_a", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"collectionName":"documents","dbName":"tenant_a","files":[["a/1.parquet"],["a/2.parquet"],["a/3 x.parquet"],["a/4.parquet"],["a/5.json"]],"options":{"auto_commit":"false"}}""", body(request));
    }

    @Test
    void milvusAfterPutGcsAndAzure() {
        milvus();
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1");
        api.jobCreated("1");
        api.jobCreated("2");

        runner.enqueue(new byte[0], Map.of("gcs.bucket", "g", "gcs.key", "x/rows.json"));
        runner.enqueue(new byte[0], Map.of("azure.primaryUri", "https://acct.blob.core.windows.net/c/y/rows.parquet"));
        runner.run(2);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 2);
        // two requests in flight at once: either may arrive first
        assertEquals(java.util.Set.of(io.github.bulkimport.nifi.testing.Json.parse("""
                {"collectionName":"documents","files":[["x/rows.json"]]}"""),
                        io.github.bulkimport.nifi.testing.Json.parse("""
                                {"collectionName":"documents","files":[["y/rows.parquet"]]}""")),
                java.util.Set.of(io.github.bulkimport.nifi.testing.Json.parse(body(api.take())), io.github.bulkimport.nifi.testing.Json.parse(body(api.take()))));
    }

    @Test
    void aVolumeImportSendsVolumeNameAndDataPathsWithoutBucketKeys() {
        zilliz();
        runner.setProperty(ImportRequestReader.VOLUME_NAME, "${volume}");
        runner.setProperty(ImportRequestReader.DATA_PATHS, "batch-7/a.parquet\nbatch-7/b.parquet");
        api.jobCreated("job-volume");

        final MockFlowFile out = runOnce(Map.of("volume", "vol-embeddings"));

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","volumeName":"vol-embeddings","dataPaths":[["batch-7/a.parquet"],["batch-7/b.parquet"]]}""".formatted(CLUSTER), body(api.take()));
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, "batch-7/a.parquet\nbatch-7/b.parquet");
    }

    @Test
    void volumeNameAndDataPathsGoTogetherAndNotWithObjectUrls() {
        zilliz();
        runner.setProperty(ImportRequestReader.VOLUME_NAME, "vol");
        runner.assertNotValid();
        runner.setProperty(ImportRequestReader.DATA_PATHS, "a.parquet");
        runner.assertValid();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "s3://b/a.parquet");
        runner.assertNotValid();
    }

    @Test
    void volumePathsAreInsideTheVolumeAndVolumesAreZillizClouds() {
        zilliz();
        runner.setProperty(ImportRequestReader.VOLUME_NAME, "vol");
        runner.setProperty(ImportRequestReader.DATA_PATHS, "s3://b/a.parquet");
        MockFlowFile out = runOnce(Map.of());
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 1);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("give paths inside the volume"));

        milvus();
        runner.setProperty(ImportRequestReader.VOLUME_NAME, "vol");
        runner.setProperty(ImportRequestReader.DATA_PATHS, "a.parquet");
        out = runOnce(Map.of());
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 1);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("volumes are Zilliz Cloud's"));
        assertEquals(0, api.requestCount());
    }

    @Test
    void aJsonArrayPutsNumpySetsInOneInnerListOnBothDeployments() {
        final String sets = """
                [["s3://b/set-1/id.npy", "s3://b/set-1/vector.npy"], ["s3://b/set-2/id.npy", "s3://b/set-2/vector.npy"], "s3://b/rows.parquet"]""";
        zilliz();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${sets}");
        api.jobCreated("job-numpy");

        final MockFlowFile out = runOnce(Map.of("sets", sets));

        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","objectUrls":[["s3://b/set-1/id.npy","s3://b/set-1/vector.npy"],["s3://b/set-2/id.npy","s3://b/set-2/vector.npy"],["s3://b/rows.parquet"]],%s}""".formatted(CLUSTER, STORAGE_FIELDS), body(api.take()));
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_COUNT, "3");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS,
                "s3://b/set-1/id.npy + s3://b/set-1/vector.npy\ns3://b/set-2/id.npy + s3://b/set-2/vector.npy\ns3://b/rows.parquet");

        milvus();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${sets}");
        api.jobCreated("4553");
        runOnce(Map.of("sets", sets));
        assertJsonEquals("""
                {"collectionName":"documents","files":[["set-1/id.npy","set-1/vector.npy"],["set-2/id.npy","set-2/vector.npy"],["rows.parquet"]]}""", body(api.take()));
    }

    @Test
    void aJsonArrayThatIsNotOneIsRejectedWithoutACall() {
        zilliz();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${sets}");
        for (final String bad : List.of("[[\"s3://b/a.npy\"", "[[1, 2]]", "[]", "[[]]", "[{\"a\": 1}]")) {
            runner.clearTransferState();
            final MockFlowFile out = runOnce(Map.of("sets", bad));
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 1);
            out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, Routing.INVALID_INPUT);
            assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).startsWith("Object URLs"), out.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        }
        assertEquals(0, api.requestCount());
    }

    @Test
    void optionValuesAreSentExactlyAsEvaluated() {
        milvus();
        runner.setProperty("sep", "${literal('\\t')}");
        runner.setProperty("nullkey", " ");
        api.jobCreated("4554");

        runOnce(AFTER_PUT_S3);

        assertJsonEquals("""
                {"collectionName":"documents","files":[["embeddings/2026/part-0001.parquet"]],"options":{"sep":"\\t","nullkey":" "}}""", body(api.take()));
    }

    @Test
    void exactLimitOfFilesIsAccepted() {
        zilliz();
        runner.setProperty(ImportRequestReader.OBJECT_URLS, "${urls}");
        api.jobCreated("job-1000");

        runOnce(Map.of("urls", urls(1_000)));

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        assertEquals(1_000, io.github.bulkimport.nifi.testing.Json.parse(body(api.take())).get("objectUrls").size());
    }

    @Test
    void olderSuccessCodeAndCapitalisedJobIdAreAccepted() {
        milvus();
        api.json("""
                {"code":200,"data":{"jobID":"449001"}}""");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        out.assertAttributeEquals(BulkImportAttributes.JOB_ID, "449001");
    }

    // ---- routing of failed calls ------------------------------------------------------------

    /** One answer of the server and what it must make of the flowfile. */
    private record FailedCall(String name, boolean milvus, Consumer<MockApi> answer, Relationship relationship, String code, Integer status,
                              boolean yields, String fragment) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<FailedCall> failedCalls() {
        final Stream<FailedCall> unavailable = Stream.of(500, 502, 503, 504, 408).map(status -> new FailedCall("HTTP " + status, false,
                api -> api.json(status, """
                        {"code":%d,"message":"upstream trouble"}""".formatted(status)), TriggerRouting.REL_RETRY, String.valueOf(status), status, true,
                "upstream trouble"));
        return Stream.concat(unavailable, Stream.of(
                new FailedCall("gateway HTML page", false, api -> api.enqueue(new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
                        .body("<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>").build()),
                        TriggerRouting.REL_RETRY, "HTTP_502", 502, true, "502 Bad Gateway"),
                new FailedCall("dropped connection", false, api -> api.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build()),
                        TriggerRouting.REL_RETRY, "IO_ERROR", null, false, "I/O error"),
                new FailedCall("oversized answer", false, api -> api.enqueue(new MockResponse.Builder().code(200).body("x".repeat(10 * 1024 * 1024)).build()),
                        TriggerRouting.REL_RETRY, "RESPONSE_TOO_LARGE", null, false, "abandoned"),
                new FailedCall("unknown collection", false, api -> api.envelopeError(100, "collection not found[collection=documents]"),
                        TriggerRouting.REL_FAILURE, "100", 200, false, "collection not found"),
                new FailedCall("rejected credentials", true, api -> api.json(401, """
                        {"code":1800,"message":"user hasn't authenticated"}"""), TriggerRouting.REL_FAILURE, "1800", 401, false, "API Key or Token"),
                new FailedCall("permission denied", true, api -> api.json(403, """
                        {"code":1401,"message":"PrivilegeImport: permission deny"}"""), TriggerRouting.REL_FAILURE, "1401", 403, false, "Database Name"),
                new FailedCall("unknown route", true, api -> api.enqueue(new MockResponse.Builder().code(404).setHeader("Content-Type", "text/plain")
                        .body("404 page not found").build()), TriggerRouting.REL_FAILURE, "HTTP_404", 404, false, "Endpoint URL"),
                new FailedCall("HTML with status 200", false, api -> api.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html")
                        .body("<!doctype html><html><head><title>Attu</title></head></html>").build()), TriggerRouting.REL_FAILURE, "NOT_JSON", 200, false,
                        "Attu"),
                new FailedCall("success without a job ID", false, api -> api.json("""
                        {"code":0,"data":{}}"""), TriggerRouting.REL_FAILURE, "NO_JOB_ID", 200, false, "no job ID"),
                new FailedCall("secrets echoed back", false, api -> api.envelopeError(1100, "invalid accessKey " + Secrets.ACCESS_KEY + " / secretKey "
                        + Secrets.SECRET_KEY + " / token " + Secrets.SESSION_TOKEN + " for key " + Secrets.API_KEY),
                        TriggerRouting.REL_FAILURE, "1100", 200, false, "invalid accessKey ********")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failedCalls")
    void everyFailedCallIsRoutedPenalizedWithItsReason(final FailedCall call) {
        if (call.milvus()) {
            milvus();
        } else {
            zilliz();
        }
        call.answer().accept(api);

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(call.relationship(), 1);
        runner.assertPenalizeCount(1);
        assertEquals(call.yields(), runner.isYieldCalled(), "yield when throttled or when the server is unavailable, only then");
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, call.code());
        if (call.status() == null) {
            out.assertAttributeNotExists(BulkImportAttributes.HTTP_STATUS);
        } else {
            out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, String.valueOf(call.status()));
        }
        final String message = out.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
        assertTrue(message.contains(call.fragment()), message);
        assertFalse(message.contains("\tat ") || message.contains(" at org."), "no stack trace: " + message);
        out.assertAttributeNotExists(BulkImportAttributes.JOB_ID);
        assertTrue(runner.getProvenanceEvents().isEmpty());
        runner.getLogger().getWarnMessages().forEach(logged -> assertNull(logged.getThrowable()));
    }

    // ---- admission: the server's limits leave flowfiles in the queue ----------------------------

    static Stream<Arguments> refusalsForNow() {
        // the job limit is learned rather than probed blindly: AdmissionTest
        return Stream.of(
                Arguments.of("rate limit", (Consumer<MockApi>) api -> api.envelopeError(1807,
                        "request is rejected by grpc RateLimiter middleware, please retry later")),
                Arguments.of("HTTP 429", (Consumer<MockApi>) api -> api.enqueue(new MockResponse.Builder().code(429).body("slow down").build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusalsForNow")
    void aRefusalForNowLeavesTheFlowFilesInTheQueueUntouchedAndProbesAgainSoonThenLessOften(final String name, final Consumer<MockApi> refusal) {
        milvus();
        final AtomicLong clock = new AtomicLong();
        ((TriggerBulkImport) runner.getProcessor()).useClock(clock::get);
        refusal.accept(api);
        refusal.accept(api);
        api.jobCreated("449100");
        final MockFlowFile queued = runner.enqueue(new byte[0], AFTER_PUT_S3);

        runner.run(1, false, true);
        runner.assertTransferCount(TriggerRouting.REL_RETRY, 0);
        runner.assertTransferCount(TriggerRouting.REL_FAILURE, 0);
        runner.assertPenalizeCount(0);
        assertEquals(1, runner.getQueueSize().getObjectCount(), "back in the incoming queue");
        assertEquals(1, runner.getCounterValue(Counters.REQUESTS_HELD_BACK));
        assertEquals(1, api.requestCount());

        // the first wait is short: 250 ms
        clock.addAndGet(Duration.ofMillis(200).toNanos());
        runner.run(1, false, false);
        assertEquals(1, api.requestCount(), "held back while the wait lasts");
        clock.addAndGet(Duration.ofMillis(100).toNanos());
        runner.run(1, false, false);
        assertEquals(2, api.requestCount(), "probed again once it is over");

        // refused again: the wait doubles
        clock.addAndGet(Duration.ofMillis(400).toNanos());
        runner.run(1, false, false);
        assertEquals(2, api.requestCount());
        clock.addAndGet(Duration.ofMillis(200).toNanos());
        runner.run(1, true, false);
        assertEquals(3, api.requestCount());
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        final MockFlowFile out = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
        out.assertAttributeEquals(BulkImportAttributes.JOB_ID, "449100");
        assertEquals(queued.getAttribute("uuid"), out.getAttribute("uuid"));
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE);
        out.assertAttributeNotExists(BulkImportAttributes.REQUEST_KEY);
    }

    @Test
    void aRefusalWithRetryAfterWaitsAsTheServerAsks() {
        zilliz();
        final AtomicLong clock = new AtomicLong();
        ((TriggerBulkImport) runner.getProcessor()).useClock(clock::get);
        api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "2").body("slow down").build());
        api.jobCreated("job-after-wait");
        runner.enqueue(new byte[0], AFTER_PUT_S3);
        runner.run(1, false, true);
        assertEquals(1, runner.getQueueSize().getObjectCount());

        clock.addAndGet(Duration.ofMillis(1_900).toNanos());
        runner.run(1, false, false);
        assertEquals(1, api.requestCount(), "Retry-After is longer than the first backoff, and wins");
        clock.addAndGet(Duration.ofMillis(200).toNanos());
        runner.run(1, true, false);
        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
        assertEquals(2, api.requestCount());
    }

    @Test
    void slowAnswerTimesOutAndIsRetried() {
        zilliz();
        useServiceProperty(StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "300 ms");
        api.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("""
                {"code":0,"data":{"jobId":"late"}}""").build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "TIMEOUT");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Response Timeout"));
        assertTrue(runner.isYieldCalled());
    }

    @Test
    void unreachableServerIsRetriedWithAClearMessage() {
        zilliz();
        final String deadUrl = api.url();
        api.close();
        useServiceProperty(StandardBulkImportConnectionService.ENDPOINT_URL, deadUrl);

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "CONNECT_FAILED");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("check Endpoint URL"));
        assertTrue(runner.isYieldCalled(), "an unreachable server makes the processor yield, as InvokeHTTP does");
        api = new MockApi().withEmptyListings();
    }

    @Test
    void anUnknownHostMakesTheProcessorYield() {
        zilliz();
        useServiceProperty(StandardBulkImportConnectionService.ENDPOINT_URL, "http://no-such-host.invalid:19530");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "UNKNOWN_HOST");
        assertTrue(runner.isYieldCalled());
    }

    @Test
    void successAfterRetryClearsTheErrorAttributes() {
        zilliz();
        api.json(503, "{}");
        runOnce(AFTER_PUT_S3);
        final MockFlowFile retried = runner.getFlowFilesForRelationship(TriggerRouting.REL_RETRY).getFirst();

        runner.clearTransferState();
        api.jobCreated("job-second-try");
        runner.enqueue(retried);
        runner.run();

        final MockFlowFile out = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE);
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_MESSAGE);
        out.assertAttributeNotExists(BulkImportAttributes.HTTP_STATUS);
    }

    private void useServiceProperty(final PropertyDescriptor property, final String value) {
        final var service = runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        runner.setProperty(service, property, value);
        runner.enableControllerService(service);
    }

    // ---- verification --------------------------------------------------------------------------

    @Test
    void verifyBuildsTheRequestAndChecksTheCollection() {
        zilliz();
        api.withScriptedListings();
        api.json("""
                {"code":0,"data":{"count":0,"currentPage":1,"pageSize":1,"records":[]}}""");

        final List<ConfigVerificationResult> results = ((TriggerBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), AFTER_PUT_S3);

        assertEquals(List.of(Outcome.SUCCESSFUL, Outcome.SUCCESSFUL, Outcome.SUCCESSFUL), results.stream().map(ConfigVerificationResult::getOutcome).toList());
        assertTrue(results.getFirst().getExplanation().contains("s3://vectors-bucket/embeddings/2026/part-0001.parquet"));
        assertTrue(results.get(2).getExplanation().startsWith("No Partition Name"), results.get(2).getExplanation());
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.LIST_PATH, request.getTarget());
        assertJsonEquals("""
                {"clusterId":"%s","collectionName":"documents","pageSize":1,"currentPage":1}""".formatted(CLUSTER), body(request));
    }

    @Test
    void verifySaysWhenAPartitionNameMeetsAPartitionKey() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("keyed", """
                {"fields": [{"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
                            {"name": "tenant", "type": "VarChar", "partitionKey": true, "params": [{"key": "max_length", "value": "16"}]}]}""")
                .start()) {
            final TestRunner keyed = Runners.milvus(new TriggerBulkImport(), emulator.url());
            keyed.setProperty(ImportRequestReader.COLLECTION_NAME, "keyed");
            keyed.setProperty(ImportRequestReader.PARTITION_NAME, "p1");
            final List<ConfigVerificationResult> results = ((TriggerBulkImport) keyed.getProcessor())
                    .verify(keyed.getProcessContext(), keyed.getLogger(), AFTER_PUT_S3);
            assertEquals(Outcome.FAILED, results.get(2).getOutcome(), results.toString());
            assertTrue(results.get(2).getExplanation().contains("has the partition key tenant"), results.get(2).getExplanation());
        }
    }

    @Test
    void verifyReportsBadInputWithoutCallingTheServer() {
        zilliz();

        final List<ConfigVerificationResult> results = ((TriggerBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), Map.of());

        assertEquals(1, results.size());
        assertEquals(Outcome.FAILED, results.getFirst().getOutcome());
        assertTrue(results.getFirst().getExplanation().contains("s3.bucket"));
        assertEquals(0, api.requestCount());
    }

    @Test
    void verifyReportsRejectedCredentials() {
        zilliz();
        api.withScriptedListings();
        api.json(401, """
                {"code":80001,"message":"Invalid token: %s"}""".formatted(Secrets.API_KEY));

        final List<ConfigVerificationResult> results = ((TriggerBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), AFTER_PUT_S3);

        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        assertTrue(results.get(1).getExplanation().contains("API Key or Token"));
        LeakCheck.assertNoSecrets("verification", results.get(1).getExplanation());
    }

    private static String urls(final int count) {
        return IntStream.range(0, count).mapToObj(i -> "s3://bucket/part-" + i + ".parquet").collect(Collectors.joining(","));
    }
}
