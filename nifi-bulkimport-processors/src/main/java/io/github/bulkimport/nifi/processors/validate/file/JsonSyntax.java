package io.github.bulkimport.nifi.processors.validate.file;

/**
 * Whether bytes are one JSON document, as Go's {@code json.Unmarshal} (and sonic's, which Milvus uses) decides
 * before it decodes: a value with whitespace around it and nothing after it, strings without raw control
 * characters and with valid escapes, numbers as JSON writes them, nesting at most {@link #MAX_DEPTH} deep. Bytes
 * that are not valid UTF-8 inside a string pass, as Go replaces them. Read in one pass without recursion and
 * without allocating per value: a JSON field checked in every row of a file costs its bytes and no more.
 */
public final class JsonSyntax {

    /** Go's decoder refuses JSON nested deeper (its scanner's maxNestingDepth). */
    public static final int MAX_DEPTH = 10_000;

    private final byte[] b;
    private final int start;
    private final int end;
    private int i;
    /** One bit per open container, 1 for an object: the first 64 levels here, no allocation for the JSON of a row. */
    private long shallow;
    /** The levels from 64 on, a bit each: enough words for {@link #MAX_DEPTH}, allocated only when JSON nests that deep. */
    private long[] deep;
    private int depth;
    private String problem;

    private JsonSyntax(final byte[] bytes, final int from, final int to) {
        this.b = bytes;
        this.start = from;
        this.i = from;
        this.end = to;
    }

    /** {@code null} when {@code bytes[from, to)} are one JSON document, else what is wrong, briefly. */
    public static String problem(final byte[] bytes, final int from, final int to) {
        final JsonSyntax syntax = new JsonSyntax(bytes, from, to);
        return syntax.document() ? null : syntax.problem;
    }

    /** The first byte of the document that is not whitespace, or -1: '{' for an object. */
    public static int firstByte(final byte[] bytes, final int from, final int to) {
        for (int k = from; k < to; k++) {
            if (!whitespace(bytes[k])) {
                return bytes[k] & 0xFF;
            }
        }
        return -1;
    }

    private boolean document() {
        skipWhitespace();
        if (i >= end) {
            return fail("no JSON value");
        }
        while (true) {
            // a value: a container only opens here, its elements follow in this same loop (no recursion, whatever the nesting)
            final int started = value();
            if (started == FAILED) {
                return false;
            }
            if (started == OPENED) {
                continue;
            }
            // after a value: close containers, or go on to the next element
            while (true) {
                skipWhitespace();
                if (depth == 0) {
                    return i == end || fail("text after the JSON value at byte " + offset());
                }
                if (i >= end) {
                    return fail("JSON that ends inside " + (inObject() ? "an object" : "a list"));
                }
                final byte c = b[i];
                if (c == ',') {
                    i++;
                    skipWhitespace();
                    if (inObject() && !key()) {
                        return false;
                    }
                    break;
                }
                if (c == (inObject() ? '}' : ']')) {
                    i++;
                    depth--;
                    continue;
                }
                return fail("'" + shown(c) + "' at byte " + offset() + " where ',' or '" + (inObject() ? '}' : ']') + "' belongs");
            }
        }
    }

    private static final int FAILED = 0;
    /** A whole value was read: a scalar, or an empty container. */
    private static final int COMPLETE = 1;
    /** A container was opened (and an object's first key read): its first element is next. */
    private static final int OPENED = 2;

    /** A value at {@link #i}: a scalar read whole, or a container opened. */
    private int value() {
        skipWhitespace();
        if (i >= end) {
            return failed("JSON that ends where a value belongs");
        }
        final byte c = b[i];
        switch (c) {
            case '{' -> {
                i++;
                if (!push(true)) {
                    return FAILED;
                }
                skipWhitespace();
                if (i < end && b[i] == '}') {
                    i++;
                    depth--;
                    return COMPLETE;
                }
                return key() ? OPENED : FAILED;
            }
            case '[' -> {
                i++;
                if (!push(false)) {
                    return FAILED;
                }
                skipWhitespace();
                if (i < end && b[i] == ']') {
                    i++;
                    depth--;
                    return COMPLETE;
                }
                return OPENED;
            }
            case '"' -> {
                return string() ? COMPLETE : FAILED;
            }
            case 't' -> {
                return literal("true") ? COMPLETE : FAILED;
            }
            case 'f' -> {
                return literal("false") ? COMPLETE : FAILED;
            }
            case 'n' -> {
                return literal("null") ? COMPLETE : FAILED;
            }
            default -> {
                if (c == '-' || c >= '0' && c <= '9') {
                    return number() ? COMPLETE : FAILED;
                }
                return failed("'" + shown(c) + "' at byte " + offset() + " where a value belongs");
            }
        }
    }

