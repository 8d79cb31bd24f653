package io.github.bulkimport.nifi.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * JSON helpers for exact assertions on request bodies.
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static JsonNode parse(final String json) {
        try {
            return MAPPER.readTree(json);
        } catch (final Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** Asserts equal JSON trees: same fields, same values, nothing extra; key order ignored. */
    public static void assertJsonEquals(final String expected, final String actual) {
        assertEquals(parse(expected), parse(actual), () -> "expected " + expected + "\n but was " + actual);
    }
}
