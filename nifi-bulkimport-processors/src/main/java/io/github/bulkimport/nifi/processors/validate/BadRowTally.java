package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.Fault;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * What a whole-file check found, told as it is found: how many rows are bad (a row bad in several columns
 * counts once), one summary per column and rule (the first row and how many more), the lowest rows found bad,
 * and, when a report is asked for, one JSON line per bad row and column, {@code {"row": N, "column": "...",
 * "problem": "..."}}, up to {@link #REPORT_LINES} lines and a last one counting those left out. Rows count from
 * 1, as in {@code bulkimport.validation.errors}. Every text passes the routing's funnel.
 */
final class BadRowTally implements BadRows {

    /** The most lines a report holds (about 10 MB): a file with more bad rows has a generator to fix, not rows to list. */
    static final int REPORT_LINES = 100_000;
    /** The most bad rows {@code bulkimport.validation.first.bad.rows} names. */
    static final int FIRST_ROWS = 10;

    private static final JsonFactory JSON = new JsonFactory();

    /** A column and the rule its rows break: one line of bulkimport.validation.errors. */
    private record Key(String column, Fault.Kind kind) {
    }

    /** The first row (from 0) found of a key, what it held, and how many rows in all. */
    private static final class Summary {
        private final long firstRow;
        private final String found;
        private long rows;

        Summary(final long firstRow, final String found) {
            this.firstRow = firstRow;
            this.found = found;
        }
    }

    private final Expectations expectations;
    private final UnaryOperator<String> visible;
    private final JsonGenerator report;
    private final DistinctRows distinct = new DistinctRows();
    private final Map<Key, Summary> summaries = new LinkedHashMap<>();
    /** The lowest rows found bad: row (from 0) and column, to the problem's line. */
    private final TreeMap<RowAndColumn, String> lowest = new TreeMap<>();
    private long badRows;
    private long reportLines;
    private long omitted;

    private record RowAndColumn(long row, String column) implements Comparable<RowAndColumn> {
        @Override
        public int compareTo(final RowAndColumn other) {
            final int byRow = Long.compare(row, other.row);
            return byRow != 0 ? byRow : column.compareTo(other.column);
        }
    }

    /** @param report where the report's lines go, or {@code null} for none */
    BadRowTally(final Expectations expectations, final UnaryOperator<String> visible, final OutputStream report) {
        this.expectations = expectations;
        this.visible = visible;
        try {
            this.report = report == null ? null : JSON.createGenerator(report).setRootValueSeparator(null);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void rowGroup(final long firstRow, final long rows) {
        distinct.clear();
    }

    @Override
    public void bad(final long firstRow, final long count, final String column, final Fault fault) {
        badRows += distinct.add(firstRow, count);
        final Key key = new Key(column, fault.kind());
        final Summary summary = summaries.computeIfAbsent(key, k -> new Summary(firstRow, fault.found()));
        summary.rows += count;
        final String problem = "expected " + expectations.expected(column, fault.kind()) + ", found " + fault.found();
        for (long row = firstRow; row < firstRow + Math.min(count, FIRST_ROWS); row++) {
            remember(row, column, problem);
        }
        if (report != null) {
            write(firstRow, count, column, problem);
        }
    }

    private void remember(final long row, final String column, final String problem) {
        final RowAndColumn key = new RowAndColumn(row, column);
        if (lowest.size() < FIRST_ROWS || key.compareTo(lowest.lastKey()) < 0) {
            lowest.putIfAbsent(key, problem);
            if (lowest.size() > FIRST_ROWS) {
                lowest.pollLastEntry();
            }
        }
    }

    private void write(final long firstRow, final long count, final String column, final String problem) {
        final long written = Math.min(count, Math.max(0, REPORT_LINES - reportLines));
        omitted += count - written;
        if (written == 0) {
            return;
        }
        final String shownColumn = visible.apply(column);
        final String shownProblem = visible.apply(problem);
        try {
            for (long row = firstRow; row < firstRow + written; row++) {
                report.writeStartObject();
                report.writeNumberField("row", row + 1);
                report.writeStringField("column", shownColumn);
                report.writeStringField("problem", shownProblem);
                report.writeEndObject();
                report.writeRaw('\n');
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        reportLines += written;
    }

    /** Ends the report: a last line counts the bad rows left out of it, if any. */
    void finish() throws IOException {
        if (report == null) {
            return;
        }
        if (omitted > 0) {
            report.writeStartObject();
            report.writeNumberField("omitted", omitted);
            report.writeStringField("problem", "the report lists the first " + REPORT_LINES + " bad rows; " + omitted + " more were found");
            report.writeEndObject();
            report.writeRaw('\n');
        }
        report.flush();
    }

    /** How many rows are bad, each counted once. */
    long badRows() {
        return badRows;
    }

    boolean anyBad() {
        return !summaries.isEmpty();
    }

    /** One line per column and rule: {@code vector: expected ..., found NaN in row 7 (and 12 more rows)}. */
    List<String> problems() {
        final List<String> lines = new ArrayList<>(summaries.size());
        summaries.forEach((key, summary) -> lines.add(key.column() + ": expected " + expectations.expected(key.column(), key.kind()) + ", found "
                + summary.found + " in row " + (summary.firstRow + 1) + (summary.rows > 1 ? " (and " + (summary.rows - 1) + " more rows)" : "")));
        return lines;
    }

    /** The lowest rows found bad, one line each: {@code row 7, vector: expected ..., found NaN}. */
    List<String> firstBadRows() {
        final List<String> lines = new ArrayList<>(lowest.size());
        lowest.forEach((key, problem) -> lines.add("row " + (key.row() + 1) + ", " + key.column() + ": " + problem));
        return lines;
    }
}
