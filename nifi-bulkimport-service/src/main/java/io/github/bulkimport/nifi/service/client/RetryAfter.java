package io.github.bulkimport.nifi.service.client;

import org.apache.hc.client5.http.utils.DateUtils;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Reads an HTTP {@code Retry-After} header (delta-seconds, or an HTTP-date in any of the three forms
 * HTTP allows, read by HttpClient's {@link DateUtils}) and bounds the result, so that a confused
 * server cannot stop a flow for hours.
 */
public final class RetryAfter {

    /** The longest wait a server may impose through {@code Retry-After}. */
    public static final Duration MAXIMUM = Duration.ofMinutes(5);
    private static final Pattern SECONDS = Pattern.compile("\\d+");
    /** More digits than this cannot fit in a long, and mean "a very long time" anyway. */
    private static final int MAX_DIGITS = 18;
    /** asctime() names no zone; HTTP says it is GMT, and DateUtils' own formatter would not resolve an instant. */
    private static final DateTimeFormatter[] HTTP_DATES = {
            DateUtils.FORMATTER_RFC1123, DateUtils.FORMATTER_RFC1036, DateUtils.FORMATTER_ASCTIME.withZone(ZoneOffset.UTC)};

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
        final Instant date = DateUtils.parseDate(value, HTTP_DATES);
        return date == null ? null : bounded(Duration.between(clock.instant(), date));
    }

    private static Duration bounded(final Duration wait) {
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAXIMUM) > 0 ? MAXIMUM : wait;
    }
}
