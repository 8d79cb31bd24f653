package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.validate.RealFiles.ParquetLayout;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every check of ValidateBulkImportFile, table-driven with real files (written by Apache Parquet,
 * Jackson and a NumPy writer), each run twice: through the validator, and as an import on the
 * emulator, which reads the file whole with other readers and fails jobs as Milvus's readers do.
 * A file the validator calls valid imports; one it calls invalid fails on the server naming the
 * same field, or (marked so) imports with that field silently dropped.
 */
@Timeout(120)
class ValidatorAgreesWithServerTest {

    static final String DOCS = """
            {"enableDynamicField": true, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "8"}]},
              {"name": "tags", "type": "Array", "elementType": "Int64", "params": [{"key": "max_capacity", "value": "3"}]},
              {"name": "count", "type": "Int32"},
              {"name": "score", "type": "Float", "nullable": true}]}""";
    static final String STRICT = """
            {"enableDynamicField": false, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": false},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "8"}]}]}""";
    static final String NUMPY = """
            {"enableDynamicField": false, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "count", "type": "Int32"},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "8"}]}]}""";
    static final String KEYED = """
            {"enableDynamicField": false, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "tenant", "type": "VarChar", "partitionKey": true, "params": [{"key": "max_length", "value": "16"}]}]}""";

    /** Every type a NiFi record can express, for files as NiFi's record writers write them. */
    static final String RECORDS = """
            {"enableDynamicField": true, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": false},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "2"}]},
              {"name": "half", "type": "Float16Vector", "params": [{"key": "dim", "value": "2"}]},
              {"name": "small", "type": "Int8Vector", "params": [{"key": "dim", "value": "2"}]},
              {"name": "bits", "type": "BinaryVector", "params": [{"key": "dim", "value": "16"}]},
              {"name": "sparse", "type": "SparseFloatVector"},
              {"name": "flag", "type": "Bool"},
              {"name": "ratio", "type": "Float"},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "8"}]},
              {"name": "tags", "type": "Array", "elementType": "VarChar", "params": [{"key": "max_capacity", "value": "3"}, {"key": "max_length", "value": "8"}]},
              {"name": "doc", "type": "JSON"},
              {"name": "note", "type": "VarChar", "nullable": true, "params": [{"key": "max_length", "value": "16"}]},
              {"name": "rank", "type": "Int32", "defaultValue": 0}]}""";

    private static final String DOCS_PARQUET = """
            message docs {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional group tags (LIST) { repeated group list { optional int64 element; } }
              required int32 count;
              optional float score;
            }""";

    /** What the validator should say, and what the server does with the file. */
    enum Expect {
        /** Valid, and the import completes. */
        VALID,
        /** Invalid, and the import fails naming the field. */
        INVALID,
        /** Invalid, and the server imports the file without the field: data silently lost. */
        INVALID_SERVER_DROPS,
        /** Invalid, and the server refuses the request. */
        INVALID_SERVER_REFUSES
    }

    /**
     * @param write     writes the files of the case into its folder; returns the file the validator checks and the group the server imports
     * @param field     the subject of the validator's first problem, which the server's reason names too
     * @param validator properties of the validator besides Collection Name
     * @param options   the import options of the server's job
     */
    record Case(String name, String collection, Function<Path, Written> write, Expect expect, String field, Map<String, String> validator,
                Map<String, String> options, String partition) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** The file the validator checks, and the paths (relative to the bucket) the server imports. */
    record Written(Path file, List<String> group) {
    }

    /** Where Milvus's reason does not name the field, what it names instead. */
    /** Written as the byte 0xFF by {@link #bytes}. */
    private static final char NOT_UTF8 = '\uDFFF';
    private static final Map<String, String> SERVER_NAMES = Map.of("$meta", "dynamic field", "tags", "array");

    @TempDir
    static Path bucket;
    private static ImportApiEmulator emulator;

    @BeforeAll
    static void startServer() {
        emulator = Emulators.milvus().importDuration(Duration.ofMillis(20)).schema("docs", DOCS).schema("strict", STRICT).schema("numpy", NUMPY)
                .schema("keyed", KEYED).schema("records", RECORDS).bucket(bucket).start();
    }

