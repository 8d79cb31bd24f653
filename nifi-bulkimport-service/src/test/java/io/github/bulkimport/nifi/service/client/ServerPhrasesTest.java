package io.github.bulkimport.nifi.service.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The phrases read as the regular expression job[^:]*(does not exist|not exist|not found)|no such job read them, in linear time. */
class ServerPhrasesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "import job does not exist, jobID=448707763883002014: importing data failed | true",
            "JOB 7 NOT FOUND | true",
            "no such job | true",
            "jobnot found | true",
            "a: job b not exist | true",
            "job a: b not found | false",
            "not found: job | false",
            "job: job: job x not found: y | true",
            "job x: job y: not found | false",
            "the file is not found | false",
            "'' | false"})
    void aJobNotFoundIsAJobThenThePhraseWithinOneClause(final String message, final boolean expected) {
        assertEquals(expected, ServerPhrases.of(message).jobNotFound(), message);
    }

    @Test
    void longMessagesAreReadInLinearTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertFalse(ServerPhrases.of("job".repeat(1_000_000)).jobNotFound());
            assertFalse(ServerPhrases.of("job:".repeat(1_000)).jobNotFound());
            assertFalse(ServerPhrases.of("job not fou:".repeat(400)).jobNotFound());
            assertFalse(ServerPhrases.of("not found:".repeat(400) + "job").jobNotFound());
        });
    }
}
