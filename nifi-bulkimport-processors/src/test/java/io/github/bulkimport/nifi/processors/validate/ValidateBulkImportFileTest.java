package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ValidateBulkImportFile as a processor: the schema described once per collection and cache window,
 * the routes for what cannot be checked, Zilliz Cloud's cluster endpoint, bad content that never
 * escapes, and Verify.
 */
@Timeout(60)
class ValidateBulkImportFileTest {

    private static final String ROWS = "[{\"vector\": [1, 2, 3, 4], \"title\": \"a\", \"tags\": [1], \"count\": 1}]";

    private static TestRunner runner(final ImportApiEmulator emulator, final ValidateBulkImportFile processor) {
        final TestRunner runner = Runners.milvus(processor, emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        return runner;
    }

    private static void enqueueRows(final TestRunner runner, final int count) {
        for (int i = 0; i < count; i++) {
            runner.enqueue(ROWS.getBytes(StandardCharsets.UTF_8), Map.of("filename", "part-" + i + ".json"));
        }
    }

    @Test
    void aCollectionIsDescribedOncePerCacheWindowWhateverTheNumberOfFiles() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS).start()) {
            final AtomicLong now = new AtomicLong();
            final ValidateBulkImportFile processor = new ValidateBulkImportFile();
            processor.useClock(now::get);
            final TestRunner runner = runner(emulator, processor);
            enqueueRows(runner, 120);
            runner.run(3);
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 120);
            assertEquals(1, emulator.requests("collections/describe").size(), "one description for 120 files");
            assertEquals(1, runner.getCounterValue(Counters.HTTP_CALLS), "the call counted as an API call");
            assertEquals(120, runner.getCounterValue(Counters.FILES_VALID));
            runner.getFlowFilesForRelationship(ValidationRouting.REL_VALID).forEach(f -> f.assertAttributeEquals(BulkImportAttributes.FILE_FORMAT, "JSON"));

            now.addAndGet(TimeUnit.MINUTES.toNanos(2));
            enqueueRows(runner, 1);
            runner.run();
            assertEquals(2, emulator.requests("collections/describe").size(), "described again once the cached schema is a minute old");
        }
    }

    @Test
    void aSchemaThatCannotBeFetchedForNowGoesToRetryAndAnUnknownCollectionToFailure() {
        try (ImportApiEmulator emulator = Emulators.milvus().collections("docs").schema("docs", ValidatorAgreesWithServerTest.DOCS)
                .fault(Fault.on("collections/describe", FaultType.HTTP_503, 1)).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            enqueueRows(runner, 1);
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_RETRY, 1);
            final MockFlowFile retried = runner.getFlowFilesForRelationship(ValidationRouting.REL_RETRY).getFirst();
            assertTrue(retried.isPenalized());
            retried.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "503");

            runner.clearTransferState();
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "missing");
            enqueueRows(runner, 1);
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_FAILURE, 1);
            final MockFlowFile failed = runner.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).getFirst();
            failed.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "100");
            assertTrue(failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("collection not found"), failed.getAttributes().toString());
        }
    }

    @Test
    void aThrottledDescriptionStopsTheRunsCallsAndIsRememberedUntilItsRetryAfter() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS)
                .fault(new Fault(FaultType.HTTP_429, 1, "collections/describe", 30, 0)).start()) {
            final AtomicLong now = new AtomicLong();
            final ValidateBulkImportFile processor = new ValidateBulkImportFile();
            processor.useClock(now::get);
            final TestRunner runner = runner(emulator, processor);
            enqueueRows(runner, 10);
            runner.run();

            assertEquals(1, emulator.requests("collections/describe").size(), "one description, refused: no call for the 9 other files");
            assertEquals(1, runner.getCounterValue(Counters.HTTP_CALLS));
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_RETRY, 10);
            runner.assertPenalizeCount(10);
            assertTrue(runner.isYieldCalled());

            // within the Retry-After: nothing is asked, whatever runs
            runner.clearTransferState();
            now.addAndGet(TimeUnit.SECONDS.toNanos(20));
            enqueueRows(runner, 1);
            runner.run(1, false, false);
            assertEquals(1, emulator.requests("collections/describe").size());

            // after it: described again, the file checked
            now.addAndGet(TimeUnit.SECONDS.toNanos(11));
            runner.run();
            assertEquals(2, emulator.requests("collections/describe").size());
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);
        }
    }

    @Test
    void aHangingEndpointCostsTheResponseTimeoutOncePerRunNotOncePerFile() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS)
                .fault(new Fault(FaultType.SLOW, 1, "collections/describe", -1, 5_000)).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            final var service = runner.getControllerService(Runners.SERVICE_ID);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "500 millis");
            runner.enableControllerService(service);
            enqueueRows(runner, 10);
            final long start = System.nanoTime();
            runner.run();
            final long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(1, emulator.requests("collections/describe").size(), "one call timed out, the others were not made");
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_RETRY, 10);
            assertTrue(tookMillis < 4_000, "one Response Timeout, not ten: " + tookMillis + " ms");
        }
    }

    @Test
    void anUnknownCollectionIsDescribedOncePerRunWhateverTheNumberOfFiles() {
        try (ImportApiEmulator emulator = Emulators.milvus().collections("docs").schema("docs", ValidatorAgreesWithServerTest.DOCS).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "missing");
            enqueueRows(runner, 10);
            runner.run();
            assertEquals(1, emulator.requests("collections/describe").size());
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_FAILURE, 10);
            runner.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).forEach(f -> f.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "100"));
        }
    }

    @Test
    void onZillizCloudCollectionsAreDescribedAtTheClusterEndpointWhichMustBeGiven() {
        try (ImportApiEmulator emulator = Emulators.zilliz().schema("docs", ValidatorAgreesWithServerTest.DOCS).start()) {
            final TestRunner runner = Runners.zilliz(new ValidateBulkImportFile(), emulator.url());
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
            enqueueRows(runner, 1);
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_FAILURE, 1);
            final MockFlowFile failed = runner.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).getFirst();
            failed.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "NO_CLUSTER_ENDPOINT");
            assertTrue(failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("set Cluster Endpoint on the connection service"));
            assertEquals(0, emulator.requests("collections/describe").size(), "nothing is asked of the control plane");

            final var service = runner.getControllerService(Runners.SERVICE_ID);
            runner.disableControllerService(service);
            runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ENDPOINT, emulator.url());
            runner.enableControllerService(service);
            runner.clearTransferState();
            enqueueRows(runner, 1);
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);
        }
    }

    @Test
    void aFlowFileWithoutContentIsInvalidAndSaysWhereTheValidatorBelongs() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            runner.enqueue(new byte[0], Map.of("filename", "part.parquet"));
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_INVALID, 1);
            assertTrue(runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst().getAttribute(BulkImportAttributes.VALIDATION_ERRORS)
                    .startsWith("file: expected the file's bytes as the flowfile's content"));
        }
    }

    @Test
    void everyProblemIsALineOfItsOwnAsManyAsFitInAMessage() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.STRICT).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            runner.enqueue("""
                    [{"id": 1, "vector": [1, 2, 3], "title": "a rather long title", "lang": "en"},
                     {"vector": [1, 2, 3, 4], "title": "b"}]""".getBytes(StandardCharsets.UTF_8), Map.of("filename", "part-7.json"));
            final StringBuilder manyUnknown = new StringBuilder("[{\"id\": 1, \"vector\": [1, 2, 3, 4], \"title\": \"t\"");
            for (int i = 0; i < 100; i++) {
                manyUnknown.append(", \"unknown_field_").append(i).append("\": ").append(i);
            }
            runner.enqueue(manyUnknown.append("}]").toString().getBytes(StandardCharsets.UTF_8), Map.of("filename", "part-8.json"));
            runner.run(2);

            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_INVALID, 2);
            final List<MockFlowFile> invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID);
            assertEquals(List.of(
                    "id: expected Int64, found no value in row 2",
                    "vector: expected FloatVector(4), found a list of 3 in row 1",
                    "title: expected VarChar(8), found a text of 19 bytes in row 1",
                    "lang: expected no key, since collection docs has no such field and its dynamic field is off (Milvus 2.6 and later skip "
                            + "it, earlier servers refuse the file), found one"),
                    List.of(invalid.getFirst().getAttribute(BulkImportAttributes.VALIDATION_ERRORS).split("\n")));

            final String many = invalid.get(1).getAttribute(BulkImportAttributes.VALIDATION_ERRORS);
            final List<String> lines = List.of(many.split("\n"));
            assertTrue(many.length() <= 1_000, many);
            assertTrue(lines.getFirst().startsWith("unknown_field_0: expected no key"), many);
            assertEquals("and " + (100 - (lines.size() - 1)) + " more", lines.getLast());
        }
    }

    @Test
    void aSeparatorOfMoreThanOneCharacterIsBadInput() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            runner.setProperty(ValidateBulkImportFile.CSV_SEPARATOR, "${sep}");
            runner.enqueue("vector\n[1,2,3,4]\n".getBytes(StandardCharsets.UTF_8), Map.of("filename", "rows.csv", "sep", ";;"));
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_FAILURE, 1);
            final MockFlowFile failed = runner.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).getFirst();
            failed.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "INVALID_INPUT");
            assertTrue(failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE).contains("CSV Separator"));
        }
    }

    /** Random bytes under every file name: each flowfile is routed, none is lost, no exception leaves onTrigger. */
    @Test
    void badContentNeverEscapesOnTrigger() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS).start()) {
            final TestRunner runner = runner(emulator, new ValidateBulkImportFile());
            final Random random = new Random(20_261_202L);
            final List<String> names = List.of("x.parquet", "x.json", "x.jsonl", "x.csv", "x.npy", "x.bin");
            final int files = 300;
            for (int i = 0; i < files; i++) {
                final byte[] bytes = new byte[random.nextInt(4096)];
                random.nextBytes(bytes);
                if (i % 3 == 0 && bytes.length > 8) {
                    // the right magic in front of garbage: past the first check
                    System.arraycopy(i % 2 == 0 ? "PAR1".getBytes(StandardCharsets.US_ASCII) : new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}, 0,
                            bytes, 0, 4);
                    System.arraycopy("PAR1".getBytes(StandardCharsets.US_ASCII), 0, bytes, bytes.length - 4, 4);
                }
                runner.enqueue(bytes, Map.of("filename", names.get(i % names.size())));
            }
            runner.run(files / 50 + 1);
            runner.assertQueueEmpty();
            final int routed = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).size()
                    + runner.getFlowFilesForRelationship(ValidationRouting.REL_VALID).size()
                    + runner.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).size();
            assertEquals(files, routed);
            assertEquals(0, runner.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).stream()
                    .filter(f -> "UNEXPECTED".equals(f.getAttribute(BulkImportAttributes.ERROR_CODE))).count(), "no unexpected error");
        }
    }

    @Test
    void aFileOverTheServersSizeLimitIsInvalid() {
        final CollectionSchema schema = new CollectionSchema("docs", false, List.of(new FieldSchema("vector", FieldType.FLOAT_VECTOR, null, false,
                false, false, false, false, false, 4, null, null)));
        final List<String> problems = SchemaRules.check(new SchemaRules.Target(schema, null, 17L << 30, 16L << 30, "Milvus"),
                new FileContents(FileFormat.PARQUET, List.of(), 0, null, 0));
        assertEquals("file: expected at most 16.0 GiB (Milvus's limit for one file), found 17.0 GiB", problems.getFirst());
    }

    @Test
    void verifyDescribesTheCollectionAndRefusesAPartitionNameWithAPartitionKey() {
        try (ImportApiEmulator emulator = Emulators.milvus().schema("keyed", ValidatorAgreesWithServerTest.KEYED).start()) {
            final ValidateBulkImportFile processor = new ValidateBulkImportFile();
            final TestRunner runner = runner(emulator, processor);
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "keyed");
            runner.setProperty(ImportRequestReader.PARTITION_NAME, "p1");
            final List<ConfigVerificationResult> results = ((VerifiableProcessor) runner.getProcessor())
                    .verify(runner.getProcessContext(), runner.getLogger(), Map.of());
            assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, results.get(0).getOutcome(), results.toString());
            assertTrue(results.get(0).getExplanation().contains("vector FloatVector(4)"), results.get(0).getExplanation());
            assertEquals(ConfigVerificationResult.Outcome.FAILED, results.get(1).getOutcome());
            assertTrue(results.get(1).getExplanation().contains("partition key tenant"), results.get(1).getExplanation());
        }
    }
}
