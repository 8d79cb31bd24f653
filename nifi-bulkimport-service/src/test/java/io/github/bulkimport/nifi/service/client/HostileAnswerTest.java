package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.ErrorKind;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FileProgress;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.testing.LeakCheck;
import io.github.bulkimport.nifi.testing.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Answers a hostile or broken server may send, read through each operation's answer reader without
 * a network: each is read, or refused with an ImportApiException, quickly, and never shows a secret.
 * Each defect the fuzz targets' seeds stand for has its case here.
 */
class HostileAnswerTest {

    private static final ImportApiClient CLIENT = FuzzedAnswer.clientWithEverySecret();
    /** Far more than any of these answers needs once read in linear time; the defects took seconds to hours. */
    private static final Duration QUICKLY = Duration.ofSeconds(2);
    /** For answers of 8 MB, read in linear time in well under a second, and in hours by a quadratic reader. */
    private static final Duration QUICKLY_FOR_ITS_SIZE = Duration.ofSeconds(15);

    @AfterAll
    static void close() {
        CLIENT.close();
    }

    private static RawResponse answer(final int status, final String contentType, final String body) {
        return new RawResponse(status, contentType, null, null, body.getBytes(StandardCharsets.UTF_8));
    }

    private static ImportApiException refused(final Executable operation) {
        final ImportApiException e = assertTimeoutPreemptively(QUICKLY, () -> assertThrows(ImportApiException.class, operation));
        LeakCheck.assertNoSecrets("message", e.getMessage());
        assertTrue(e.getMessage().length() <= VisibleText.MAX_LENGTH);
        return e;
    }

    private static <T> T read(final ThrowingSupplier<T> operation) {
        return assertTimeoutPreemptively(QUICKLY, operation);
    }

    private static <T> T readLarge(final ThrowingSupplier<T> operation) {
        return assertTimeoutPreemptively(QUICKLY_FOR_ITS_SIZE, operation);
    }

    private static void refusedLarge(final Executable operation) {
        final ImportApiException e = assertTimeoutPreemptively(QUICKLY_FOR_ITS_SIZE, () -> assertThrows(ImportApiException.class, operation));
        LeakCheck.assertNoSecrets("message", e.getMessage());
    }

    @Test
    void aGatewayPageOfBlanksAfterItsTitleTagIsQuotedQuickly() {
        // <title>\s*(.*?)\s*</title> took 1.4 s on 1,000 blanks, 83 s on 4,000; the body window is 16 KB
        final ImportApiException e = refused(() -> CLIENT.described("1", answer(502, "text/html", "<title>" + " ".repeat(16_000) + "x")));
        assertEquals(ErrorKind.UNAVAILABLE, e.getKind());
        assertTrue(e.getMessage().contains("text/html, 16008 bytes"), e.getMessage());
    }

    @Test
    void aGatewayPageIsQuotedByItsTitleOrItsWords() {
        assertTrue(refused(() -> CLIENT.described("1", answer(502, "text/html", """
                <html><head><TITLE lang="en">
                  502   Bad <b>Gateway</b>
                </TITLE></head><body><h1>ignored</h1></body></html>"""))).getMessage().endsWith(": \"502 Bad Gateway\""));
        assertTrue(refused(() -> CLIENT.described("1", answer(500, "text/plain", "upstream\n\n  <i>connect</i>   error")))
                .getMessage().endsWith(": \"upstream connect error\""));
        assertTrue(refused(() -> CLIENT.described("1", answer(500, "text/plain", "a <b no end")))
                .getMessage().endsWith(": \"a <b no end\""), "a '<' without '>' is text");
        final String many = refused(() -> CLIENT.described("1", answer(502, "text/html", "<".repeat(16_000)))).getMessage();
        assertTrue(many.endsWith("<<<...\""), many);
    }

    @Test
    void aSecretWhereTheSnippetIsCutLeavesNoPieceOfItself() {
        for (int before = 100; before <= 125; before++) {
            final int at = before;
            final String message = refused(() -> CLIENT.created(answer(500, "text/plain", "x".repeat(at) + Secrets.API_KEY + " rejected")))
                    .getMessage();
            assertTrue(!message.contains(Secrets.API_KEY.substring(0, 4)), message);
            final String title = refused(() -> CLIENT.created(answer(502, "text/html", "<title>" + "y ".repeat(at / 2) + "\u0007"
                    + Secrets.SECRET_KEY + "</title>"))).getMessage();
            assertTrue(!title.contains(Secrets.SECRET_KEY.substring(0, 4)), title);
        }
    }

