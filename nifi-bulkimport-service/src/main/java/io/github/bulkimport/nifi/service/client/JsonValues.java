package io.github.bulkimport.nifi.service.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads the values of an answer that must be in range, returning {@code null} for anything else
 * rather than a wrapped, clipped or invented number.
 */
final class JsonValues {

    /** Long.MAX_VALUE has 19 digits: any more cannot be a count. */
    private static final int MAX_DIGITS = 19;
    /** 2^63, the first double above every long. */
    private static final double TWO_TO_THE_63 = 0x1p63;

    private JsonValues() {
    }

    /** A percentage: a whole number from 0 to 100. */
    static Integer percent(final JsonNode node) {
        final Long value = count(node);
        return value == null || value > 100 ? null : value.intValue();
    }

    /**
     * A count of rows, bytes or jobs: a whole number from 0 to {@link Long#MAX_VALUE}, as a JSON number
     * ({@code 100}, {@code 100.0}, {@code 1e2}, {@code -0}) or as plain digits in a string ({@code "100"}).
     * A fraction, a negative, a larger value, an infinite one ({@code 1e999}) or other text is no count. A
     * number with a fraction or an exponent is judged as the double it reads as, so {@code 1e-999999999} is 0.
     */
    static Long count(final JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return digits(node.asText().trim());
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() && node.longValue() >= 0 ? node.longValue() : null;
        }
        if (node.isFloatingPointNumber()) {
            // no BigDecimal: one cannot be made of the infinite double 1e999 reads as
            final double value = node.doubleValue();
            final boolean whole = Double.isFinite(value) && value == Math.rint(value);
            return whole && value > -1 && value < TWO_TO_THE_63 ? (long) value : null;
        }
        return null;
    }

    private static Long digits(final String text) {
        if (text.isEmpty() || text.length() > MAX_DIGITS) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (final NumberFormatException beyondLong) {
            return null;
        }
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
