package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.service.client.ImportApiClient;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Found by the red team of issue 25 (promise 5), fixed since: "every HTTP call counts in Bulk-import API calls", and Max Active Jobs "counts every unfinished one"
 * recovered from one listing.
 */
@Timeout(60)
class CallCountingTest {

    private MockApi api;

    @BeforeEach
    void setUp() {
        api = new MockApi();
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private List<String> paths() throws InterruptedException {
        final List<String> paths = new ArrayList<>();
        for (RecordedRequest request = api.server().takeRequest(100, TimeUnit.MILLISECONDS); request != null;
             request = api.server().takeRequest(100, TimeUnit.MILLISECONDS)) {
            paths.add(request.getTarget());
        }
        return paths;
    }

    /**
     * ImportApiClient.describeJob falls back to /getProgress on any HTTP 404 of /describe, a second call made inside one
     * describeJob; the processor counts one. Against a gateway that answers 404 for both (a wrong Endpoint URL path), every
     * describe costs two calls and counts one.
     */
    @Test
    void aDescribeThatFallsBackToGetProgressCountsTwoCalls() throws Exception {
        final TestRunner runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        for (int i = 0; i < 2; i++) {
            api.enqueue(new MockResponse.Builder().code(404).setHeader("Content-Type", "text/plain").body("404 page not found").build());
        }
        final Map<String, String> attributes = new HashMap<>();
        attributes.put(BulkImportAttributes.JOB_ID, "100");
        attributes.put(BulkImportAttributes.COLLECTION, "docs");
        attributes.put(BulkImportAttributes.SUBMITTED_AT, Instant.now().toString());
        runner.enqueue("x", attributes);
        runner.run();
        final List<String> paths = paths();
        assertEquals(List.of(ImportApiClient.DESCRIBE_PATH, ImportApiClient.GET_PROGRESS_PATH), paths);
        assertEquals(paths.size(), runner.getCounterValue(Counters.HTTP_CALLS), "every HTTP call counts");
    }

    /**
     * Zilliz Cloud, Max Active Jobs 2: the server holds 1,050 jobs, of which the 50 on the 11th page are still Importing. The
     * service lists at most 10 pages before its first start, counts none of them, and admits a start beyond the server's load.
     */
    @Test
    void maxActiveJobsCountsTheUnfinishedJobsPastTenPagesOfAZillizListing() throws Exception {
        final TestRunner runner = Runners.zilliz(new TriggerBulkImport(), api.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        final StandardBulkImportConnectionService service = (StandardBulkImportConnectionService) runner.getControllerService(Runners.SERVICE_ID);
        runner.disableControllerService(service);
        runner.setProperty(service, StandardBulkImportConnectionService.MAX_ACTIVE_JOBS, "2");
        runner.enableControllerService(service);
        for (int page = 1; page <= 11; page++) {
            final StringBuilder records = new StringBuilder();
            for (int i = 0; i < (page == 11 ? 50 : 100); i++) {
                records.append(i == 0 ? "" : ",").append("{\"jobId\":\"job-").append(page).append('-').append(i)
                        .append("\",\"collectionName\":\"documents\",\"state\":\"").append(page == 11 ? "Importing" : "Completed").append("\"}");
            }
            api.json("{\"code\":0,\"data\":{\"count\":1050,\"currentPage\":" + page + ",\"pageSize\":100,\"records\":[" + records + "]}}");
        }
        runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "docs/part-1.parquet", "s3.etag", "e1"));
        runner.run();
        final List<String> paths = paths();
        System.out.println("requests " + paths.stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).toList());
        assertFalse(paths.contains(ImportApiClient.CREATE_PATH), "50 jobs still run on the server, Max Active Jobs is 2: no create");
    }
}
