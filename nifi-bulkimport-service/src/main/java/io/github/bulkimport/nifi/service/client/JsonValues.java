package io.github.bulkimport.nifi.service.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Reads the values of an answer that must be in range, returning {@code null} for anything else
 * rather than a wrapped, clipped or invented number.
 */
final class JsonValues {

    private static final Pattern DIGITS = Pattern.compile("\\d{1,19}");
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private JsonValues() {
    }

    /** A percentage: a whole number from 0 to 100. */
    static Integer percent(final JsonNode node) {
        final Long value = count(node);
        return value == null || value > 100 ? null : value.intValue();
    }

    /** A count of rows, bytes or jobs: a whole number from 0 to {@link Long#MAX_VALUE}, as a number or as digits. */
    static Long count(final JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            final String text = node.asText().trim();
            if (!DIGITS.matcher(text).matches()) {
                return null;
            }
            final BigDecimal value = new BigDecimal(text);
            return value.compareTo(LONG_MAX) > 0 ? null : value.longValue();
        }
        if (!node.isNumber()) {
            return null;
        }
        final BigDecimal value = node.decimalValue();
        if (value.signum() < 0 || value.compareTo(LONG_MAX) > 0 || value.stripTrailingZeros().scale() > 0) {
            return null;
        }
        return value.longValueExact();
    }

    /** Text, or {@code null} for absent, null, empty and structured values. */
    static String text(final JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return null;
        }
        final String value = node.asText();
        return value.isEmpty() ? null : value;
    }
}
