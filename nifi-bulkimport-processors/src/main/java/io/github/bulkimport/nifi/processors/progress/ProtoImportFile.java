package io.github.bulkimport.nifi.processors.progress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the protobuf text of Milvus's import file, as open-source Milvus names a file in describe's
 * {@code details[]}: {@code id:7 paths:"a/1.parquet" paths:"a/2.parquet"} (strings quoted with C escapes,
 * octal or protobuf-go's a backslash and x with two hex digits, or u with four; protobuf puts one or two spaces between fields). In one
 * pass over the text, without a regex.
 */
final class ProtoImportFile {

    private static final String ID = "id:";
    private static final String PATHS = "paths:";

    private ProtoImportFile() {
    }

    /** The paths the text names, in order, or {@code null} when it is not this form. */
    static List<String> paths(final String text) {
        if (!text.startsWith(ID)) {
            return null;
        }
        int at = ID.length();
        final int digits = at;
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            at++;
        }
        if (at == digits) {
            return null;
        }
        final List<String> paths = new ArrayList<>();
        while (true) {
            final int fieldStart = skipSpaces(text, at);
            if (fieldStart == text.length()) {
                return paths.isEmpty() ? null : paths;
            }
            if (fieldStart == at || !text.startsWith(PATHS, fieldStart)) {
                return null;
            }
            final int value = fieldStart + PATHS.length();
            final StringBuilder path = new StringBuilder();
            at = text.startsWith("\"", value) ? quoted(text, value, path) : bare(text, value, path);
            if (at < 0 || path.isEmpty()) {
                return null;
            }
            paths.add(path.toString());
        }
    }

    private static int skipSpaces(final String text, final int from) {
        int at = from;
        while (at < text.length() && text.charAt(at) == ' ') {
            at++;
        }
        return at;
    }

    private static int bare(final String text, final int from, final StringBuilder path) {
        int at = from;
        while (at < text.length() && text.charAt(at) != ' ') {
            path.append(text.charAt(at++));
        }
        return at;
    }

    /** A quoted string with protobuf's escapes (octal bytes for what is not printable ASCII, read back as UTF-8); -1 when unterminated. */
    private static int quoted(final String text, final int quote, final StringBuilder path) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int at = quote + 1;
        while (at < text.length()) {
            final int c = text.codePointAt(at);
            at += Character.charCount(c);
            if (c == '"') {
                path.append(bytes.toString(StandardCharsets.UTF_8));
                return at;
            }
            if (c != '\\') {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (at == text.length()) {
                return -1;
            }
            final char escaped = text.charAt(at++);
            switch (escaped) {
                case 'n' -> bytes.write('\n');
                case 'r' -> bytes.write('\r');
                case 't' -> bytes.write('\t');
                case 'a' -> bytes.write(7);
                case 'b' -> bytes.write('\b');
                case 'f' -> bytes.write('\f');
                case 'v' -> bytes.write(11);
                case '"', '\'', '\\', '?' -> bytes.write(escaped);
                case 'x', 'u', 'U' -> {
                    // protobuf-go's text format: x and two hex digits a byte, u and four or U and eight a code point
                    final int digits = escaped == 'x' ? 2 : escaped == 'u' ? 4 : 8;
                    if (at + digits > text.length()) {
                        return -1;
                    }
                    int value = 0;
                    for (int d = 0; d < digits; d++) {
                        final int digit = Character.digit(text.charAt(at + d), 16);
                        if (digit < 0) {
                            return -1;
                        }
                        value = value << 4 | digit;
                    }
                    at += digits;
                    if (escaped == 'x') {
                        bytes.write(value);
                    } else if (Character.isValidCodePoint(value)) {
                        bytes.writeBytes(Character.toString(value).getBytes(StandardCharsets.UTF_8));
                    } else {
                        return -1;
                    }
                }
                default -> {
                    if (escaped < '0' || escaped > '7') {
                        return -1;
                    }
                    int value = escaped - '0';
                    for (int digits = 1; digits < 3 && at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '7'; digits++) {
                        value = value * 8 + text.charAt(at++) - '0';
                    }
                    bytes.write(value & 0xFF);
                }
            }
        }
        return -1;
    }
}
