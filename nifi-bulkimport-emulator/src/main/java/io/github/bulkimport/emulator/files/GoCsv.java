package io.github.bulkimport.emulator.files;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code encoding/csv} reader with the settings Milvus gives it (only the separator set), line by line as Go reads:
 * a line ends at LF, CRLF is read as LF, a CR before the end of the file is dropped, empty lines are skipped. Like Go's
 * {@code Read}, a record that breaks a quoting rule comes back with the cells read before the break, and its error.
 * Public as the oracle the validator's own CSV reader is fuzzed against: the two are written apart, the one line by
 * line as Go is, the other character by character.
 */
public final class GoCsv {

    /** A record's cells (those before the error, if there is one), and Go's error, or {@code null}. */
    public record Record(List<String> cells, String error) {
    }

    private static final String BARE_QUOTE = "bare \" in non-quoted-field";
    private static final String QUOTE = "extraneous or missing \" in quoted-field";

    private final Reader in;
    private final char separator;
    private int lineNumber;

    public GoCsv(final Reader in, final char separator) {
        this.in = in;
        this.separator = separator;
    }

    /** The next record, or {@code null} at the end of the file. */
    public Record read() throws IOException {
        String line;
        do {
            line = readLine();
            if (line == null) {
                return null;
            }
        } while (line.isEmpty() || line.equals("\n"));
        final List<String> cells = new ArrayList<>();
        final StringBuilder quoted = new StringBuilder();
        int at = 0;
        while (true) {
            if (at >= line.length() || line.charAt(at) != '"') {
                final int separatorAt = line.indexOf(separator, at);
                final String cell = separatorAt >= 0 ? line.substring(at, separatorAt) : line.substring(at, line.length() - newline(line));
                final int quote = cell.indexOf('"');
                if (quote >= 0) {
                    return failed(cells, at + quote + 1, BARE_QUOTE);
                }
                cells.add(cell);
                if (separatorAt < 0) {
                    return new Record(cells, null);
                }
                at = separatorAt + 1;
                continue;
            }
            quoted.setLength(0);
            at++;
            while (true) {
                final int quote = line.indexOf('"', at);
                if (quote >= 0) {
                    quoted.append(line, at, quote);
                    at = quote + 1;
                    final int next = at < line.length() ? line.charAt(at) : -1;
                    if (next == '"') {
                        quoted.append('"');
                        at++;
                    } else if (next == separator) {
                        cells.add(quoted.toString());
                        at++;
                        break;
                    } else if (at == line.length() || at == line.length() - 1 && next == '\n') {
                        cells.add(quoted.toString());
                        return new Record(cells, null);
                    } else {
                        return failed(cells, at, QUOTE);
                    }
                } else if (at < line.length()) {
                    quoted.append(line, at, line.length());
                    final String next = readLine();
                    line = next == null ? "" : next;
                    at = 0;
                } else {
                    return failed(cells, at + 1, QUOTE);
                }
            }
        }
    }

    private Record failed(final List<String> cells, final int column, final String why) {
        return new Record(cells, "parse error on line " + lineNumber + ", column " + column + ": " + why);
    }

    private static int newline(final String line) {
        return line.endsWith("\n") ? 1 : 0;
    }

    /** The next line with its LF, CRLF as LF, a CR at the file's end dropped; {@code null} at the end of the file. */
    private String readLine() throws IOException {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            line.append((char) c);
            if (c == '\n') {
                break;
            }
        }
        if (line.isEmpty()) {
            return null;
        }
        lineNumber++;
        final int n = line.length();
        if (c < 0 && line.charAt(n - 1) == '\r') {
            line.setLength(n - 1);
        } else if (n >= 2 && line.charAt(n - 2) == '\r' && line.charAt(n - 1) == '\n') {
            line.setLength(n - 2);
            line.append('\n');
        }
        return line.toString();
    }
}
