package io.github.bulkimport.nifi.processors.validate.rows;

import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * How much of a JSON or CSV file the validator takes in for its first rows, whatever the file says: these
 * bound the memory and time one file costs. The first rows of a real file are far below them (a row of a
 * 32,768-dimension vector is some 400 KB of JSON; a collection has at most a few hundred fields, and the
 * dynamic fields of a row, kept in one JSON value of at most 64 KB, cannot number 10,000).
 */
public final class RowLimits {

    /** Once this many bytes are read, no further row is started: the rows read so far are checked. */
    public static final long ROWS_BYTES = 4L << 20;
    /** The most read of a file: a row that does not end within it is refused. */
    public static final long MAX_BYTES = 16L << 20;
    /** The most columns (CSV) or distinct keys (JSON rows) read. */
    public static final int MAX_COLUMNS = 10_000;
    /**
     * The most values kept, columns × rows: no further row is started beyond it (rows with keys of their own
     * would otherwise keep a value for every key in every row, quadratic in the file's size).
     */
    public static final long MAX_VALUES = 250_000;

    /**
     * Jackson's bounds, set here rather than inherited from its defaults (which a library may change for
     * the whole JVM): nesting as deep as Jackson allows by default, numbers of up to 1,000 characters
     * (Milvus's numbers are at most 64 bits wide), strings no longer than what is read at all, keys of up to
     * 50,000 characters (Milvus's field names have at most 255).
     */
    public static final StreamReadConstraints JACKSON = StreamReadConstraints.builder()
            .maxNestingDepth(1_000)
            .maxNumberLength(1_000)
            .maxStringLength((int) MAX_BYTES)
            .maxNameLength(50_000)
            .build();

    private RowLimits() {
    }

    /** A size as messages give it: {@code 16 MiB}. */
    static String mebibytes(final long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
