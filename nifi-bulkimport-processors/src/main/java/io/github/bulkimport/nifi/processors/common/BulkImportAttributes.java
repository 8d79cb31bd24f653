package io.github.bulkimport.nifi.processors.common;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;

/**
 * The flowfile attributes this bundle reads and writes, each name with its description, so that
 * every processor documents an attribute alike.
 */
public final class BulkImportAttributes {

    public static final String JOB_ID = "bulkimport.job.id";
    public static final String JOB_ID_DESC = "The ID of the import job.";
    public static final String COLLECTION = "bulkimport.collection";
    public static final String COLLECTION_DESC = "The collection the job imports into.";
    public static final String PARTITION = "bulkimport.partition";
    public static final String PARTITION_DESC = "The partition the job imports into, when one was set.";
    public static final String DATABASE = "bulkimport.database";
    public static final String DATABASE_DESC = "The database of the collection, when one was set; GetBulkImportProgress reads it.";
    public static final String SUBMITTED_AT = "bulkimport.submitted.at";
    public static final String SUBMITTED_AT_DESC = "When the job was started, ISO-8601 UTC; GetBulkImportProgress counts Maximum Wait Time from it.";
    public static final String OBJECT_URLS = "bulkimport.object.urls";
    public static final String OBJECT_URLS_DESC = "The files this flowfile sent, one per line: object URLs for Zilliz Cloud, paths inside the bucket for Milvus.";
    public static final String OBJECT_SETS = "bulkimport.object.sets";
    public static final String OBJECT_SETS_DESC = "The same files as JSON, exactly as sent: a list of files, each a list of paths (several for a NumPy set). "
            + "GetBulkImportProgress matches a failed job's files against it.";
    public static final String OBJECT_COUNT = "bulkimport.object.count";
    public static final String OBJECT_COUNT_DESC = "How many files this flowfile contributed to the job.";
    public static final String BATCH_SIZE = "bulkimport.batch.size";
    public static final String BATCH_SIZE_DESC = "How many flowfiles share the job's request (1 unless Max Flowfiles per Job is raised).";
    public static final String BATCH_INDEX = "bulkimport.batch.index";
    public static final String BATCH_INDEX_DESC = "This flowfile's position in the request, from 0.";
    public static final String IDEMPOTENCY_KEY = "bulkimport.idempotency.key";
    public static final String IDEMPOTENCY_KEY_DESC = "The Idempotency-Key of the request that started the job.";
    public static final String FLOWFILE_KEY = "bulkimport.flowfile.key";
    public static final String FLOWFILE_KEY_DESC = "A digest of what makes this flowfile's import (its upload's identity, else its uuid; "
            + "collection, database, options and files; a job it replaces): a flowfile that comes back with the same key gets its job back or "
            + "joins its request again, one re-uploaded or sent elsewhere starts a new job.";
    public static final String REATTACHED = "bulkimport.reattached";
    public static final String REATTACHED_DESC = "true when the flowfile was given back a job it had already started (a replay after a crash, a rollback "
            + "or a loop) instead of starting another.";
    public static final String REPLACES_JOB_ID = "bulkimport.replaces.job.id";
    public static final String REPLACES_JOB_ID_DESC = "The Failed job whose files this flowfile's job imports again, when it was sent back after the "
            + "failure; part of the default idempotency key.";
    public static final String REQUEST_KEY = "bulkimport.request.key";
    public static final String REQUEST_KEY_DESC = "The Idempotency-Key of a request the server may have acted on although no valid answer came back: "
            + "the flowfile is only sent again in that request, with the other flowfiles that shared it.";

