package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.validate.RealFiles.ParquetLayout;
import io.github.bulkimport.nifi.testing.Emulators;
import org.apache.hadoop.conf.Configuration;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.FlowFileAccessException;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.MockProcessSession;
import org.apache.nifi.util.SharedSessionState;
import org.apache.nifi.util.TestRunner;
import org.apache.parquet.example.data.Group;
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

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Red team: the lazily created report of Validation Depth Whole File, under hostile files and failing sessions. */
@Timeout(300)
class RedTeamWholeFileTest {

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
        return WholeFileReportTest.wholeFile(emulator);
    }

    /** A CSV of {@code rows} rows; the rows {@code bad} says hold a count that is not a number. */
    static byte[] csv(final int rows, final java.util.function.IntPredicate bad) {
        final StringBuilder text = new StringBuilder("vector,title,tags,count\n");
        for (int i = 0; i < rows; i++) {
            text.append("\"[1,2,3,4]\",t,[1],").append(bad.test(i) ? "x" : String.valueOf(i)).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ a session that fails where told

    /** A mock session whose content reads, report writes or report routing fail, for the flowfile named. */
    static final class HostileSession extends MockProcessSession {
        String failReadOf;
        long failReadAt = Long.MAX_VALUE;
        boolean readFailsUnchecked;
        boolean readFailsWithError;
        boolean failCreateStream;
        boolean failReportWrites;
        boolean failReportTransferOnce;
        final List<Throwable> seen = new ArrayList<>();
        int creates;
        int writes;
        final java.util.Set<Long> openReports = new java.util.HashSet<>();

        @Override
        public MockFlowFile create(final FlowFile parent) {
            creates++;
            return super.create(parent);
        }

        @Override
        public void remove(final FlowFile flowFile) {
            if (openReports.contains(flowFile.getId())) {
                throw new AssertionError("a report removed while its stream is open");
            }
            super.remove(flowFile);
        }

        HostileSession(final SharedSessionState state, final Processor processor) {
            super(state, processor, true, new org.apache.nifi.state.MockStateManager(processor), true, false);
        }

        @Override
        public InputStream read(final FlowFile flowFile) {
            final InputStream in = super.read(flowFile);
            if (failReadOf == null || !failReadOf.equals(flowFile.getAttribute("filename"))) {
                return in;
            }
            return new FilterInputStream(in) {
                private long at;

                private void check(final long n) throws IOException {
                    if (at + n > failReadAt) {
                        if (readFailsWithError) {
                            throw new InternalError("injected: a fault occurred in an unsafe memory access operation");
                        }
                        if (readFailsUnchecked) {
                            throw new FlowFileAccessException("injected: content repository lost the claim");
                        }
                        throw new IOException("injected: content repository failed at byte " + at);
                    }
                }

                @Override
                public int read() throws IOException {
                    check(1);
                    final int b = super.read();
                    at++;
                    return b;
                }

                @Override
                public int read(final byte[] b, final int off, final int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    check(1);
                    final int n = super.read(b, off, (int) Math.max(1, Math.min(len, failReadAt - at)));
                    if (n > 0) {
                        at += n;
                    }
                    return n;
                }

                @Override
                public long skip(final long n) throws IOException {
                    final long s = super.skip(n);
                    at += s;
                    return s;
                }

                @Override
                public void skipNBytes(final long n) throws IOException {
                    super.skipNBytes(n);
                    at += n;
                }
            };
        }

        @Override
        public OutputStream write(final FlowFile flowFile) {
            if (failCreateStream) {
                throw new FlowFileAccessException("injected: no room for a new content claim");
            }
            writes++;
            final OutputStream raw = super.write(flowFile);
            openReports.add(flowFile.getId());
            final OutputStream out = new FilterOutputStream(raw) {
                @Override
                public void write(final byte[] b, final int off, final int len) throws IOException {
                    raw.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    openReports.remove(flowFile.getId());
                    super.close();
                }
            };
            if (!failReportWrites) {
                return out;
            }
            return new FilterOutputStream(out) {
                @Override
                public void write(final int b) throws IOException {
                    throw new IOException("injected: disk full");
                }

                @Override
                public void write(final byte[] b, final int off, final int len) throws IOException {
                    throw new IOException("injected: disk full");
                }
            };
        }

        @Override
        public void transfer(final FlowFile flowFile, final Relationship relationship) {
            if (openReports.contains(flowFile.getId())) {
                throw new AssertionError("a report routed while its stream is open");
            }
            if (failReportTransferOnce && ValidationRouting.REL_REPORT.equals(relationship)) {
                failReportTransferOnce = false;
                throw new IllegalStateException("injected: routing the report failed");
            }
            super.transfer(flowFile, relationship);
        }
    }

    /** Runs the processor once over the files given, in the session given; returns what onTrigger threw, or null. */
    static Throwable runOnce(final TestRunner runner, final SharedSessionState state, final HostileSession session,
                             final Map<String, byte[]> files) {
        for (final Map.Entry<String, byte[]> file : files.entrySet()) {
            final MockFlowFile flowFile = new MockFlowFile(state.nextFlowFileId());
            flowFile.setData(file.getValue());
            flowFile.putAttributes(Map.of("filename", file.getKey()));
            state.getFlowFileQueue().offer(flowFile);
        }
        try {
            ((ValidateBulkImportFile) runner.getProcessor()).onTrigger(runner.getProcessContext(), session);
            return null;
        } catch (final Throwable t) {
            return t;
        }
    }

    static SharedSessionState[] holder = new SharedSessionState[1];

    private static HostileSession session(final TestRunner runner) {
        runner.run(1, false, true);
        final SharedSessionState state = new SharedSessionState(runner.getProcessor(), new AtomicLong(10_000));
        holder[0] = state;
        return new HostileSession(state, runner.getProcessor());
    }

    private static Map<String, byte[]> ordered(final Object... nameThenBytes) {
        final Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            files.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        }
        return files;
    }

    /** The broken files went to failure, no report was routed, and the one sound file of the run was checked as usual. */
    private static void assertFailedAloneNoReport(final HostileSession session, final int failed) {
        session.assertTransferCount(ValidationRouting.REL_FAILURE, failed);
        session.assertTransferCount(ValidationRouting.REL_REPORT, 0);
        session.assertTransferCount(ValidationRouting.REL_VALID, 1);
    }

    private static void commitsClean(final HostileSession session) {
        // throws when a flowfile (the report above all) is neither routed nor removed, or a stream is left open
        session.commit();
    }

    // ------------------------------------------------------------------ promise 1: several flowfiles, bounds

    @Test
    void severalFilesInOneRunEachGetTheirOwnReportOrNone() throws Exception {
        final TestRunner runner = wholeFile();
        final byte[] good = csv(2_000, i -> false);
        final byte[] bad1 = csv(3_000, i -> i == 5 || i == 2_500);
        final byte[] bad2 = csv(3_000, i -> i % 1000 == 999);
        runner.enqueue(good, Map.of("filename", "good.csv"));
        runner.enqueue(bad1, Map.of("filename", "bad1.csv"));
        runner.enqueue(good, Map.of("filename", "good2.csv"));
        runner.enqueue(bad2, Map.of("filename", "bad2.csv"));
        runner.run();
        runner.assertTransferCount(ValidationRouting.REL_VALID, 2);
        runner.assertTransferCount(ValidationRouting.REL_INVALID, 2);
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 2);
        runner.assertTransferCount(ValidationRouting.REL_FAILURE, 0);
        final Map<String, MockFlowFile> invalid = new HashMap<>();
        for (final MockFlowFile f : runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID)) {
            invalid.put(f.getAttribute("filename"), f);
        }
        invalid.get("bad1.csv").assertContentEquals(bad1);
        invalid.get("bad2.csv").assertContentEquals(bad2);
        final Map<String, MockFlowFile> reports = new HashMap<>();
        for (final MockFlowFile f : runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT)) {
            reports.put(f.getAttribute("filename"), f);
        }
        assertEquals(List.of(6L, 2501L), rows(reports.get("bad1.csv.bad-rows.jsonl").getContent()));
        assertEquals(List.of(1000L, 2000L, 3000L), rows(reports.get("bad2.csv.bad-rows.jsonl").getContent()));
        final List<ProvenanceEventRecord> forks = runner.getProvenanceEvents().stream()
                .filter(e -> e.getEventType() == ProvenanceEventType.FORK).toList();
        assertEquals(2, forks.size(), "one fork per report, none for the good files");
        for (final ProvenanceEventRecord fork : forks) {
            final String parent = fork.getFlowFileUuid();
            final String child = fork.getChildUuids().getFirst();
            final MockFlowFile report = runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).stream()
                    .filter(f -> f.getAttribute("uuid").equals(child)).findFirst().orElseThrow();
            final MockFlowFile original = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).stream()
                    .filter(f -> f.getAttribute("uuid").equals(parent)).findFirst().orElseThrow();
            assertEquals(original.getAttribute("filename") + ".bad-rows.jsonl", report.getAttribute("filename"));
        }
    }

    private static List<Long> rows(final String report) throws IOException {
        final List<Long> rows = new ArrayList<>();
        for (final String line : report.split("\n")) {
            rows.add(JSON.readTree(line).path("row").asLong());
        }
        return rows;
    }

    @Test
    void aReportPastOneHundredThousandLinesIsBoundedAndCountsTheRest() throws Exception {
        final TestRunner runner = wholeFile();
        final int rows = 100_250;
        runner.enqueue(csv(rows, i -> i >= 3), Map.of("filename", "many.csv"));
        runner.run();
        runner.assertTransferCount(ValidationRouting.REL_INVALID, 1);
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        invalid.assertAttributeEquals(BulkImportAttributes.VALIDATION_BAD_ROWS, String.valueOf(rows - 3));
        final String[] lines = runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent().split("\n");
        assertEquals(BadRowTally.REPORT_LINES + 1, lines.length);
        assertEquals(4, JSON.readTree(lines[0]).path("row").asLong());
        assertEquals(BadRowTally.REPORT_LINES + 3, JSON.readTree(lines[lines.length - 2]).path("row").asLong());
        assertEquals(rows - 3 - BadRowTally.REPORT_LINES, JSON.readTree(lines[lines.length - 1]).path("omitted").asLong());
        for (final String line : lines) {
            JSON.readTree(line);
        }
    }

    @Test
    void aSecretInACellNeverReachesTheReportOrTheAttributes() throws Exception {
        final String secret = io.github.bulkimport.nifi.testing.Secrets.MILVUS_TOKEN;
        final String secretPassword = secret.contains(":") ? secret.substring(secret.indexOf(':') + 1) : secret;
        final TestRunner runner = wholeFile();
        final String text = "vector,title,tags,count\n\"[1,2,3,4]\",t,[1]," + secret + "\n\"[1,2,3,4]\"," + secret + ",[1],2\n"
                + "\"[1,2,3,4]\",t,[1]," + "y".repeat(150) + secret + "\n"
                + "\"[1,2,3,4]\",t,[1]," + "y".repeat(20) + secret + "\n"
                + "\"[1,2,3,4]\",t,[1]," + "y".repeat(28) + secret + "\n";
        runner.enqueue(text.getBytes(StandardCharsets.UTF_8), Map.of("filename", "secret.csv"));
        runner.run();
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
        final String report = runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent();
        for (final String shown : List.of(report, invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS),
                invalid.getAttribute(BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS))) {
            assertTrue(!shown.contains(secret) && !shown.contains(secretPassword), shown);
            System.out.println("REDTEAM shown: " + shown);
            assertTrue(!shown.contains("Milvus-TEST"), "a part of the secret is shown: " + shown);
        }
        runner.clearTransferState();
    }

    // ------------------------------------------------------------------ promise 1: failures

    @Test
    void contentReadFailureMidScanAfterBadRowsRoutesToFailureAndLeavesNoReport() {
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        final byte[] bad = csv(200_000, i -> i < 20_000);
        session.failReadOf = "broken.csv";
        session.failReadAt = bad.length - 100_000;
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("broken.csv", bad, "good.csv", csv(1_000, i -> false),
                "bad.csv", csv(1_000, i -> i == 7)));
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        session.assertTransferCount(ValidationRouting.REL_FAILURE, 1);
        final MockFlowFile failed = session.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).getFirst();
        failed.assertAttributeEquals("filename", "broken.csv");
        assertEquals(ValidationRouting.CONTENT_UNREADABLE, failed.getAttribute(BulkImportAttributes.ERROR_CODE),
                () -> "error message: " + failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        session.assertTransferCount(ValidationRouting.REL_VALID, 1);
        session.assertTransferCount(ValidationRouting.REL_INVALID, 1);
        session.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        commitsClean(session);
    }

    @Test
    void contentReadFailureMidScanOfAParquetFileRoutesToFailureAndLeavesNoReport() throws Exception {
        final MessageType schema = MessageTypeParser.parseMessageType("""
                message docs {
                  optional group vector (LIST) { repeated group list { optional float element; } }
                  optional binary title (STRING);
                  optional group tags (LIST) { repeated group list { optional int64 element; } }
                  optional int32 count;
                }""");
        final Path file = RealFiles.parquet(folder.resolve("broken.parquet"), schema, ParquetLayout.DEFAULT, 200_000, 256 * 1024, (i, row) -> {
            RealFiles.floats(row, "vector", i % 50 == 0 ? 5 : 4);
            row.append("title", "t");
            RealFiles.longs(row, "tags", 1);
            row.append("count", i);
        });
        final byte[] bytes = Files.readAllBytes(file);
        for (final boolean unchecked : new boolean[] {false, true}) {
            final TestRunner runner = wholeFile();
            final HostileSession session = session(runner);
            session.failReadOf = "broken.parquet";
            // the footer and the first pages read fine; a chunk well into the file fails
            session.failReadAt = bytes.length / 2;
            session.readFailsUnchecked = unchecked;
            final Throwable thrown = runOnce(runner, holder[0], session, ordered("broken.parquet", bytes, "good.csv", csv(1_000, i -> false)));
            assertNull(thrown, () -> "onTrigger threw " + thrown);
            assertFailedAloneNoReport(session, 1);
            commitsClean(session);
        }
    }

    @Test
    void aReportWhoseContentClaimCannotBeCreatedLeavesNothingBehind() {
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        session.failCreateStream = true;
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("bad.csv", csv(1_000, i -> i == 3), "good.csv", csv(1_000, i -> false)));
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        assertFailedAloneNoReport(session, 1);
        commitsClean(session);
    }

    @Test
    void aReportWhoseWritesFailLeavesNothingBehindAndTheOthersGoOn() {
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        session.failReportWrites = true;
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("bad.csv", csv(1_000, i -> i == 3), "good.csv", csv(1_000, i -> false),
                "bad2.csv", csv(50_000, i -> true)));
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        assertFailedAloneNoReport(session, 2);
        for (final MockFlowFile failed : session.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE)) {
            // the report could not be written: the flowfile's own content was read fine
            final String message = failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
            assertTrue(message == null || !message.contains("Cannot read the content"), "a write failure is reported as a read failure: " + message);
            assertEquals(ValidationRouting.REPORT_UNWRITABLE, failed.getAttribute(BulkImportAttributes.ERROR_CODE));
            assertTrue(message.contains("Cannot write the report of bad rows") && message.contains("disk full"), message);
        }
        commitsClean(session);
    }

    @Test
    void anErrorWhileRoutingTheReportFailsThatFileAloneAndTheRunGoesOn() {
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        session.failReportTransferOnce = true;
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("bad.csv", csv(1_000, i -> i == 3), "good.csv", csv(1_000, i -> false),
                "bad2.csv", csv(1_000, i -> i == 9)));
        System.out.println("REDTEAM routing: valid=" + session.getFlowFilesForRelationship(ValidationRouting.REL_VALID).size()
                + " invalid=" + session.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).size()
                + " failure=" + session.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).stream()
                .map(f -> f.getAttribute("filename") + ":" + f.getAttribute(BulkImportAttributes.ERROR_MESSAGE)).toList()
                + " report=" + session.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).size());
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        // the file whose report could not be routed: somewhere, and its report not left behind
        // the files after it: checked as usual, not failed for another file's trouble
        session.assertTransferCount(ValidationRouting.REL_VALID, 1);
        session.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        commitsClean(session);
    }

    @Test
    void contentReadFailureMidScanOfAJsonFileRoutesToFailureAndLeavesNoReport() {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 60_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"vector\":[1,2,3,4],\"title\":\"t\",\"tags\":[1],\"count\":")
                    .append(i % 3 == 0 ? "\"x\"" : String.valueOf(i)).append('}');
        }
        final byte[] bytes = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        session.failReadOf = "broken.json";
        session.failReadAt = bytes.length - 1000;
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("broken.json", bytes, "bad.json", "[{\"vector\":[1,2,3,4],\"title\":\"t\",\"tags\":[1],\"count\":\"x\"}]"
                .getBytes(StandardCharsets.UTF_8)));
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        session.assertTransferCount(ValidationRouting.REL_FAILURE, 1);
        final MockFlowFile failed = session.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).getFirst();
        assertEquals(ValidationRouting.CONTENT_UNREADABLE, failed.getAttribute(BulkImportAttributes.ERROR_CODE),
                () -> "error message: " + failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        session.assertTransferCount(ValidationRouting.REL_INVALID, 1);
        session.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        commitsClean(session);
    }

    @Test
    void anErrorOtherThanStackOverflowOrOutOfMemoryMidScanDoesNotEscapeOnTrigger() {
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        final byte[] bad = csv(200_000, i -> i < 20_000);
        session.failReadOf = "broken.csv";
        session.failReadAt = bad.length - 100_000;
        session.readFailsWithError = true;
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("broken.csv", bad, "good.csv", csv(1_000, i -> false)));
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        // the file whose read failed goes to failure alone; the one after it is checked as usual
        assertFailedAloneNoReport(session, 1);
        assertEquals("broken.csv", session.getFlowFilesForRelationship(ValidationRouting.REL_FAILURE).getFirst().getAttribute("filename"));
    }

    @Test
    void badRowsBeforeTheTextBreaksAreReportedAndTheFileIsInvalid() throws Exception {
        final TestRunner runner = wholeFile();
        final String text = new String(csv(30_000, i -> i % 10_000 == 1), StandardCharsets.UTF_8) + "\"[1,2,3,4]\",t\"oops,[1],1\n"
                + new String(csv(10, i -> true), StandardCharsets.UTF_8).substring("vector,title,tags,count\n".length());
        runner.enqueue(text.getBytes(StandardCharsets.UTF_8), Map.of("filename", "broken-text.csv"));
        runner.run();
        runner.assertTransferCount(ValidationRouting.REL_INVALID, 1);
        runner.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        assertEquals(List.of(2L, 10_002L, 20_002L), rows(runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent()));
    }

    @Test
    void goodFilesOfEveryFormatMakeNoFlowFileAndNoContentClaim() throws Exception {
        final TestRunner runner = wholeFile();
        final HostileSession session = session(runner);
        final MessageType schema = MessageTypeParser.parseMessageType("""
                message docs {
                  optional group vector (LIST) { repeated group list { optional float element; } }
                  optional binary title (STRING);
                  optional group tags (LIST) { repeated group list { optional int64 element; } }
                  optional int32 count;
                }""");
        final Path parquet = RealFiles.parquet(folder.resolve("good.parquet"), schema, ParquetLayout.DEFAULT, 30_000, (i, row) -> {
            RealFiles.floats(row, "vector", 4);
            row.append("title", "t");
            RealFiles.longs(row, "tags", 1);
            row.append("count", i);
        });
        final Throwable thrown = runOnce(runner, holder[0], session, ordered("good.csv", csv(5_000, i -> false), "good.parquet",
                Files.readAllBytes(parquet), "good.json", "[{\"vector\":[1,2,3,4],\"title\":\"t\",\"tags\":[1],\"count\":1}]"
                        .getBytes(StandardCharsets.UTF_8), "bad.csv", csv(10, i -> i == 9)));
        assertNull(thrown, () -> "onTrigger threw " + thrown);
        session.assertTransferCount(ValidationRouting.REL_VALID, 3);
        session.assertTransferCount(ValidationRouting.REL_REPORT, 1);
        assertEquals(1, session.creates, "one flowfile created: the bad file's report");
        assertEquals(1, session.writes, "one content claim: the bad file's report");
        commitsClean(session);
    }

    @Test
    void exactlyTheBoundOfBadRowsHasNoOmittedLineAndOneMoreHasOne() throws Exception {
        for (final int bad : new int[] {BadRowTally.REPORT_LINES, BadRowTally.REPORT_LINES + 1}) {
            final TestRunner runner = wholeFile();
            runner.enqueue(csv(bad, i -> true), Map.of("filename", "edge.csv"));
            runner.run();
            runner.assertTransferCount(ValidationRouting.REL_REPORT, 1);
            final String[] lines = runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent().split("\n");
            final JsonNode last = JSON.readTree(lines[lines.length - 1]);
            if (bad == BadRowTally.REPORT_LINES) {
                assertEquals(BadRowTally.REPORT_LINES, lines.length);
                assertTrue(last.path("omitted").isMissingNode(), lines[lines.length - 1]);
            } else {
                assertEquals(BadRowTally.REPORT_LINES + 1, lines.length);
                assertEquals(1, last.path("omitted").asLong());
            }
        }
    }

    // ------------------------------------------------------------------ promise 2 end to end: Snappy floats agree with uncompressed ones

    @Test
    void snappyPlainFloatPagesGiveTheVerdictsOfTheSameRowsUncompressed() throws Exception {
        final MessageType schema = MessageTypeParser.parseMessageType("""
                message docs {
                  optional group vector (LIST) { repeated group list { optional float element; } }
                  optional binary title (STRING);
                  optional group tags (LIST) { repeated group list { optional int64 element; } }
                  optional int32 count;
                  optional float score;
                }""");
        final Random random = new Random(7);
        final int rows = 120_000;
        final float[][] vectors = new float[rows][4];
        final Float[] scores = new Float[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 4; j++) {
                // stretches of repeating values (copies) and of random ones (literals)
                vectors[i][j] = (i / 5000) % 2 == 0 ? random.nextFloat() : (float) (j + 1);
            }
            if (random.nextInt(9_000) == 0) {
                vectors[i][random.nextInt(4)] = random.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
            }
            scores[i] = random.nextInt(17) == 0 ? null : random.nextInt(7_000) == 0 ? Float.POSITIVE_INFINITY : (i / 3000) % 2 == 0 ? 0.5f
                    : random.nextFloat();
        }
        final Map<String, String> verdicts = new HashMap<>();
        for (final CompressionCodecName codec : new CompressionCodecName[] {CompressionCodecName.SNAPPY, CompressionCodecName.UNCOMPRESSED}) {
            for (final int pageSize : new int[] {70_000, 1 << 20, 200_000}) {
                final Path file = folder.resolve("floats-" + codec + "-" + pageSize + ".parquet");
                try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                        .withConf(new Configuration(false)).withCompressionCodec(codec).withDictionaryEncoding(false)
                        .withPageSize(pageSize).withRowGroupSize(8L << 20).build()) {
                    final SimpleGroupFactory groups = new SimpleGroupFactory(schema);
                    for (int i = 0; i < rows; i++) {
                        final Group row = groups.newGroup();
                        final Group list = row.addGroup("vector");
                        for (final float v : vectors[i]) {
                            list.addGroup("list").append("element", v);
                        }
                        row.append("title", "t");
                        row.addGroup("tags").addGroup("list").append("element", 1L);
                        row.append("count", i);
                        if (scores[i] != null) {
                            row.append("score", scores[i]);
                        }
                        writer.write(row);
                    }
                }
                final TestRunner runner = wholeFile();
                runner.enqueue(file, Map.of("filename", "floats.parquet"));
                runner.run();
                runner.assertTransferCount(ValidationRouting.REL_INVALID, 1);
                final MockFlowFile invalid = runner.getFlowFilesForRelationship(ValidationRouting.REL_INVALID).getFirst();
                final String verdict = invalid.getAttribute(BulkImportAttributes.VALIDATION_ERRORS) + "\n--\n"
                        + invalid.getAttribute(BulkImportAttributes.VALIDATION_BAD_ROWS) + "\n--\n"
                        + invalid.getAttribute(BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS) + "\n--\n"
                        + runner.getFlowFilesForRelationship(ValidationRouting.REL_REPORT).getFirst().getContent();
                final String before = verdicts.putIfAbsent(String.valueOf(pageSize), verdict);
                if (before != null) {
                    assertEquals(before, verdict, "page size " + pageSize);
                }
                assertTrue(!verdict.contains("expected every row read") && !verdict.contains("as Milvus reads it"), verdict);
            }
        }
    }
}
