package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import mockwebserver3.MockResponse;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Found by the red team of issue 25 (promise 3), fixed since: "transient errors to retry (yielding on HTTP 429 and rate limits, honouring Retry-After)". A 503 (or a
 * gateway's 502/504, or Milvus's 408 server timeout) with Retry-After is UNAVAILABLE, and ThrottleGate.slowDown closes the gate only
 * for THROTTLED: the server said "come back in 120 s", the next run (one yield later) asks again.
 */
class RetryAfterOnUnavailableTest {

    private MockApi api;

    @BeforeEach
    void setUp() {
        api = new MockApi();
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static Map<String, String> started(final String jobId) {
        final Map<String, String> attributes = new HashMap<>();
        attributes.put(BulkImportAttributes.JOB_ID, jobId);
        attributes.put(BulkImportAttributes.COLLECTION, "documents");
        attributes.put(BulkImportAttributes.SUBMITTED_AT, Instant.now().toString());
        return attributes;
    }

    @Test
    void aRetryAfterOnA503IsHonoured() {
        final TestRunner runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
        api.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "120").setHeader("Content-Type", "application/json")
                .body("{\"code\":503,\"message\":\"maintenance\"}").build());
        api.json("{\"code\":0,\"data\":{\"jobId\":\"job-2\",\"state\":\"Importing\",\"progress\":10}}");
        runner.enqueue("x", started("job-1"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ProgressRouting.REL_RETRY, 1);
        runner.clearTransferState();

        runner.enqueue("x", started("job-2"));
        runner.run(1, false, false);
        assertEquals(1, api.requestCount(), "the server asked for 120 s of quiet; nothing may be asked meanwhile");
    }
}
