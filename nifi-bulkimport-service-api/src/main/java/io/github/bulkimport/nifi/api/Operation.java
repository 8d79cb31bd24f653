package io.github.bulkimport.nifi.api;

/**
 * The operations of the import API, each one HTTP call. Provenance names their addresses.
 */
public enum Operation {
    /** {@code create}: start a job. */
    START,
    /** {@code describe}: one job's progress. */
    DESCRIBE,
    /** {@code list}: a page of jobs. */
    LIST,
    /** {@code commit}: make a two-phase job's rows visible. */
    COMMIT,
    /** {@code abort}: drop a two-phase job. */
    ABORT,
    /** {@code collections/describe}: a collection's schema. */
    DESCRIBE_COLLECTION
}
