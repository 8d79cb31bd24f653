package io.github.bulkimport.nifi.processors.validate;

import java.util.Map;
import java.util.TreeMap;

/**
 * The bad rows of one stretch of a file (a Parquet row group, or a whole file read row by row), as ranges, so
 * that a row bad in two columns counts once. At most {@link #MAX_RANGES} separate ranges are kept: past them
 * the lowest are forgotten, and a row found bad again in another column of that stretch would count twice,
 * which only a stretch with more than 100,000 islands of bad rows can see.
 */
final class DistinctRows {

    static final int MAX_RANGES = 100_000;

    /** Start (inclusive) to end (exclusive) of each range, none touching another. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    void clear() {
        ranges.clear();
    }

    /** Adds rows {@code first} to {@code first + count - 1}; returns how many of them were not there yet. */
    long add(final long first, final long count) {
        long start = first;
        long end = first + count;
        long known = 0;
        final Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            known += Math.max(0, Math.min(before.getValue(), end) - start);
            start = before.getKey();
            end = Math.max(end, before.getValue());
            ranges.remove(before.getKey());
        }
        for (Map.Entry<Long, Long> next = ranges.ceilingEntry(start); next != null && next.getKey() <= end; next = ranges.ceilingEntry(start)) {
            known += Math.max(0, Math.min(next.getValue(), first + count) - Math.max(next.getKey(), first));
            end = Math.max(end, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(start, end);
        while (ranges.size() > MAX_RANGES) {
            ranges.pollFirstEntry();
        }
        return count - Math.max(0, known);
    }
}
