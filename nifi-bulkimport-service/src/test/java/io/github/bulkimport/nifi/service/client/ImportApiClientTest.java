package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.FileProgress;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.testing.MockApi;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static io.github.bulkimport.nifi.testing.Json.assertJsonEquals;
import static io.github.bulkimport.nifi.testing.MockApi.body;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportApiClientTest {

    private MockApi api;

    @BeforeEach
    void start() {
        api = new MockApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private ImportApiClient client(final Deployment deployment, final String basePath) {
        final CloudLocation location = deployment == Deployment.ZILLIZ_CLOUD ? new CloudLocation(null, "proj-1", "aws-us-west-2") : CloudLocation.NONE;
        return new ImportApiClient(new ClientConfig(URI.create(api.url() + basePath), deployment, "token-value-123", location, StorageCredentials.NONE,
                Duration.ofSeconds(2), Duration.ofSeconds(2), 2, null, null));
    }

    @Test
    void describeReadsEveryFieldAndSendsTheProject() throws Exception {
        api.json("""
                {"code":0,"data":{"jobId":"job-9","collectionName":"docs","state":"Importing","progress":85,"importedRows":850,"totalRows":"1000","fileSize":123456,"completeTime":"","details":[
                 {"fileName":"[a/1.parquet]","fileSize":100,"state":"Completed","progress":100,"completeTime":"2026-11-28T10:00:00Z","importedRows":500,"totalRows":500},
                 {"fileName":"[a/2.npy a/3.npy]","fileSize":23,"state":"Failed","progress":40,"reason":"field count mismatch","importedRows":0,"totalRows":500},
                 "not an object"]}}""");
        try (ImportApiClient client = client(Deployment.ZILLIZ_CLOUD, "/")) {
            final JobProgress progress = client.describeJob(new JobReference("job-9", null));
            assertEquals(new JobProgress("job-9", "docs", JobState.IMPORTING, "Importing", 85, 850L, 1000L, 123456L, null, null, List.of(
                    new FileProgress("[a/1.parquet]", JobState.COMPLETED, "Completed", 100, 500L, 500L, 100L, null, "2026-11-28T10:00:00Z"),
                    new FileProgress("[a/2.npy a/3.npy]", JobState.FAILED, "Failed", 40, 0L, 500L, 23L, "field count mismatch", null))), progress);
            assertEquals(List.of("[a/2.npy a/3.npy]"), progress.failedFiles().stream().map(FileProgress::name).toList());
        }
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.DESCRIBE_PATH, request.getTarget());
        assertJsonEquals("""
                {"projectId":"proj-1","regionId":"aws-us-west-2","jobId":"job-9"}""", body(request));
    }

    @Test
    void describeFallsBackToGetProgressOnceWhenTheRouteIsMissing() throws Exception {
        api.enqueue(new MockResponse.Builder().code(404).body("404 page not found").build());
        api.json("""
                {"code":0,"data":{"jobId":"j","state":"Completed","progress":100}}""");
        api.json("""
                {"code":0,"data":{"jobId":"j","state":"Completed","progress":100}}""");
        try (ImportApiClient client = client(Deployment.ZILLIZ_CLOUD, "")) {
            assertEquals(JobState.COMPLETED, client.describeJob(new JobReference("j", null)).state());
            assertEquals(JobState.COMPLETED, client.describeJob(new JobReference("j", null)).state());
        }
        assertEquals(ImportApiClient.DESCRIBE_PATH, api.take().getTarget());
        assertEquals(ImportApiClient.GET_PROGRESS_PATH, api.take().getTarget());
        assertEquals(ImportApiClient.GET_PROGRESS_PATH, api.take().getTarget());
    }

    @Test
    void describeCollectionReadsEachFieldAndAsksMilvusWithTheDatabase() throws Exception {
        api.json("""
                {"code":0,"data":{"collectionName":"docs","enableDynamicField":true,"fields":[
                 {"name":"id","type":"Int64","primaryKey":true,"autoId":true,"partitionKey":false,"nullable":false},
                 {"name":"vector","type":"FloatVector","params":[{"key":"dim","value":"768"}],"nullable":false},
                 {"name":"title","type":"VarChar","params":[{"key":"max_length","value":"64"}],"nullable":true},
                 {"name":"tenant","type":"VarChar","partitionKey":true,"params":[{"key":"max_length","value":"16"}]},
                 {"name":"tags","type":"Array","elementType":"Int64","params":[{"key":"max_capacity","value":"10"}],"defaultValue":{"Data":null}},
                 {"name":"sparse","type":"SparseFloatVector","isFunctionOutput":true},
                 {"name":"when","type":"Timestamptz"},
                 {"name":"$meta","type":"JSON"}]}}""");
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final CollectionSchema schema = client.describeCollection("docs", "db1");
            assertEquals(new CollectionSchema("docs", true, List.of(
                    new FieldSchema("id", FieldType.INT64, null, true, true, false, false, false, false, null, null, null),
                    new FieldSchema("vector", FieldType.FLOAT_VECTOR, null, false, false, false, false, false, false, 768, null, null),
                    new FieldSchema("title", FieldType.VARCHAR, null, false, false, false, true, false, false, null, 64, null),
                    new FieldSchema("tenant", FieldType.VARCHAR, null, false, false, true, false, false, false, null, 16, null),
                    new FieldSchema("tags", FieldType.ARRAY, FieldType.INT64, false, false, false, false, true, false, null, null, 10),
                    new FieldSchema("sparse", FieldType.SPARSE_FLOAT_VECTOR, null, false, false, false, false, false, true, null, null, null),
                    new FieldSchema("when", FieldType.OTHER, null, false, false, false, false, false, false, null, null, null))), schema);
            assertEquals("tenant", schema.partitionKey().orElseThrow().name());
        }
        final RecordedRequest request = api.take();
        assertEquals(ImportApiClient.DESCRIBE_COLLECTION_PATH, request.getTarget());
        assertEquals("db1", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"collectionName":"docs","dbName":"db1"}""", body(request));
    }

    @Test
    void onZillizCloudCollectionsAreAskedOfTheClusterEndpointAndNeverOfTheControlPlane() throws Exception {
        try (ImportApiClient noEndpoint = client(Deployment.ZILLIZ_CLOUD, "")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> noEndpoint.describeCollection("docs", null));
            assertEquals(ErrorKind.TERMINAL, e.getKind());
            assertEquals("NO_CLUSTER_ENDPOINT", e.getErrorCode().orElseThrow());
            assertTrue(e.getMessage().contains("set Cluster Endpoint on the connection service"), e.getMessage());
        }
        assertEquals(0, api.requestCount(), "nothing was sent to the control plane");
        try (MockApi cluster = new MockApi()) {
            cluster.json("""
                    {"code":0,"data":{"collectionName":"docs","fields":[{"name":"vector","type":"FloatVector","params":[{"key":"dim","value":"4"}]}]}}""");
            final CloudLocation location = new CloudLocation("in01-x", null, null, URI.create(cluster.url()));
            try (ImportApiClient client = new ImportApiClient(new ClientConfig(URI.create(api.url()), Deployment.ZILLIZ_CLOUD, "token-value-123",
                    location, StorageCredentials.NONE, Duration.ofSeconds(2), Duration.ofSeconds(2), 2, null, null))) {
                assertEquals(4, client.describeCollection("docs", null).field("vector").orElseThrow().dim());
                assertEquals(cluster.url() + ImportApiClient.DESCRIBE_COLLECTION_PATH, client.uriOf(Operation.DESCRIBE_COLLECTION));
            }
            assertJsonEquals("""
                    {"collectionName":"docs"}""", body(cluster.take()));
        }
        assertEquals(0, api.requestCount(), "the cluster was asked, without clusterId; the control plane never");
    }

    @Test
    void unknownJobIsJobNotFound() {
        api.envelopeError(2100, "import job does not exist, jobID=42: importing data failed");
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.describeJob(new JobReference("42", "db1")));
            assertEquals(ErrorKind.JOB_NOT_FOUND, e.getKind());
            assertEquals("2100", e.getErrorCode().orElseThrow());
        }
        final RecordedRequest request = api.take();
        assertEquals("db1", request.getHeaders().get("DB-Name"));
        assertJsonEquals("""
                {"jobId":"42","dbName":"db1"}""", body(request));
    }

    @Test
    void listReadsPagesOnZillizAndEverythingOnMilvus() throws Exception {
        api.json("""
                {"code":0,"data":{"count":3,"currentPage":1,"pageSize":2,"records":[{"jobId":"a","collectionName":"c","state":"Completed","progress":100},{"jobId":"b","collectionName":"c","state":"ImportFailed","progress":0,"reason":"schema"}]}}""");
        try (ImportApiClient client = client(Deployment.ZILLIZ_CLOUD, "")) {
            final JobPage page = client.listJobs(new PageRequest("c", null, 1, 2));
            assertEquals(2, page.jobs().size());
            assertEquals(JobState.FAILED, page.jobs().get(1).state());
            assertEquals("schema", page.jobs().get(1).reason());
            assertTrue(page.hasMore());
        }
        assertJsonEquals("""
                {"projectId":"proj-1","regionId":"aws-us-west-2","collectionName":"c","pageSize":2,"currentPage":1}""",
                body(api.take()));

        api.json("""
                {"code":0,"data":{"records":[{"jobId":"1","collectionName":"c","state":"Pending","progress":0}]}}""");
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final JobPage page = client.listJobs(new PageRequest(null, null, 1, 100));
            assertEquals(1, page.jobs().size());
            assertNull(page.totalCount());
            assertFalse(page.hasMore());
        }
        assertJsonEquals("{}", body(api.take()));
    }

    @Test
    void basePathOfTheEndpointIsKept() throws Exception {
        api.jobCreated("j");
        try (ImportApiClient client = client(Deployment.MILVUS, "/milvus/")) {
            client.createJob(new ImportRequest(ImportTarget.of("c", null, null, null), List.of(ImportFile.of("a.parquet"))), "key-1");
        }
        final RecordedRequest request = api.take();
        assertEquals("/milvus" + ImportApiClient.CREATE_PATH, request.getTarget());
        assertEquals("key-1", request.getHeaders().get("Idempotency-Key"));
    }

    @Test
    void redirectsAreNotFollowed() {
        api.enqueue(new MockResponse.Builder().code(301).setHeader("Location", "https://elsewhere.example.com/v2").body("").build());
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.listJobs(new PageRequest(null, null, 1, 1)));
            assertEquals(ErrorKind.TERMINAL, e.getKind());
            assertTrue(e.getMessage().contains("https://elsewhere.example.com/v2"), e.getMessage());
        }
        assertEquals(1, api.requestCount());
    }

    @Test
    void serverTimeoutCodeMeansUnavailable() {
        api.json(408, """
                {"code":10001,"message":"request timeout"}""");
        api.envelopeError(10001, "request timeout");
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            assertEquals(ErrorKind.UNAVAILABLE, assertThrows(ImportApiException.class, () -> client.listJobs(new PageRequest(null, null, 1, 1))).getKind());
            assertEquals(ErrorKind.UNAVAILABLE, assertThrows(ImportApiException.class, () -> client.listJobs(new PageRequest(null, null, 1, 1))).getKind());
        }
    }

    @Test
    void aJobIdThatHoldsACredentialIsRefusedAndNeverQuoted() throws Exception {
        api.jobCreated("token-value-123");
        api.json("""
                {"code":0,"data":{"records":[{"jobId":"x-token-value-123","state":"Completed"},{"jobId":"7","state":"Pending"}]}}""");
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(
                    new ImportRequest(ImportTarget.of("c", null, null, null), List.of(ImportFile.of("a.parquet"))), "key-1"));
            assertEquals("BAD_JOB_ID", e.getErrorCode().orElseThrow());
            assertTrue(e.isOutcomeUnknown(), "the server did act: the flowfiles stay bound to the request");
            assertFalse(e.getMessage().contains("token-value"), e.getMessage());
            assertEquals(List.of("7"), client.listJobs(new PageRequest(null, null, 1, 100)).jobs().stream().map(job -> job.jobId()).toList(),
                    "a listed job whose ID carries the credential is left out");
        }
    }

    @Test
    void anAnswerCutOffInItsJsonIsTransientAndMayHaveActed() {
        api.json("{\"code\": 0, \"data\": {\"jobId\"");
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(
                    new ImportRequest(ImportTarget.of("c", null, null, null), List.of(ImportFile.of("a.parquet"))), "key-1"));
            assertEquals(ErrorKind.TRANSIENT, e.getKind());
            assertEquals("TRUNCATED", e.getErrorCode().orElseThrow());
            assertTrue(e.isOutcomeUnknown());
            assertFalse(e.getMessage().contains("Endpoint URL"), "a cut-off answer says nothing of the address: " + e.getMessage());
        }
    }

    @Test
    void anAnswerIsExactlyOneJsonDocument() {
        api.json("""
                {"code":0,"data":{"jobId":"1"}}{"code":0,"data":{"jobId":"2"}}""");
        api.json("""
                {"code":0,"data":{"jobId":"1"}}
                """);
        try (ImportApiClient client = client(Deployment.MILVUS, "")) {
            final ImportRequest request = new ImportRequest(ImportTarget.of("c", null, null, null), List.of(ImportFile.of("a.parquet")));
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(request, "key-1"));
            assertEquals("NOT_JSON", e.getErrorCode().orElseThrow());
            assertTrue(e.isOutcomeUnknown());
            assertDoesNotThrow(() -> assertEquals("1", client.createJob(request, "key-1")), "whitespace after the document is no second document");
        }
    }
}