    @AfterAll
    static void stopServer() {
        emulator.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theValidatorAndTheServerAgree(final Case check) throws Exception {
        final Path folder = bucket.resolve(check.name().replaceAll("[^A-Za-z0-9]+", "-"));
        final Written written = check.write().apply(folder);

        final TestRunner runner = Runners.milvus(new ValidateBulkImportFile(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, check.collection());
        if (check.partition() != null) {
            runner.setProperty(ImportRequestReader.PARTITION_NAME, check.partition());
        }
        check.validator().forEach(runner::setProperty);
        runner.enqueue(written.file(), Map.of("filename", written.file().getFileName().toString()));
        runner.run();

        final ServerVerdicts.Verdict server = ServerVerdicts.importOf(emulator, check.collection(), check.partition(),
                written.group().stream().map(path -> bucket.relativize(folder.resolve(path)).toString()).toList(), check.options());
        if (check.expect() == Expect.VALID) {
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);
            assertTrue(server.imported(), "the server imports what the validator calls valid: " + server);
            return;
        }
        runner.assertAllFlowFilesTransferred(ValidationRouting.REL_INVALID, 1);
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        final String errors = invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS);
        assertTrue(errors.startsWith(check.field() + ": expected "), "the first problem names " + check.field() + ": " + errors);
        switch (check.expect()) {
            case INVALID -> {
                assertFalse(server.refused(), "the server takes the request and fails the job: " + server);
                assertEquals("Failed", server.state(), server.toString());
                final String named = SERVER_NAMES.getOrDefault(check.field(), check.field());
                assertTrue("file".equals(check.field()) || server.reason().contains(named) || server.reason().contains(check.field()),
                        "the server's reason names " + named + ": " + server);
            }
            case INVALID_SERVER_DROPS -> assertTrue(server.imported(), "the server imports the file, without " + check.field() + ": " + server);
            case INVALID_SERVER_REFUSES -> assertTrue(server.refused(), "the server refuses the request: " + server);
            default -> throw new AssertionError(check.expect());
        }
    }

    static List<Case> cases() {
        final List<Case> cases = new ArrayList<>();
        parquetCases(cases);
        jsonCases(cases);
        csvCases(cases);
        numpyCases(cases);
        recordWriterCases(cases);
        cases.add(new Case("a partition name on a collection with a partition key", "keyed",
                folder -> single(RealFiles.json(folder.resolve("rows.json"), List.of(Map.of("vector", List.of(1, 2, 3, 4), "tenant", "t1")))),
                Expect.INVALID_SERVER_REFUSES, "Partition Name", Map.of(), Map.of(), "p1"));
        return cases;
    }

    private static Written single(final Path file) {
        return new Written(file, List.of(file.getFileName().toString()));
    }

    // ---- Parquet ----------------------------------------------------------------------------------

    private static Case parquet(final String name, final String collection, final String schema, final ParquetLayout layout,
                                final BiConsumer<Integer, Group> row, final Expect expect, final String field) {
        final MessageType type = MessageTypeParser.parseMessageType(schema);
        return new Case(name, collection, folder -> single(RealFiles.parquet(folder.resolve("part.parquet"), type, layout, 5, row)), expect, field,
                Map.of(), Map.of(), null);
    }

    /** A row of the docs collection: a vector of {@code dim} values, text, 2 tags, a count and a score. */
    private static BiConsumer<Integer, Group> docsRow(final int dim, final String title, final int tags) {
        return (i, group) -> {
            RealFiles.floats(group, "vector", dim);
            group.append("title", title);
            RealFiles.longs(group, "tags", tags);
            group.append("count", i);
            group.append("score", 0.5f);
        };
    }

