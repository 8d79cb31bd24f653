package io.github.bulkimport.nifi.processors.trigger.request;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The path of a URL with its {@code %XX} escapes decoded as UTF-8 bytes (a {@code +} stays a plus, as in a
 * path), in one pass; unlike {@link java.net.URLDecoder}, a malformed escape is reported, not thrown as an
 * IllegalArgumentException.
 */
final class PercentDecoding {

    private PercentDecoding() {
    }

    /** The decoded path, or {@code null} when a {@code %} is not followed by two hex digits. */
    static String decode(final String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        final StringBuilder decoded = new StringBuilder(path.length());
        final ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        int i = 0;
        while (i < path.length()) {
            final char c = path.charAt(i);
            if (c != '%') {
                decoded.append(c);
                i++;
                continue;
            }
            escaped.reset();
            while (i < path.length() && path.charAt(i) == '%') {
                final int high = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
                final int low = high < 0 ? -1 : Character.digit(path.charAt(i + 2), 16);
                if (low < 0) {
                    return null;
                }
                escaped.write(high << 4 | low);
                i += 3;
            }
            decoded.append(escaped.toString(StandardCharsets.UTF_8));
        }
        return decoded.toString();
    }
}
