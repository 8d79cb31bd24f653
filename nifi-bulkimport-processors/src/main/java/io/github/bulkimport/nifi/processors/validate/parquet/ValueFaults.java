package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Fault;

import java.util.Arrays;

/**
 * The faulty values of one page, by their ordinal among the page's present (not null) values, in
 * ascending order: stretches of consecutive values with the same fault, so that a run of a faulty
 * dictionary entry costs one entry whatever its length. Kept from page to page, emptied for each.
 */
final class ValueFaults {

    private long[] starts = new long[16];
    private long[] counts = new long[16];
    private Fault[] faults = new Fault[16];
    private int size;
    /** The stretch the walk over the page's levels has reached. */
    private int cursor;

    void clear() {
        size = 0;
        cursor = 0;
        Arrays.fill(faults, null);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Values {@code first} to {@code first + count - 1} hold {@code fault}; ordinals come in ascending order. */
    void add(final long first, final long count, final Fault fault) {
        if (size > 0 && faults[size - 1] == fault && starts[size - 1] + counts[size - 1] == first) {
            counts[size - 1] += count;
            return;
        }
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
            faults = Arrays.copyOf(faults, size * 2);
        }
        starts[size] = first;
        counts[size] = count;
        faults[size] = fault;
        size++;
    }

    /** Whether a stretch is left that starts before {@code ordinal}: the walk has values up to there to place. */
    boolean anyBefore(final long ordinal) {
        return cursor < size && starts[cursor] < ordinal;
    }

    long start() {
        return starts[cursor];
    }

    long end() {
        return starts[cursor] + counts[cursor];
    }

    Fault fault() {
        return faults[cursor];
    }

    /** The current stretch is placed up to {@code ordinal} (exclusive): what is left of it stays, or the next becomes current. */
    void placedUpTo(final long ordinal) {
        if (ordinal >= end()) {
            cursor++;
        } else {
            counts[cursor] -= ordinal - starts[cursor];
            starts[cursor] = ordinal;
        }
    }
}