    private static void parquetCases(final List<Case> cases) {
        cases.add(parquet("Parquet: a file that fits", "docs", DOCS_PARQUET, ParquetLayout.DEFAULT, docsRow(4, "abc", 2), Expect.VALID, null));
        for (final ParquetLayout layout : List.of(new ParquetLayout(CompressionCodecName.GZIP, false, false),
                new ParquetLayout(CompressionCodecName.ZSTD, true, true), new ParquetLayout(CompressionCodecName.UNCOMPRESSED, true, false),
                new ParquetLayout(CompressionCodecName.LZ4_RAW, false, true))) {
            cases.add(parquet("Parquet " + layout + ": a file that fits", "docs", DOCS_PARQUET, layout, docsRow(4, "abc", 2), Expect.VALID, null));
            cases.add(parquet("Parquet " + layout + ": a vector of the wrong dimension", "docs", DOCS_PARQUET, layout, docsRow(3, "abc", 2),
                    Expect.INVALID, "vector"));
            cases.add(parquet("Parquet " + layout + ": text over the maximum length", "docs", DOCS_PARQUET, layout, docsRow(4, "abcdefghij", 2),
                    Expect.INVALID, "title"));
        }
        cases.add(parquet("Parquet: a required field missing", "docs", DOCS_PARQUET.replace("  required int32 count;\n", ""), ParquetLayout.DEFAULT,
                (i, group) -> {
                    RealFiles.floats(group, "vector", 4);
                    group.append("title", "abc");
                }, Expect.INVALID, "count"));
        cases.add(parquet("Parquet: the auto-ID primary key given", "docs", DOCS_PARQUET.replace("message docs {", "message docs {\n  required int64 id;"),
                ParquetLayout.DEFAULT, docsRow(4, "abc", 2).andThen((i, group) -> group.append("id", (long) i)), Expect.INVALID, "id"));
        cases.add(parquet("Parquet: a vector of the wrong dimension", "docs", DOCS_PARQUET, ParquetLayout.DEFAULT, docsRow(5, "abc", 2),
                Expect.INVALID, "vector"));
        cases.add(parquet("Parquet: text over the maximum length", "docs", DOCS_PARQUET, ParquetLayout.DEFAULT, docsRow(4, "abcdefghij", 2),
                Expect.INVALID, "title"));
        cases.add(parquet("Parquet: an array over its capacity", "docs", DOCS_PARQUET, ParquetLayout.DEFAULT, docsRow(4, "abc", 4),
                Expect.INVALID, "tags"));
        cases.add(parquet("Parquet: an integer narrower than the field", "docs", DOCS_PARQUET.replace("required int32 count;",
                "required int32 count (INTEGER(8,true));"), ParquetLayout.DEFAULT, docsRow(4, "abc", 2), Expect.VALID, null));
        cases.add(parquet("Parquet: an integer wider than the field", "docs", DOCS_PARQUET.replace("required int32 count;", "required int64 count;"),
                ParquetLayout.DEFAULT, (i, group) -> {
                    RealFiles.floats(group, "vector", 4);
                    group.append("title", "abc");
                    RealFiles.longs(group, "tags", 2);
                    group.append("count", (long) i);
                }, Expect.INVALID, "count"));
        cases.add(parquet("Parquet: text written as bytes", "docs", DOCS_PARQUET.replace("optional binary title (STRING);", "optional binary title;"),
                ParquetLayout.DEFAULT, docsRow(4, "abc", 2), Expect.INVALID, "title"));
        cases.add(parquet("Parquet: a nullable field left out", "docs", DOCS_PARQUET.replace("  optional float score;\n", ""), ParquetLayout.DEFAULT,
                (i, group) -> {
                    RealFiles.floats(group, "vector", 4);
                    group.append("title", "abc");
                    RealFiles.longs(group, "tags", 2);
                    group.append("count", i);
                }, Expect.VALID, null));
        cases.add(parquet("Parquet: a column the collection lacks, the dynamic field on", "docs", DOCS_PARQUET.replace("message docs {",
                "message docs {\n  optional binary notes (STRING);"), ParquetLayout.DEFAULT,
                docsRow(4, "abc", 2).andThen((i, group) -> group.append("notes", "n")), Expect.INVALID_SERVER_DROPS, "notes"));
        cases.add(parquet("Parquet: dynamic fields in $meta", "docs", DOCS_PARQUET.replace("message docs {",
                "message docs {\n  optional binary $meta (STRING);"), ParquetLayout.DEFAULT,
                docsRow(4, "abc", 2).andThen((i, group) -> group.append("$meta", "{\"color\": \"red\"}")), Expect.VALID, null));
        final String strict = """
                message strict {
                  required int64 id;
                  optional group vector (LIST) { repeated group list { optional float element; } }
                  optional binary title (STRING);
                }""";
        final BiConsumer<Integer, Group> strictRow = (i, group) -> {
            group.append("id", (long) i);
            RealFiles.floats(group, "vector", 4);
            group.append("title", "abc");
        };
        cases.add(parquet("Parquet: $meta with the dynamic field off", "strict", strict.replace("message strict {",
                "message strict {\n  optional binary $meta (STRING);"), ParquetLayout.DEFAULT,
                strictRow.andThen((i, group) -> group.append("$meta", "{}")), Expect.INVALID_SERVER_DROPS, "$meta"));
        cases.add(parquet("Parquet: a primary key the server does not generate, missing", "strict", strict.replace("  required int64 id;\n", ""),
                ParquetLayout.DEFAULT, (i, group) -> {
                    RealFiles.floats(group, "vector", 4);
                    group.append("title", "abc");
                }, Expect.INVALID, "id"));
        cases.add(new Case("Parquet: a file that is not Parquet", "docs",
                folder -> single(RealFiles.json(folder.resolve("part.parquet"), List.of(Map.of("count", 1)))), Expect.INVALID, "file", Map.of(),
                Map.of(), null));
    }

