package io.github.bulkimport.nifi.processors.validate.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The value rules readers share: JSON syntax as Go decides it, UTF-8 as Go's utf8.Valid, sparse vectors as Milvus takes them. */
class ValueSyntaxTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "1", "-0.5e+3", "\"a\\u00e9\\n\"", "{\"a\": [1, {\"b\": null}, true], \"c\": {}}", " [ [ [ ] ] ] ", "null",
        "\"\u00ff\""})
    void jsonGoTakes(final String text) {
        assertNull(problem(text), text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|no JSON value", "{|JSON that ends where a key belongs", "{a}|'a' at byte 1 where a key belongs", "[1,]|']' at byte 3 where a value belongs",
        "{\"a\" 1}|no ':' after a key at byte 5", "01|text after the JSON value at byte 1", "1.|a number without digits after its point at byte 2",
        "[1] x|text after the JSON value at byte 4", "nul|'n' at byte 0 where a value belongs", "[1 2]|'2' at byte 3 where ',' or ']' belongs",
        "\"a\\x\"|an invalid escape at byte 2", "NaN|'N' at byte 0 where a value belongs"})
    void jsonGoRefuses(final String text, final String why) {
        assertEquals(why, problem(text));
    }

    /** Nesting costs no stack: 10,000 levels are read in a thread of 256 KB of stack, 10,001 are refused. */
    @Test
    void jsonNestedAsDeepAsGoTakesIsReadWithoutRecursion() throws Exception {
        final AtomicReference<String> deepest = new AtomicReference<>("unread");
        final AtomicReference<String> deeper = new AtomicReference<>();
        final Thread small = new Thread(null, () -> {
            deepest.set(problem("[".repeat(JsonSyntax.MAX_DEPTH) + "]".repeat(JsonSyntax.MAX_DEPTH)));
            deeper.set(problem("{\"a\":".repeat(JsonSyntax.MAX_DEPTH + 1) + "1" + "}".repeat(JsonSyntax.MAX_DEPTH + 1)));
        }, "small stack", 256 * 1024);
        small.start();
        small.join();
        assertNull(deepest.get());
        assertEquals("JSON nested deeper than 10000 levels", deeper.get());
    }

    @ParameterizedTest
    @CsvSource({"616263, true", "c3a9, true", "e282ac, true", "f09f9880, true", "c3, false", "c0af, false", "eda080, false", "f4908080, false",
        "ff, false", "e282, false", "6161616161616161c3a9, true", "61616161616161616161ff, false"})
    void utf8AsGoDecidesIt(final String hex, final boolean valid) {
        final byte[] bytes = java.util.HexFormat.of().parseHex(hex);
        assertEquals(valid, Utf8.valid(bytes, 0, bytes.length), hex);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"indices\": [3, 1], \"values\": [0.5, 1]}|true|",
        "{\"1\": 0.5, \"7\": 0}|true|",
        "{}|true|",
        "{\"indices\": [3, 3], \"values\": [1, 2]}|true|a sparse vector with the index 3 twice",
        "{\"indices\": [-1], \"values\": [1]}|true|a sparse vector with the negative index -1",
        "{\"indices\": [4294967295], \"values\": [1]}|true|a sparse vector with the index 4294967295, where indices are below 4294967295",
        "{\"indices\": [1, 2], \"values\": [1]}|true|a sparse vector of 2 indices and 1 values",
        "{\"indices\": [1]}|true|a sparse vector with a list of indices but no list of values",
        "{\"2\": -0.5}|true|a sparse vector whose value at index 2 is negative (-0.5)",
        "{\"2\": 1e39}|true|a sparse vector whose value at index 2 is 1.0E39, beyond a 32-bit float",
        "{\"x\": 1}|true|a sparse vector whose key \"x\" is not an index (a whole number from 0)",
        "{\"indices\": [1.0], \"values\": [1]}|true|a sparse vector whose index 1.0 is not a whole number",
        "{\"indices\": [1.0], \"values\": [1]}|false|",
        "[1, 2]|true|a sparse vector that is not a JSON object"})
    void sparseVectorsAsMilvusTakesThem(final String vector, final boolean numbersAsText, final String problem) throws Exception {
        assertEquals(problem, SparseVector.problem(JSON.readTree(vector), numbersAsText));
    }

    @Test
    void aTextValuesFaultsComeInTheParquetReadersOrder() {
        final ColumnRules varchar = new ColumnRules("title", null, null, 4, true, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, false);
        assertEquals(Fault.Kind.NOT_UTF8, fault(new byte[] {'a', 'b', 'c', 'd', 'e', (byte) 0xFF}, varchar).kind(), "UTF-8 before the length");
        assertEquals("a text of 7 bytes", fault("abcdéf".getBytes(StandardCharsets.UTF_8), varchar).found(), "bytes, not characters");
        assertNull(fault("abcd".getBytes(StandardCharsets.UTF_8), varchar));
        final ColumnRules meta = new ColumnRules("$meta", null, null, null, false, ColumnRules.Json.OBJECT, ColumnRules.Finite.NONE, false, true);
        assertEquals(Fault.Kind.NOT_OBJECT, fault("[1]".getBytes(StandardCharsets.UTF_8), meta).kind());
        assertNull(fault(" {\"a\": 1} ".getBytes(StandardCharsets.UTF_8), meta));
        final ColumnRules sparse = new ColumnRules("sparse", null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, true, false);
        final Fault notJson = fault("{1: 2}".getBytes(StandardCharsets.UTF_8), sparse);
        assertNotNull(notJson);
        assertTrue(notJson.found().startsWith("a sparse vector that is not JSON"), notJson.found());
        assertFalse(fault("{\"indices\": [1.0], \"values\": [2]}".getBytes(StandardCharsets.UTF_8), sparse) != null,
                "Milvus reads a Parquet column's sparse JSON into 64-bit floats: an index of 1.0 is whole");
    }

    private static Fault fault(final byte[] bytes, final ColumnRules rules) {
        return TextValue.fault(bytes, 0, bytes.length, rules);
    }

    private static String problem(final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return JsonSyntax.problem(bytes, 0, bytes.length);
    }
}
