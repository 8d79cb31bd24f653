package io.github.bulkimport.nifi.api;

/**
 * What {@code describe} reports about one job. Numeric fields are {@code null} when the server
 * left them out.
 */
public record JobProgress(
        String jobId,
        String collectionName,
        JobState state,
        String rawState,
        Integer progress,
        Long importedRows,
        Long totalRows,
        Long fileSize,
        String reason,
        String completeTime) {
}