    // ---- JSON -------------------------------------------------------------------------------------

    private static Map<String, Object> docs(final List<?> vector, final Object title, final Object count) {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("vector", vector);
        row.put("title", title);
        row.put("tags", List.of(1, 2));
        row.put("count", count);
        row.put("score", 0.5);
        return row;
    }

    private static Case json(final String name, final String collection, final Object document, final Expect expect, final String field) {
        return new Case(name, collection, folder -> single(RealFiles.json(folder.resolve("rows.json"), document)), expect, field, Map.of(), Map.of(),
                null);
    }

    private static void jsonCases(final List<Case> cases) {
        final List<Integer> vector = List.of(1, 2, 3, 4);
        final List<Map<String, Object>> good = List.of(docs(vector, "abc", 1), docs(vector, "de", 2), docs(vector, "f", 3));
        cases.add(json("JSON: a list of rows that fits", "docs", good, Expect.VALID, null));
        cases.add(json("JSON: {\"rows\": [...]} that fits", "docs", Map.of("rows", good), Expect.VALID, null));
        cases.add(new Case("JSON Lines that fit", "docs", folder -> single(RealFiles.jsonLines(folder.resolve("rows.jsonl"), good)), Expect.VALID,
                null, Map.of(), Map.of(), null));
        final Map<String, Object> noCount = docs(vector, "abc", 1);
        noCount.remove("count");
        cases.add(json("JSON: a field missing in one row", "docs", List.of(docs(vector, "abc", 1), noCount), Expect.INVALID, "count"));
        cases.add(json("JSON: a vector of the wrong dimension in row 3", "docs", List.of(docs(vector, "a", 1), docs(vector, "b", 2),
                docs(List.of(1, 2, 3), "c", 3)), Expect.INVALID, "vector"));
        cases.add(json("JSON: a fraction in an integer field", "docs", List.of(docs(vector, "a", 3.5)), Expect.INVALID, "count"));
        cases.add(json("JSON: text over the maximum length", "docs", List.of(docs(vector, "abcdefghij", 1)), Expect.INVALID, "title"));
        final Map<String, Object> dynamic = docs(vector, "abc", 1);
        dynamic.put("color", "red");
        cases.add(json("JSON: dynamic fields as keys of their own", "docs", List.of(dynamic), Expect.VALID, null));
        final Map<String, Object> badMeta = docs(vector, "abc", 1);
        badMeta.put("$meta", 5);
        cases.add(json("JSON: $meta that is not an object", "docs", List.of(badMeta), Expect.INVALID, "$meta"));
        final Map<String, Object> withId = docs(vector, "abc", 1);
        withId.put("id", 7);
        cases.add(json("JSON: the auto-ID primary key given", "docs", List.of(withId), Expect.INVALID, "id"));
        final Map<String, Object> nullScore = docs(vector, "abc", 1);
        nullScore.put("score", null);
        cases.add(json("JSON: null in a nullable field", "docs", List.of(nullScore), Expect.VALID, null));
        cases.add(json("JSON: null in a required field", "docs", List.of(docs(vector, "abc", null)), Expect.INVALID, "count"));
        final Map<String, Object> textTags = docs(vector, "abc", 1);
        textTags.put("tags", List.of("a"));
        cases.add(json("JSON: an array of integers holding text", "docs", List.of(textTags), Expect.INVALID, "tags"));
        cases.add(new Case("JSON: a file that is not JSON", "docs", folder -> single(RealFiles.csv(folder.resolve("rows.json"), ',',
                List.of("count"), List.of(List.of("1")))), Expect.INVALID, "file", Map.of(), Map.of(), null));
        cases.add(json("JSON: a key the collection lacks, the dynamic field off", "strict",
                List.of(Map.of("id", 1, "vector", vector, "title", "abc", "color", "red")), Expect.INVALID_SERVER_DROPS, "color"));
    }

