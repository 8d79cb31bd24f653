package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bulkimport.nifi.api.VisibleText;
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
    /**
     * The most columns and rules summed up on lines of their own: a JSON file's rows may name a new key each, which a collection
     * without its dynamic field refuses; past these, the rest are summed up on one line.
     */
    static final int SUMMARIES = 1_000;
    private static final String OTHER_COLUMNS = "(other columns)";
    /** The most of a column's name shown: the file names it, at whatever length. */
    static final int SHOWN_COLUMN = 200;

    private static final JsonFactory JSON = new JsonFactory();

    /** A column and the rule its rows break: one line of bulkimport.validation.errors. */
    private record Key(String column, Fault.Kind kind) {
    }

    /** The first row (from 0) found of a key, what it held, how many rows in all, and what the column expects. */
    private static final class Summary {
        private final long firstRow;
        private final String found;
        private final String expected;
        private long rows;

        Summary(final long firstRow, final String found, final String expected) {
            this.firstRow = firstRow;
            this.found = found;
            this.expected = expected;
        }
    }

    private final Expectations expectations;
    private final UnaryOperator<String> visible;
    private final JsonGenerator report;
    private final DistinctRows distinct = new DistinctRows();
    private final Map<Key, Summary> summaries = new LinkedHashMap<>();
    /** The lowest rows found bad: row (from 0) and column, to the problem's line. */
    private final TreeMap<RowAndColumn, String> lowest = new TreeMap<>();
    /** The summaries of the columns and rules told last, found by the column's identity: no hashing in the common case. */
    private static final int RECENT = 8;
    private final String[] recentColumns = new String[RECENT];
    private final Fault.Kind[] recentKinds = new Fault.Kind[RECENT];
    private final Summary[] recentSummaries = new Summary[RECENT];
    private int nextRecent;
    private long lastFirstRow;
    /** The highest row the lowest rows kept may take: any row while fewer are kept. */
    private long lowestCeiling = Long.MAX_VALUE;
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
    public void bad(final long firstRow, final long count, final String key, final Fault fault) {
        // a column is named by the file (a JSON key, a CSV header): shown bounded, as every text from the file is
        final String column = key.length() <= SHOWN_COLUMN ? key : VisibleText.bound(key, SHOWN_COLUMN);
        badRows += distinct.add(firstRow, count);
        lastFirstRow = firstRow;
        Summary summary = recent(column, fault.kind());
        if (summary == null) {
            summary = summary(column, fault);
        }
        summary.rows += count;
        final boolean lowEnough = firstRow <= lowestCeiling;
        if (!lowEnough && (report == null || reportLines >= REPORT_LINES)) {
            omitted += report == null ? 0 : count;
            return;
        }
        final String problem = "expected " + summary.expected + ", found " + fault.found();
        for (long row = firstRow; lowEnough && row < firstRow + Math.min(count, FIRST_ROWS); row++) {
            remember(row, column, problem);
        }
        if (report != null) {
            write(firstRow, count, column, problem);
        }
    }

    /** The summary of a column and rule told lately (the same column's text, as a reader passes it again and again), or {@code null}. */
    private Summary recent(final String column, final Fault.Kind kind) {
        for (int i = 0; i < RECENT; i++) {
            if (recentColumns[i] == column && recentKinds[i] == kind) {
                return recentSummaries[i];
            }
        }
        return null;
    }

    private Summary summary(final String column, final Fault fault) {
        final long firstRow = lastFirstRow;
        final Key named = new Key(column, fault.kind());
        final Key key = summaries.size() < SUMMARIES || summaries.containsKey(named) ? named : new Key(OTHER_COLUMNS, fault.kind());
        Summary summary = summaries.get(key);
        if (summary == null) {
            summary = new Summary(firstRow, fault.found(), OTHER_COLUMNS.equals(key.column()) ? "what the collection holds"
                    : expectations.expected(column, fault.kind()));
            summaries.put(key, summary);
        }
        recentColumns[nextRecent] = column;
        recentKinds[nextRecent] = fault.kind();
        recentSummaries[nextRecent] = summary;
        nextRecent = (nextRecent + 1) % RECENT;
        return summary;
    }

    private void remember(final long row, final String column, final String problem) {
        if (row > lowestCeiling) {
            return;
        }
        final RowAndColumn key = new RowAndColumn(row, column);
        if (lowest.size() < FIRST_ROWS || key.compareTo(lowest.lastKey()) < 0) {
            lowest.putIfAbsent(key, problem);
            if (lowest.size() > FIRST_ROWS) {
                lowest.pollLastEntry();
            }
            if (lowest.size() == FIRST_ROWS) {
                lowestCeiling = lowest.lastKey().row();
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
        summaries.forEach((key, summary) -> lines.add(key.column() + ": expected " + summary.expected + ", found " + summary.found + " in row "
                + (summary.firstRow + 1) + (summary.rows > 1 ? " (and " + (summary.rows - 1) + " more rows)" : "")));
        return lines;
    }

    /** The lowest rows found bad, one line each: {@code row 7, vector: expected ..., found NaN}. */
    List<String> firstBadRows() {
        final List<String> lines = new ArrayList<>(lowest.size());
        lowest.forEach((key, problem) -> lines.add("row " + (key.row() + 1) + ", " + key.column() + ": " + problem));
        return lines;
    }
}
