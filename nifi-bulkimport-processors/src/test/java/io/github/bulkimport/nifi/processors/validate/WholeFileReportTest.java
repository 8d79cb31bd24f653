package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.validate.RealFiles.ParquetLayout;
import io.github.bulkimport.nifi.processors.validate.file.Fault;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.parquet.example.data.Group;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Validation Depth Whole File routes and writes: valid with no bad row and no report; invalid with the bad rows
 * counted once each, the lowest named, and a report (a child of the file, forked in provenance) of one JSON line per bad
 * row and column, bounded; the file's content untouched; a file whose pages it cannot read through is said so.
 */
@Timeout(120)
class WholeFileReportTest {

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message docs {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional group tags (LIST) { repeated group list { optional int64 element; } }
              optional int32 count;
              optional float score;
            }""");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    private static ImportApiEmulator emulator;

    @BeforeAll
    static void startServer() {
        emulator = Emulators.milvus().schema("docs", ValidatorAgreesWithServerTest.DOCS).start();
    }

    @AfterAll
    static void stopServer() {
        emulator.close();
    }

    private static TestRunner wholeFile() {
        return wholeFile(emulator);
    }

    /** ValidateBulkImportFile checking every row against collection docs of the emulator given. */
    static TestRunner wholeFile(final ImportApiEmulator emulator) {
        final TestRunner runner = Runners.milvus(new ValidateBulkImportFile(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
        runner.setProperty(ValidateBulkImportFile.VALIDATION_DEPTH, ValidateBulkImportFile.WHOLE_FILE.getValue());
        return runner;
    }

    private static Path parquet(final String name, final ParquetLayout layout, final int rows, final BiConsumer<Integer, Group> bad) {
        return RealFiles.parquet(folder.resolve(name), SCHEMA, layout, rows, 64 * 1024, (i, row) -> {
            RealFiles.floats(row, "vector", 4);
            row.append("title", "t" + i % 10);
            RealFiles.longs(row, "tags", i % 3);
            row.append("count", i);
            row.append("score", 0.25f);
            bad.accept(i, row);
        });
    }

    @Test
    void aFileWithoutBadRowsIsValidWithNoReport() throws Exception {
        final TestRunner runner = wholeFile();
        runner.enqueue(parquet("sound.parquet", ParquetLayout.DEFAULT, 20_000, (i, row) -> { }), Map.of("filename", "sound.parquet",
                BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS, "left by an earlier check"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);
        final MockFlowFile valid = runner.getFlowFilesForRelationship(ValidationRouting.REL_VALID).getFirst();
        valid.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, "0");
        valid.assertAttributeNotExists(BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS);
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 0);
    }

    @Test
    void badRowsAreCountedOnceNamedLowestFirstAndReportedLineByLine() throws Exception {
        // rows 3 and 14,000 bad in two columns each, row 9,000 in one: three bad rows, five bad values
        final Path file = RealFiles.parquet(folder.resolve("bad.parquet"), SCHEMA, ParquetLayout.DEFAULT, 15_000, 64 * 1024, (i, row) -> {
            if (i == 3 || i == 14_000) {
                RealFiles.floats(row, "vector", 5);
            } else {
                RealFiles.floats(row, "vector", 4);
            }
            row.append("title", i == 9_000 ? "much too long" : "t");
            RealFiles.longs(row, "tags", 1);
            if (i != 3 && i != 14_000) {
                row.append("count", i);
            }
        });
        final TestRunner runner = wholeFile();
        runner.enqueue(file, Map.of("filename", "bad.parquet"));
        runner.run();
        runner.assertTransferCount(ValidationRouting.REL_INVALID, 1);
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        invalid.assertContentEquals(Files.readAllBytes(file));
        invalid.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, "3");
        assertEquals("""
                vector: expected FloatVector(4) (4 values a row), found a list of 5 in row 4 (and 1 more rows)
                title: expected VarChar(8) (at most 8 bytes), found a text of 13 bytes in row 9001
                count: expected Int32, found null in row 4 (and 1 more rows)""", invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS));
        assertEquals("""
                row 4, count: expected Int32, found null
                row 4, vector: expected FloatVector(4) (4 values a row), found a list of 5
                row 9001, title: expected VarChar(8) (at most 8 bytes), found a text of 13 bytes
                row 14001, count: expected Int32, found null
                row 14001, vector: expected FloatVector(4) (4 values a row), found a list of 5""",
                invalid.getAttribute(BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS));

        final MockFlowFile report = runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst();
        report.assertAttributeEquals("filename", "bad.parquet.bad-rows.jsonl");
        report.assertAttributeEquals("mime.type", "application/x-ndjson");
        report.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, "3");
        final List<String> lines = new ArrayList<>();
        for (final String line : report.getContent().split("\n")) {
            final JsonNode row = JSON.readTree(line);
            assertEquals(List.of("row", "column", "problem"), iterate(row));
            lines.add(row.path("row").asLong() + " " + row.path("column").asText());
        }
        assertEquals(List.of("4 vector", "14001 vector", "9001 title", "4 count", "14001 count"), lines, "in the file's order: column by column");

        final List<ProvenanceEventRecord> forks = runner.getProvenanceEvents().stream()
                .filter(event -> event.getEventType() == ProvenanceEventType.FORK).toList();
        assertEquals(1, forks.size());
        assertEquals(List.of(report.getAttribute("uuid")), forks.getFirst().getChildUuids());
        assertEquals(invalid.getAttribute("uuid"), forks.getFirst().getFlowFileUuid());
    }

    private static List<String> iterate(final JsonNode node) {
        final List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aReportStopsAtItsBoundAndCountsTheRest() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final BadRowTally tally = new BadRowTally(new Expectations(new CollectionSchema("docs", false, List.of())), text -> text, out);
        tally.bad(0, BadRowTally.REPORT_LINES + 5, "count", Fault.NULL);
        tally.finish();
        final String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(BadRowTally.REPORT_LINES + 1, lines.length);
        assertEquals(5, JSON.readTree(lines[lines.length - 1]).path("omitted").asLong(), lines[lines.length - 1]);
        assertEquals(BadRowTally.REPORT_LINES + 5, tally.badRows());
        assertEquals(BadRowTally.FIRST_ROWS, tally.firstBadRows().size());
    }

    @Test
    void aJsonFileIsCheckedRowByRowToItsEnd() throws Exception {
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("vector", List.of(1, 2, 3, i == 4_321 ? 1e39 : 4));
            row.put("title", "t");
            row.put("tags", List.of(1));
            row.put("count", i == 4_999 ? "x" : i);
            rows.add(row);
        }
        final TestRunner runner = wholeFile();
        runner.enqueue(RealFiles.json(folder.resolve("rows.json"), rows), Map.of("filename", "rows.json"));
        runner.run();
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        invalid.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, "2");
        assertEquals("""
                vector: expected FloatVector(4) of finite 32-bit floats, found a list holding the number 1.0E39 in row 4322
                count: expected Int32, found the text "x" in row 5000""", invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS));
        assertEquals(2, runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent().lines().count());
    }

    @Test
    void bytesThatAreNotUtf8InCsvCellsAreNamedAndNeverReachAMessageAsHalfACharacter() throws Exception {
        final ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes("vector,title,tags,count\n\"[1,2,3,4]\",t,[1],1\n\"[1,2,3,4]\",t".getBytes(StandardCharsets.UTF_8));
        csv.write(0xFF);
        csv.writeBytes(",[1],2\n\"[1,2,3,4]\",t,[1],3".getBytes(StandardCharsets.UTF_8));
        csv.write(0xFE);
        csv.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
        final TestRunner runner = wholeFile();
        runner.enqueue(Files.write(folder.resolve("bytes.csv"), csv.toByteArray()), Map.of("filename", "bytes.csv"));
        runner.run();
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        invalid.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, "2");
        assertEquals("""
                title: expected VarChar(8) (valid UTF-8 text), found text that is not valid UTF-8 in row 2
                count: expected Int32, found the text "3\uFFFD" in row 3""", invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS));
        final String report = runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent();
        assertEquals(2, report.lines().count(), report);
        assertTrue(report.chars().noneMatch(c -> Character.isSurrogate((char) c)), report);
        assertTrue(invalid.getAttribute(BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS).chars().noneMatch(c -> Character.isSurrogate((char) c)));
    }

    @Test
    void emptyLinesBetweenCsvRowsBeyondSixteenMebibytesAreSkippedAsGoSkipsThem() throws Exception {
        final String row = "\"[1,2,3,4]\",t,[1],1\n";
        final Path file = Files.writeString(folder.resolve("blank-lines.csv"), "vector,title,tags,count\n" + row
                + "\r\n".repeat(9 << 20) + row);
        for (final boolean whole : new boolean[] {true, false}) {
            final TestRunner runner = whole ? wholeFile() : Runners.milvus(new ValidateBulkImportFile(), emulator.url());
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "docs");
            runner.enqueue(file, Map.of("filename", "blank-lines.csv"));
            runner.run();
            runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);
            if (whole) {
                runner.getFlowFilesForRelationship(ValidationRouting.REL_VALID).getFirst().assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS,
                        "0");
            }
        }
    }

    @Test
    void pagesWholeFileCannotReadMakeTheFileInvalidSayingSoAndFirstPagesLetsThemBe() throws Exception {
        // one title of 33 MB: its page is larger than Whole File reads (First Pages reads none over 16 MB, and claims nothing of it)
        final Path file = folder.resolve("large-page.parquet");
        final MessageType schema = MessageTypeParser.parseMessageType("message docs { optional group vector (LIST) { repeated group list { "
                + "optional float element; } } optional binary title (STRING); optional group tags (LIST) { repeated group list { optional int64 element; } } "
                + "optional int32 count; }");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withConf(new Configuration(false)).withCompressionCodec(CompressionCodecName.UNCOMPRESSED).withDictionaryEncoding(false)
                .withPageSize(64 << 20).withRowGroupSize(256L << 20).build()) {
            final Group row = new SimpleGroupFactory(schema).newGroup();
            RealFiles.floats(row, "vector", 4);
            row.append("title", "t".repeat(33 << 20));
            RealFiles.longs(row, "tags", 1);
            row.append("count", 1);
            writer.write(row);
        }
        final TestRunner runner = wholeFile();
        runner.enqueue(file, Map.of("filename", "large-page.parquet"));
        runner.run();
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        final String errors = invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS);
        assertTrue(errors.startsWith("file: expected every row read to its end (Validation Depth Whole File), found a data page of column title of "),
                errors);
        assertEquals(1, errors.lines().count(), "the page is not read: its text's length is not claimed either");
        assertTrue(errors.endsWith("larger than the 32 MiB Whole File reads of a page; check this file with First Pages"), errors);
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 0);

        runner.clearTransferState();
        runner.setProperty(ValidateBulkImportFile.VALIDATION_DEPTH, ValidateBulkImportFile.FIRST_PAGES.getValue());
        runner.enqueue(file, Map.of("filename", "large-page.parquet"));
        runner.run();
        runner.assertAllFlowFilesTransferred(ValidationRouting.REL_VALID, 1);
        runner.getFlowFilesForRelationship(ValidationRouting.REL_VALID).getFirst().assertAttributeNotExists(BulkImportAttributes.VALIDATION_BAD_ROWS);
    }
}
