package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.testing.MockApi;
import io.github.bulkimport.nifi.testing.Runners;
import io.github.bulkimport.nifi.testing.Secrets;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Found by the red team of issue 25 (promise 4, "secrets in file names"; README: "No attribute ... ever holds ... the storage keys ..., nor any run of 8 of
 * their characters"), fixed since. An upload's key that holds the Storage Access Key (buckets laid out by access key ID are common: exports/AKIA.../)
 * is written unmasked into bulkimport.object.urls and bulkimport.object.sets: those attributes are not made visible text, they are
 * written raw (TriggerRouting.successAttributes). The masked copy would not do either: GetBulkImportProgress needs the files whole.
 * The test suite's own LeakSweep (whole secrets only) fails this test after it too.
 */
class SecretInObjectKeyTest {

    private MockApi api;

    @BeforeEach
    void setUp() {
        api = new MockApi().withEmptyListings();
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void aKeyHoldingTheStorageAccessKeyIsMaskedInTheObjectAttributes() {
        final TestRunner runner = Runners.zilliz(new TriggerBulkImport(), api.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        api.jobCreated("job-0a1b2c3d");
        runner.enqueue(new byte[0], Map.of("s3.bucket", "exports", "s3.key", "by-key/" + Secrets.ACCESS_KEY + "/part-1.parquet", "s3.etag", "e1"));
        runner.run();
        final MockFlowFile out = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).getFirst();
        final String secretRun = Secrets.ACCESS_KEY.substring(0, 8);
        assertFalse(out.getAttribute(BulkImportAttributes.OBJECT_URLS).contains(secretRun), out.getAttribute(BulkImportAttributes.OBJECT_URLS));
        assertFalse(out.getAttribute(BulkImportAttributes.OBJECT_SETS).contains(secretRun), out.getAttribute(BulkImportAttributes.OBJECT_SETS));
        // s3.key is the upstream processor's attribute and holds the secret by this test's design (and provenance records every attribute): only ours are checked
        runner.clearTransferState();
        runner.clearProvenanceEvents();
    }
}
