package io.github.bulkimport.nifi.service.client;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads an HTTP {@code Retry-After} header (delta-seconds, or an HTTP-date in any of the three
 * forms HTTP allows) and bounds the result, so that a confused server cannot stop a flow for hours.
 */
public final class RetryAfter {

    /** The longest wait a server may impose through {@code Retry-After}. */
    public static final Duration MAXIMUM = Duration.ofMinutes(5);
    private static final Pattern SECONDS = Pattern.compile("\\d+");
    /** More digits than this cannot fit in a long, and mean "a very long time" anyway. */
    private static final int MAX_DIGITS = 18;
    /** IMF-fixdate (RFC 1123), the obsolete RFC 850 form, and ANSI C's asctime() form. */
    private static final List<DateTimeFormatter> HTTP_DATES = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,
            new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern("EEEE, dd-MMM-")
                    .appendValueReduced(ChronoField.YEAR, 2, 2, 1970).appendPattern(" HH:mm:ss zzz").toFormatter(Locale.ENGLISH),
            new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern("EEE MMM ppd HH:mm:ss yyyy").toFormatter(Locale.ENGLISH)
                    .withZone(java.time.ZoneOffset.UTC));

    private RetryAfter() {
    }

    /** Returns {@code null} when the header is absent or unreadable. */
    public static Duration parse(final String headerValue, final Clock clock) {
        if (headerValue == null || headerValue.isBlank()) {
            return null;
        }
        final String value = headerValue.trim();
        if (SECONDS.matcher(value).matches()) {
            return value.length() > MAX_DIGITS ? MAXIMUM : bounded(Duration.ofSeconds(Long.parseLong(value)));
        }
        for (final DateTimeFormatter format : HTTP_DATES) {
            try {
                return bounded(Duration.between(clock.instant(), ZonedDateTime.parse(value, format).toInstant()));
            } catch (final DateTimeParseException notThisForm) {
                // try the next form
            }
        }
        return null;
    }

    private static Duration bounded(final Duration wait) {
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAXIMUM) > 0 ? MAXIMUM : wait;
    }
}
