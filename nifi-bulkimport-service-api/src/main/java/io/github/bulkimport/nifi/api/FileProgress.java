package io.github.bulkimport.nifi.api;

/**
 * What {@code describe} reports about one file of a job ({@code details[]}). Numeric fields are
 * {@code null} when the server left them out.
 *
 * @param name the file as the server names it (Milvus renders a set of paths as {@code [a b]})
 */
public record FileProgress(String name, JobState state, String rawState, Integer progress, Long importedRows, Long totalRows, Long fileSize,
                           String reason, String completeTime) {
}
