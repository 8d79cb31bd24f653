package io.github.bulkimport.nifi.processors.validate.file;

/** Where a whole-file check tells the rows it finds bad, as it finds them. Rows count from 0, the file's first row. */
public interface BadRows {

    /**
     * The rows of a Parquet row group are about to be checked, column after column: a row bad in two of its
     * columns is told twice, once in each.
     */
    default void rowGroup(final long firstRow, final long rows) {
    }

    /** Rows {@code firstRow} to {@code firstRow + count - 1} of {@code column} hold the same fault. */
    void bad(long firstRow, long count, String column, Fault fault);
}
