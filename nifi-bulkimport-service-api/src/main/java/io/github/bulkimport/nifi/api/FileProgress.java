package io.github.bulkimport.nifi.api;

/**
 * What {@code describe} reports about one file of a job ({@code details[]}). Numeric fields are
 * {@code null} when the server left them out.
 *
 * @param name      the file as the server names it (Milvus renders a set of paths as {@code [a b]}), as a user may see it
 * @param wholeName the name exactly as the server sent it, neither cut nor masked (up to {@link #MAX_WHOLE_NAME} characters, else
 *                  {@code null}): only for telling whether a file is one a flowfile sent, never to be shown, since it is not
 *                  visible text
 */
public record FileProgress(String name, JobState state, String rawState, Integer progress, Long importedRows, Long totalRows, Long fileSize,
                           String reason, String completeTime, String wholeName) {

    /** Longer than any rendering of a set of object keys (S3 keys are at most 1,024 bytes, a NumPy set holds a few). */
    public static final int MAX_WHOLE_NAME = 65_536;

    /** A file whose whole name is the name shown. */
    public FileProgress(final String name, final JobState state, final String rawState, final Integer progress, final Long importedRows,
                        final Long totalRows, final Long fileSize, final String reason, final String completeTime) {
        this(name, state, rawState, progress, importedRows, totalRows, fileSize, reason, completeTime, name);
    }

    /** Leaves the whole name out of what a record shows of itself, so that no log of a record ever holds it. */
    @Override
    public String toString() {
        return "FileProgress[name=" + name + ", state=" + state + ", rawState=" + rawState + ", progress=" + progress + ", importedRows="
                + importedRows + ", totalRows=" + totalRows + ", fileSize=" + fileSize + ", reason=" + reason + ", completeTime=" + completeTime + "]";
    }
}
