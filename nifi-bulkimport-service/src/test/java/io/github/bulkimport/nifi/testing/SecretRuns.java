package io.github.bulkimport.nifi.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds any run of {@value #RUN} or more characters of a secret in a text, whatever form the
 * secret took on the way: raw, trimmed, URL-encoded, JSON-escaped or base64-encoded. It knows
 * nothing of how the bundle masks secrets: it is the model check's and the fuzz targets' independent instrument.
 */
public final class SecretRuns {

    public static final int RUN = 8;

    private final Set<String> grams = new HashSet<>();

    public SecretRuns(final List<String> secrets) {
        for (final String secret : secrets) {
            for (final String form : forms(secret)) {
                for (int i = 0; i + RUN <= form.length(); i++) {
                    grams.add(form.substring(i, i + RUN));
                }
            }
        }
    }

    /** A run of a secret found in {@code text}, or {@code null}. */
    public String find(final String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i + RUN <= text.length(); i++) {
            final String window = text.substring(i, i + RUN);
            if (grams.contains(window)) {
                return window;
            }
        }
        return null;
    }

    public static Set<String> forms(final String secret) {
        final Set<String> forms = new LinkedHashSet<>();
        for (final String value : new String[] {secret, secret.strip()}) {
            forms.add(value);
            forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
            forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
            forms.add(jsonEscaped(value, false));
            forms.add(jsonEscaped(value, true));
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            forms.add(Base64.getEncoder().encodeToString(bytes));
            forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
        return forms;
    }

    private static String jsonEscaped(final String value, final boolean escapeEverything) {
        final StringBuilder out = new StringBuilder();
        for (final char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '/' && escapeEverything) {
                out.append("\\/");
            } else if (c < 0x20 || escapeEverything && c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
