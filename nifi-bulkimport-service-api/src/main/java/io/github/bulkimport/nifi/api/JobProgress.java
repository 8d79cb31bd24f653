package io.github.bulkimport.nifi.api;

import java.util.List;

/**
 * What {@code describe} reports about one job. Numeric fields are {@code null} when the server
 * left them out.
 *
 * @param files what it reports about each file, as far as it does (empty when it does not)
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
        String completeTime,
        List<FileProgress> files) {

    public JobProgress {
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** The files that failed, in the server's order. */
    public List<FileProgress> failedFiles() {
        return files.stream().filter(file -> file.state() == JobState.FAILED).toList();
    }
}
