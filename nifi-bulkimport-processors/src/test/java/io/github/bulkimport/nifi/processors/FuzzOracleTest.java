package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.testing.FuzzInvariants;
import io.github.bulkimport.nifi.testing.Secrets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Found by the red team of issue 25 (promise 6), fixed since: the fuzz targets' "no secret in a message" oracle (FuzzInvariants.noSecret, LeakCheck) looks for whole
 * secrets only, while the README promises that no text holds "any run of 8 of their characters, raw or encoded". A redactor that
 * masked only whole secrets would pass every fuzz target: these texts, each with 20+ characters of a secret, are let through.
 */
class FuzzOracleTest {

    @Test
    void aMessageWithARunOfTheApiKeyFailsTheOracle() {
        assertThrows(AssertionError.class, () -> FuzzInvariants.noSecret("a message", "echo: " + Secrets.API_KEY.substring(0, 20)));
    }

    @Test
    void aMessageWithTheBase64OfTheSecretKeyFailsTheOracle() {
        final String encoded = java.util.Base64.getEncoder().encodeToString(Secrets.SECRET_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThrows(AssertionError.class, () -> FuzzInvariants.noSecret("a message", "echo: " + encoded));
    }

    @Test
    void aMessageWithTheUrlEncodedSecretKeyFailsTheOracle() {
        final String encoded = java.net.URLEncoder.encode(Secrets.SECRET_KEY, java.nio.charset.StandardCharsets.UTF_8);
        assertThrows(AssertionError.class, () -> FuzzInvariants.noSecret("a message", "echo: " + encoded));
    }
}
