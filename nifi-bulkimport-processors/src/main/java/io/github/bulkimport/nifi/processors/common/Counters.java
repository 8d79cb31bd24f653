package io.github.bulkimport.nifi.processors.common;

/**
 * The NiFi counters the processors keep, shown on NiFi's Counters page (summed over a cluster's
 * nodes), so that an operator of a large import sees totals without reading attributes.
 */
public final class Counters {

    /** Jobs TriggerBulkImport started: one per job the server answered with, whatever the number of flowfiles in it. */
    public static final String JOBS_STARTED = "Bulk-import jobs started";
    /** Flowfiles TriggerBulkImport gave back the job they had already started, without a new job. */
    public static final String FLOWFILES_REATTACHED = "Bulk-import flowfiles re-attached to their job";
    /** Checks of GetBulkImportProgress that found the job Completed. */
    public static final String JOBS_COMPLETED = "Bulk-import jobs completed";
    /** Checks of GetBulkImportProgress that found the job Failed. */
    public static final String JOBS_FAILED = "Bulk-import jobs failed";
    /** Flowfiles GetBulkImportProgress routed to expired. */
    public static final String JOBS_EXPIRED = "Bulk-import jobs expired";
    /** Rows of the jobs found Completed, as the server counts them. */
    public static final String ROWS_IMPORTED = "Bulk-import rows imported";
    /** Calls to the import API made for the processors: each request sent, those the service makes to admit a start (its listing, its re-checks) included. */
    public static final String HTTP_CALLS = "Bulk-import API calls";
    /** Writes of TriggerBulkImport's job memory to NiFi state. */
    public static final String JOB_MEMORY_WRITES = "Bulk-import job memory writes";

    /**
     * Requests refused for now (the server's active-job limit or rate limit, or the service's own Max Active Jobs): their flowfiles
     * waited in the queue, untouched.
     */
    public static final String REQUESTS_HELD_BACK = "Bulk-import requests held back by the server's limits";
    /** Files ValidateBulkImportFile found would import. */
    public static final String FILES_VALID = "Bulk-import files valid";
    /** Files ValidateBulkImportFile found would fail, and stopped before any job. */
    public static final String FILES_INVALID = "Bulk-import files invalid";

    private Counters() {
    }
}