    // ---- CSV --------------------------------------------------------------------------------------

    private static Case csv(final String name, final char separator, final String nullKey, final List<List<String>> rows, final Expect expect,
                            final String field) {
        final Map<String, String> validator = new LinkedHashMap<>();
        final Map<String, String> options = new LinkedHashMap<>();
        if (separator != ',') {
            validator.put(ValidateBulkImportFile.CSV_SEPARATOR.getName(), String.valueOf(separator));
            options.put("sep", String.valueOf(separator));
        }
        if (nullKey != null) {
            validator.put(ValidateBulkImportFile.CSV_NULL_KEY.getName(), nullKey);
            options.put("nullkey", nullKey);
        }
        return new Case(name, "docs", folder -> single(RealFiles.csv(folder.resolve("rows.csv"), separator,
                List.of("vector", "title", "tags", "count", "score"), rows)), expect, field, validator, options, null);
    }

    private static void csvCases(final List<Case> cases) {
        final List<String> good = List.of("[0, 0.5, 1, 1.5]", "abc", "[1, 2]", "3", "0.5");
        cases.add(csv("CSV: rows that fit", ',', null, List.of(good, good), Expect.VALID, null));
        cases.add(csv("CSV: rows that fit, separated by semicolons as option sep says", ';', null, List.of(good), Expect.VALID, null));
        cases.add(csv("CSV: the null key in a nullable field", ',', "NULL", List.of(List.of("[0, 0.5, 1, 1.5]", "abc", "[1]", "3", "NULL")),
                Expect.VALID, null));
        cases.add(csv("CSV: a cell that is no integer", ',', null, List.of(List.of("[0, 0.5, 1, 1.5]", "abc", "[1]", "three", "0.5")),
                Expect.INVALID, "count"));
        cases.add(csv("CSV: a vector of the wrong dimension", ',', null, List.of(good, List.of("[0, 0.5]", "abc", "[1]", "3", "0.5")),
                Expect.INVALID, "vector"));
        cases.add(csv("CSV: an empty cell (null) in a required field", ',', null, List.of(List.of("[0, 0.5, 1, 1.5]", "abc", "[1]", "", "0.5")),
                Expect.INVALID, "count"));
        cases.add(csv("CSV: an empty cell (the null key) in a VarChar that is not nullable: an empty text, as Milvus's CSV reader takes it", ',',
                null, List.of(List.of("[0, 0.5, 1, 1.5]", "", "[1]", "3", "0.5")), Expect.VALID, null));
    }

    // ---- files as NiFi's record writers write them (see RecordsIT for the writers themselves) ---------

