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
    /** The range added to last, -1 when none: rows come mostly in order, a row often again (another column), or the next one. */
    private long lastStart = -1;
    private long lastEnd = -1;

    /** Whether the last range grew past what the map holds of it: written back before the map is read. */
    private boolean grown;
    /** Where the range after the last one starts, {@link Long#MAX_VALUE} when none: how far the last may grow without meeting it. */
    private long nextStart = Long.MAX_VALUE;

    void clear() {
        ranges.clear();
        lastStart = -1;
        grown = false;
    }

    /** Adds rows {@code first} to {@code first + count - 1}; returns how many of them were not there yet. */
    long add(final long first, final long count) {
        if (lastStart >= 0 && first >= lastStart && first + count <= lastEnd) {
            return 0;
        }
        if (lastStart >= 0 && first == lastEnd && first + count < nextStart) {
            // the next rows, as a file read row by row tells them: the last range grows, in place
            lastEnd = first + count;
            grown = true;
            return count;
        }
        if (grown) {
            ranges.put(lastStart, lastEnd);
            grown = false;
        }
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
        lastStart = start;
        lastEnd = end;
        final Long next = ranges.higherKey(start);
        nextStart = next == null ? Long.MAX_VALUE : next;
        while (ranges.size() > MAX_RANGES) {
            if (ranges.pollFirstEntry().getKey() == lastStart) {
                lastStart = -1;
            }
        }
        return count - Math.max(0, known);
    }
}
