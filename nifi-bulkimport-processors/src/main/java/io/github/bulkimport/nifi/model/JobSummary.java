package io.github.bulkimport.nifi.model;

/**
 * One record of {@code list}.
 */
public record JobSummary(String jobId, String collectionName, JobState state, String rawState, Integer progress, String reason) {
}
