package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.api.VisibleText;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python literals a NumPy header is written in ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}),
 * parsed in one pass over the text: strings, whole numbers (with Python 2's {@code L} suffix noted, not dropped),
 * {@code True}, {@code False}, {@code None}, tuples, lists and dictionaries with string keys, nested at most
 * {@value #MAX_DEPTH} deep. Anything else is {@link Malformed}.
 */
final class PythonLiteral {

    /** Deeper than any header NumPy writes (a structured type nests a few levels); bounds the recursion. */
    static final int MAX_DEPTH = 32;

    sealed interface Value permits Text, Whole, Bool, Nothing, Items, Dict {
    }

    record Text(String text) implements Value {
    }

    /**
     * A whole number as written.
     *
     * @param digits        its decimal digits, without sign
     * @param pythonTwoLong whether Python 2 marked it long ({@code 3L}), which Python 3 does not read
     */
    record Whole(boolean negative, String digits, boolean pythonTwoLong) implements Value {

        /** Its value, or -1 when it is negative or beyond a long. */
        long nonNegativeOrMinusOne() {
            if (negative) {
                return digits.chars().allMatch(c -> c == '0') ? 0 : -1;
            }
            long value = 0;
            for (int i = 0; i < digits.length(); i++) {
                final int digit = digits.charAt(i) - '0';
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    return -1;
                }
                value = value * 10 + digit;
            }
            return value;
        }

        @Override
        public String toString() {
            return (negative ? "-" : "") + digits + (pythonTwoLong ? "L" : "");
        }
    }

    record Bool(boolean value) implements Value {
    }

    record Nothing() implements Value {
    }

    /** A tuple ({@code (3, 4)}) or a list ({@code [...]}). */
    record Items(List<Value> items, boolean tuple) implements Value {
    }

    record Dict(Map<String, Value> entries) implements Value {
    }

    /** Text that is not a literal of this subset; the message says what and where. */
    static final class Malformed extends Exception {
        Malformed(final String message) {
            super(message, null, false, false);
        }
    }

    private final String text;
    private int position;

    private PythonLiteral(final String text) {
        this.text = text;
    }

    /** The one literal the text holds, with nothing but whitespace around it. */
    static Value parse(final String text) throws Malformed {
        final PythonLiteral parser = new PythonLiteral(text);
        final Value value = parser.value(0);
        parser.skipWhitespace();
        if (parser.position < text.length()) {
            throw parser.malformed("text after the literal");
        }
        return value;
    }

    private Value value(final int depth) throws Malformed {
        if (depth >= MAX_DEPTH) {
            throw malformed("literals nested more than " + MAX_DEPTH + " deep");
        }
        skipWhitespace();
        if (position >= text.length()) {
            throw malformed("the end of the text where a value belongs");
        }
        final char c = text.charAt(position);
        return switch (c) {
            case '{' -> dict(depth);
            case '(' -> items(depth, ')');
            case '[' -> items(depth, ']');
            case '\'', '"' -> new Text(string());
            default -> c == '-' || c == '+' || isDigit(c) ? whole() : name();
        };
    }

    private Dict dict(final int depth) throws Malformed {
        position++;
        final Map<String, Value> entries = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (consume('}')) {
                return new Dict(entries);
            }
            if (!(value(depth + 1) instanceof Text key)) {
                throw malformed("a dictionary key that is not a string");
            }
            skipWhitespace();
            if (!consume(':')) {
                throw malformed("no ':' after the key " + quoted(key.text()));
            }
            entries.put(key.text(), value(depth + 1));
            if (!separatorOr('}')) {
                throw malformed("no ',' or '}' after the value of " + quoted(key.text()));
            }
        }
    }

    /** A tuple or a list; {@code (x)} without a comma is {@code x} itself, as in Python. */
    private Value items(final int depth, final char close) throws Malformed {
        position++;
        final List<Value> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            skipWhitespace();
            if (consume(close)) {
                if (close == ')' && items.size() == 1 && !comma) {
                    return items.getFirst();
                }
                return new Items(items, close == ')');
            }
            items.add(value(depth + 1));
            skipWhitespace();
            comma = consume(',');
            if (!comma && !(position < text.length() && text.charAt(position) == close)) {
                throw malformed("no ',' or '" + close + "' after an item");
            }
        }
    }

    /** After a dictionary's value: a comma, or the closing character (left for the loop to take). */
    private boolean separatorOr(final char close) {
        skipWhitespace();
        return consume(',') || position < text.length() && text.charAt(position) == close;
    }

    private String string() throws Malformed {
        final char quote = text.charAt(position++);
        final StringBuilder value = new StringBuilder();
        while (position < text.length()) {
            final char c = text.charAt(position++);
            if (c == quote) {
                return value.toString();
            }
            if (c == '\\' && position < text.length()) {
                value.append(text.charAt(position++));
            } else if (c == '\n') {
                break;
            } else {
                value.append(c);
            }
        }
        throw malformed("a string that does not end");
    }

    private Whole whole() throws Malformed {
        final boolean negative = text.charAt(position) == '-';
        if (text.charAt(position) == '-' || text.charAt(position) == '+') {
            position++;
        }
        final int start = position;
        while (position < text.length() && isDigit(text.charAt(position))) {
            position++;
        }
        if (position == start) {
            throw malformed("a sign without digits");
        }
        final String digits = text.substring(start, position);
        final boolean pythonTwoLong = consume('L') || consume('l');
        if (position < text.length() && isNameCharacter(text.charAt(position))) {
            throw malformed("a number that is not a whole number");
        }
        return new Whole(negative, digits, pythonTwoLong);
    }

    private Value name() throws Malformed {
        final int start = position;
        while (position < text.length() && isNameCharacter(text.charAt(position))) {
            position++;
        }
        return switch (text.substring(start, position)) {
            case "True" -> new Bool(true);
            case "False" -> new Bool(false);
            case "None" -> new Nothing();
            default -> {
                position = start;
                throw malformed("a character that starts no value");
            }
        };
    }

    private void skipWhitespace() {
        while (position < text.length() && isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private boolean consume(final char expected) {
        if (position < text.length() && text.charAt(position) == expected) {
            position++;
            return true;
        }
        return false;
    }

    private Malformed malformed(final String what) {
        return new Malformed(what + " at character " + (position + 1));
    }

    /** Text of the header as a message quotes it: short, without control characters. */
    static String quoted(final String text) {
        return "'" + VisibleText.bound(VisibleText.clean(text), 40) + "'";
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameCharacter(final char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '.';
    }

    private static boolean isWhitespace(final char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
