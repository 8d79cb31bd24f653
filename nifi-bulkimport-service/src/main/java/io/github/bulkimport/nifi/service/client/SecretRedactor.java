package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks secret values in text that may reach users: servers echo request fields (keys, tokens)
 * back in error messages, raw or encoded, whole or cut off. Every form a secret takes on the way
 * (raw, trimmed, URL-encoded, JSON-escaped, base64) is known, and any run of {@value #RUN} or more
 * characters of such a form is masked, so that a secret cut in half by a server, or by a snippet,
 * does not survive either.
 */
public final class SecretRedactor {

    public static final String MASK = BulkImportConnectionService.SECRET_MASK;
    /** Any run of this many characters of a secret is masked. */
    static final int RUN = 8;
    /** Shorter values are too likely to match ordinary text to be worth masking. */
    private static final int MIN_SECRET_LENGTH = 4;

    /** Every {@link #RUN}-character piece of every form of every secret at least that long. */
    private final Set<String> pieces = new HashSet<>();
    /**
     * The hash codes of the pieces, folded into 2^16 bits: a window of text whose hash is not set
     * here is no piece, which {@link #redact} learns without making a string of it.
     */
    private final long[] pieceHashes = new long[1 << 10];
    /** Forms of secrets shorter than {@link #RUN}: masked only whole, longest first. */
    private final List<String> shortForms;

    public SecretRedactor(final Collection<String> secretValues) {
        final Set<String> shortOnes = new LinkedHashSet<>();
        for (final String secret : secretValues) {
            if (secret == null || secret.strip().length() < MIN_SECRET_LENGTH) {
                continue;
            }
            for (final String form : forms(secret)) {
                if (form.length() < RUN) {
                    shortOnes.add(form);
                } else {
                    for (int i = 0; i + RUN <= form.length(); i++) {
                        final String piece = form.substring(i, i + RUN);
                        pieces.add(piece);
                        final int bit = fold(piece.hashCode());
                        pieceHashes[bit >>> 6] |= 1L << bit;
                    }
                }
            }
        }
        final List<String> ordered = new ArrayList<>(shortOnes);
        ordered.sort(Comparator.comparingInt(String::length).reversed());
        this.shortForms = List.copyOf(ordered);
    }

    /**
     * The forms a secret may take in a message: as configured, trimmed, URL-encoded, JSON-escaped
     * (with {@code /} as {@code \/} and non-ASCII as {@code \\uXXXX}, or not), and base64 (standard
     * and URL-safe). A {@code user:password} token adds its password's forms.
     */
    static Set<String> forms(final String secret) {
        final Set<String> values = new LinkedHashSet<>(List.of(secret, secret.strip()));
        final int colon = secret.indexOf(':');
        if (colon >= 0 && secret.length() - colon - 1 >= MIN_SECRET_LENGTH) {
            values.add(secret.substring(colon + 1).strip());
        }
        final Set<String> forms = new LinkedHashSet<>();
        for (final String value : values) {
            forms.add(value);
            final String urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
            forms.add(urlEncoded);
            forms.add(urlEncoded.replace("+", "%20"));
            forms.add(jsonEscaped(value, false));
            forms.add(jsonEscaped(value, true));
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            forms.add(Base64.getEncoder().encodeToString(bytes));
            forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
        return forms;
    }

    private static String jsonEscaped(final String value, final boolean escapeEverything) {
        final StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
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

    /** How a configuration shows a secret: the mask, or "unset". */
    static String shown(final String secret) {
        return secret == null ? "unset" : MASK;
    }

    private static int fold(final int hash) {
        return (hash ^ hash >>> 16) & 0xFFFF;
    }

    /** 31 to the power {@link #RUN} - 1, to take the first character out of a window's String hash code. */
    private static final int FIRST_WEIGHT = 31 * 31 * 31 * 31 * 31 * 31 * 31;

    public String redact(final String text) {
        if (text == null || text.isEmpty() || pieces.isEmpty() && shortForms.isEmpty()) {
            return text;
        }
        boolean[] masked = null;
        // the String hash code of each window, rolled along the text: a substring only where it may be a piece
        int hash = 0;
        for (int i = 0; i < Math.min(RUN, text.length()); i++) {
            hash = 31 * hash + text.charAt(i);
        }
        for (int i = 0; i + RUN <= text.length(); i++) {
            if (i > 0) {
                hash = 31 * (hash - FIRST_WEIGHT * text.charAt(i - 1)) + text.charAt(i + RUN - 1);
            }
            final int bit = fold(hash);
            if ((pieceHashes[bit >>> 6] & 1L << bit) != 0 && pieces.contains(text.substring(i, i + RUN))) {
                if (masked == null) {
                    masked = new boolean[text.length()];
                }
                java.util.Arrays.fill(masked, i, i + RUN, true);
            }
        }
        for (final String form : shortForms) {
            for (int at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
                if (masked == null) {
                    masked = new boolean[text.length()];
                }
                java.util.Arrays.fill(masked, at, at + form.length(), true);
            }
        }
        if (masked == null) {
            return text;
        }
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (!masked[i]) {
                out.append(text.charAt(i));
            } else if (i == 0 || !masked[i - 1]) {
                out.append(MASK);
            }
        }
        return out.toString();
    }
}
