package io.github.bulkimport.nifi.api;

import java.util.Objects;

/**
 * Names one import job, as describe, commit and abort need it.
 *
 * @param jobId    the job's ID
 * @param database the database of the job's collection, or {@code null} for the default
 */
public record JobReference(String jobId, String database) {

    public JobReference {
        Objects.requireNonNull(jobId, "jobId");
        if (jobId.isBlank()) {
            throw new IllegalArgumentException("a job reference needs a job ID");
        }
    }
}
