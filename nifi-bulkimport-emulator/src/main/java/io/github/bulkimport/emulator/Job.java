package io.github.bulkimport.emulator;

import io.github.bulkimport.emulator.files.FileReport;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One import job. Its state is a function of time: Pending for the first tenth of the import
 * duration, then Importing with rising progress, then Completed, or Failed halfway through
 * when one of its files fails. Two-phase jobs ({@code auto_commit=false}) wait in Uncommitted
 * until committed (then Committing for a tenth of the import duration, then Completed) or
 * aborted. An unfinished job can be aborted; it is then Failed.
 */
public final class Job {

    static final long ROWS_PER_FILE = 1_000;
    static final long BYTES_PER_FILE = 1_048_576;
    /** The reason Milvus gives a job a client aborted (a stable one, that tells it from a job that failed by itself). */
    static final String ABORTED_REASON = "import job aborted by user";

    private final String id;
    private final String collection;
    private final String partition;
    private final String database;
    private final List<List<String>> files;
    private final Map<String, String> options;
    private final long createdAt;
    private final long durationMillis;
    private final String volume;
    private final int failingFile;
    private final String failureReason;
    private final boolean twoPhase;
    /** What each file held, read from the bucket; {@code null} for a file not read (no bucket): it counts {@link #ROWS_PER_FILE}. */
    private final List<FileReport> reports;
    /** Whether any path holds a fragment, by fragment: the benchmark asks the same every 250 ms, of thousands of paths. */
    private final Map<String, Boolean> pathsContaining = new ConcurrentHashMap<>();
    private volatile long committedAt = -1;
    private volatile long abortedAt = -1;

    /**
     * @param volume        the Zilliz Cloud volume the files are in, or {@code null}
     * @param failingFile   the index of the file that fails the job, or -1
     * @param failureReason why that file fails, or {@code null}
     * @param reports       what each file held, read from the bucket, with {@code null} for a file not read
     */
    Job(final String id, final String collection, final String partition, final String database, final String volume, final List<List<String>> files,
        final Map<String, String> options, final long createdAt, final long durationMillis, final int failingFile, final String failureReason,
        final List<FileReport> reports) {
        this.id = id;
        this.collection = collection;
        this.partition = partition;
        this.database = database;
        this.volume = volume;
        this.files = files;
        this.options = options;
        this.createdAt = createdAt;
        this.durationMillis = durationMillis;
        this.failingFile = failingFile;
        this.failureReason = failureReason;
        this.twoPhase = "false".equalsIgnoreCase(options.get("auto_commit"));
        this.reports = reports;
    }

    /** The rows of one file of the job: as read from the bucket, else {@link #ROWS_PER_FILE} for each path of the file. */
    long rowsOf(final int file) {
        final FileReport report = file < reports.size() ? reports.get(file) : null;
        return report == null ? ROWS_PER_FILE * files.get(file).size() : report.rows();
    }

    /** The rows of all the job's files. */
    public long rows() {
        long rows = 0;
        for (int i = 0; i < files.size(); i++) {
            rows += rowsOf(i);
        }
        return rows;
    }

    /**
     * Field name to the rows of the job's files read from the bucket whose value for it came from the
     * file ({@code $meta}: rows holding dynamic fields); empty when no file was read.
     */
    public Map<String, Long> valuesByField() {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (final FileReport report : reports) {
            if (report != null) {
                report.values().forEach((field, count) -> values.merge(field, count, Long::sum));
            }
        }
        return values;
    }

    public String id() {
        return id;
    }

    public String collection() {
        return collection;
    }

    public String partition() {
        return partition;
    }

    public String database() {
        return database;
    }

    public String volume() {
        return volume;
    }

    /** Whether any of the job's paths contains {@code fragment}. */
    public boolean anyPathContains(final String fragment) {
        return pathsContaining.computeIfAbsent(fragment, f -> files.stream().flatMap(List::stream).anyMatch(path -> path.contains(f)));
    }

    public List<List<String>> files() {
        return files;
    }

    public Map<String, String> options() {
        return options;
    }

    public long createdAt() {
        return createdAt;
    }

    boolean isTwoPhase() {
        return twoPhase;
    }

    /** When the job stops counting against the active-job limit. */
    long finishesAt() {
        if (abortedAt >= 0) {
            return Math.min(abortedAt, plannedFinish());
        }
        return plannedFinish();
    }

    private long plannedFinish() {
        return failureReason != null ? createdAt + durationMillis / 2 : createdAt + durationMillis;
    }

    boolean surelyFinishedBy(final long now) {
        return createdAt + durationMillis <= now;
    }

    /** The index of the file that fails the job, or -1. */
    public int failingFile() {
        return failingFile;
    }

    /** When a commit was accepted, or -1. */
    public long committedAt() {
        return committedAt;
    }

    public boolean aborted() {
        return abortedAt >= 0;
    }

    /** When the job became Failed (aborted, or failed halfway), or -1 when it never does. */
    public long failedAt() {
        if (abortedAt >= 0) {
            return abortedAt;
        }
        return failureReason == null ? -1 : createdAt + durationMillis / 2;
    }

    void commit(final long now) {
        committedAt = now;
    }

    void abort(final long now) {
        abortedAt = now;
    }

    /** The job as seen at {@code now}. */
    public Snapshot snapshot(final long now) {
        final long total = rows();
        final long size = BYTES_PER_FILE * files.size();
        if (abortedAt >= 0) {
            return new Snapshot("Failed", 0, 0, total, size, ABORTED_REASON, abortedAt);
        }
        final long elapsed = now - createdAt;
        if (failureReason != null && elapsed >= durationMillis / 2) {
            return new Snapshot("Failed", 0, 0, total, size, failureReason, finishesAt());
        }
        if (elapsed >= durationMillis) {
            if (twoPhase) {
                if (committedAt < 0) {
                    return new Snapshot("Uncommitted", 100, total, total, size, null, -1);
                }
                final long committed = committedAt + durationMillis / 10;
                return now < committed ? new Snapshot("Committing", 100, total, total, size, null, -1)
                        : new Snapshot("Completed", 100, total, total, size, null, committed);
            }
            return new Snapshot("Completed", 100, total, total, size, null, createdAt + durationMillis);
        }
        if (elapsed < durationMillis / 10) {
            return new Snapshot("Pending", 0, 0, total, size, null, -1);
        }
        final int progress = (int) Math.min(99, elapsed * 100 / Math.max(durationMillis, 1));
        return new Snapshot("Importing", progress, total * progress / 100, total, size, null, -1);
    }

    /**
     * @param completedAt epoch millis, or -1 while unfinished
     */
    public record Snapshot(String state, int progress, long importedRows, long totalRows, long fileSize, String reason, long completedAt) {

        public boolean finished() {
            return "Completed".equals(state) || "Failed".equals(state);
        }

        public String completeTime() {
            return completedAt < 0 ? "" : Instant.ofEpochMilli(completedAt).toString();
        }
    }
}
