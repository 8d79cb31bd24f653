package io.github.bulkimport.nifi.service.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FileProgress;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.testing.FuzzInvariants;
import org.junit.jupiter.api.AfterAll;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation's answer as any server, gateway or attacker may send it (status, content type,
 * Retry-After, Location and body, written as {@link FuzzedAnswer} reads them): the client returns its
 * result or throws {@link ImportApiException}, nothing else, within the budget, and no secret of
 * {@link io.github.bulkimport.nifi.testing.Secrets} is in any message or returned text, each of which
 * is visible text (no control character, bounded).
 */
class AnswerInterpreterFuzzTest {

    private static final ImportApiClient CLIENT = FuzzedAnswer.clientWithEverySecret();
    private static final String JOB_ID = "job-0123456789abcdef";
    private static final Pattern PLAIN_JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\u202A-\u202E\u2066-\u2069]");

    @AfterAll
    static void close() {
        CLIENT.close();
    }

    @FuzzTest(maxDuration = "5m")
    void create(final byte[] input) throws Exception {
        final String jobId = interpret(() -> CLIENT.created(FuzzedAnswer.read(input)));
        if (jobId != null) {
            assertTrue(PLAIN_JOB_ID.matcher(jobId).matches(), "a job ID that is no plain identifier: " + jobId);
            visible("job ID", jobId);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void describe(final byte[] input) throws Exception {
        final JobProgress progress = interpret(() -> CLIENT.described(JOB_ID, FuzzedAnswer.read(input)));
        if (progress == null) {
            return;
        }
        visible("collection name", progress.collectionName());
        visible("state", progress.rawState());
        visible("reason", progress.reason());
        visible("complete time", progress.completeTime());
        inRange(progress.progress(), progress.importedRows(), progress.totalRows(), progress.fileSize());
        for (final FileProgress file : progress.files()) {
            visible("file name", file.name());
            visible("file state", file.rawState());
            visible("file reason", file.reason());
            visible("file complete time", file.completeTime());
            inRange(file.progress(), file.importedRows(), file.totalRows(), file.fileSize());
        }
    }

    @FuzzTest(maxDuration = "5m")
    void list(final byte[] input) throws Exception {
        final JobPage page = interpret(() -> CLIENT.listed(new PageRequest(null, null, 1, 100), FuzzedAnswer.read(input)));
        if (page == null) {
            return;
        }
        assertTrue(page.totalCount() == null || page.totalCount() >= 0, "a negative count");
        for (final JobSummary job : page.jobs()) {
            assertTrue(PLAIN_JOB_ID.matcher(job.jobId()).matches(), "a job ID that is no plain identifier: " + job.jobId());
            visible("job ID", job.jobId());
            visible("collection name", job.collectionName());
            visible("state", job.rawState());
            visible("reason", job.reason());
            inRange(job.progress());
        }
    }

    @FuzzTest(maxDuration = "5m")
    void commit(final byte[] input) throws Exception {
        interpret(() -> {
            CLIENT.done("commit", FuzzedAnswer.read(input));
            return Boolean.TRUE;
        });
    }

    @FuzzTest(maxDuration = "5m")
    void abort(final byte[] input) throws Exception {
        interpret(() -> {
            CLIENT.done("abort", FuzzedAnswer.read(input));
            return Boolean.TRUE;
        });
    }

    @FuzzTest(maxDuration = "5m")
    void describeCollection(final byte[] input) throws Exception {
        final CollectionSchema schema = interpret(() -> CLIENT.describedCollection("docs", FuzzedAnswer.read(input)));
        if (schema == null) {
            return;
        }
        visible("collection name", schema.name());
        for (final FieldSchema field : schema.fields()) {
            visible("field name", field.name());
            visible("field type", field.describeType());
            for (final Integer size : new Integer[] {field.dim(), field.maxLength(), field.maxCapacity()}) {
                assertTrue(size == null || size > 0, "a size that is no size: " + size);
            }
        }
    }

    /** What one operation makes of an answer, within the budget; an ImportApiException is checked and taken as "no result". */
    private static <T> T interpret(final FuzzInvariants.Target<T> operation) throws Exception {
        final Object outcome = FuzzInvariants.withinBudget(() -> {
            try {
                return operation.run();
            } catch (final ImportApiException refused) {
                return refused;
            }
        });
        if (outcome instanceof ImportApiException refused) {
            visible("exception message", refused.getMessage());
            refused.getErrorCode().ifPresent(code -> visible("error code", code));
            refused.getRetryAfter().ifPresent(wait -> assertTrue(!wait.isNegative() && wait.compareTo(RetryAfter.MAXIMUM) <= 0, "wait " + wait));
            return null;
        }
        @SuppressWarnings("unchecked") final T result = (T) outcome;
        return result;
    }

    /** Text a user may see: no secret, no control character, bounded. */
    private static void visible(final String where, final String text) {
        if (text == null) {
            return;
        }
        FuzzInvariants.noSecret(where, text);
        assertTrue(text.length() <= VisibleText.MAX_LENGTH, where + " of " + text.length() + " characters");
        assertTrue(!CONTROL.matcher(text).find(), where + " holds a control character: " + text);
    }

    private static void inRange(final Integer progress, final Long... counts) {
        assertTrue(progress == null || progress >= 0 && progress <= 100, "progress " + progress);
        for (final Long count : counts) {
            assertTrue(count == null || count >= 0, "count " + count);
        }
    }
}
