package io.github.bulkimport.nifi.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes known secret values from text that may reach users: servers sometimes echo request
 * fields (keys, tokens) back in error messages.
 */
public final class SecretRedactor {

    public static final String MASK = "********";
    /** Shorter values are too likely to match ordinary text to be worth masking. */
    private static final int MIN_SECRET_LENGTH = 4;

    private final List<String> secrets;

    public SecretRedactor(final Collection<String> secretValues) {
        final Set<String> forms = new LinkedHashSet<>();
        for (final String secret : secretValues) {
            if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
                continue;
            }
            forms.add(secret);
            forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
            // Milvus tokens are often "user:password": the password alone must not survive either
            final int colon = secret.indexOf(':');
            if (colon >= 0 && secret.length() - colon - 1 >= MIN_SECRET_LENGTH) {
                forms.add(secret.substring(colon + 1));
            }
        }
        final List<String> ordered = new ArrayList<>(forms);
        // longest first, so that a secret containing another is masked whole
        ordered.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(ordered);
    }

    public static SecretRedactor none() {
        return new SecretRedactor(List.of());
    }

    public String redact(final String text) {
        if (text == null || text.isEmpty() || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (final String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }
}
