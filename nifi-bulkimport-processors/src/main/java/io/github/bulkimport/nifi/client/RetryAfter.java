package io.github.bulkimport.nifi.client;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads an HTTP {@code Retry-After} header (delta-seconds or HTTP-date) and bounds the result,
 * so that a confused server cannot stop a flow for hours.
 */
public final class RetryAfter {

    /** The longest wait a server may impose through {@code Retry-After}. */
    public static final Duration MAXIMUM = Duration.ofMinutes(5);

    private RetryAfter() {
    }

    /** Returns {@code null} when the header is absent or unreadable. */
    public static Duration parse(final String headerValue, final Clock clock) {
        if (headerValue == null || headerValue.isBlank()) {
            return null;
        }
        final String value = headerValue.trim();
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } catch (final NumberFormatException notSeconds) {
            try {
                final ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                wait = Duration.between(clock.instant(), when.toInstant());
            } catch (final DateTimeParseException notADate) {
                return null;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAXIMUM) > 0 ? MAXIMUM : wait;
    }
}
