package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the header and first rows of a CSV file as Milvus does: the separator and null key are the
 * import options {@code sep} and {@code nullkey}; every cell is text, read as its field's type later
 * (vectors, arrays and JSON as JSON text); lines are split as Go's reader splits them ({@link GoCsvReader}). Reads within {@link RowLimits}: a
 * header of at most {@link RowLimits#MAX_COLUMNS} columns, and past {@link RowLimits#ROWS_BYTES} or
 * {@link RowLimits#MAX_VALUES} no further row is started.
 */
public final class CsvRows {

    private static final int QUOTED = 40;
    private static final String CARRIAGE_RETURNS = "lines that end with a carriage return (CR) alone, which Milvus's CSV reader (Go's "
            + "encoding/csv) does not take as a line's end: it reads the whole file as its header; save the file with LF or CRLF line ends";

    private final RowSource source;
    private final GoCsvReader parser;
    private final char separator;
    private int rows;
    /** Rows read by {@link #each}, which may be many more than an int counts. */
    private long wholeRows;

    private CsvRows(final RowSource source, final GoCsvReader parser, final char separator) {
        this.source = source;
        this.parser = parser;
        this.separator = separator;
    }

    public static FileContents read(final Content content, final int maxRows, final char separator, final String nullKey) throws IOException {
        final String badSeparator = separatorProblem(separator);
        if (badSeparator != null) {
            return FileContents.unreadable(FileFormat.CSV, badSeparator, 0);
        }
        try (RowSource source = RowSource.open(content, RowSource.Text.CSV)) {
            final CsvRows reader = new CsvRows(source, new GoCsvReader(source.reader(), separator), separator);
            try {
                return reader.read(maxRows, nullKey == null ? "" : nullKey);
            } catch (final IOException e) {
                return unreadable(ReadProblem.describe("CSV", source.parsingProblem(e), reader.rows + 1), source);
            }
        }
    }

    /**
     * Reads every row of the file, each handed to {@code visitor} as it is read (its cells by the header's names): memory
     * follows a row, never the file. A row must be at most {@link RowLimits#MAX_BYTES} long; where the text stops being
     * rows under the header, the read stops, saying why.
     *
     * @throws IOException only when reading the content itself failed
     */
    public static WholeFile each(final Content content, final char separator, final String nullKey, final RowVisitor visitor) throws IOException {
        // every cell is handed over as its text: whether the null key is null depends on the field
        final String badSeparator = separatorProblem(separator);
        if (badSeparator != null) {
            return new WholeFile(0, badSeparator, null, 0);
        }
        try (RowSource source = RowSource.wholeFile(content, RowSource.Text.CSV)) {
            final CsvRows reader = new CsvRows(source, new GoCsvReader(source.reader(), separator, source::rowStarts), separator);
            try {
                return reader.each(nullKey == null ? "" : nullKey, visitor);
            } catch (final IOException e) {
                return new WholeFile(reader.wholeRows, ReadProblem.describe("CSV", source.parsingProblem(e), reader.wholeRows + 1), null,
                        source.bytesRead());
            }
        }
    }

    private WholeFile each(final String nullKey, final RowVisitor visitor) throws IOException {
        if (source.startsWithByteOrderMark()) {
            return new WholeFile(0, "a byte order mark (BOM) at its start", null, source.bytesRead());
        }
        final List<String> header = parser.next(RowLimits.MAX_COLUMNS);
        if (header == null || header.size() > RowLimits.MAX_COLUMNS || new HashSet<>(header).size() < header.size()) {
            return new WholeFile(0, "a header the validator does not read", null, source.bytesRead());
        }
        if (endsLinesWithCarriageReturns(header)) {
            return new WholeFile(0, CARRIAGE_RETURNS, null, source.bytesRead());
        }
        final CellRow row = new CellRow(header);
        while (true) {
            source.rowStarts();
            final List<String> cells = parser.next(header.size());
            if (cells == null) {
                break;
            }
            if (cells.size() != header.size()) {
                return new WholeFile(wholeRows, "row " + (wholeRows + 1) + " with " + (cells.size() > header.size() ? "more than " + header.size()
                        : cells.size()) + " cells under a header of " + header.size() + " (is the separator '" + separator + "', as option sep "
                        + "says?)", null, source.bytesRead());
            }
            row.cells(cells);
            visitor.row(wholeRows, row);
            wholeRows++;
        }
        return new WholeFile(wholeRows, null, null, source.bytesRead());
    }

    /** Why Milvus's CSV reader (Go's encoding/csv) refuses a separator, or {@code null}. */
    private static String separatorProblem(final char separator) {
        if (separator == 0 || separator == '"' || separator == '\r' || separator == '\n' || separator == '\uFFFD'
                || Character.isSurrogate(separator)) {
            return "no rows read: the separator (import option sep) is " + (separator < 0x20 ? "the control character " + (int) separator
                    : "'" + separator + "'") + ", which Milvus's CSV reader refuses (not a quote, a line break, NUL or U+FFFD)";
        }
        return null;
    }

    private FileContents read(final int maxRows, final String nullKey) throws IOException {
        if (source.startsWithByteOrderMark()) {
            return unreadable("a byte order mark (BOM) at its start, which Milvus's CSV reader keeps as part of the first column's name; "
                    + "save the file as UTF-8 without a BOM", source);
        }
        final List<String> header = parser.next(RowLimits.MAX_COLUMNS);
        if (header == null) {
            return unreadable("an empty file, where Milvus reads a header line", source);
        }
        if (header.size() > RowLimits.MAX_COLUMNS) {
            return unreadable("a header of more than " + RowLimits.MAX_COLUMNS + " columns, more than the validator reads", source);
        }
        if (endsLinesWithCarriageReturns(header)) {
            return unreadable(CARRIAGE_RETURNS, source);
        }
        final Set<String> names = new HashSet<>();
        for (final String name : header) {
            if (!names.add(name)) {
                return unreadable("a header that names column " + quoted(name) + " twice", source);
            }
        }
        final List<List<JsonNode>> columns = new ArrayList<>(header.size());
        for (int i = 0; i < header.size(); i++) {
            columns.add(new ArrayList<>());
        }
        boolean cut = false;
        while (rows < maxRows && (rows == 0 || source.bytesRead() < RowLimits.ROWS_BYTES && (long) header.size() * (rows + 1) <= RowLimits.MAX_VALUES)) {
            final List<String> cells;
            try {
                cells = parser.next(header.size());
            } catch (final RowSource.LimitReached limit) {
                if (!parser.betweenRecords()) {
                    throw limit;
                }
                // empty lines beyond the bytes read here, which Go skips: the rows before them are the sample
                cut = true;
                break;
            }
            if (cells == null) {
                break;
            }
            if (cells.size() != header.size()) {
                return unreadable("row " + (rows + 1) + " with " + (cells.size() > header.size() ? "more than " + header.size() : cells.size())
                        + " cells under a header of " + header.size() + " (is the separator '" + separator + "', as option sep says?)", source);
            }
            for (int i = 0; i < header.size(); i++) {
                columns.get(i).add(TextNode.valueOf(cells.get(i)));
            }
            rows++;
        }
        final List<FileColumn> found = new ArrayList<>(header.size());
        for (int i = 0; i < header.size(); i++) {
            found.add(FileColumn.cells(header.get(i), columns.get(i), nullKey));
        }
        return new FileContents(FileFormat.CSV, found, rows, rows == 0 && !cut ? "a header and no rows: "
                + VisibleText.bound(VisibleText.clean(header.subList(0, Math.min(header.size(), 10)).toString()), 4 * QUOTED) : null, source.bytesRead());
    }

    /**
     * Whether a header name holds a CR: no field can be named so (Milvus's field names are letters, digits and
     * underscores), and it is what a file whose lines end with CR alone reads as.
     */
    private static boolean endsLinesWithCarriageReturns(final List<String> header) {
        return header.stream().anyMatch(name -> name.indexOf('\r') >= 0);
    }

    private static String quoted(final String text) {
        return "\"" + VisibleText.bound(VisibleText.clean(VisibleText.bound(text, 4 * QUOTED)), QUOTED) + "\"";
    }

    private static FileContents unreadable(final String why, final RowSource source) {
        return FileContents.unreadable(FileFormat.CSV, why, source.bytesRead());
    }
}
