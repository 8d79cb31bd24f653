package io.github.bulkimport.nifi.processors.validate.parquet;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks a page's repetition and definition levels together, a stretch of equal levels at a time:
 * the list length of each of the first rows (a row starts where the repetition level is 0; a
 * definition level at or above the column's element threshold is one element), and how many values
 * are present, not null (their definition level is the column's highest). The work follows the runs
 * in the bytes, plus one step per row reported; once the rows are read, the walk stops.
 */
final class LevelWalk {

    /** @param present how many of the page's values are not null (as many as its value section holds), when counted */
    record Rows(List<Integer> lengths, long present) {
    }

    private LevelWalk() {
    }

    /**
     * @param count        the page's number of values (levels)
     * @param wholeChunk   whether the page holds the whole column chunk, so that its last row ends with it
     * @param countPresent whether to count the present values of the rows read (to read their lengths)
     */
    static Rows walk(final HybridLevels repetition, final HybridLevels definition, final long count, final ParquetColumn column,
                     final int maxRows, final boolean wholeChunk, final boolean countPresent) throws MalformedParquetException {
        final List<Integer> lengths = new ArrayList<>();
        long present = 0;
        // the length of the row being read, -1 before the first row starts
        long length = -1;
        long left = count;
        while (left > 0 && column.maxRepetition() > 0 && lengths.size() < maxRows) {
            final long n = Math.min(left, Math.min(repetition.span(), definition.span()));
            final int r = repetition.level();
            final int d = definition.level();
            if (d == column.maxDefinition()) {
                present += n;
            }
            final int element = d >= column.elementThreshold() ? 1 : 0;
            if (r == 0) {
                // n rows start here: the one before them ends, all but the last of them end within the stretch
                if (length >= 0) {
                    lengths.add(clamp(length));
                }
                for (long row = 1; row < n && lengths.size() < maxRows; row++) {
                    lengths.add(element);
                }
                length = element;
            } else if (length >= 0) {
                length += n * element;
            }
            repetition.advance(n);
            definition.advance(n);
            left -= n;
        }
        // the page's last row may go on in the next page: its length is known only when the page holds the whole chunk
        if (column.maxRepetition() > 0 && left == 0 && length >= 0 && lengths.size() < maxRows && wholeChunk) {
            lengths.add(clamp(length));
        }
        // the values of the rows read, no more: a row of a column that repeats nothing is one level, and the levels past the
        // rows read are not walked (a kilobyte of ZSTD may uncompress to 16 MiB of them, 134 million levels of one bit)
        if (countPresent && left > 0 && column.maxRepetition() == 0) {
            present += definition.count(Math.min(left, maxRows), column.maxDefinition());
        }
        return new Rows(lengths, present);
    }

    private static int clamp(final long length) {
        return (int) Math.min(Integer.MAX_VALUE, length);
    }
}
