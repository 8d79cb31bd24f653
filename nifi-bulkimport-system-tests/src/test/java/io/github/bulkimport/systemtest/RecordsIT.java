package io.github.bulkimport.systemtest;

import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.systemtest.RecordTypes.Holding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The records path in a real NiFi 2.3.0 with NiFi's own record writers: records of every field type a NiFi
 * record can express go through MergeRecord with JsonRecordSetWriter (the definition's) and with
 * CSVRecordSetWriter, are "uploaded" with PutFile into the emulator's bucket folder, and run through
 * ValidateBulkImportFile, TriggerBulkImport and GetBulkImportProgress; the emulator reads each file whole and
 * reports, per job, the rows it imported and the rows that gave each field a value. What the CSV writer cannot
 * express stops at the validator, with its message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordsIT {

    private static final String TOKEN = "root:Milvus-records-test";
    private static final Duration FLOW_TIMEOUT = Duration.ofMinutes(3);
    private static final int FLOWFILES_PER_COLLECTION = 2;
    private static final int ROWS = FLOWFILES_PER_COLLECTION * RecordTypes.ROWS;
    private static final int GIVEN = ROWS / 2;

    private ImportApiEmulator emulator;
    private NiFiInstance nifi;
    private NiFiRestClient rest;
    private Path bucket;

    @BeforeAll
    void startNiFiAndEmulator() throws Exception {
        final Path instance = Path.of(System.getProperty("nifi.instance.dir") + "-records");
        NiFiInstance.delete(instance);
        bucket = Files.createDirectories(instance.resolve("bucket"));
        final ImportApiEmulator.Builder builder = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN)
                .importDuration(Duration.ofSeconds(1)).bucket(bucket);
        RecordTypes.schemas().forEach(builder::schema);
        emulator = builder.start();
        nifi = NiFiInstance.prepare(Path.of(System.getProperty("nifi.runtime.home")), instance.resolve("nifi"),
                NiFiInstance.narsIn(Path.of(System.getProperty("bulkimport.nars"))), "system-tests");
        final Duration startup = nifi.start(Duration.ofMinutes(4));
        System.out.printf("NiFi started in %.1f s at %s%n", startup.toMillis() / 1000.0, nifi.uiUrl());
        rest = nifi.rest();
        rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
        rest.awaitProcessorType(RecordsFlow.MERGE_RECORD_TYPE, Duration.ofSeconds(60));
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (nifi != null) {
            nifi.stop();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private RecordsFlow flow(final String name, final double y) throws Exception {
        return RecordsFlow.create(rest, rest.rootGroupId(), 0, y,
                new BulkImportFlow.Settings(name, emulator.url(), TOKEN, "set per flowfile", "milvus-bucket", Duration.ofMillis(500)), bucket, ROWS);
    }

    /** A source of records for each collection. */
    private List<String> sources(final RecordsFlow flow, final Holding holding) throws Exception {
        return List.of(
                flow.addSource(rest, RecordTypes.SCALARS, RecordTypes.scalarsAvro(holding), RecordTypes.scalarsRows(holding), 0),
                flow.addSource(rest, RecordTypes.VECTORS, RecordTypes.VECTORS_AVRO, RecordTypes.vectorsRows(), 200),
                flow.addSource(rest, RecordTypes.AUTO_ID, RecordTypes.AUTO_ID_AVRO, RecordTypes.autoIdRows(), 400));
    }

    /** Makes {@link #FLOWFILES_PER_COLLECTION} flowfiles of records with each source. */
    private void feed(final List<String> sources) throws Exception {
        for (int i = 0; i < FLOWFILES_PER_COLLECTION; i++) {
            for (final String source : sources) {
                rest.runOnce(source, Duration.ofSeconds(30));
            }
        }
    }

    /** The emulator's jobs of one collection whose file has the extension. */
    private List<Job> jobs(final String collection, final String extension) {
        return emulator.jobs().stream().filter(job -> job.collection().equals(collection)
                && job.files().getFirst().getFirst().endsWith(extension)).toList();
    }

    /** Every type imported: each collection's one file, its rows, and the rows that gave each field a value. */
    private void assertEveryTypeImported(final RecordsFlow flow, final String extension) throws Exception {
        BulkImportFlow.awaitQueued(rest, flow.done(), 3, FLOW_TIMEOUT);
        for (final Map<String, String> imported : rest.queuedAttributes(flow.done())) {
            assertEquals("Completed", imported.get("bulkimport.state"), imported.toString());
            assertEquals(String.valueOf(ROWS), imported.get("bulkimport.imported.rows"), imported.toString());
            assertTrue(imported.get("s3.key").startsWith("records/") && imported.get("s3.key").endsWith(extension), imported.toString());
            assertEquals(imported.get("s3.key"), imported.get("bulkimport.object.urls"));
        }
        final Job scalars = only(jobs(RecordTypes.SCALARS, extension));
        assertEquals(ROWS, scalars.rows(), "Int64 primary key, every scalar, arrays, JSON, sparse: " + scalars.valuesByField());
        final Map<String, Long> expected = new java.util.LinkedHashMap<>();
        for (final String field : List.of("id", "vector", "sparse", "flag", "tiny", "small", "count", "big", "ratio", "score", "title", "tags",
                "counts", "doc")) {
            expected.put(field, (long) ROWS);
        }
        // the nullable field, the field with a default and the dynamic field: given in half the rows, null (or the default) in the others
        expected.put("note", (long) GIVEN);
        expected.put("rank", (long) GIVEN);
        expected.put("$meta", (long) GIVEN);
        assertEquals(expected, scalars.valuesByField());

        final Job vectors = only(jobs(RecordTypes.VECTORS, extension));
        assertEquals(Map.of("pk", (long) ROWS, "half", (long) ROWS, "brain", (long) ROWS, "small", (long) ROWS, "bits", (long) ROWS),
                vectors.valuesByField(), "VarChar primary key, Float16, BFloat16, Int8 and binary vectors");
        assertEquals(ROWS, vectors.rows());

        final Job autoId = only(jobs(RecordTypes.AUTO_ID, extension));
        assertEquals(Map.of("vector", (long) ROWS, "$meta", (long) ROWS), autoId.valuesByField(), "auto-ID primary key: no id in the file");
        assertEquals(ROWS, autoId.rows());
        assertEquals(0, rest.queued(flow.notStarted()));
        assertEquals(0, rest.queued(flow.failed()));
        assertEquals(0, rest.queued(flow.notMerged()));
    }

    private static Job only(final List<Job> jobs) {
        assertEquals(1, jobs.size(), "one file, one job: " + jobs.stream().map(Job::files).toList());
        return jobs.getFirst();
    }

    @Test
    void everyFieldTypeGoesThroughNiFisWritersIntoMilvus() throws Exception {
        final RecordsFlow json = flow("records_json", 0);
        final RecordsFlow csv = flow("records_csv", 1400);
        csv.writeCsv(rest);
        final List<String> jsonSources = sources(json, Holding.RECORD_TYPES);
        // CSV cells are text: a map or an array of strings is written in Java's own notation, not JSON ...
        final String explained = csv.addSource(rest, RecordTypes.SCALARS, RecordTypes.scalarsAvro(Holding.RECORD_TYPES),
                RecordTypes.scalarsRows(Holding.RECORD_TYPES), 600);
        // ... held as strings of JSON text, they are written as they are
        final List<String> csvSources = sources(csv, Holding.JSON_TEXT);
        json.start(rest);
        csv.start(rest);

        feed(jsonSources);
        rest.runOnce(explained, Duration.ofSeconds(30));
        feed(csvSources);

        assertEveryTypeImported(json, ".json");
        assertEveryTypeImported(csv, ".csv");

        BulkImportFlow.awaitQueued(rest, csv.invalid(), 1, FLOW_TIMEOUT);
        final Map<String, String> invalid = rest.queuedAttributes(csv.invalid()).getFirst();
        final String errors = invalid.get("bulkimport.validation.errors");
        System.out.println("CSV of record types, as ValidateBulkImportFile reports it:\n" + errors);
        final Map<String, String> byField = List.of(errors.split("\n")).stream()
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(':')), line -> line, (a, b) -> a));
        // a record is written as JSON text, and fills the JSON field; a map and an array of strings are not
        assertEquals(List.of("sparse", "tags"), byField.keySet().stream().sorted().toList(), errors);
        assertTrue(byField.get("sparse").startsWith("sparse: expected SparseFloatVector"), errors);
        assertTrue(byField.get("tags").startsWith("tags: expected Array"), errors);
        assertTrue(emulator.jobs().stream().noneMatch(job -> job.files().getFirst().getFirst().equals(invalid.get("s3.key"))),
                "no job for the file the validator stopped");

        final Map<String, Long> counters = rest.counters();
        assertEquals(6L * ROWS, counters.get("Bulk-import rows imported"), counters.toString());
        assertEquals(6L, counters.get("Bulk-import jobs completed"), counters.toString());
        assertEquals(1L, counters.get("Bulk-import files invalid"), counters.toString());
    }
}
