package io.github.bulkimport.nifi.processors.validate;

/**
 * Numbers in CSV cells as Go's strconv reads them, told from their characters without an exception for text that is
 * none: ParseInt's decimal integers (a sign, digits, no spaces, within 64 bits), ParseFloat's decimals (a sign, digits
 * with a point, an exponent; inf, infinity and nan in any case). Hexadecimal floats, which ParseFloat also reads, are not.
 */
final class CellNumbers {

    private CellNumbers() {
    }

    /** The integer, or {@code null} when the text is none or beyond 64 bits. */
    static Long whole(final String text) {
        final int length = text.length();
        int i = 0;
        final boolean negative = length > 0 && text.charAt(0) == '-';
        if (length > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+')) {
            i++;
        }
        if (i == length) {
            return null;
        }
        // accumulated as a negative number, which reaches Long.MIN_VALUE
        long value = 0;
        for (; i < length; i++) {
            final int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10) {
                return null;
            }
            value = value * 10 - digit;
        }
        if (!negative && value == Long.MIN_VALUE) {
            return null;
        }
        return negative ? value : -value;
    }

    /** The number, or {@code null} when the text is none. */
    static Double decimal(final String text) {
        final int sign = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        final int letters = text.length() - sign;
        if (letters == 3 && text.regionMatches(true, sign, "inf", 0, 3) || letters == 8 && text.regionMatches(true, sign, "infinity", 0, 8)) {
            return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (letters == 3 && text.regionMatches(true, sign, "nan", 0, 3)) {
            return Double.NaN;
        }
        return decimalSyntax(text, sign) ? Double.parseDouble(text) : null;
    }

    private static boolean decimalSyntax(final String text, final int start) {
        int i = start;
        final int length = text.length();
        int digits = 0;
        while (i < length && Character.isDigit(text.charAt(i)) && text.charAt(i) < 0x80) {
            i++;
            digits++;
        }
        if (i < length && text.charAt(i) == '.') {
            i++;
            while (i < length && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < length && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < length && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < length && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == length;
    }
}
