package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientPartsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void retryAfterReadsSecondsAndDatesWithinBounds() {
        assertEquals(Duration.ofSeconds(7), RetryAfter.parse("7", CLOCK));
        assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Sat, 28 Nov 2026 12:00:30 GMT", CLOCK));
        assertEquals(Duration.ZERO, RetryAfter.parse("Sat, 28 Nov 2026 11:00:00 GMT", CLOCK));
        assertEquals(RetryAfter.MAXIMUM, RetryAfter.parse("86400", CLOCK));
        assertNull(RetryAfter.parse("-5", CLOCK), "delta-seconds are never negative: unreadable, so ignored");
        assertNull(RetryAfter.parse("soon", CLOCK));
        assertEquals(RetryAfter.MAXIMUM, RetryAfter.parse("99999999999999999999999", CLOCK), "more seconds than a long holds: the longest wait");
        assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Saturday, 28-Nov-26 12:00:30 GMT", CLOCK), "RFC 850 date");
        assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Sat Nov 28 12:00:30 2026", CLOCK), "asctime date");
        assertNull(RetryAfter.parse(" ", CLOCK));
        assertNull(RetryAfter.parse(null, CLOCK));
    }

    @ParameterizedTest
    @CsvSource({
            "Pending, PENDING", "ImportPending, PENDING", "Importing, IMPORTING", "ImportStarted, IMPORTING", "ImportPersisted, IMPORTING",
            "Completed, COMPLETED", "ImportCompleted, COMPLETED", "Failed, FAILED", "ImportFailed, FAILED", "ImportFailedAndCleaned, FAILED",
            "Uncommitted, UNCOMMITTED", "Committing, COMMITTING", "Exploding, UNKNOWN", "'', UNKNOWN"
    })
    void jobStatesFromEveryServerVersion(final String name, final JobState expected) {
        assertEquals(expected, JobState.fromApiName(name));
    }

    @Test
    void redactorMasksSecretsTheirEncodingsAndTokenPasswords() {
        final SecretRedactor redactor = new SecretRedactor(List.of("root:pa/ss+word", "abc", "sk-LONGKEY-1"));
        assertEquals("key ******** and ********", redactor.redact("key sk-LONGKEY-1 and root:pa/ss+word"));
        assertEquals("encoded ********", redactor.redact("encoded root%3Apa%2Fss%2Bword"));
        assertEquals("password ********", redactor.redact("password pa/ss+word"));
        assertEquals("abc is too short to mask", redactor.redact("abc is too short to mask"));
        assertNull(redactor.redact(null));
    }

    @Test
    void configurationsNeverPrintSecrets() {
        final String text = new StorageCredentials("AKIA-ACCESS", "SECRET-KEY", "TOKEN-VALUE") + " "
                + new ProxySettings("proxy", 3128, "user", "PROXY-PASSWORD");
        assertFalse(text.contains("AKIA-ACCESS") || text.contains("SECRET-KEY") || text.contains("TOKEN-VALUE") || text.contains("PROXY-PASSWORD"), text);
        assertTrue(text.contains(SecretRedactor.MASK));
    }

    @Test
    void aConfigurationDescriptionMasksAKeyWrittenIntoTheEndpoint() {
        final String key = "sk-PATHKEY-0123456789abcdef";
        final ClientConfig config = new ClientConfig(java.net.URI.create("https://gateway.example.com/" + key + "/milvus"),
                io.github.bulkimport.nifi.api.Deployment.MILVUS, key, CloudLocation.NONE, StorageCredentials.NONE, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, null, null);
        final String text = config.toString();
        assertFalse(text.contains("PATHKEY"), text);
        assertTrue(text.contains("https://gateway.example.com/" + SecretRedactor.MASK + "/milvus"), text);
    }
}
