package io.github.bulkimport.nifi.api;

/**
 * One record of {@code list}.
 */
public record JobSummary(String jobId, String collectionName, JobState state, String rawState, Integer progress, String reason) {
}