    @Test
    void numbersOutOfRangeAreAbsentWhateverTheirExponent() throws ImportApiException {
        final JobProgress progress = read(() -> CLIENT.described("1", answer(200, "application/json", """
                {"code":0,"data":{"state":"Importing","progress":1e2,"importedRows":1e999,"totalRows":1e9999999999,"fileSize":1e-9999999999,
                 "details":[{"progress":-0,"importedRows":1.0,"totalRows":"100","fileSize":-1e999},
                            {"progress":100.5,"importedRows":"1e2","totalRows":9223372036854775808,"fileSize":9223372036854775807},
                            {"progress":-0.0,"importedRows":" 7 ","totalRows":"-1","fileSize":9.3e18}]}}""")));
        assertEquals(100, progress.progress(), "1e2 is 100");
        assertNull(progress.importedRows(), "1e999 is infinite as a double: no count");
        assertNull(progress.totalRows(), "an exponent beyond what a BigDecimal holds");
        assertEquals(0L, progress.fileSize(), "1e-999999999 reads as the double 0");
        final List<FileProgress> files = progress.files();
        assertEquals(Arrays.asList(0, 1L, 100L, null), Arrays.asList(files.get(0).progress(), files.get(0).importedRows(), files.get(0).totalRows(),
                files.get(0).fileSize()));
        assertEquals(Arrays.asList(null, null, null, Long.MAX_VALUE), Arrays.asList(files.get(1).progress(), files.get(1).importedRows(),
                files.get(1).totalRows(), files.get(1).fileSize()));
        assertEquals(Arrays.asList(0, 7L, null, null), Arrays.asList(files.get(2).progress(), files.get(2).importedRows(), files.get(2).totalRows(),
                files.get(2).fileSize()), "9.3e18 is beyond a long");
        final JobPage page = read(() -> CLIENT.listed(new PageRequest(null, null, 1, 100), answer(200, "application/json", """
                {"code":0,"data":{"count":1e999,"records":[{"jobId":"1","state":"Importing","progress":1e999}]}}""")));
        assertNull(page.totalCount());
        assertNull(page.jobs().getFirst().progress());
    }

    @Test
    void jobNotFoundIsReadInLinearTimeAndOnlyWithinOneClause() {
        // job[^:]*(...) with find() is quadratic on "jobjobjob..." without a colon
        assertEquals(ErrorKind.TERMINAL, refused(() -> CLIENT.described("1", answer(200, "application/json",
                "{\"code\":2100,\"message\":\"" + "job".repeat(300_000) + "\"}"))).getKind());
        assertEquals(ErrorKind.TERMINAL, refused(() -> CLIENT.described("1", answer(404, "application/json",
                "{\"code\":2100,\"message\":\"" + "job".repeat(300_000) + "\"}"))).getKind());
        for (final String message : List.of("import job does not exist, jobID=1: importing data failed", "Job 1 NOT FOUND", "no such job",
                "failed: job 448707763883002014 not exist")) {
            assertEquals(ErrorKind.JOB_NOT_FOUND, refused(() -> CLIENT.done("commit", answer(200, "application/json",
                    "{\"code\":2100,\"message\":\"" + message + "\"}"))).getKind(), message);
        }
        assertEquals(ErrorKind.JOB_NOT_FOUND, refused(() -> CLIENT.described("1", answer(404, "application/json",
                "{\"code\":2100,\"message\":\"import job does not exist\"}"))).getKind(), "a 404 that says so is about the job, not the route");
        assertEquals(ErrorKind.TERMINAL, refused(() -> CLIENT.done("commit", answer(200, "application/json",
                "{\"code\":2100,\"message\":\"job 1 failed: file a.parquet not found\"}"))).getKind(), "the file is missing, not the job");
    }

    @Test
    void limitsAreReadFromTheMessageHead() {
        assertEquals(ErrorKind.THROTTLED, refused(() -> CLIENT.created(answer(200, "application/json",
                "{\"code\":2100,\"message\":\"The number of jobs has reached the limit, please try again later: importing data failed\"}"))).getKind());
        assertEquals(ErrorKind.THROTTLED, refused(() -> CLIENT.created(answer(200, "application/json",
                "{\"code\":9,\"message\":\"Too Many Requests\"}"))).getKind());
        assertEquals(ErrorKind.TERMINAL, refused(() -> CLIENT.created(answer(200, "application/json",
                "{\"code\":9,\"message\":\"" + "x".repeat(ServerPhrases.WINDOW) + " rate limit\"}"))).getKind(),
                "a phrase beyond the head of a message is no message of the servers");
    }

