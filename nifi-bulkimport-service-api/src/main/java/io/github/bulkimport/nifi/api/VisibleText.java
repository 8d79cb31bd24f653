package io.github.bulkimport.nifi.api;

import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The one funnel for text that may reach a user (an attribute, a log message and so a bulletin, a
 * provenance event, a verification result), in this order: control characters, terminal escapes
 * and bidirectional overrides are taken out (no forged log lines), secrets are masked, and the
 * length is bounded.
 */
public final class VisibleText {

    /** The longest text this bundle shows, in characters. */
    public static final int MAX_LENGTH = 1_000;
    private static final String ELLIPSIS = "...";
    /** CSI and OSC sequences and other two-character escapes that terminals interpret. */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B(\\[[0-?]*[ -/]*[@-~]?|\\][^\u0007\u001B]*(\u0007|\u001B\\\\)?|.)?");
    /** C0 and C1 controls, DEL, and the bidirectional overrides that make text read otherwise than it is. */
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\u202A-\u202E\u2066-\u2069]+");

    private final UnaryOperator<String> redactor;

    /**
     * @param redactor masks the secrets a service holds
     */
    public VisibleText(final UnaryOperator<String> redactor) {
        this.redactor = redactor;
    }

    /** Clean, redact, then bound: the text as a user may see it; {@code null} stays {@code null}. */
    public String of(final String text) {
        if (text == null) {
            return null;
        }
        return bound(redactor.apply(clean(text)), MAX_LENGTH);
    }

    /**
     * Takes out terminal escapes, turns every run of control characters into one space, and a surrogate without its pair (which
     * no UTF-8 writer can write) into U+FFFD.
     */
    public static String clean(final String text) {
        if (text == null || !needsCleaning(text)) {
            return text;
        }
        return pairedSurrogates(CONTROL.matcher(TERMINAL_ESCAPE.matcher(text).replaceAll("")).replaceAll(" "));
    }

    private static boolean needsCleaning(final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (pairStartsAt(text, i)) {
                i++;
            } else if (c < 0x20 || c >= 0x7f && c <= 0x9f || c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069'
                    || Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a surrogate pair, one character of text, starts at {@code i}. */
    private static boolean pairStartsAt(final String text, final int i) {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
    }

    private static String pairedSurrogates(final String text) {
        final StringBuilder paired = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (pairStartsAt(text, i)) {
                paired.append(c).append(text.charAt(++i));
            } else {
                paired.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return paired.toString();
    }

    /** At most {@code max} characters, ending with "..." when cut; never splits a surrogate pair. */
    public static String bound(final String text, final int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max - ELLIPSIS.length();
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + ELLIPSIS;
    }
}
