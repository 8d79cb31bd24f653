package io.github.bulkimport.nifi.service.client;

/**
 * A few words that say what a body that is no JSON envelope is: an HTML page's title, else its text,
 * with tags and runs of white space each made one space. Plain loops, in time linear in the text: a
 * gateway's page is the server's text, and the regular expressions this replaces backtracked for
 * seconds to hours on a body of blanks or of {@code <} without {@code >}.
 */
final class BodySnippet {

    private static final String TITLE_OPEN = "<title";
    private static final String TITLE_CLOSE = "</title";

    private BodySnippet() {
    }

    /** At most about {@code max} characters of the body's title or text (the caller bounds it exactly); empty when there is none. */
    static String of(final String text, final int max) {
        final int titleStart = titleStart(text);
        final int titleEnd = titleStart < 0 ? -1 : indexOfIgnoreCase(text, TITLE_CLOSE, titleStart);
        return titleEnd < 0 ? words(text, 0, text.length(), max) : words(text, titleStart, titleEnd, max);
    }

    /** Where the title's text begins: after {@code <title>} or {@code <title ...>}; -1 when there is no title. */
    private static int titleStart(final String text) {
        for (int at = indexOfIgnoreCase(text, TITLE_OPEN, 0); at >= 0; at = indexOfIgnoreCase(text, TITLE_OPEN, at + 1)) {
            final int next = at + TITLE_OPEN.length();
            if (next < text.length() && (text.charAt(next) == '>' || isSpace(text.charAt(next)))) {
                final int end = text.indexOf('>', next);
                return end < 0 ? -1 : end + 1;
            }
        }
        return -1;
    }

    /**
     * The text between {@code from} and {@code to} with each tag and each run of white space made one
     * space, trimmed, stopped once it holds more than {@code max} characters.
     */
    static String words(final String text, final int from, final int to, final int max) {
        final StringBuilder out = new StringBuilder(Math.min(to - from, max + 1));
        // once a '<' has no '>' after it, no later '<' has one: the rest is text, and is never searched again
        boolean tagsPossible = true;
        boolean spacePending = false;
        int i = from;
        while (i < to && out.length() <= max) {
            final char c = text.charAt(i);
            if (c == '<' && tagsPossible) {
                final int close = text.indexOf('>', i + 1);
                if (close >= 0 && close < to) {
                    spacePending = true;
                    i = close + 1;
                    continue;
                }
                tagsPossible = false;
            }
            if (isSpace(c)) {
                spacePending = true;
            } else {
                if (spacePending && !out.isEmpty()) {
                    out.append(' ');
                }
                spacePending = false;
                out.append(c);
            }
            i++;
        }
        return out.toString();
    }

    /** White space as {@code \s} reads it. */
    private static boolean isSpace(final char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * Where {@code part} (lower-case ASCII, of at least two characters, the first no letter) first occurs in
     * {@code text} from {@code from} on, in any case; -1 when nowhere. It jumps from one first character to the
     * next, and looks no further at one whose second does not match: a body of nothing but {@code <} costs
     * little even before the JIT compiles this.
     */
    static int indexOfIgnoreCase(final String text, final String part, final int from) {
        final char second = part.charAt(1);
        for (int at = text.indexOf(part.charAt(0), Math.max(0, from)); at >= 0 && at + part.length() <= text.length();
             at = text.indexOf(part.charAt(0), at + 1)) {
            if (Character.toLowerCase(text.charAt(at + 1)) == second && text.regionMatches(true, at, part, 0, part.length())) {
                return at;
            }
        }
        return -1;
    }
}
