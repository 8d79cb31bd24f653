package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.LeakCheck;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import io.github.bulkimport.nifi.testing.Secrets;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.provenance.ProvenanceEventRecord;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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
    private static final String STORAGE_FIELDS = "\"accessKey\":\"" + Secrets.ACCESS_KEY + "\",\"secretKey\":\"" + Secrets.SECRET_KEY
            + "\",\"token\":\"" + Secrets.SESSION_TOKEN + "\"";

    private MockApi api;
    private TestRunner runner;

    @BeforeEach
    void startServer() {
        api = new MockApi();
    }

    @AfterEach
    void stopServer() {
        if (runner != null) {
            LeakCheck.assertNoSecrets(runner, Runners.SERVICE_ID);
        }
        api.close();
    }

    private TestRunner zilliz() {
        runner = Runners.zilliz(new TriggerBulkImport(), api.url());
        runner.setProperty(TriggerBulkImport.COLLECTION_NAME, "documents");
        return runner;
    }

    private TestRunner milvus() {
        runner = Runners.milvus(new TriggerBulkImport(), api.url());
        runner.setProperty(TriggerBulkImport.COLLECTION_NAME, "documents");
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

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        final RecordedRequest request = api.take();
        assertEquals("POST", request.getMethod());
        assertEquals(ImportApiClient.CREATE_PATH, request.getTarget());
        assertEquals("Bearer " + Secrets.API_KEY, request.getHeaders().get("Authorization"));
        assertEquals("application/json", request.getHeaders().get("Accept"));
        assertTrue(request.getHeaders().get("Content-Type").startsWith("application/json"));
        assertTrue(request.getHeaders().get("User-Agent").startsWith("nifi-bulkimport/"), request.getHeaders().get("User-Agent"));
        assertNull(request.getHeaders().get("DB-Name"));
        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\","
                + "\"objectUrls\":[[\"s3://vectors-bucket/embeddings/2026/part-0001.parquet\"]]," + STORAGE_FIELDS + "}", body(request));

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

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\","
                + "\"objectUrls\":[[\"gs://gcs-bucket/dir/rows.json\"]]," + STORAGE_FIELDS + "}", body(api.take()));
    }

    @Test
    void zillizAfterPutAzureBlobSendsPrimaryUri() {
        zilliz();
        api.jobCreated("job-azure");
        final String blob = "https://myaccount.blob.core.windows.net/container/folder/part%20one.parquet";

        runOnce(Map.of("azure.container", "container", "azure.blobname", "folder/part one.parquet", "azure.primaryUri", blob));

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\",\"objectUrls\":[[\"" + blob + "\"]],"
                + STORAGE_FIELDS + "}", body(api.take()));
    }

    @Test
    void severalUrlsBecomeSeveralInnerListsWithPartitionDatabaseAndOptions() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        runner.setProperty(TriggerBulkImport.PARTITION_NAME, "${partition}");
        runner.setProperty(TriggerBulkImport.DATABASE_NAME, "analytics");
        runner.setProperty("timeout", "300s");
        runner.setProperty("sep", "${separator}");
        api.jobCreated("job-many");

        final MockFlowFile out = runOnce(Map.of("urls", "s3://b/one.parquet, s3://b/two.parquet,s3://b/numpy-set/", "partition", "p2026",
                "separator", "|"));

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        final RecordedRequest request = api.take();
        assertEquals("analytics", request.getHeaders().get("DB-Name"));
        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\",\"partitionName\":\"p2026\",\"dbName\":\"analytics\","
                + "\"objectUrls\":[[\"s3://b/one.parquet\"],[\"s3://b/two.parquet\"],[\"s3://b/numpy-set/\"]]," + STORAGE_FIELDS
                + ",\"options\":{\"timeout\":\"300s\",\"sep\":\"|\"}}", body(request));
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, "s3://b/one.parquet\ns3://b/two.parquet\ns3://b/numpy-set/");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_COUNT, "3");
        out.assertAttributeEquals(BulkImportAttributes.PARTITION, "p2026");
        out.assertAttributeEquals(BulkImportAttributes.DATABASE, "analytics");
    }

    @Test
    void newlineSeparatedUrlsKeepCommasInKeys() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        api.jobCreated("job-newlines");

        runOnce(Map.of("urls", "s3://b/a,b.parquet\r\ngs://g/c.parquet\n\n"));

        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\","
                + "\"objectUrls\":[[\"s3://b/a,b.parquet\"],[\"gs://g/c.parquet\"]]," + STORAGE_FIELDS + "}", body(api.take()));
    }

    @Test
    void spacesUnicodeAndQuotesInKeysAreSentVerbatim() {
        zilliz();
        api.jobCreated("job-unicode");

        runOnce(Map.of("s3.bucket", "b", "s3.key", "dir/my file \"ü\" 日本.parquet"));

        final String sent = body(api.take());
        assertTrue(sent.contains("\"s3://b/dir/my file \\\"ü\\\" 日本.parquet\""), sent);
        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\","
                + "\"objectUrls\":[[\"s3://b/dir/my file \\\"ü\\\" 日本.parquet\"]]," + STORAGE_FIELDS + "}", sent);
    }

    @Test
    void milvusAfterPutS3ObjectSendsThePathInsideTheBucket() {
        milvus();
        api.jobCreated("455212345678901234");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        final RecordedRequest request = api.take();
        assertEquals("Bearer " + Secrets.MILVUS_TOKEN, request.getHeaders().get("Authorization"));
        assertJsonEquals("{\"collectionName\":\"documents\",\"files\":[[\"embeddings/2026/part-0001.parquet\"]]}", body(request));
        out.assertAttributeEquals(BulkImportAttributes.JOB_ID, "455212345678901234");
        out.assertAttributeEquals(BulkImportAttributes.OBJECT_URLS, "embeddings/2026/part-0001.parquet");
    }

    @Test
    void milvusTurnsEveryUrlFormIntoABucketPath() {
        milvus();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        runner.setProperty(TriggerBulkImport.DATABASE_NAME, "${db}");
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
        assertJsonEquals("{\"collectionName\":\"documents\",\"dbName\":\"tenant_a\",\"files\":[[\"a/1.parquet\"],[\"a/2.parquet\"],"
                + "[\"a/3 x.parquet\"],[\"a/4.parquet\"],[\"a/5.json\"]],\"options\":{\"auto_commit\":\"false\"}}", body(request));
    }

    @Test
    void milvusAfterPutGcsAndAzure() {
        milvus();
        api.jobCreated("1");
        api.jobCreated("2");

        runner.enqueue(new byte[0], Map.of("gcs.bucket", "g", "gcs.key", "x/rows.json"));
        runner.enqueue(new byte[0], Map.of("azure.primaryUri", "https://acct.blob.core.windows.net/c/y/rows.parquet"));
        runner.run(2);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 2);
        // two requests in flight at once: either may arrive first
        assertEquals(java.util.Set.of(io.github.bulkimport.nifi.testing.Json.parse("{\"collectionName\":\"documents\",\"files\":[[\"x/rows.json\"]]}"),
                        io.github.bulkimport.nifi.testing.Json.parse("{\"collectionName\":\"documents\",\"files\":[[\"y/rows.parquet\"]]}")),
                java.util.Set.of(io.github.bulkimport.nifi.testing.Json.parse(body(api.take())), io.github.bulkimport.nifi.testing.Json.parse(body(api.take()))));
    }

    @Test
    void exactLimitOfFilesIsAccepted() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        api.jobCreated("job-1000");

        runOnce(Map.of("urls", urls(1_000)));

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        assertEquals(1_000, io.github.bulkimport.nifi.testing.Json.parse(body(api.take())).get("objectUrls").size());
    }

    @Test
    void olderSuccessCodeAndCapitalisedJobIdAreAccepted() {
        milvus();
        api.json("{\"code\":200,\"data\":{\"jobID\":\"449001\"}}");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        out.assertAttributeEquals(BulkImportAttributes.JOB_ID, "449001");
    }

    // ---- routing of failed calls ------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 408})
    void unavailableStatusesGoToRetryPenalizedAndYield(final int status) {
        zilliz();
        api.json(status, "{\"code\":" + status + ",\"message\":\"upstream trouble\"}");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        runner.assertPenalizeCount(1);
        assertTrue(runner.isYieldCalled(), "an unavailable server makes the processor yield, not only penalize");
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, String.valueOf(status));
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, String.valueOf(status));
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("upstream trouble"));
        out.assertAttributeNotExists(BulkImportAttributes.JOB_ID);
        assertTrue(runner.getProvenanceEvents().isEmpty());
    }

    @Test
    void gatewayHtmlIsAClearRetryableErrorWithoutStackTrace() {
        zilliz();
        api.enqueue(new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
                .body("<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>").build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "HTTP_502");
        final String message = out.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
        assertTrue(message.contains("502 Bad Gateway"), message);
        assertFalse(message.contains("Exception"), message);
        assertFalse(message.contains("\tat "), message);
        runner.getLogger().getWarnMessages().forEach(m -> assertNull(m.getThrowable()));
    }

    @Test
    void throttledWithRetryAfterYieldsAndHoldsBackTheNextFlowFiles() {
        zilliz();
        api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "2").body("slow down").build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        runner.assertPenalizeCount(1);
        assertTrue(runner.isYieldCalled());
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "429");

        // while Retry-After lasts, nothing is taken and nothing is sent
        runner.clearTransferState();
        runner.enqueue(new byte[0], AFTER_PUT_S3);
        runner.run(1, false, false);
        assertEquals(1, runner.getQueueSize().getObjectCount());
        assertEquals(1, api.requestCount());

        api.jobCreated("job-after-wait");
        sleep(Duration.ofMillis(2_100));
        runner.run(1, true, true);
        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_SUCCESS, 1);
        assertEquals(2, api.requestCount());
    }

    @Test
    void throttledWithoutRetryAfterOnlyYields() {
        zilliz();
        api.enqueue(new MockResponse.Builder().code(429).body("").build());
        api.jobCreated("job-next");

        runner.enqueue(new byte[0], AFTER_PUT_S3);
        runner.enqueue(new byte[0], AFTER_PUT_S3);
        runner.run(2);

        assertTrue(runner.isYieldCalled());
        runner.assertTransferCount(TriggerBulkImport.REL_RETRY, 1);
        runner.assertTransferCount(TriggerBulkImport.REL_SUCCESS, 1);
    }

    @Test
    void jobLimitEnvelopeIsThrottling() {
        milvus();
        api.envelopeError(2100, "The number of jobs has reached the limit, please try again later: importing data failed");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        assertTrue(runner.isYieldCalled());
        runner.assertPenalizeCount(1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "2100");
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "200");
    }

    @Test
    void rateLimitCodeIsThrottling() {
        milvus();
        api.envelopeError(1807, "request is rejected by grpc RateLimiter middleware, please retry later");

        runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        assertTrue(runner.isYieldCalled());
    }

    @Test
    void droppedConnectionIsRetried() {
        zilliz();
        api.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "IO_ERROR");
        out.assertAttributeNotExists(BulkImportAttributes.HTTP_STATUS);
    }

    @Test
    void slowAnswerTimesOutAndIsRetried() {
        zilliz();
        final var service = runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "300 ms");
        runner.enableControllerService(service);
        api.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("{\"code\":0,\"data\":{\"jobId\":\"late\"}}").build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "TIMEOUT");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Response Timeout"));
    }

    @Test
    void unreachableServerIsRetriedWithAClearMessage() {
        zilliz();
        final String deadUrl = api.url();
        api.close();
        final var service = runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, deadUrl);
        runner.enableControllerService(service);

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "CONNECT_FAILED");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("check Endpoint URL"));
        assertTrue(runner.isYieldCalled(), "an unreachable server makes the processor yield, as InvokeHTTP does");
        api = new MockApi();
    }

    @Test
    void oversizedAnswerIsAbandoned() {
        zilliz();
        api.enqueue(new MockResponse.Builder().code(200).body("x".repeat(10 * 1024 * 1024)).build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "RESPONSE_TOO_LARGE");
    }

    @Test
    void refusedRequestGoesToFailurePenalized() {
        zilliz();
        api.envelopeError(100, "collection not found[collection=documents]");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        runner.assertPenalizeCount(1);
        assertFalse(runner.isYieldCalled());
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "100");
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "200");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("collection not found"));
        assertEquals(1, runner.getLogger().getErrorMessages().size());
    }

    @Test
    void rejectedCredentialsNameThePropertyToFix() {
        milvus();
        api.json(401, "{\"code\":1800,\"message\":\"user hasn't authenticated\"}");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.HTTP_STATUS, "401");
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "1800");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("API Key or Token"));
    }

    @Test
    void permissionDeniedMentionsDatabaseName() {
        milvus();
        api.json(403, "{\"code\":1401,\"message\":\"PrivilegeImport: permission deny\"}");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Database Name"));
    }

    @Test
    void unknownRouteIsAConfigurationFailure() {
        milvus();
        api.enqueue(new MockResponse.Builder().code(404).setHeader("Content-Type", "text/plain").body("404 page not found").build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "HTTP_404");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Endpoint URL"));
    }

    @Test
    void htmlWithStatus200IsNotJsonFailure() {
        zilliz();
        api.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html")
                .body("<!doctype html><html><head><title>Attu</title></head></html>").build());

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "NOT_JSON");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("Attu"));
    }

    @Test
    void successWithoutJobIdIsAFailure() {
        zilliz();
        api.json("{\"code\":0,\"data\":{}}");

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "NO_JOB_ID");
    }

    @Test
    void secretsEchoedByTheServerAreMasked() {
        zilliz();
        api.envelopeError(1100, "invalid accessKey " + Secrets.ACCESS_KEY + " / secretKey " + Secrets.SECRET_KEY
                + " / token " + Secrets.SESSION_TOKEN + " for key " + Secrets.API_KEY);

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        final String message = out.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
        assertTrue(message.contains("invalid accessKey ********"), message);
        // the @AfterEach leak check inspects attributes, provenance and logs
    }

    @Test
    void successAfterRetryClearsTheErrorAttributes() {
        zilliz();
        api.json(503, "{}");
        runOnce(AFTER_PUT_S3);
        final MockFlowFile retried = runner.getFlowFilesForRelationship(TriggerBulkImport.REL_RETRY).getFirst();

        runner.clearTransferState();
        api.jobCreated("job-second-try");
        runner.enqueue(retried);
        runner.run();

        final MockFlowFile out = runner.getFlowFilesForRelationship(TriggerBulkImport.REL_SUCCESS).getFirst();
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_CODE);
        out.assertAttributeNotExists(BulkImportAttributes.ERROR_MESSAGE);
        out.assertAttributeNotExists(BulkImportAttributes.HTTP_STATUS);
    }

    // ---- bad input never reaches the network -------------------------------------------------

    private MockFlowFile assertRejected(final Map<String, String> attributes, final String... expectedFragments) {
        final MockFlowFile out = runOnce(attributes);
        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_FAILURE, 1);
        runner.assertPenalizeCount(1);
        assertEquals(0, api.requestCount(), "no HTTP call for bad input");
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "INVALID_INPUT");
        final String message = out.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
        for (final String fragment : expectedFragments) {
            assertTrue(message.contains(fragment), () -> "'" + fragment + "' missing from: " + message);
        }
        return out;
    }

    @Test
    void noUploadAttributesNamesTheAttributesAndProperty() {
        zilliz();
        assertRejected(Map.of("filename", "x.parquet"), "s3.bucket", "gcs.bucket", "azure.primaryUri", "Object URLs");
    }

    @Test
    void halfOfTheS3AttributesIsNamed() {
        zilliz();
        assertRejected(Map.of("s3.bucket", "b"), "only one of s3.bucket and s3.key");
    }

    @Test
    void emptyCollectionExpressionNamesTheProperty() {
        zilliz();
        runner.setProperty(TriggerBulkImport.COLLECTION_NAME, "${target.collection}");
        assertRejected(AFTER_PUT_S3, "Collection Name evaluated to an empty value");
    }

    @Test
    void emptyObjectUrlsExpressionNamesTheProperty() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${import.urls}");
        assertRejected(AFTER_PUT_S3, "Object URLs evaluated to an empty value");
    }

    @Test
    void separatorsOnlyAreRejected() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        assertRejected(Map.of("urls", " , ,"), "Object URLs", "separators only");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://host/file.parquet", "file:///tmp/x.parquet", "hdfs://nn/x.parquet", "http://bucket.example.com/x.parquet"})
    void unsupportedSchemesAreRejectedForZilliz(final String url) {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, url);
        assertRejected(Map.of(), "Object URLs", "Zilliz Cloud imports only s3://, gs:// and https://");
    }

    @Test
    void unsupportedSchemeIsRejectedForMilvus() {
        milvus();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "ftp://host/file.parquet");
        assertRejected(Map.of(), "Object URLs", "ftp://");
    }

    @Test
    void relativePathIsRejectedForZilliz() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "data/file.parquet");
        assertRejected(Map.of(), "not a URL");
    }

    @Test
    void credentialsInUrlsAreRejectedWithoutQuotingThem() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "s3://" + Secrets.ACCESS_KEY + ":" + Secrets.SECRET_KEY + "@bucket/x.parquet");
        final MockFlowFile out = assertRejected(Map.of(), "credentials embedded", "s3://bucket/x.parquet");
        assertFalse(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("@"));
    }

    @Test
    void signedUrlQueriesAreRejectedWithoutQuotingThem() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "https://acct.blob.core.windows.net/c/x.parquet?sv=2024&sig=" + Secrets.SECRET_KEY);
        final MockFlowFile out = assertRejected(Map.of(), "query string");
        assertFalse(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("sig="));
    }

    @Test
    void tooManyUrlsForZillizAreRejected() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        assertRejected(Map.of("urls", urls(1_001)), "1001 files", "at most 1,000");
    }

    @Test
    void tooManyUrlsForMilvusAreRejected() {
        milvus();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        assertRejected(Map.of("urls", urls(1_025)), "1025 files", "at most 1,024");
    }

    @Test
    void jsonBreakingCollectionNameIsRejected() {
        zilliz();
        runner.setProperty(TriggerBulkImport.COLLECTION_NAME, "${c}");
        assertRejected(Map.of("c", "docs\",\"clusterId\":\"other", "s3.bucket", "b", "s3.key", "k"), "Collection Name", "not a valid name");
    }

    @Test
    void invalidPartitionNameIsRejected() {
        zilliz();
        runner.setProperty(TriggerBulkImport.PARTITION_NAME, "2026-11");
        assertRejected(AFTER_PUT_S3, "Partition Name", "not a valid name");
    }

    @Test
    void emptyOptionExpressionNamesTheDynamicProperty() {
        zilliz();
        runner.setProperty("timeout", "${import.timeout}");
        assertRejected(AFTER_PUT_S3, "Import option 'timeout'");
    }

    @Test
    void bucketWithoutKeyIsRejected() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "s3://bucket");
        assertRejected(Map.of(), "names a bucket but no object");
    }

    @Test
    void controlCharactersAreRejected() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        assertRejected(Map.of("urls", "s3://b/x\u0000.parquet"), "control character");
    }

    // ---- verification --------------------------------------------------------------------------

    @Test
    void verifyBuildsTheRequestAndChecksTheCollection() {
        zilliz();
        api.json("{\"code\":0,\"data\":{\"count\":0,\"currentPage\":1,\"pageSize\":1,\"records\":[]}}");

        final List<ConfigVerificationResult> results = ((TriggerBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), AFTER_PUT_S3);

        assertEquals(List.of(Outcome.SUCCESSFUL, Outcome.SUCCESSFUL), results.stream().map(ConfigVerificationResult::getOutcome).toList());
        assertTrue(results.getFirst().getExplanation().contains("s3://vectors-bucket/embeddings/2026/part-0001.parquet"));
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.LIST_PATH, request.getTarget());
        assertJsonEquals("{\"clusterId\":\"" + CLUSTER + "\",\"collectionName\":\"documents\",\"pageSize\":1,\"currentPage\":1}", body(request));
        runner = null;
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
        runner = null;
    }

    @Test
    void verifyReportsRejectedCredentials() {
        zilliz();
        api.json(401, "{\"code\":80001,\"message\":\"Invalid token: " + Secrets.API_KEY + "\"}");

        final List<ConfigVerificationResult> results = ((TriggerBulkImport) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), AFTER_PUT_S3);

        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        assertTrue(results.get(1).getExplanation().contains("API Key or Token"));
        LeakCheck.assertNoSecrets("verification", results.get(1).getExplanation());
    }

    @Test
    void anUnknownHostMakesTheProcessorYield() {
        zilliz();
        final var service = runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, "http://no-such-host.invalid:19530");
        runner.enableControllerService(service);

        final MockFlowFile out = runOnce(AFTER_PUT_S3);

        runner.assertAllFlowFilesTransferred(TriggerBulkImport.REL_RETRY, 1);
        out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "UNKNOWN_HOST");
        assertTrue(runner.isYieldCalled());
    }

    @Test
    void anErrorAboutAHugeUrlIsBounded() {
        zilliz();
        runner.setProperty(TriggerBulkImport.OBJECT_URLS, "${urls}");
        final MockFlowFile out = assertRejected(Map.of("urls", "ftp://host/" + "x".repeat(100_000)), "ftp://");
        assertTrue(out.getAttribute(BulkImportAttributes.ERROR_MESSAGE).length() <= 1_000, "a bounded message");
        runner.getLogger().getErrorMessages().forEach(message -> assertTrue(message.getMsg().length() <= 1_200, message.getMsg().length() + " characters"));
    }

    @Test
    void aPartitionExpressionThatEvaluatesToNothingIsBadInputNotTheDefaultPartition() {
        zilliz();
        runner.setProperty(TriggerBulkImport.PARTITION_NAME, "${target.partition}");
        assertRejected(AFTER_PUT_S3, "Partition Name evaluated to an empty value");
    }

    @Test
    void aDatabaseExpressionThatEvaluatesToNothingIsBadInputNotTheDefaultDatabase() {
        milvus();
        runner.setProperty(TriggerBulkImport.DATABASE_NAME, "${target.database}");
        assertRejected(AFTER_PUT_S3, "Database Name evaluated to an empty value");
    }

    private static String urls(final int count) {
        return IntStream.range(0, count).mapToObj(i -> "s3://bucket/part-" + i + ".parquet").collect(Collectors.joining(","));
    }

    private static void sleep(final Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unused")
    private static Map<String, String> with(final Map<String, String> base, final String key, final String value) {
        final Map<String, String> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }
}
