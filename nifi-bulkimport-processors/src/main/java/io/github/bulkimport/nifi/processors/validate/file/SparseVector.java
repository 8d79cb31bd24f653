package io.github.bulkimport.nifi.processors.validate.file;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * A sparse vector as Milvus reads it from JSON (typeutil's CreateSparseFloatRowFromMap, then
 * ValidateSparseFloatRows): an object, either {@code {"indices": [...], "values": [...]}} or
 * {@code {"<index>": value, ...}}; indices whole numbers below 2^32 - 1, none twice (Milvus sorts them
 * first, so their order does not matter); values finite, within a 32-bit float, and not negative.
 */
public final class SparseVector {

    /** Milvus keeps indices as 32-bit unsigned integers and refuses the largest. */
    private static final long INDEX_LIMIT = 0xFFFF_FFFFL;
    private static final int SHOWN = 40;

    private SparseVector() {
    }

    /**
     * What is wrong with a sparse vector, as a message's "found ..." part, or {@code null} when Milvus takes it.
     *
     * @param numbersAsText whether the reader keeps numbers as their text (JSON rows, CSV): an index must then be written
     *                      as a whole number ({@code 3}, not {@code 3.0}); Milvus reads a Parquet column's JSON into
     *                      64-bit floats, which take {@code 3.0}
     */
    public static String problem(final JsonNode vector, final boolean numbersAsText) {
        if (!vector.isObject()) {
            return "a sparse vector that is not a JSON object";
        }
        if (vector.isEmpty()) {
            return null;
        }
        final JsonNode indices = vector.get("indices");
        final JsonNode values = vector.get("values");
        final boolean listIndices = indices != null && indices.isArray();
        final boolean listValues = values != null && values.isArray();
        if (listIndices != listValues) {
            return "a sparse vector with a list of " + (listIndices ? "indices but no list of values" : "values but no list of indices");
        }
        final long[] read;
        if (listIndices) {
            if (indices.size() != values.size()) {
                return "a sparse vector of " + indices.size() + " indices and " + values.size() + " values";
            }
            read = new long[indices.size()];
            for (int k = 0; k < read.length; k++) {
                final JsonNode index = indices.get(k);
                if (!wholeIndex(index, numbersAsText)) {
                    return "a sparse vector whose index " + shown(index) + " is not a whole number";
                }
                read[k] = index.asLong();
                final String value = valueProblem(values.get(k), shown(index));
                if (value != null) {
                    return value;
                }
            }
        } else {
            read = new long[vector.size()];
            int k = 0;
            for (final Iterator<Map.Entry<String, JsonNode>> fields = vector.fields(); fields.hasNext(); k++) {
                final Map.Entry<String, JsonNode> field = fields.next();
                final Long index = keyIndex(field.getKey());
                if (index == null) {
                    return "a sparse vector whose key \"" + shownText(field.getKey()) + "\" is not an index (a whole number from 0)";
                }
                read[k] = index;
                final String value = valueProblem(field.getValue(), field.getKey());
                if (value != null) {
                    return value;
                }
            }
        }
        return indexProblem(read);
    }

    private static boolean wholeIndex(final JsonNode index, final boolean numbersAsText) {
        if (numbersAsText) {
            return index.isIntegralNumber() && index.canConvertToLong();
        }
        return index.isNumber() && Double.isFinite(index.asDouble()) && index.asDouble() == Math.rint(index.asDouble())
                && Math.abs(index.asDouble()) < 0x1p63;
    }

    /** A key of the second form, read as Go's ParseUint(key, 0, 32) does (decimal, or 0x, 0o, 0b); {@code null} when it is none. */
    private static Long keyIndex(final String key) {
        String digits = key;
        int radix = 10;
        if (key.length() > 2 && key.charAt(0) == '0' && "xXoObB".indexOf(key.charAt(1)) >= 0) {
            radix = switch (Character.toLowerCase(key.charAt(1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            digits = key.substring(2);
        }
        if (digits.isEmpty() || digits.length() > 40) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                return null;
            }
        }
        try {
            final long index = Long.parseLong(digits, radix);
            return index > INDEX_LIMIT ? null : index;
        } catch (final NumberFormatException tooLong) {
            return null;
        }
    }

    private static String valueProblem(final JsonNode value, final String index) {
        if (!value.isNumber()) {
            return "a sparse vector whose value at index " + index + " is not a number";
        }
        final double number = value.asDouble();
        if (!Double.isFinite(number) || Math.abs(number) > Float.MAX_VALUE) {
            return "a sparse vector whose value at index " + index + " is " + shown(value) + ", beyond a 32-bit float";
        }
        if (number < 0) {
            return "a sparse vector whose value at index " + index + " is negative (" + shown(value) + ")";
        }
        return null;
    }

    /** Indices below 2^32 - 1, none twice: the first index that is not, in the order read. */
    private static String indexProblem(final long[] indices) {
        for (final long index : indices) {
            if (index < 0) {
                return "a sparse vector with the negative index " + index;
            }
            if (index >= INDEX_LIMIT) {
                return "a sparse vector with the index " + index + ", where indices are below " + INDEX_LIMIT;
            }
        }
        final long[] sorted = indices.clone();
        Arrays.sort(sorted);
        for (int k = 1; k < sorted.length; k++) {
            if (sorted[k] == sorted[k - 1]) {
                return "a sparse vector with the index " + sorted[k] + " twice";
            }
        }
        return null;
    }

    private static String shown(final JsonNode node) {
        return shownText(node.isTextual() ? "\"" + node.asText() + "\"" : node.toString());
    }

    private static String shownText(final String text) {
        final String line = text.chars().anyMatch(c -> c < 0x20) ? text.replaceAll("\\p{Cntrl}", "?") : text;
        return line.length() <= SHOWN ? line : line.substring(0, SHOWN) + "...";
    }
}
