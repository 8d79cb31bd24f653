package io.github.bulkimport.nifi.processors;

/**
 * Names of the flowfile attributes this bundle reads and writes.
 */
public final class BulkImportAttributes {

    public static final String JOB_ID = "bulkimport.job.id";
    public static final String COLLECTION = "bulkimport.collection";
    public static final String PARTITION = "bulkimport.partition";
    public static final String DATABASE = "bulkimport.database";
    public static final String SUBMITTED_AT = "bulkimport.submitted.at";
    public static final String OBJECT_URLS = "bulkimport.object.urls";
    public static final String OBJECT_COUNT = "bulkimport.object.count";
    public static final String IDEMPOTENCY_KEY = "bulkimport.idempotency.key";
    public static final String REATTACHED = "bulkimport.reattached";
    public static final String BATCH_SIZE = "bulkimport.batch.size";
    public static final String BATCH_INDEX = "bulkimport.batch.index";
    public static final String REQUEST_KEY = "bulkimport.request.key";
    public static final String REPLACES_JOB_ID = "bulkimport.replaces.job.id";

    public static final String STATE = "bulkimport.state";
    public static final String PROGRESS = "bulkimport.progress";
    public static final String IMPORTED_ROWS = "bulkimport.imported.rows";
    public static final String TOTAL_ROWS = "bulkimport.total.rows";
    public static final String FILE_SIZE = "bulkimport.file.size";
    public static final String REASON = "bulkimport.reason";
    public static final String COMPLETE_TIME = "bulkimport.complete.time";
    public static final String CHECKED_AT = "bulkimport.checked.at";

    public static final String ERROR_CODE = "bulkimport.error.code";
    public static final String ERROR_MESSAGE = "bulkimport.error.message";
    public static final String HTTP_STATUS = "bulkimport.http.status";

    /** What GetBulkImportProgress writes about a job: stale once the flowfile starts another job. */
    static final java.util.Set<String> PROGRESS_REPORT = java.util.Set.of(STATE, PROGRESS, IMPORTED_ROWS, TOTAL_ROWS, FILE_SIZE, REASON, COMPLETE_TIME, CHECKED_AT);

    private BulkImportAttributes() {
    }
}
