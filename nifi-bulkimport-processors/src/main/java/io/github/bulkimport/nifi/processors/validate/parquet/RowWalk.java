package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Fault;

/**
 * Walks a column chunk's repetition and definition levels, page after page, a stretch of equal levels at a
 * time, and tells the rows they make: a row starts where the repetition level is 0, holds an element where
 * the definition level reaches the column's element threshold, is null below the level at which its list
 * exists (or, for a scalar, below the highest). Each row is checked as it ends (null where the field is not
 * nullable, a vector's dimension, an array's capacity), and the faulty values a page's check found are placed
 * in the rows that hold them. A row may go on from one page into the next. The work follows the runs in the
 * bytes, plus a step per row that ends: a run of 2^31 null rows is one step.
 */
final class RowWalk {

    private final ParquetColumn column;
    private final ColumnRules rules;
    private final BadRows sink;
    /** The file's index of the chunk's first row. */
    private final long firstRow;
    /** For a list: the definition level from which the row's list exists (is not null). */
    private final int listDefined;
    /** Rows started in the chunk so far. */
    private long rows;
    /** The row that may still go on in the next level: whether there is one, its elements, whether it is null. */
    private boolean open;
    private long length;
    private boolean nullRow;
    /** The last row told of a fault kind, so that a row with many faulty values is told once. */
    private long lastRow = -1;
    private Fault.Kind lastKind;

    RowWalk(final ParquetColumn column, final ColumnRules rules, final BadRows sink, final long firstRow) {
        this.column = column;
        this.rules = rules;
        this.sink = sink;
        this.firstRow = firstRow;
        this.listDefined = column.elementThreshold() - 1;
    }

    /** Rows started so far (the last of them perhaps going on in the next page). */
    long rows() {
        return rows;
    }

    /**
     * Walks a page's {@code count} levels; returns how many of them are present values (the page's values
     * section holds that many), and places {@code faults} (ordinals among them) in their rows.
     */
    long page(final HybridLevels repetition, final HybridLevels definition, final long count, final ValueFaults faults, final String page)
            throws MalformedParquetException {
        final boolean list = column.maxRepetition() > 0;
        long value = 0;
        for (long left = count; left > 0; ) {
            final long n = Math.min(left, Math.min(repetition.span(), definition.span()));
            final int r = repetition.level();
            final int d = definition.level();
            final boolean present = d == column.maxDefinition();
            if (!list) {
                if (!present && !rules.nullable()) {
                    bad(rows, n, Fault.NULL);
                }
                if (present) {
                    place(faults, value, n, rows, true);
                }
                rows += n;
            } else if (r == 0) {
                close();
                final int element = d >= column.elementThreshold() ? 1 : 0;
                final boolean isNull = d < listDefined;
                // n rows start here: all but the last end within the stretch, the last may go on
                if (n > 1) {
                    check(rows, n - 1, element, isNull);
                }
                if (present) {
                    place(faults, value, n, rows, true);
                }
                rows += n;
                open = true;
                length = element;
                nullRow = isNull;
            } else {
                if (!open) {
                    throw new MalformedParquetException(page + " whose levels go on with a row that never started");
                }
                if (d >= column.elementThreshold()) {
                    length += n;
                }
                if (present) {
                    place(faults, value, n, rows - 1, false);
                }
            }
            if (present) {
                value += n;
            }
            repetition.advance(n);
            definition.advance(n);
            left -= n;
        }
        return value;
    }

    /** The chunk ends: so does its last row. */
    void end() {
        close();
    }

    private void close() {
        if (open) {
            open = false;
            check(rows - 1, 1, length, nullRow);
        }
    }

    /** Checks {@code count} rows from {@code first}, each of {@code elements} elements, null or not. */
    private void check(final long first, final long count, final long elements, final boolean isNull) {
        if (isNull) {
            if (!rules.nullable()) {
                bad(first, count, Fault.NULL);
            }
            return;
        }
        if (rules.listLength() != null && elements != rules.listLength()) {
            bad(first, count, new Fault(Fault.Kind.LENGTH, "a list of " + elements));
        }
        if (rules.maxElements() != null && elements > rules.maxElements()) {
            bad(first, count, new Fault(Fault.Kind.CAPACITY, "a list of " + elements));
        }
    }

    /**
     * Places the faulty values among values {@code value} to {@code value + n - 1}: in consecutive rows from
     * {@code row} when each level starts a row of its own ({@code rowPerValue}), else all in row {@code row}.
     */
    private void place(final ValueFaults faults, final long value, final long n, final long row, final boolean rowPerValue) {
        final long end = value + n;
        while (faults.anyBefore(end)) {
            final long from = Math.max(faults.start(), value);
            final long to = Math.min(faults.end(), end);
            if (from < to) {
                if (rowPerValue) {
                    bad(row + from - value, to - from, faults.fault());
                } else {
                    bad(row, 1, faults.fault());
                }
            }
            faults.placedUpTo(to);
            if (to == end) {
                break;
            }
        }
    }

    private void bad(final long first, final long count, final Fault fault) {
        long from = first;
        long n = count;
        if (lastKind == fault.kind() && lastRow >= from) {
            // a row told of this kind of fault already (a vector with two NaNs): told once
            n -= lastRow - from + 1;
            from = lastRow + 1;
            if (n <= 0) {
                return;
            }
        }
        lastRow = from + n - 1;
        lastKind = fault.kind();
        sink.bad(firstRow + from, n, rules.column(), fault);
    }
}