    /** The text in UTF-8, each U+DFFF in it (a lone surrogate) written as the byte 0xFF, which is not UTF-8. */
    private static byte[] bytes(final String content) {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int from = 0;
        for (int at = content.indexOf(NOT_UTF8); at >= 0; from = at + 1, at = content.indexOf(NOT_UTF8, from)) {
            bytes.writeBytes(content.substring(from, at).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            bytes.write(0xFF);
        }
        bytes.writeBytes(content.substring(from).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return bytes.toByteArray();
    }

    /** A file of {@code content} (see {@link #bytes}). */
    private static Case text(final String name, final String fileName, final String content, final Expect expect, final String field) {
        return new Case(name, "records", folder -> {
            try {
                java.nio.file.Files.createDirectories(folder);
                return single(java.nio.file.Files.write(folder.resolve(fileName), bytes(content)));
            } catch (final java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, expect, field, Map.of(), Map.of(), null);
    }

    private static void recordWriterCases(final List<Case> cases) {
        final String header = "id,vector,half,small,bits,sparse,flag,ratio,title,tags,doc,note,rank,source\r\n";
        cases.add(text("JsonRecordSetWriter: every type", "rows.json", "[{\"id\":1,\"vector\":[0.1,0.2],\"half\":[0.5,65504.0],\"small\":[-128,127],"
                + "\"bits\":[255,0],\"sparse\":{\"1\":0.5,\"1000\":0.25},\"flag\":true,\"ratio\":0.25,\"title\":\"h\u00e9llo12\","
                + "\"tags\":[\"nifi\",\"milvus\"],\"doc\":{\"lang\":\"en\"},\"note\":null,\"rank\":null,\"source\":\"kafka\"}]",
                Expect.VALID, null));
        cases.add(text("JsonRecordSetWriter: a binary vector held as NiFi's signed bytes", "rows.json", "[{\"id\":1,\"vector\":[0.1,0.2],"
                + "\"half\":[0.5,1.0],\"small\":[1,2],\"bits\":[-1,0],\"sparse\":{\"1\":0.5},\"flag\":true,\"ratio\":0.25,\"title\":\"a\","
                + "\"tags\":[],\"doc\":{},\"note\":null,\"rank\":null}]", Expect.INVALID, "bits"));
        cases.add(text("CSVRecordSetWriter, RFC 4180: every type, JSON text held as strings", "rows.csv", header
                + "1,\"[0.1, 0.2]\",\"[0.5, 65504.0]\",\"[-128, 127]\",\"[255, 0]\",\"{\"\"1\"\": 0.5}\",true,0.25,h\u00e9llo12,"
                + "\"[\"\"nifi\"\", \"\"milvus\"\"]\",\"{\"\"lang\"\":\"\"en\"\"}\",,,kafka\r\n", Expect.VALID, null));
        cases.add(text("CSVRecordSetWriter: a map written in Java's notation", "rows.csv", header
                + "1,\"[0.1, 0.2]\",\"[0.5, 1.0]\",\"[1, 2]\",\"[255, 0]\",\"{1=0.5, 1000=0.25}\",true,0.25,a,\"[]\",{},,,\r\n",
                Expect.INVALID, "sparse"));
        cases.add(text("CSVRecordSetWriter: its default format escapes quotes with a backslash", "rows.csv", header
                + "1,\"[0.1, 0.2]\",\"[0.5, 1.0]\",\"[1, 2]\",\"[255, 0]\",\"{\\\"1\\\": 0.5}\",true,0.25,a,\"[]\",{},,,\n",
                Expect.INVALID, "file"));
        goCsvCases(cases, header);
    }

    /** Lines and quotes as Go's encoding/csv, Milvus's CSV reader, splits them: where Jackson's reader and Go's differ. */
    private static void goCsvCases(final List<Case> cases, final String header) {
        final String row = "1,\"[0.1, 0.2]\",\"[0.5, 1.0]\",\"[1, 2]\",\"[255, 0]\",\"{\"\"1\"\": 0.5}\",true,0.25,%s,\"[]\",{},,,\r\n";
        cases.add(text("CSV: CRLF inside a quoted cell is read as LF (8 characters, not 9)", "rows.csv",
                header + row.formatted("\"abc\r\ndefg\""), Expect.VALID, null));
        cases.add(text("CSV: a line of spaces is a row of one cell", "rows.csv", header + row.formatted("a") + "  \r\n" + row.formatted("b"),
                Expect.INVALID, "file"));
        cases.add(text("CSV: a bare quote inside a cell", "rows.csv", header + row.formatted("a\"b"), Expect.INVALID, "file"));
        final String bareQuoteRow = "\"" + row.formatted("b").replace("1,\"[0.1", "2\"x,\"[0.1").substring(1);
        cases.add(text("CSV: a bare quote in a row's first cell after rows: the server skips the row", "rows.csv",
                header + row.formatted("a") + bareQuoteRow + row.formatted("c"), Expect.INVALID_SERVER_DROPS, "file"));
        cases.add(text("CSV: a bare quote in the first row's first cell: the server reads no row", "rows.csv",
                header + bareQuoteRow + row.formatted("c"), Expect.INVALID_SERVER_DROPS, "file"));
        cases.add(text("CSV: a byte that is not UTF-8 in a VarChar cell (Go's reader keeps it)", "rows.csv",
                header + row.formatted("a" + NOT_UTF8 + "b"), Expect.INVALID, "title"));
        cases.add(text("CSV: a byte that is not UTF-8 in a string of a JSON cell (Go's JSON reads it as U+FFFD)", "rows.csv",
                header + row.formatted("a").replace("\"[]\"", "\"[\"\"n" + NOT_UTF8 + "\"\"]\""), Expect.VALID, null));
        cases.add(text("CSV: a byte that is not UTF-8 in a JSON cell's string counts as U+FFFD, three bytes (9 of at most 8)", "rows.csv",
                header + row.formatted("a").replace("\"[]\"", "\"[\"\"abcdef" + NOT_UTF8 + "\"\"]\""), Expect.INVALID, "tags"));
        // the server reads one long header naming every field, and no row: it imports nothing
        cases.add(text("CSV: lines ended by CR alone", "rows.csv", (header + row.formatted("a")).replace("\r\n", "\r"), Expect.INVALID_SERVER_DROPS,
                "file"));
    }

    // ---- NumPy ------------------------------------------------------------------------------------

    /** A NumPy set of the numpy collection (vector, count, title, three rows each), one of its files written by {@code variant}. */
    private static Case numpy(final String name, final String checked, final Function<Path, Path> variant, final Expect expect, final String field) {
        return new Case(name, "numpy", folder -> {
            final Map<String, Path> set = new LinkedHashMap<>();
            set.put("vector", RealFiles.npy(folder.resolve("vector.npy"), new float[12], 3, 4));
            set.put("count", RealFiles.npy(folder.resolve("count.npy"), new int[] {1, 2, 3}, 3));
            set.put("title", RealFiles.npy(folder.resolve("title.npy"), new String[] {"a", "bb", "ccc"}));
            final Path file = variant.apply(folder);
            set.put(checked, file);
            return new Written(file, set.values().stream().map(path -> path.getFileName().toString()).toList());
        }, expect, field, Map.of(), Map.of(), null);
    }

    private static void numpyCases(final List<Case> cases) {
        cases.add(numpy("NumPy: a float32 vector file that fits", "vector", folder -> folder.resolve("vector.npy"), Expect.VALID, null));
        cases.add(numpy("NumPy: a float64 vector file", "vector", folder -> RealFiles.npy(folder.resolve("vector.npy"), new double[12], 3, 4),
                Expect.VALID, null));
        cases.add(numpy("NumPy: a vector file of the wrong dimension", "vector",
                folder -> RealFiles.npy(folder.resolve("vector.npy"), new float[9], 3, 3), Expect.INVALID, "vector"));
        cases.add(numpy("NumPy: int64 for an Int32 field", "count", folder -> RealFiles.npy(folder.resolve("count.npy"), new long[] {1, 2, 3}, 3),
                Expect.INVALID, "count"));
        cases.add(numpy("NumPy: text over the maximum length", "title",
                folder -> RealFiles.npy(folder.resolve("title.npy"), new String[] {"abcdefghij", "b", "c"}), Expect.INVALID, "title"));
        cases.add(numpy("NumPy: a file named after no field", "unknown", folder -> RealFiles.npy(folder.resolve("unknown.npy"), new int[] {1, 2, 3}, 3),
                Expect.INVALID, "unknown"));
    }
}