    private int failed(final String why) {
        fail(why);
        return FAILED;
    }

    /** An object's key and its colon; the value is next. */
    private boolean key() {
        if (i >= end || b[i] != '"') {
            return fail(i >= end ? "JSON that ends where a key belongs" : "'" + shown(b[i]) + "' at byte " + offset() + " where a key belongs");
        }
        if (!string()) {
            return false;
        }
        skipWhitespace();
        if (i >= end || b[i] != ':') {
            return fail("no ':' after a key at byte " + offset());
        }
        i++;
        return true;
    }

    private boolean string() {
        i++;
        while (i < end) {
            final int c = b[i] & 0xFF;
            if (c == '"') {
                i++;
                return true;
            }
            if (c < 0x20) {
                return fail("a control character in a string at byte " + offset());
            }
            if (c == '\\') {
                if (i + 1 >= end) {
                    break;
                }
                final byte escaped = b[i + 1];
                if (escaped == 'u') {
                    if (i + 6 > end) {
                        break;
                    }
                    for (int k = i + 2; k < i + 6; k++) {
                        if (Character.digit(b[k], 16) < 0) {
                            return fail("an escape \\u that is not four hexadecimal digits at byte " + offset());
                        }
                    }
                    i += 6;
                    continue;
                }
                if ("\"\\/bfnrt".indexOf(escaped) < 0) {
                    return fail("an invalid escape at byte " + offset());
                }
                i += 2;
                continue;
            }
            i++;
        }
        return fail("a string that does not end");
    }

    private boolean number() {
        if (b[i] == '-') {
            i++;
        }
        if (i >= end || b[i] < '0' || b[i] > '9') {
            return fail("a number without digits at byte " + offset());
        }
        if (b[i] == '0') {
            i++;
        } else {
            digits();
        }
        if (i < end && b[i] == '.') {
            i++;
            if (digits() == 0) {
                return fail("a number without digits after its point at byte " + offset());
            }
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            if (digits() == 0) {
                return fail("a number without digits in its exponent at byte " + offset());
            }
        }
        return true;
    }

    private int digits() {
        final int first = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i - first;
    }

    private boolean literal(final String word) {
        if (end - i < word.length()) {
            return fail("'" + shown(b[i]) + "' at byte " + offset() + " where a value belongs");
        }
        for (int k = 0; k < word.length(); k++) {
            if (b[i + k] != word.charAt(k)) {
                return fail("'" + shown(b[i]) + "' at byte " + offset() + " where a value belongs");
            }
        }
        i += word.length();
        return true;
    }

    private boolean push(final boolean object) {
        if (depth >= MAX_DEPTH) {
            return fail("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        final long bit = 1L << (depth & 63);
        if (depth < 64) {
            shallow = object ? shallow | bit : shallow & ~bit;
        } else {
            if (deep == null) {
                deep = new long[MAX_DEPTH / 64 + 1];
            }
            deep[depth >>> 6] = object ? deep[depth >>> 6] | bit : deep[depth >>> 6] & ~bit;
        }
        depth++;
        return true;
    }

    private boolean inObject() {
        final int top = depth - 1;
        return ((top < 64 ? shallow : deep[top >>> 6]) >>> (top & 63) & 1) == 1;
    }

    private void skipWhitespace() {
        while (i < end && whitespace(b[i])) {
            i++;
        }
    }

    private static boolean whitespace(final byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** Where the reader is, from the document's first byte. */
    private int offset() {
        return i - start;
    }

    private static String shown(final byte c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c & 0xFF);
    }

    private boolean fail(final String why) {
        problem = why;
        return false;
    }
}
