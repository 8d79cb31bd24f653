package io.github.bulkimport.nifi.processors.progress;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.ObjectSets;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by the red team of issue 25 (promise 4), fixed since: "a flowfile GetBulkImportProgress routes to resubmit holds none of the files that failed its job", and
 * "a key ... matches only itself". Each case here is a server answer that names the failed file whole, as servers render it,
 * where the matcher gets the owner wrong: the flowfile that holds the failed file goes to resubmit (its file fails again in
 * the next job), or an innocent flowfile goes to failure.
 */
class ResubmitRenderingsTest {

    private static final String CONTENT = "content";

    private MockApi api;

    @BeforeEach
    void setUp() {
        api = new MockApi();
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static Map<String, String> sharingOne(final String jobId, final String path) {
        final Map<String, String> attributes = new HashMap<>();
        attributes.put(BulkImportAttributes.JOB_ID, jobId);
        attributes.put(BulkImportAttributes.COLLECTION, "documents");
        attributes.put(BulkImportAttributes.SUBMITTED_AT, Instant.now().toString());
        attributes.put(BulkImportAttributes.OBJECT_URLS, path);
        attributes.put(BulkImportAttributes.OBJECT_SETS, ObjectSets.json(List.of(ImportFile.of(path))));
        attributes.put(BulkImportAttributes.BATCH_SIZE, "2");
        return attributes;
    }

    private void describes(final ObjectNode data) {
        api.json("{\"code\":0,\"data\":" + data + "}");
    }

    private static ObjectNode failedJob(final String jobId, final String goodName, final String badName) {
        final ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("jobId", jobId).put("state", "Failed").put("reason", "a file failed");
        data.putArray("details")
                .add(JsonNodeFactory.instance.objectNode().put("fileName", goodName).put("state", "Completed").put("progress", 100))
                .add(JsonNodeFactory.instance.objectNode().put("fileName", badName).put("state", "Failed").put("reason", "field 'vector' missing"));
        return data;
    }

    private static List<String> urls(final TestRunner runner, final org.apache.nifi.processor.Relationship relationship) {
        return runner.getFlowFilesForRelationship(relationship).stream().map(f -> f.getAttribute(BulkImportAttributes.OBJECT_URLS)).toList();
    }

    /**
     * Zilliz Cloud names a file by its key in the bucket (FailedFiles' own rule). A key that starts with '[' and ends with ']' is
     * taken for a Go rendering and unwrapped, so the key never matches its own URL: the flowfile that sent the failed file is resubmitted.
     */
    @Test
    void aZillizKeyInBracketsIsMatchedWhole() {
        final TestRunner runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
        describes(failedJob("job-1", "good.parquet", "[2026-12-01]"));
        runner.enqueue(CONTENT, sharingOne("job-1", "s3://b/good.parquet"));
        runner.enqueue(CONTENT, sharingOne("job-1", "s3://b/[2026-12-01]"));
        runner.run();
        assertEquals(List.of("s3://b/[2026-12-01]"), urls(runner, ProgressRouting.REL_FAILURE),
                "the flowfile that sent the failed key must go to failure, resubmit holds: " + urls(runner, ProgressRouting.REL_RESUBMIT));
    }

    /**
     * Open-source Milvus writes the protobuf text of its import file with protobuf-go's text format, which escapes the C1
     * controls U+0080..U+009F as \\u0085 (and control bytes as \\xNN), not in octal. ObjectUrls accepts such a key (only C0 and DEL
     * are refused); ProtoImportFile gives up on the escape and the whole name is compared as it is: no match, so the flowfile that
     * sent the failed file is resubmitted.
     */
    @Test
    void aMilvusProtoTextNameWithAProtobufGoEscapeIsMatched() {
        final TestRunner runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        final String key = "vectors/part\u0085x.parquet";
        describes(failedJob("41", "id:1 paths:\"vectors/good.parquet\"", "id:2 paths:\"vectors/part\\u0085x.parquet\""));
        runner.enqueue(CONTENT, sharingOne("41", "vectors/good.parquet"));
        runner.enqueue(CONTENT, sharingOne("41", key));
        runner.run();
        assertEquals(List.of(key), urls(runner, ProgressRouting.REL_FAILURE),
                "the flowfile that sent the failed key must go to failure; resubmit holds: " + urls(runner, ProgressRouting.REL_RESUBMIT));
    }

    /** A key holding a run of a secret reaches the attributes masked (TriggerBulkImport): its flowfile's innocence cannot be told. */
    @Test
    void aFlowFileWhoseKeyWasMaskedIsNeverResubmitted() {
        final TestRunner runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
        describes(failedJob("job-1", "by-key/AKIATESTACCESS42XYZ/good.parquet", "other.parquet"));
        runner.enqueue(CONTENT, sharingOne("job-1", "s3://b/by-key/********/good.parquet"));
        runner.enqueue(CONTENT, sharingOne("job-1", "s3://b/other.parquet"));
        runner.run();
        assertEquals(List.of("s3://b/by-key/********/good.parquet", "s3://b/other.parquet"), urls(runner, ProgressRouting.REL_FAILURE));
        runner.clearProvenanceEvents();
    }

    @Test
    void theProtoTextReaderKnowsProtobufGoEscapes() {
        // what protobuf-go's prototext writes for a key holding U+0085 (a C1 control, which ObjectUrls lets through): \\u0085
        assertTrue(FailedFiles.names("id:2 paths:\"a/part\\u0085x.parquet\"", List.of("a/part\u0085x.parquet")), "\\u escape");
    }

    /**
     * Zilliz Cloud, no details[]: the answer names one file at the top level (the emulator's comment: "the job's (first) file").
     * The client turns it into a per-file result with the JOB's state, so the first flowfile's file is taken as the one that
     * failed and the flowfile whose file really failed is told innocent and resubmitted with it.
     */
    @Test
    void zillizTopLevelFileNameOfAMultiFileJobNamesNoFailedFile() {
        final TestRunner runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
        final ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("jobId", "job-2").put("state", "Failed").put("fileName", "s3://b/first.parquet")
                .put("reason", "failed to parse s3://b/second.parquet: the field 'vector' is missing");
        describes(data);
        runner.enqueue(CONTENT, sharingOne("job-2", "s3://b/first.parquet"));
        runner.enqueue(CONTENT, sharingOne("job-2", "s3://b/second.parquet"));
        runner.run();
        assertEquals(List.of(), urls(runner, ProgressRouting.REL_RESUBMIT),
                "the answer did not name each failed file: nobody's innocence can be told, so nobody is resubmitted");
    }

    /**
     * "A key ... matches only itself": a failed name matches any path that ends with "/" + name. On Milvus (paths sent exactly as
     * rendered) a failed file "1.parquet" at the bucket's root makes the flowfile of the innocent "a/1.parquet" guilty.
     */
    @Test
    void aFailedNameMatchesNoOtherKeyThatEndsWithIt() {
        final TestRunner runner = Runners.milvus(new GetBulkImportProgress(), api.url());
        describes(failedJob("42", "[a/1.parquet]", "[1.parquet]"));
        runner.enqueue(CONTENT, sharingOne("42", "a/1.parquet"));
        runner.enqueue(CONTENT, sharingOne("42", "1.parquet"));
        runner.run();
        assertEquals(List.of("a/1.parquet"), urls(runner, ProgressRouting.REL_RESUBMIT),
                "the innocent a/1.parquet goes to resubmit; failure holds: " + urls(runner, ProgressRouting.REL_FAILURE));
    }

    /**
     * Zilliz Cloud's key for an https URL that percent-encodes it: the key is "my file.parquet", the URL sent ends in
     * "my%20file.parquet". (Assumes Zilliz names the decoded key, as FailedFiles says it names "the object's key in its bucket".)
     */
    @Test
    void aZillizKeyOfAPercentEncodedHttpsUrlIsMatched() {
        final TestRunner runner = Runners.zilliz(new GetBulkImportProgress(), api.url());
        describes(failedJob("job-3", "good.parquet", "dir/my file.parquet"));
        runner.enqueue(CONTENT, sharingOne("job-3", "https://b.s3.us-east-1.amazonaws.com/dir/good.parquet"));
        runner.enqueue(CONTENT, sharingOne("job-3", "https://b.s3.us-east-1.amazonaws.com/dir/my%20file.parquet"));
        runner.run();
        final List<MockFlowFile> resubmitted = runner.getFlowFilesForRelationship(ProgressRouting.REL_RESUBMIT);
        assertEquals(List.of("https://b.s3.us-east-1.amazonaws.com/dir/good.parquet"), urls(runner, ProgressRouting.REL_RESUBMIT),
                "resubmitted: " + resubmitted.size());
    }
}
