package io.github.bulkimport.nifi.processors.validate.rows;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into CSV records exactly as Milvus's CSV reader does, which is Go's {@code encoding/csv} with its
 * defaults (only the separator set): a line ends at LF alone, CRLF is read as LF everywhere (inside quoted cells too), a
 * carriage return before the end of the file is dropped, any other CR is text; empty lines are skipped, a line of
 * spaces is a record of one cell; a quote is allowed only as a whole cell's first character, and a quoted cell ends
 * at a quote followed by the separator or the line's end. What Go refuses is thrown as {@link Refused}.
 */
final class GoCsvReader {

    /** Text that Go's reader refuses, where and why. */
    static final class Refused extends IOException {
        private final long line;
        private final long column;

        Refused(final long line, final long column, final String why) {
            super(why, null);
            this.line = line;
            this.column = column;
        }

        long line() {
            return line;
        }

        long column() {
            return column;
        }
    }

    private static final int END = -1;
    private static final int NONE = -2;

    private final Reader in;
    private final char separator;
    private final Runnable blankLineSkipped;
    private final char[] buffer = new char[8192];
    private final StringBuilder cell = new StringBuilder();
    private int position;
    private int limit;
    private int peeked = NONE;
    /** A character read past a CR to see whether LF follows, handed out next. */
    private int afterCarriageReturn = NONE;
    /** Whether the reader is skipping the empty lines before a record, which are no part of one. */
    private boolean betweenRecords = true;
    private long line = 1;
    private long column;

    GoCsvReader(final Reader in, final char separator) {
        this(in, separator, () -> { });
    }

    /** @param blankLineSkipped told of each empty line skipped between records, which is no part of a record */
    GoCsvReader(final Reader in, final char separator, final Runnable blankLineSkipped) {
        this.in = in;
        this.separator = separator;
        this.blankLineSkipped = blankLineSkipped;
    }

    /**
     * The cells of the next record, or {@code null} at the end of the text. Stops taking cells past {@code most}: a
     * record of more has {@code most + 1}, and the rest of it is not read.
     */
    List<String> next(final int most) throws IOException {
        betweenRecords = true;
        int c = peek();
        while (c == '\n') {
            take();
            blankLineSkipped.run();
            c = peek();
        }
        if (c == END) {
            return null;
        }
        betweenRecords = false;
        final List<String> cells = new ArrayList<>();
        while (true) {
            final boolean last = peek() == '"' ? quotedCell() : plainCell();
            cells.add(cell.toString());
            if (last || cells.size() > most) {
                return cells;
            }
        }
    }

    /** Whether the last {@link #next} was still skipping empty lines, before any record, when it ended (or threw). */
    boolean betweenRecords() {
        return betweenRecords;
    }

    /** Reads a cell that does not start with a quote; returns whether the record ends with it. */
    private boolean plainCell() throws IOException {
        cell.setLength(0);
        while (true) {
            final int c = take();
            if (c == END || c == '\n') {
                return true;
            }
            if (c == separator) {
                return false;
            }
            if (c == '"') {
                throw new Refused(line, column, "a quote (\") inside a cell that does not start with one (Go's \"bare \\\" in non-quoted-field\"); "
                        + "quote the whole cell and double the quotes inside it");
            }
            cell.append((char) c);
        }
    }

    /** Reads a cell that starts with a quote; returns whether the record ends with it. */
    private boolean quotedCell() throws IOException {
        cell.setLength(0);
        take();
        final long startLine = line;
        while (true) {
            final int c = take();
            if (c == END) {
                throw new Refused(startLine, column, "a quoted cell that is never closed (Go's \"extraneous or missing \\\" in quoted-field\")");
            }
            if (c != '"') {
                cell.append((char) c);
                continue;
            }
            final int after = peek();
            if (after == '"') {
                take();
                cell.append('"');
            } else if (after == separator) {
                take();
                return false;
            } else if (after == '\n' || after == END) {
                take();
                return true;
            } else {
                throw new Refused(line, column, "text after a quoted cell's closing quote, before the separator or the line's end (Go's "
                        + "\"extraneous or missing \\\" in quoted-field\"); double a quote that is part of the cell");
            }
        }
    }

    private int peek() throws IOException {
        if (peeked == NONE) {
            peeked = normalized();
        }
        return peeked;
    }

    private int take() throws IOException {
        final int c = peek();
        peeked = NONE;
        if (c == '\n') {
            line++;
            column = 0;
        } else if (c != END) {
            column++;
        }
        return c;
    }

    /** The next character with CRLF read as LF and a CR at the very end dropped, as Go's line reader does. */
    private int normalized() throws IOException {
        final int c = raw();
        if (c != '\r') {
            return c;
        }
        final int after = raw();
        if (after == '\n' || after == END) {
            return after;
        }
        afterCarriageReturn = after;
        return '\r';
    }

    private int raw() throws IOException {
        if (afterCarriageReturn != NONE) {
            final int c = afterCarriageReturn;
            afterCarriageReturn = NONE;
            return c;
        }
        if (position == limit) {
            final int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return END;
            }
            position = 0;
            limit = n;
        }
        return buffer[position++];
    }
}
