package io.github.bulkimport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportApiEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "root:Milvus";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private ImportApiEmulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private ImportApiEmulator milvus() {
        emulator = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(10)).clock(now::get).start();
        return emulator;
    }

    private ImportApiEmulator zilliz() {
        emulator = ImportApiEmulator.builder().deployment(Deployment.ZILLIZ_CLOUD).token("api-key").clusterId("in01-abc").collections("docs")
                .importDuration(Duration.ofSeconds(10)).clock(now::get).start();
        return emulator;
    }

    private HttpResponse<String> post(final String operation, final String body) throws IOException, InterruptedException {
        return post(operation, body, emulator.config().deployment() == Deployment.MILVUS ? TOKEN : "api-key", null);
    }

    private HttpResponse<String> post(final String operation, final String body, final String token, final String key)
            throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url() + "/v2/vectordb/jobs/import/" + operation))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(final HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private String create(final String body) throws Exception {
        final JsonNode answer = json(post("create", body));
        assertEquals(0, answer.path("code").asInt(), answer.toString());
        return answer.path("data").path("jobId").asText();
    }

    @Test
    void milvusJobMovesFromPendingThroughImportingToCompleted() throws Exception {
        milvus();
        final String jobId = create("{\"collectionName\":\"c\",\"files\":[[\"a/1.parquet\"],[\"a/2.parquet\"]]}");
        assertTrue(jobId.matches("\\d{18}"), jobId);

        JsonNode data = json(post("describe", "{\"jobId\":\"" + jobId + "\"}")).path("data");
        assertEquals("Pending", data.path("state").asText());
        assertEquals(2000, data.path("totalRows").asLong());

        now.addAndGet(5_000);
        data = json(post("describe", "{\"jobId\":\"" + jobId + "\"}")).path("data");
        assertEquals("Importing", data.path("state").asText());
        assertEquals(50, data.path("progress").asInt());
        assertEquals(1000, data.path("importedRows").asLong());

        now.addAndGet(5_000);
        data = json(post("get_progress", "{\"jobId\":\"" + jobId + "\"}")).path("data");
        assertEquals("Completed", data.path("state").asText());
        assertEquals(100, data.path("progress").asInt());
        assertFalse(data.path("completeTime").asText().isEmpty());
        assertEquals("[a/1.parquet]", data.path("details").get(0).path("fileName").asText());
    }

    @Test
    void filesWithTheFailureMarkerFailHalfway() throws Exception {
        milvus();
        final String jobId = create("{\"collectionName\":\"c\",\"files\":[[\"a/bad-schema.parquet\"]]}");
        now.addAndGet(5_000);
        final JsonNode data = json(post("describe", "{\"jobId\":\"" + jobId + "\"}")).path("data");
        assertEquals("Failed", data.path("state").asText());
        assertTrue(data.path("reason").asText().contains("bad-schema.parquet"));
    }

    @Test
    void bearerTokenIsChecked() throws Exception {
        milvus();
        final HttpResponse<String> wrong = post("create", "{}", "root:wrong", null);
        assertEquals(401, wrong.statusCode());
        assertEquals(1800, json(wrong).path("code").asInt());
        assertEquals(401, post("list", "{}", null, null).statusCode());
        assertFalse(wrong.body().contains("root:wrong"));
    }

    @Test
    void milvusValidationAnswersWithTheServersEnvelopes() throws Exception {
        milvus();
        assertEquals(1801, json(post("create", "not json")).path("code").asInt());
        assertEquals(1802, json(post("create", "{\"files\":[[\"a\"]]}")).path("code").asInt());
        assertEquals(1802, json(post("create", "{\"collectionName\":\"c\"}")).path("code").asInt());
        assertEquals(1801, json(post("create", "{\"collectionName\":\"c\",\"files\":[\"a\"]}")).path("code").asInt());
        assertEquals(1801, json(post("create", "{\"collectionName\":\"c\",\"files\":[[1]]}")).path("code").asInt());
        assertEquals(1801, json(post("create", "{\"collectionName\":\"c\",\"files\":[[\"a\"]],\"options\":{\"timeout\":300}}")).path("code").asInt());
        assertEquals(1100, json(post("create", "{\"collectionName\":\"c\",\"files\":[]}")).path("code").asInt());
        final String tooMany = IntStream.range(0, 1_025).mapToObj(i -> "[\"f" + i + "\"]").collect(Collectors.joining(","));
        final JsonNode limit = json(post("create", "{\"collectionName\":\"c\",\"files\":[" + tooMany + "]}"));
        assertEquals(2100, limit.path("code").asInt());
        assertTrue(limit.path("message").asText().contains("1024"));
        assertEquals(1802, json(post("describe", "{}")).path("code").asInt());
        assertTrue(json(post("describe", "{\"jobId\":\"1\"}")).path("message").asText().contains("import job does not exist"));
        assertEquals(0, emulator.jobCount());
    }

    @Test
    void zillizValidatesClusterSchemesLimitsAndCollections() throws Exception {
        zilliz();
        assertEquals(1802, json(post("create", "{\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/k\"]]}")).path("code").asInt());
        assertEquals(1100, json(post("create", "{\"clusterId\":\"in01-other\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/k\"]]}")).path("code").asInt());
        assertEquals(1100, json(post("create", "{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"ftp://b/k\"]]}")).path("code").asInt());
        assertEquals(100, json(post("create", "{\"clusterId\":\"in01-abc\",\"collectionName\":\"nope\",\"objectUrls\":[[\"s3://b/k\"]]}")).path("code").asInt());
        final String tooMany = IntStream.range(0, 1_001).mapToObj(i -> "[\"s3://b/f" + i + "\"]").collect(Collectors.joining(","));
        assertEquals(2100, json(post("create", "{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[" + tooMany + "]}")).path("code").asInt());
        final String jobId = create("{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/k\"]],\"accessKey\":\"a\",\"secretKey\":\"s\"}");
        assertTrue(jobId.startsWith("job-"), jobId);
        final String legacy = create("{\"projectId\":\"p\",\"regionId\":\"r\",\"collectionName\":\"docs\",\"objectUrl\":\"gs://b/k\"}");
        assertNotEquals(jobId, legacy);
    }

    @Test
    void zillizListIsPaged() throws Exception {
        zilliz();
        for (int i = 0; i < 3; i++) {
            create("{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/" + i + "\"]]}");
        }
        final JsonNode page2 = json(post("list", "{\"clusterId\":\"in01-abc\",\"pageSize\":2,\"currentPage\":2}")).path("data");
        assertEquals(3, page2.path("count").asInt());
        assertEquals(2, page2.path("currentPage").asInt());
        assertEquals(1, page2.path("records").size());
    }

    @Test
    void idempotencyKeyReturnsTheSameJobPerCollection() throws Exception {
        milvus();
        final String body = "{\"collectionName\":\"c\",\"files\":[[\"a\"]]}";
        final String first = json(post("create", body, TOKEN, "key-1")).path("data").path("jobId").asText();
        final String again = json(post("create", body, TOKEN, "key-1")).path("data").path("jobId").asText();
        final String otherCollection = json(post("create", "{\"collectionName\":\"d\",\"files\":[[\"a\"]]}", TOKEN, "key-1")).path("data").path("jobId").asText();
        final String otherKey = json(post("create", body, TOKEN, "key-2")).path("data").path("jobId").asText();
        assertEquals(first, again);
        assertNotEquals(first, otherCollection);
        assertNotEquals(first, otherKey);
        assertEquals(3, emulator.jobCount());
        assertTrue(emulator.requests("create").get(1).replayed());

        now.addAndGet(Duration.ofHours(25).toMillis());
        final String afterExpiry = json(post("create", body, TOKEN, "key-1")).path("data").path("jobId").asText();
        assertNotEquals(first, afterExpiry);
    }

    @Test
    void idempotencyCanBeTurnedOff() throws Exception {
        emulator = ImportApiEmulator.builder().idempotency(false).start();
        final String body = "{\"collectionName\":\"c\",\"files\":[[\"a\"]]}";
        assertNotEquals(json(post("create", body, null, "k")).path("data").path("jobId").asText(),
                json(post("create", body, null, "k")).path("data").path("jobId").asText());
    }

    @Test
    void activeJobLimitAnswersTheJobLimitEnvelope() throws Exception {
        emulator = ImportApiEmulator.builder().maxActiveJobs(2).importDuration(Duration.ofSeconds(10)).clock(now::get).start();
        final String body = "{\"collectionName\":\"c\",\"files\":[[\"a\"]]}";
        create(body);
        create(body);
        final JsonNode limited = json(post("create", body, null, null));
        assertEquals(2100, limited.path("code").asInt());
        assertTrue(limited.path("message").asText().contains("number of jobs has reached the limit"));
        now.addAndGet(10_000);
        create(body);
    }

    @Test
    void aJobTakesItsOverheadAndItsTimePerFile() throws Exception {
        emulator = ImportApiEmulator.builder().importDuration(Duration.ofSeconds(1)).importPerFile(Duration.ofMillis(500)).clock(now::get).start();
        final String three = create("{\"collectionName\":\"c\",\"files\":[[\"a\"],[\"b\"],[\"c\"]]}");
        final String one = create("{\"collectionName\":\"c\",\"files\":[[\"d\"]]}");
        now.addAndGet(1_499);
        assertEquals("Importing", json(post("describe", "{\"jobId\":\"" + one + "\"}")).path("data").path("state").asText());
        now.addAndGet(1);
        assertEquals("Completed", json(post("describe", "{\"jobId\":\"" + one + "\"}")).path("data").path("state").asText(), "1 s + 1 file");
        now.addAndGet(999);
        assertEquals("Importing", json(post("describe", "{\"jobId\":\"" + three + "\"}")).path("data").path("state").asText());
        now.addAndGet(1);
        assertEquals("Completed", json(post("describe", "{\"jobId\":\"" + three + "\"}")).path("data").path("state").asText(), "1 s + 3 files");
    }

    @Test
    void twoPhaseJobsWaitForCommitOrAbortAndRepeatsSucceedAsOnMilvus() throws Exception {
        milvus();
        final String committed = create("{\"collectionName\":\"c\",\"files\":[[\"a\"]],\"options\":{\"auto_commit\":\"false\"}}");
        final String aborted = create("{\"collectionName\":\"c\",\"files\":[[\"b\"]],\"options\":{\"auto_commit\":\"false\"}}");
        final String failing = create("{\"collectionName\":\"c\",\"files\":[[\"bad-schema\"]],\"options\":{\"auto_commit\":\"false\"}}");
        assertEquals(2100, code("commit", committed), "Pending cannot be committed");
        now.addAndGet(10_000);
        assertEquals("Uncommitted", state(committed));
        assertEquals(0, code("commit", committed));
        assertEquals("Committing", state(committed));
        assertEquals(0, code("commit", committed), "a repeated commit succeeds (Milvus's REST contract tests)");
        assertEquals(0, code("abort", aborted));
        now.addAndGet(1_000);
        assertEquals("Completed", state(committed));
        assertEquals(0, code("commit", committed));
        assertEquals("Failed", state(aborted));
        assertEquals("import job aborted by user", describe(aborted).path("reason").asText(), "a stable reason tells an abort from a failure");
        assertEquals(0, code("abort", aborted), "a repeated abort succeeds (milvus pull request 50692)");
        assertEquals("Failed", state(failing));
        assertEquals(0, code("abort", failing), "so does an abort of a job that failed by itself (pull request 51083)");
        assertTrue(describe(failing).path("reason").asText().contains("is missing in the file"), "and it keeps its own reason");
        assertEquals(2100, code("abort", committed), "a Completed job cannot be aborted");
        assertEquals(1802, json(post("commit", "{}")).path("code").asInt());
        assertTrue(json(post("abort", "{\"jobId\":\"9\"}")).path("message").asText().contains("import job does not exist"));
    }

    @Test
    void strictActionsRefuseRepeatsAsServersDidBefore() throws Exception {
        emulator = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(10)).clock(now::get)
                .strictActions(true).start();
        final String committed = create("{\"collectionName\":\"c\",\"files\":[[\"a\"]],\"options\":{\"auto_commit\":\"false\"}}");
        final String aborted = create("{\"collectionName\":\"c\",\"files\":[[\"b\"]],\"options\":{\"auto_commit\":\"false\"}}");
        now.addAndGet(10_000);
        assertEquals(0, code("commit", committed));
        final JsonNode again = json(post("commit", "{\"jobId\":\"" + committed + "\"}"));
        assertEquals(2100, again.path("code").asInt());
        assertTrue(again.path("message").asText().contains("is Committing"), again.toString());
        assertEquals(0, code("abort", aborted));
        assertEquals(2100, code("abort", aborted), "a Failed job cannot be aborted again");
    }

    private int code(final String operation, final String jobId) throws Exception {
        return json(post(operation, "{\"jobId\":\"" + jobId + "\"}")).path("code").asInt();
    }

    @Test
    void aRunningJobCanBeAbortedButAnAutoCommitJobNeverCommitted() throws Exception {
        zilliz();
        final String running = create("{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/k\"]]}");
        now.addAndGet(5_000);
        assertEquals(2100, json(post("commit", "{\"clusterId\":\"in01-abc\",\"jobId\":\"" + running + "\"}")).path("code").asInt());
        assertEquals(0, json(post("abort", "{\"clusterId\":\"in01-abc\",\"jobId\":\"" + running + "\"}")).path("code").asInt());
        assertEquals("Failed", state(running));
    }

    @Test
    void detailsNameTheFileThatFailedTheJob() throws Exception {
        zilliz();
        final String jobId = create("{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/good.parquet\"],[\"s3://b/bad-schema.parquet\"]]}");
        now.addAndGet(5_000);
        final JsonNode data = describe(jobId);
        assertEquals("Failed", data.path("state").asText());
        assertEquals("[s3://b/good.parquet]", data.path("fileName").asText(), "Zilliz Cloud names a file at the top level");
        final JsonNode good = data.path("details").get(0);
        final JsonNode bad = data.path("details").get(1);
        assertEquals("Completed", good.path("state").asText());
        assertFalse(good.has("reason"));
        assertEquals("[s3://b/bad-schema.parquet]", bad.path("fileName").asText());
        assertEquals("Failed", bad.path("state").asText());
        assertTrue(bad.path("reason").asText().contains("bad-schema.parquet"), bad.toString());
    }

    @Test
    void numpySetsShareAnInnerListOtherFormatsDoNot() throws Exception {
        milvus();
        final String jobId = create("{\"collectionName\":\"c\",\"files\":[[\"n/id.npy\",\"n/vector.npy\"],[\"p/1.parquet\"]]}");
        assertEquals(2, emulator.job(jobId).orElseThrow().files().size());
        assertEquals("[n/id.npy n/vector.npy]", describe(jobId).path("details").get(0).path("fileName").asText());
        final JsonNode mixed = json(post("create", "{\"collectionName\":\"c\",\"files\":[[\"a.parquet\",\"b.parquet\"]]}"));
        assertEquals(2100, mixed.path("code").asInt());
        assertTrue(mixed.path("message").asText().contains("only one file"), mixed.toString());
        // the limit counts inner lists, not paths
        final String sets = IntStream.range(0, 1_000).mapToObj(i -> "[\"s" + i + "/a.npy\",\"s" + i + "/b.npy\"]").collect(Collectors.joining(","));
        create("{\"collectionName\":\"c\",\"files\":[" + sets + "]}");
    }

    @Test
    void volumeImportsTakeDataPathsWithoutSchemes() throws Exception {
        zilliz();
        final String jobId = create("{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"volumeName\":\"vol-1\",\"dataPaths\":[[\"batch/1.parquet\"]]}");
        assertEquals("vol-1", emulator.job(jobId).orElseThrow().volume());
        assertEquals(1802, json(post("create", "{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"volumeName\":\"vol-1\"}")).path("code").asInt());
    }

    @Test
    void theCsvSeparatorIsOneCharacterATabIncluded() throws Exception {
        milvus();
        create("{\"collectionName\":\"c\",\"files\":[[\"a.csv\"]],\"options\":{\"sep\":\"\\t\"}}");
        for (final String sep : new String[] {"", ";;", "\\n"}) {
            final JsonNode answer = json(post("create", "{\"collectionName\":\"c\",\"files\":[[\"a.csv\"]],\"options\":{\"sep\":\"" + sep + "\"}}"));
            assertEquals(2100, answer.path("code").asInt(), sep);
            assertTrue(answer.path("message").asText().contains("sep must be exactly one character"), answer.toString());
        }
    }

    private JsonNode describe(final String jobId) throws Exception {
        final String location = emulator.config().deployment() == Deployment.ZILLIZ_CLOUD ? "\"clusterId\":\"in01-abc\"," : "";
        return json(post("describe", "{" + location + "\"jobId\":\"" + jobId + "\"}")).path("data");
    }

    private String state(final String jobId) throws Exception {
        return describe(jobId).path("state").asText();
    }

    @Test
    void faultsApplyInOrderToMatchingOperations() throws Exception {
        milvus();
        emulator.faults().add(new Fault(FaultType.HTTP_429, 1, "create", 3, 0)).add(Fault.on("create", FaultType.HTTP_503, 1))
                .add(Fault.on("create", FaultType.JOB_LIMIT, 1)).add(Fault.on("create", FaultType.HTTP_502, 1))
                .add(Fault.on("create", FaultType.NON_JSON, 1));
        final String body = "{\"collectionName\":\"c\",\"files\":[[\"a\"]]}";

        assertEquals(0, json(post("list", "{}")).path("code").asInt(), "list is not affected");
        final HttpResponse<String> throttled = post("create", body);
        assertEquals(429, throttled.statusCode());
        assertEquals("3", throttled.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(503, post("create", body).statusCode());
        assertTrue(json(post("create", body)).path("message").asText().contains("reached the limit"));
        final HttpResponse<String> gateway = post("create", body);
        assertEquals(502, gateway.statusCode());
        assertTrue(gateway.body().contains("<title>502 Bad Gateway</title>"));
        assertTrue(post("create", body).body().startsWith("<!doctype html>"));
        assertEquals(0, emulator.jobCount(), "pre-processing faults create nothing");
        create(body);
        assertEquals(1, emulator.jobCount());
        assertEquals(6, emulator.requests("create").size());
        assertEquals(FaultType.HTTP_429, emulator.requests("create").getFirst().fault());
    }

    @Test
    void lostRepliesCreateTheJobButAnswerNothing() throws Exception {
        milvus();
        emulator.faults().add(Fault.on("create", FaultType.LOST_REPLY, 1)).add(Fault.on("create", FaultType.DROP, 1));
        final String body = "{\"collectionName\":\"c\",\"files\":[[\"a\"]]}";
        assertThrows(IOException.class, () -> post("create", body, TOKEN, "k"));
        assertEquals(1, emulator.jobCount());
        assertThrows(IOException.class, () -> post("create", body, TOKEN, "k"));
        assertEquals(1, emulator.jobCount());
        final String jobId = json(post("create", body, TOKEN, "k")).path("data").path("jobId").asText();
        assertEquals(emulator.jobs().getFirst().id(), jobId, "the retry re-attaches to the job the lost reply created");
    }

    @Test
    void slowTruncatedAndHugeAnswers() throws Exception {
        milvus();
        emulator.faults().add(new Fault(FaultType.SLOW, 1, "list", -1, 300)).add(Fault.on("list", FaultType.TRUNCATED, 1))
                .add(Fault.on("list", FaultType.HUGE_BODY, 1));
        final long start = System.nanoTime();
        assertEquals(0, json(post("list", "{}")).path("code").asInt());
        assertTrue(System.nanoTime() - start >= 300_000_000L);
        assertThrows(IOException.class, () -> post("list", "{}"));
        assertEquals(10 * 1024 * 1024, post("list", "{}").body().length());
    }

    @Test
    void aSecretAsJobIdACutJsonAndAShiftedPage() throws Exception {
        zilliz();
        for (int i = 0; i < 3; i++) {
            create("{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/" + i + "\"]]}");
        }
        emulator.faults().add(Fault.on("create", FaultType.SECRET_JOB_ID, 1)).add(Fault.on("list", FaultType.SECRET_JOB_ID, 1))
                .add(Fault.on("create", FaultType.CUT_JSON, 1)).add(Fault.on("list", FaultType.SHIFTED_PAGE, 1));
        final String body = "{\"clusterId\":\"in01-abc\",\"collectionName\":\"docs\",\"objectUrls\":[[\"s3://b/k\"]]}";
        assertEquals("api-key", json(post("create", body)).path("data").path("jobId").asText());
        final JsonNode listed = json(post("list", "{\"clusterId\":\"in01-abc\",\"pageSize\":2,\"currentPage\":1}")).path("data").path("records");
        assertEquals("api-key", listed.get(listed.size() - 1).path("jobId").asText());
        final HttpResponse<String> cut = post("create", body);
        assertEquals(200, cut.statusCode(), "a whole HTTP answer");
        assertThrows(IOException.class, () -> JSON.readTree(cut.body()), "whose JSON is cut off: " + cut.body());
        assertEquals(5, emulator.jobCount(), "both requests took effect");
        final List<String> ids = emulator.jobs().stream().map(Job::id).toList();
        final JsonNode shifted = json(post("list", "{\"clusterId\":\"in01-abc\",\"pageSize\":2,\"currentPage\":2}")).path("data").path("records");
        assertEquals(List.of(ids.get(3), ids.get(4)), List.of(shifted.get(0).path("jobId").asText(), shifted.get(1).path("jobId").asText()),
                "the second page starts one job later, as if one before it had gone: the job at the boundary is never shown");
    }

    @Test
    void aJobReadFromTheBucketReportsItsRowsAndTheValuesEachFieldGot(@TempDir final Path bucket) throws Exception {
        emulator = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(10)).clock(now::get)
                .schema("docs", """
                        {"enableDynamicField": true, "fields": [
                          {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
                          {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "2"}]},
                          {"name": "note", "type": "VarChar", "nullable": true, "params": [{"key": "max_length", "value": "8"}]},
                          {"name": "rank", "type": "Int32", "defaultValue": 0}]}""")
                .bucket(bucket).start();
        Files.writeString(bucket.resolve("rows.json"), """
                [{"vector": [1, 2], "note": "a", "rank": 1, "color": "red"},
                 {"vector": [3, 4], "note": null, "rank": null},
                 {"vector": [5, 6], "$meta": {"size": 2}}]""");
        Files.writeString(bucket.resolve("rows.csv"), "vector,note,rank\n\"[1, 2]\",,3\n");
        final String jobId = create("{\"collectionName\":\"docs\",\"files\":[[\"rows.json\"],[\"rows.csv\"]]}");
        now.addAndGet(10_000);

        final JsonNode data = json(post("describe", "{\"jobId\":\"" + jobId + "\"}")).path("data");
        assertEquals("Completed", data.path("state").asText(), data.toString());
        assertEquals(4, data.path("importedRows").asLong());
        assertEquals(3, data.path("details").get(0).path("totalRows").asLong());
        assertEquals(1, data.path("details").get(1).path("importedRows").asLong());
        final Job job = emulator.jobs().getFirst();
        assertEquals(4, job.rows());
        assertEquals(Map.of("vector", 4L, "note", 1L, "rank", 2L, "$meta", 2L), job.valuesByField(),
                "a null or the CSV null key gives no value; $meta counts the rows holding dynamic fields");
    }

    @Test
    void adminEndpointsQueueFaultsAndReportRequests() throws Exception {
        milvus();
        final HttpResponse<String> queued = http.send(HttpRequest.newBuilder(URI.create(emulator.url() + "/_emulator/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"http500\",\"times\":2,\"path\":\"describe\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, queued.statusCode());
        assertEquals(500, post("describe", "{\"jobId\":\"1\"}").statusCode());
        assertEquals(500, post("describe", "{\"jobId\":\"1\"}").statusCode());
        assertEquals(200, post("describe", "{\"jobId\":\"1\"}").statusCode());
        final JsonNode requests = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(emulator.url() + "/_emulator/requests")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(3, requests.size());
        assertEquals("describe", requests.get(0).path("operation").asText());
        assertEquals(404, post("nope", "{}").statusCode());
    }

    @Test
    void progressCountsTheJobsHoldingAPathFragmentWithoutListingTheirPaths() throws Exception {
        milvus();
        create("{\"collectionName\":\"c\",\"files\":[[\"runs/r1/a.parquet\"],[\"runs/r1/b.parquet\"]]}");
        now.addAndGet(60_000);
        create("{\"collectionName\":\"c\",\"files\":[[\"runs/r1/c.parquet\"]]}");
        create("{\"collectionName\":\"c\",\"files\":[[\"runs/r2/a.parquet\"]]}");
        final JsonNode progress = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(emulator.url() + "/_emulator/progress?pathContains=%2Fr1%2F"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(2, progress.path("finishedFiles").asInt(), "the first job, of two files, finished");
        assertEquals(1, progress.path("unfinishedMatching").asInt());
        assertEquals(2, progress.path("unfinished").asInt(), "r2's job counts among all unfinished");
        assertFalse(progress.toString().contains("parquet"), "no path in the answer: " + progress);
    }

    @Test
    void faultSpecificationsParse() {
        final Fault fault = Fault.parse("http429,times=3,path=create,retryAfter=2");
        assertEquals(FaultType.HTTP_429, fault.type());
        assertEquals(3, fault.remaining());
        assertEquals(2, fault.retryAfterSeconds());
        assertEquals(FaultType.LOST_REPLY, Fault.parse("lost-reply").type());
        assertThrows(IllegalArgumentException.class, () -> Fault.parse("meteor"));
    }
}