    @Test
    void malformedShapesAreReadAsAbsentOrRefused() throws ImportApiException {
        final JobProgress progress = read(() -> CLIENT.described("1", answer(200, "application/json", """
                {"code":0,"data":{"state":["Completed"],"reason":{"a":1},"details":{"one":{"fileName":"x","state":"Failed"},"two":5},"fileName":5}}""")));
        assertEquals(JobState.UNKNOWN, progress.state());
        assertNull(progress.reason());
        assertEquals(List.of("x"), progress.files().stream().map(FileProgress::name).toList(), "details as an object: its object values");
        assertEquals(JobState.UNKNOWN, read(() -> CLIENT.described("1", answer(200, "application/json", "{\"code\":0,\"data\":[1,2]}"))).state());
        assertEquals("NO_RECORDS", refused(() -> CLIENT.listed(new PageRequest(null, null, 1, 100), answer(200, "application/json",
                "{\"code\":0,\"data\":[{\"records\":[]}]}"))).getErrorCode().orElseThrow());
        final JobPage page = read(() -> CLIENT.listed(new PageRequest(null, null, 1, 100), answer(200, "application/json", """
                {"code":0,"data":{"count":-4,"records":[1,"x",null,[1],{"jobId":{"a":1}},{"jobId":"ok-1","state":{"s":[1,[2,[3]]]},"progress":"150"},
                 {"jobId":"bad id"},{"jobId":"%s","state":"Completed"}]}}""".formatted(Secrets.API_KEY))));
        assertEquals(List.of("ok-1"), page.jobs().stream().map(job -> job.jobId()).toList());
        assertNull(page.jobs().getFirst().progress());
        assertNull(page.totalCount());
        assertEquals("NOT_JSON", refused(() -> CLIENT.described("1", answer(200, "application/json", "[".repeat(100_000) + "]".repeat(100_000))))
                .getErrorCode().orElseThrow(), "nesting deeper than the parser allows is no envelope");
    }

    @Test
    void collectionSizesAreWholePositiveIntsAndAnythingElseIsAbsent() throws ImportApiException {
        final CollectionSchema schema = read(() -> CLIENT.describedCollection("docs", answer(200, "application/json", """
                {"code":0,"data":{"fields":[
                 {"name":"v","type":"FloatVector","params":[{"key":"dim","value":"99999999999999999999"},{"key":"max_length","value":"-5"},
                                                            {"key":"max_capacity","value":1e999}]},
                 {"name":"w","type":"BinaryVector","params":[{"key":"dim","value":" 128 "}]},
                 {"name":"a","type":"Array","elementType":123456789012345678901234567890,"params":[{"key":"max_capacity","value":"2147483648"}]},
                 {"name":"b","type":"Array","elementType":{"x":1},"params":{"key":"dim","value":"4"}},
                 {"name":{"n":1},"type":"VarChar"},{"type":"VarChar"},7,"x",[1]]}}""")));
        assertEquals("docs", schema.name());
        assertEquals(List.of("v", "w", "a", "b"), schema.fields().stream().map(FieldSchema::name).toList());
        final FieldSchema v = schema.fields().get(0);
        assertEquals(Arrays.asList(null, null, null), Arrays.asList(v.dim(), v.maxLength(), v.maxCapacity()));
        assertEquals(128, schema.fields().get(1).dim());
        assertNull(schema.fields().get(2).maxCapacity(), "beyond an int");
        assertEquals("Array<Other>", schema.fields().get(2).describeType());
        assertEquals("Array<?>", schema.fields().get(3).describeType());
    }

    @Test
    void answersAsLargeAsTheClientReadsAreReadQuickly() {
        final int size = ImportApiClient.MAX_RESPONSE_BYTES - 1_000;
        final String reason = Secrets.API_KEY + "x".repeat(size - 200);
        final JobProgress progress = readLarge(() -> CLIENT.described("1", answer(200, "application/json",
                "{\"code\":0,\"data\":{\"state\":\"Failed\",\"reason\":\"" + reason + "\"}}")));
        assertTrue(progress.reason().startsWith(SecretRedactor.MASK) && progress.reason().length() == VisibleText.MAX_LENGTH);

        final StringBuilder records = new StringBuilder("{\"code\":0,\"data\":{\"records\":[");
        for (int i = 0; records.length() < size; i++) {
            records.append(i == 0 ? "" : ",").append("{\"jobId\":\"").append(i).append("\",\"state\":\"Importing\",\"reason\":\"r\"}");
        }
        records.append("]}}");
        final JobPage page = readLarge(() -> CLIENT.listed(new PageRequest(null, null, 1, 100), answer(200, "application/json", records.toString())));
        assertTrue(page.jobs().size() > 100_000, "every record read: " + page.jobs().size());

        final String message = "{\"code\":2100,\"message\":\"" + "job ".repeat(size / 4 - 10) + "\"}";
        refusedLarge(() -> CLIENT.created(answer(200, "application/json", message)));
        refusedLarge(() -> CLIENT.created(answer(502, "text/html", "<title>" + " ".repeat(size))));
    }
}
