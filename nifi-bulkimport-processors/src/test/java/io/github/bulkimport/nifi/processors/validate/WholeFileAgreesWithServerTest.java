package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every value rule of Validation Depth Whole File, table-driven, each case a real file (written by Apache Parquet,
 * Jackson or a NumPy writer) with ONE bad value at a random row, in a later row group for Parquet, checked twice:
 * by the validator, which must name that row (in bulkimport.validation.bad.rows, and in the one line of its report)
 * and that column with its own words for the rule, and as an import on the emulator, which reads the file whole with
 * other readers and must fail the job at the same row with the reason worded as Milvus words it. First Pages, which
 * reads the first rows only, lets the file through. The rows are drawn from a seed printed with each case.
 */
@Timeout(180)
class WholeFileAgreesWithServerTest {

    static final String WHOLE = """
            {"enableDynamicField": true, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "16"}]},
              {"name": "tags", "type": "Array", "elementType": "VarChar", "params": [{"key": "max_capacity", "value": "3"},
                {"key": "max_length", "value": "8"}]},
              {"name": "count", "type": "Int32"},
              {"name": "score", "type": "Float"},
              {"name": "meta", "type": "JSON"},
              {"name": "sparse", "type": "SparseFloatVector"}]}""";
    static final String NUMPY = """
            {"enableDynamicField": false, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "16"}]},
              {"name": "meta", "type": "JSON"},
              {"name": "score", "type": "Float"}]}""";

    private static final MessageType PARQUET = MessageTypeParser.parseMessageType("""
            message whole {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
              optional int32 count;
              optional float score;
              optional binary meta (JSON);
              optional binary sparse (STRING);
              optional binary $meta (STRING);
            }""");
    private static final int PARQUET_ROWS = 30_000;
    private static final long ROW_GROUP_BYTES = 96 * 1024;
    private static final int TEXT_ROWS = 3_000;
    private static final int NUMPY_ROWS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("wholefile.seed", System.nanoTime());

    @TempDir
    static Path bucket;
    private static ImportApiEmulator emulator;

    @BeforeAll
    static void startServer() {
        System.out.println("WholeFileAgreesWithServerTest: seed " + SEED + " (-Dwholefile.seed=" + SEED + " replays it)");
        emulator = Emulators.milvus().importDuration(Duration.ofMillis(20)).schema("whole", WHOLE).schema("npy", NUMPY).bucket(bucket).start();
    }

    @AfterAll
    static void stopServer() {
        emulator.close();
    }

    /**
     * One file with one bad value.
     *
     * @param write     writes the file (and, for NumPy, its set) into the folder, its bad value at the given row (from 0); returns the
     *                  file checked and the group imported
     * @param column    the column the validator names
     * @param validator what the validator's problem says (part of it)
     * @param milvus    what Milvus's reason says (part of it)
     */
    record Case(String name, String collection, BiFunction<Path, Integer, ValidatorAgreesWithServerTest.Written> write, int rows, int earliest,
                String column, String validator, String milvus, Map<String, String> options) {

        @Override
        public String toString() {
            return name;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theValidatorAndTheServerFailTheSameRowForTheSameReason(final Case check) throws Exception {
        final Random random = new Random(SEED ^ check.name().hashCode());
        final int bad = check.earliest() + random.nextInt(check.rows() - check.earliest());
        final Path folder = bucket.resolve(check.name().replaceAll("[^A-Za-z0-9]+", "-"));
        final ValidatorAgreesWithServerTest.Written written = check.write().apply(folder, bad);

        final TestRunner firstPages = runner(check, "First Pages");
        firstPages.enqueue(written.file(), Map.of("filename", written.file().getFileName().toString()));
        firstPages.run();
        firstPages.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);

        final TestRunner whole = runner(check, "Whole File");
        whole.enqueue(written.file(), Map.of("filename", written.file().getFileName().toString()));
        whole.run();
        whole.assertTransferCount(ValidationRouting.REL_INVALID, 1);
        whole.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        final MockFlowFile invalid = whole.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        invalid.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, "1");
        final String errors = invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS);
        assertTrue(errors.startsWith(check.column() + ": expected ") && errors.contains(" in row " + (bad + 1)), errors);
        final MockFlowFile report = whole.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst();
        final List<String> lines = report.getContent().lines().toList();
        assertEquals(1, lines.size(), report.getContent());
        final JsonNode line = JSON.readTree(lines.getFirst());
        assertEquals(bad + 1, line.path("row").asLong(), "the row: " + line);
        assertEquals(check.column(), line.path("column").asText(), line.toString());
        assertTrue(line.path("problem").asText().contains(check.validator()), "the validator says \"" + check.validator() + "\": " + line);

