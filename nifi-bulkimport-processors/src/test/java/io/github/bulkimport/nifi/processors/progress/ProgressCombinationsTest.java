package io.github.bulkimport.nifi.processors.progress;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import mockwebserver3.MockResponse;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Found by the red team of issue 25 (promises 2 and 3 together; this one HOLDS), fixed since: one run of GetBulkImportProgress over three groups, the first group's
 * listing throttled (HTTP 429 with an HTTP-date Retry-After), with flowfiles whose Job ID expression throws, whose deadline
 * cannot be read, and whose job ID is blank: each routed once, none UNEXPECTED, one call in all.
 */
class ProgressCombinationsTest {

    private MockApi api;

    @BeforeEach
    void setUp() {
        api = new MockApi();
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static Map<String, String> started(final String jobId, final String collection) {
        final Map<String, String> attributes = new HashMap<>();
        attributes.put(BulkImportAttributes.JOB_ID, jobId);
        attributes.put(BulkImportAttributes.COLLECTION, collection);
        attributes.put(BulkImportAttributes.SUBMITTED_AT, Instant.now().toString());
        return attributes;
    }

    @Test
    void aThrottledListingAndBrokenAttributesInOneRun() {
        final TestRunner runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
        runner.setProperty(JobCheck.JOB_ID, "${bulkimport.job.id:append(${boom:toNumber():divide(0)})}");
        api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "Wed, 21 Oct 2099 07:28:00 GMT").body("").build());
        runner.enqueue("a", started("job-a1", "a"));
        runner.enqueue("a", started("job-a2", "a"));
        runner.enqueue("b", started("job-b1", "b"));
        runner.enqueue("b", started("job-b2", "b"));
        final Map<String, String> throwing = started("job-c1", "c");
        throwing.put("boom", "5");
        runner.enqueue("c", throwing);
        final Map<String, String> badDeadline = started("job-c2", "c");
        badDeadline.put(BulkImportAttributes.SUBMITTED_AT, "yesterday-ish");
        runner.enqueue("c", badDeadline);
        runner.enqueue("c", started(" ", "c"));
        runner.run();

        runner.assertQueueEmpty();
        final List<MockFlowFile> out = new ArrayList<>();
        runner.getProcessor().getRelationships().forEach(r -> out.addAll(runner.getFlowFilesForRelationship(r)));
        assertEquals(7, out.size(), "each flowfile routed once");
        assertEquals(0, out.stream().filter(f -> "UNEXPECTED".equals(f.getAttribute(BulkImportAttributes.ERROR_CODE))).count(),
                out.stream().map(f -> f.getAttribute(BulkImportAttributes.ERROR_CODE) + ": " + f.getAttribute(BulkImportAttributes.ERROR_MESSAGE)).toList().toString());
        assertEquals(1, api.requestCount(), "the throttled listing stops the run's calls");
        for (final var relationship : runner.getProcessor().getRelationships()) {
            for (final MockFlowFile f : runner.getFlowFilesForRelationship(relationship)) {
                System.out.println("" + relationship.getName() + " " + f.getAttribute(BulkImportAttributes.JOB_ID) + " "
                        + f.getAttribute(BulkImportAttributes.ERROR_CODE) + ": " + f.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
            }
        }
    }
}