    public static final String STATE = "bulkimport.state";
    public static final String STATE_DESC = "The job's state: Pending, Importing, Completed or Failed (older Milvus names are mapped onto these); "
            + "two-phase imports add Uncommitted and Committing.";
    public static final String PREVIOUS_STATE = "bulkimport.previous.state";
    public static final String PREVIOUS_STATE_DESC = "The state seen at the previous listing, absent for a job not seen before.";
    public static final String PROGRESS = "bulkimport.progress";
    public static final String PROGRESS_DESC = "Percent done, 0 to 100, when the server reports it.";
    public static final String IMPORTED_ROWS = "bulkimport.imported.rows";
    public static final String IMPORTED_ROWS_DESC = "Rows imported so far.";
    public static final String TOTAL_ROWS = "bulkimport.total.rows";
    public static final String TOTAL_ROWS_DESC = "Rows in the job's files.";
    public static final String FILE_SIZE = "bulkimport.file.size";
    public static final String FILE_SIZE_DESC = "Bytes in the job's files.";
    public static final String REASON = "bulkimport.reason";
    public static final String REASON_DESC = "Why the job failed, when it did.";
    public static final String COMPLETE_TIME = "bulkimport.complete.time";
    public static final String COMPLETE_TIME_DESC = "When the job finished, as the server reports it.";
    public static final String FAILED_COUNT = "bulkimport.failed.count";
    public static final String FAILED_COUNT_DESC = "How many files of the job failed, when the server reports files one by one.";
    public static final String FAILED_FILES = "bulkimport.failed.files";
    public static final String FAILED_FILES_DESC = "The files that failed and why, one \"file: reason\" per line, at most 10 of them and 1,000 characters.";
    public static final String ACTION = "bulkimport.action";
    public static final String ACTION_DESC = "What CommitBulkImport or AbortBulkImport found and did, per distinct job named, in order and "
            + "separated by \", \", decided from each job's state: committed, already committed (Committing or Completed before), aborted, already "
            + "aborted (Failed by an earlier abort) or already failed (Failed by itself).";
    public static final String PROGRESS_SINCE = "bulkimport.progress.since";
    public static final String PROGRESS_SINCE_DESC = "When GetBulkImportProgress last saw the job's state or progress change, ISO-8601 UTC; Stall Timeout "
            + "counts from it.";
    public static final String RESUBMITTED = "bulkimport.resubmitted";
    public static final String RESUBMITTED_DESC = "How many times GetBulkImportProgress sent this flowfile to resubmit because a job it shared failed on "
            + "other flowfiles' files; at most 3, after which it goes to failure.";
    public static final String CHECKED_AT = "bulkimport.checked.at";
    public static final String CHECKED_AT_DESC = "When the server was last asked about the job, ISO-8601 UTC.";

    public static final String VALIDATION_ERRORS = "bulkimport.validation.errors";
    public static final String VALIDATION_ERRORS_DESC = "On invalid: every problem ValidateBulkImportFile found, one per line, each naming the field "
            + "(or file, or property), what the collection expects and what the file holds; as many as fit in 1,000 characters, then how many more.";
    public static final String VALIDATION_BAD_ROWS = "bulkimport.validation.bad.rows";
    public static final String VALIDATION_BAD_ROWS_DESC = "With Validation Depth Whole File, on valid, invalid and report: how many rows of the file hold "
            + "a value Milvus would refuse, each row counted once however many of its columns are bad; 0 when none.";
    public static final String VALIDATION_FIRST_BAD_ROWS = "bulkimport.validation.first.bad.rows";
    public static final String VALIDATION_FIRST_BAD_ROWS_DESC = "With Validation Depth Whole File, on invalid and report: the lowest rows found bad, at most 10, one "
            + "per line: row (from 1), column, what the collection expects and what the row holds.";
    public static final String FILE_FORMAT = "bulkimport.file.format";
    public static final String FILE_FORMAT_DESC = "The format ValidateBulkImportFile read the file as: Parquet, JSON, CSV or NumPy.";
    public static final String ERROR_CODE = "bulkimport.error.code";
    public static final String ERROR_CODE_DESC = "On retry, failure and expired: the server's error code, or this bundle's classification (INVALID_INPUT, "
            + "TIMEOUT, CONNECT_FAILED, UNKNOWN_HOST, IO_ERROR, NOT_JSON, TRUNCATED, BAD_JOB_ID, HTTP_503, RESPONSE_TOO_LARGE, INCOMPLETE_REQUEST, "
            + "UNEXPECTED, JOB_FAILED, JOB_NOT_FOUND, JOB_STATE, EXPIRED, STALLED, ...).";
    public static final String ERROR_MESSAGE = "bulkimport.error.message";
    public static final String ERROR_MESSAGE_DESC = "On retry, failure and expired: what went wrong and which property or attribute to fix "
            + "(at most 1,000 characters, never a secret).";
    public static final String HTTP_STATUS = "bulkimport.http.status";
    public static final String HTTP_STATUS_DESC = "On retry and failure: the HTTP status, when an answer arrived.";

    /** What GetBulkImportProgress writes about a job: stale once the flowfile starts another job. */
    public static final Set<String> PROGRESS_REPORT = Set.of(STATE, PROGRESS, IMPORTED_ROWS, TOTAL_ROWS, FILE_SIZE, REASON, COMPLETE_TIME, CHECKED_AT,
            FAILED_COUNT, FAILED_FILES, ACTION);
    /** Why a flowfile went to retry, failure or expired. */
    public static final Set<String> ERRORS = Set.of(ERROR_CODE, ERROR_MESSAGE, HTTP_STATUS);

    private BulkImportAttributes() {
    }

    /** Adds an attribute for a value the server may have left out. */
    public static void putIfPresent(final Map<String, String> attributes, final String name, final Object value) {
        if (value != null && !value.toString().isEmpty()) {
            attributes.put(name, value.toString());
        }
    }

    /** {@code null} for a missing or blank value, the value as it is otherwise. */
    public static String blankToNull(final String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Now, as the time attributes are written in: ISO-8601 UTC with millisecond precision, e.g. 2026-11-28T17:23:14.123Z. */
    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