        final ServerVerdicts.Verdict server = ServerVerdicts.importOf(emulator, check.collection(), null,
                written.group().stream().map(path -> bucket.relativize(folder.resolve(path)).toString()).toList(), check.options());
        assertEquals("Failed", server.state(), server.toString());
        assertTrue(server.reason().contains(check.milvus()), "Milvus says \"" + check.milvus() + "\": " + server);
        assertTrue(server.reason().contains("(row " + (bad + 1) + ")"), "the server fails row " + (bad + 1) + ": " + server);
    }

    private static TestRunner runner(final Case check, final String depth) {
        final TestRunner runner = Runners.milvus(new ValidateBulkImportFile(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, check.collection());
        runner.setProperty(ValidateBulkImportFile.VALIDATION_DEPTH, depth);
        if (check.options().containsKey("nullkey")) {
            runner.setProperty(ValidateBulkImportFile.CSV_NULL_KEY, check.options().get("nullkey"));
        }
        return runner;
    }

    static List<Case> cases() {
        final List<Case> cases = new ArrayList<>();
        parquetCases(cases);
        jsonCases(cases);
        csvCases(cases);
        numpyCases(cases);
        return cases;
    }

    // ---- Parquet ----------------------------------------------------------------------------------

    /** What a bad row of a Parquet file holds instead of the good one: writes its values into the row's group. */
    private interface BadParquetRow {
        void write(Group row);
    }

    private static void goodParquet(final Group row, final int i, final String skip) {
        if (!"vector".equals(skip)) {
            final Group vector = row.addGroup("vector");
            for (int k = 0; k < 4; k++) {
                vector.addGroup("list").append("element", (i % 101) * 0.125f + k);
            }
        }
        if (!"title".equals(skip)) {
            row.append("title", "title " + i % 1000);
        }
        if (!"tags".equals(skip)) {
            final Group tags = row.addGroup("tags");
            for (int k = 0; k < i % 4; k++) {
                tags.addGroup("list").append("element", "t" + k);
            }
        }
        if (!"count".equals(skip)) {
            row.append("count", i);
        }
        if (!"score".equals(skip)) {
            row.append("score", i * 0.5f);
        }
        if (!"meta".equals(skip)) {
            row.append("meta", "{\"n\": " + i % 7 + "}");
        }
        if (!"sparse".equals(skip)) {
            row.append("sparse", "{\"indices\": [" + i % 5 + ", 9], \"values\": [0.5, 1.5]}");
        }
        if (!"$meta".equals(skip)) {
            row.append("$meta", "{\"source\": \"test\"}");
        }
    }

    private static final ParquetLayout[] LAYOUTS = {ParquetLayout.DEFAULT, new ParquetLayout(CompressionCodecName.ZSTD, true, false),
        new ParquetLayout(CompressionCodecName.GZIP, false, false), new ParquetLayout(CompressionCodecName.UNCOMPRESSED, true, true),
        new ParquetLayout(CompressionCodecName.LZ4_RAW, false, true)};

    private static void parquet(final List<Case> cases, final String rule, final String column, final BadParquetRow bad, final String validator,
                                final String milvus) {
        final ParquetLayout layout = LAYOUTS[cases.size() % LAYOUTS.length];
        cases.add(new Case("Parquet " + layout + ": " + rule, "whole", (folder, badRow) -> single(RealFiles.parquet(folder.resolve("part.parquet"),
                PARQUET, layout, PARQUET_ROWS, ROW_GROUP_BYTES, (i, row) -> {
                    goodParquet(row, i, i == (int) badRow ? column : null);
                    if (i == (int) badRow) {
                        bad.write(row);
                    }
                })), PARQUET_ROWS, PARQUET_ROWS * 2 / 3, column, validator, milvus, Map.of()));
    }

    private static void vector(final Group row, final float... values) {
        final Group vector = row.addGroup("vector");
        for (final float value : values) {
            vector.addGroup("list").append("element", value);
        }
    }

    private static void parquetCases(final List<Case> cases) {
        parquet(cases, "NaN in a float vector", "vector", row -> vector(row, 0.5f, Float.NaN, 1f, 2f), "found NaN",
                "value 'NaN' is not a number or infinity");
        parquet(cases, "an infinity in a float vector", "vector", row -> vector(row, 0.5f, 1f, Float.NEGATIVE_INFINITY, 2f), "found -Inf",
                "value '-Inf' is not a number or infinity");
        parquet(cases, "a vector of the wrong dimension in a later row group", "vector", row -> vector(row, 1f, 2f, 3f),
                "expected FloatVector(4) (4 values a row), found a list of 3", "length of vector is not aligned: expected 4 but got 3");
        parquet(cases, "a null vector", "vector", row -> { }, "found null", "length of vector is not aligned: expected 4 but got 0");
        parquet(cases, "VarChar over its max_length, in bytes", "title", row -> row.append("title", "twelve ünïcöde"),
                "expected VarChar(16) (at most 16 bytes), found a text of 17 bytes", "value length(17) for field title exceeds max_length(16)");
        parquet(cases, "VarChar that is not UTF-8", "title", row -> row.append("title", Binary.fromConstantByteArray(new byte[] {'a', (byte) 0xC3, 'b'})),
                "found text that is not valid UTF-8", "field title contains invalid UTF-8 data");
        parquet(cases, "null in a field that is not nullable", "count", row -> { }, "expected Int32, found null",
                "the field 'count' is not nullable but the file contains null value");
        parquet(cases, "an array over its max_capacity", "tags", row -> {
            final Group tags = row.addGroup("tags");
            for (int k = 0; k < 4; k++) {
                tags.addGroup("list").append("element", "t");
            }
        }, "expected Array<VarChar>[3], found a list of 4", "array capacity(4) for field tags exceeds max_capacity(3)");
        parquet(cases, "an array's text over its max_length", "tags", row -> row.addGroup("tags").addGroup("list").append("element", "123456789"),
                "found a text of 9 bytes", "value length(9) for field tags exceeds max_length(8)");
        parquet(cases, "invalid JSON in a JSON field", "meta", row -> row.append("meta", "{\"n\": 1"), "found text that is not JSON",
                "invalid JSON");
        parquet(cases, "NaN in a Float field", "score", row -> row.append("score", Float.NaN), "expected Float (a finite 32-bit float), found NaN",
                "value 'NaN' is not a number or infinity");
        parquet(cases, "a sparse vector with an index twice", "sparse", row -> row.append("sparse", "{\"indices\": [3, 1, 3], \"values\": [1, 2, 3]}"),
                "with the index 3 twice", "unsorted or same indices in sparse float vector");
        parquet(cases, "a sparse vector with a negative value", "sparse", row -> row.append("sparse", "{\"2\": 0.5, \"7\": -0.25}"),
                "is negative (-0.25)", "negative value in sparse float vector");
        parquet(cases, "a sparse vector with a negative index", "sparse", row -> row.append("sparse", "{\"indices\": [-1, 4], \"values\": [1, 2]}"),
                "with the negative index -1", "invalid index in sparse float vector: must be less than 2^32-1");
        parquet(cases, "dynamic fields that are not a JSON object", "$meta", row -> row.append("$meta", "[1, 2]"),
                "found JSON that is not an object", "json: cannot unmarshal array into Go value of type map[string]interface {}");
    }

    // ---- JSON -------------------------------------------------------------------------------------

    private static Map<String, Object> goodRow(final int i) {
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("vector", List.of(0.25 * (i % 9), 1, 2, 3));
        row.put("title", "title " + i % 1000);
        row.put("tags", List.of("a", "b").subList(0, i % 3 == 0 ? 1 : 2));
        row.put("count", i);
        row.put("score", i * 0.5);
        row.put("meta", Map.of("n", i % 7));
        row.put("sparse", Map.of("indices", List.of(i % 5, 9), "values", List.of(0.5, 1.5)));
        return row;
    }

    private static void json(final List<Case> cases, final String rule, final String column, final Function<Map<String, Object>, Object> bad,
                             final String validator, final String milvus) {
        final boolean lines = cases.size() % 2 == 0;
        cases.add(new Case((lines ? "JSON Lines: " : "JSON: ") + rule, "whole", (folder, badRow) -> {
            final List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < TEXT_ROWS; i++) {
                final Map<String, Object> row = goodRow(i);
                if (i == badRow) {
                    bad.apply(row);
                }
                rows.add(row);
            }
            return single(lines ? RealFiles.jsonLines(folder.resolve("rows.jsonl"), rows) : RealFiles.json(folder.resolve("rows.json"), rows));
        }, TEXT_ROWS, 200, column, validator, milvus, Map.of()));
    }

    private static void jsonCases(final List<Case> cases) {
        json(cases, "a number beyond a float in a vector", "vector", row -> row.put("vector", List.of(1, 1e39, 2, 3)),
                "found a list holding the number 1.0E39", "value out of range");
        json(cases, "a vector of the wrong dimension", "vector", row -> row.put("vector", List.of(1, 2, 3, 4, 5)), "found a list of 5",
                "expected dim '4' for field 'vector' with type 'FloatVector', got dim '5'");
        json(cases, "VarChar over its max_length", "title", row -> row.put("title", "a title of 17 b.."), "found a text of 17 bytes",
                "value length(17) for field title exceeds max_length(16)");
        json(cases, "null in a field that is not nullable", "count", row -> row.put("count", null), "expected Int32, found null",
                "expected type 'Int32' for field 'count', got type '<nil>' with value '<nil>'");
        json(cases, "a field missing", "count", row -> row.remove("count"), "expected Int32, found no value", "value of field 'count' is missed");
        json(cases, "an array over its max_capacity", "tags", row -> row.put("tags", List.of("a", "b", "c", "d")), "found a list of 4",
                "array capacity(4) for field tags exceeds max_capacity(3)");
        json(cases, "invalid JSON in a JSON field", "meta", row -> row.put("meta", "{\"n\": "), "found the text", "invalid JSON");
        json(cases, "a sparse vector with an index twice", "sparse", row -> row.put("sparse", Map.of("indices", List.of(4, 4), "values",
                List.of(1, 2))), "with the index 4 twice", "unsorted or same indices in sparse float vector");
        json(cases, "a sparse vector with a negative key", "sparse", row -> row.put("sparse", Map.of("-3", 0.5)), "key \"-3\" is not an index",
                "strconv.ParseUint: parsing \"-3\": invalid syntax");
        json(cases, "a number beyond a float in a Float field", "score", row -> row.put("score", 5e38), "expected Float (a finite 32-bit float)",
                "value out of range");
        json(cases, "the auto-ID primary key given", "id", row -> row.put("id", 7), "expected no key, since the server generates this primary key",
                "the primary key 'id' is auto-generated, no need to provide");
        json(cases, "dynamic fields that are not an object", "$meta", row -> row.put("$meta", 5),
                "expected the dynamic fields as a JSON object (or a string of one), found the number 5",
                "illegal value for dynamic field, not a JSON object");
    }

    // ---- CSV --------------------------------------------------------------------------------------

    private static final List<String> CSV_HEADER = List.of("vector", "title", "tags", "count", "score", "meta", "sparse");

    private static List<String> goodCells(final int i) {
        return new ArrayList<>(List.of("[" + 0.25 * (i % 9) + ", 1, 2, 3]", "title " + i % 1000, "[\"a\"]", String.valueOf(i), String.valueOf(i * 0.5),
                "{\"n\": " + i % 7 + "}", "{\"" + i % 5 + "\": 0.5, \"9\": 1.5}"));
    }

    private static void csv(final List<Case> cases, final String rule, final String column, final String cell, final String validator,
                            final String milvus) {
        cases.add(new Case("CSV: " + rule, "whole", (folder, badRow) -> {
            final List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < TEXT_ROWS; i++) {
                final List<String> cells = goodCells(i);
                if (i == badRow) {
                    cells.set(CSV_HEADER.indexOf(column), cell);
                }
                rows.add(cells);
            }
            return single(RealFiles.csv(folder.resolve("rows.csv"), ',', CSV_HEADER, rows));
        }, TEXT_ROWS, 200, column, validator, milvus, Map.of("nullkey", "NULL")));
    }

    private static void csvCases(final List<Case> cases) {
        csv(cases, "NaN in a Float field", "score", "NaN", "found the number NaN", "value 'NaN' is not a number or infinity");
        csv(cases, "a vector of the wrong dimension", "vector", "[1, 2]", "found a list of 2",
                "expected dim '4' for field 'vector' with type 'FloatVector', got dim '2'");
        csv(cases, "a number beyond a float in a vector", "vector", "[1, 2, 1e39, 3]", "found a list holding the number 1.0E39",
                "expected type 'FloatVector' for field 'vector'");
        csv(cases, "VarChar over its max_length", "title", "seventeen bytes!!", "found a text of 17 bytes",
                "value length(17) for field title exceeds max_length(16)");
        csv(cases, "the null key in a field that is not nullable", "count", "NULL", "expected Int32, found the text \"NULL\"",
                "expected type 'Int32' for field 'count', got type 'string' with value 'NULL'");
        csv(cases, "an array over its max_capacity", "tags", "[\"a\", \"b\", \"c\", \"d\"]", "found a list of 4",
                "array capacity(4) for field tags exceeds max_capacity(3)");
        csv(cases, "invalid JSON in a JSON field", "meta", "{n: 1}", "found the text", "invalid JSON");
        csv(cases, "a sparse vector with a negative value", "sparse", "{\"indices\": [1, 2], \"values\": [0.5, -1]}", "is negative (-1)",
                "negative value in sparse float vector");
    }

    // ---- NumPy ------------------------------------------------------------------------------------

    /** A NumPy set of the npy collection, every file of NUMPY_ROWS rows, the bad value in {@code column}'s file. */
    private static void numpy(final List<Case> cases, final String rule, final String column, final BiFunction<Path, Integer, Path> badFile,
                              final String validator, final String milvus) {
        cases.add(new Case("NumPy: " + rule, "npy", (folder, badRow) -> {
            final Map<String, Path> set = new LinkedHashMap<>();
            final float[] vectors = new float[4 * NUMPY_ROWS];
            final String[] titles = new String[NUMPY_ROWS];
            final String[] metas = new String[NUMPY_ROWS];
            final float[] scores = new float[NUMPY_ROWS];
            for (int i = 0; i < NUMPY_ROWS; i++) {
                for (int k = 0; k < 4; k++) {
                    vectors[4 * i + k] = i * 0.5f + k;
                }
                titles[i] = "t" + i;
                metas[i] = "{\"n\": " + i + "}";
                scores[i] = i;
            }
            set.put("vector", RealFiles.npy(folder.resolve("vector.npy"), vectors, NUMPY_ROWS, 4));
            set.put("title", RealFiles.npy(folder.resolve("title.npy"), titles));
            set.put("meta", RealFiles.npy(folder.resolve("meta.npy"), metas));
            set.put("score", RealFiles.npy(folder.resolve("score.npy"), scores, NUMPY_ROWS));
            final Path file = badFile.apply(folder, badRow);
            set.put(column, file);
            return new ValidatorAgreesWithServerTest.Written(file, set.values().stream().map(path -> path.getFileName().toString()).toList());
        }, NUMPY_ROWS, 200, column, validator, milvus, Map.of()));
    }

    private static void numpyCases(final List<Case> cases) {
        numpy(cases, "NaN in a float vector", "vector", (folder, bad) -> {
            final float[] vectors = new float[4 * NUMPY_ROWS];
            vectors[4 * bad + 2] = Float.NaN;
            return RealFiles.npy(folder.resolve("vector.npy"), vectors, NUMPY_ROWS, 4);
        }, "found NaN", "value 'NaN' is not a number or infinity");
        numpy(cases, "NaN in a Float field", "score", (folder, bad) -> {
            final float[] scores = new float[NUMPY_ROWS];
            scores[bad] = Float.POSITIVE_INFINITY;
            return RealFiles.npy(folder.resolve("score.npy"), scores, NUMPY_ROWS);
        }, "found +Inf", "value '+Inf' is not a number or infinity");
        numpy(cases, "invalid JSON in a JSON field", "meta", (folder, bad) -> {
            final String[] metas = new String[NUMPY_ROWS];
            for (int i = 0; i < NUMPY_ROWS; i++) {
                metas[i] = i == bad ? "{\"n\" 1}" : "{\"n\": 1}";
            }
            return RealFiles.npy(folder.resolve("meta.npy"), metas);
        }, "found text that is not JSON", "for JSON field 'meta'");
    }

    private static ValidatorAgreesWithServerTest.Written single(final Path file) {
        return new ValidatorAgreesWithServerTest.Written(file, List.of(file.getFileName().toString()));
    }

    static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
