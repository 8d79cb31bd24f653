package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.Fault;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.testing.Allocations;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Values as Milvus's row parsers take them, hostile ones included: a verdict for each, never an exception. */
class ValueRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FieldSchema field(final FieldType type, final Integer dim) {
        return new FieldSchema("f", type, null, false, false, false, false, false, false, dim, null, null);
    }

    private static JsonNode json(final String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void numbersBeyondTheirTypeDoNotFit() throws Exception {
        final JsonNode infinite = json("1e999999999");
        assertEquals("the number Infinity", ValueRules.mismatch(infinite, field(FieldType.DOUBLE, null), false));
        assertEquals("the number Infinity", ValueRules.mismatch(infinite, field(FieldType.FLOAT, null), false));
        assertEquals("the number Infinity", ValueRules.mismatch(infinite, field(FieldType.INT64, null), false));
        assertNull(ValueRules.mismatch(json("1e-999999999"), field(FieldType.FLOAT, null), false), "underflow reads as 0, as in Go");
        assertNull(ValueRules.mismatch(json("1e39"), field(FieldType.DOUBLE, null), false));
        assertEquals("the number 1.0E39", ValueRules.mismatch(json("1e39"), field(FieldType.FLOAT, null), false), "beyond a 32-bit float");
        assertEquals("a list holding the number 1.0E39", ValueRules.mismatch(json("[1e39, 0, 0, 0]"), field(FieldType.FLOAT_VECTOR, 4), false));
        final String wide = ValueRules.mismatch(json("9".repeat(1_000)), field(FieldType.INT64, null), false);
        assertTrue(wide.startsWith("the number 999") && wide.length() < 60, wide);
    }

    @Test
    void cellsAreReadAsTheirFieldsType() {
        assertEquals("the number Infinity", ValueRules.mismatch(TextNode.valueOf("1e999999999"), field(FieldType.DOUBLE, null), true));
        assertEquals("a list holding the number Infinity",
                ValueRules.mismatch(TextNode.valueOf("[1e999999999, 0, 0, 0]"), field(FieldType.FLOAT_VECTOR, 4), true));
        assertEquals("the text \"[1, 2, 3, 4] x\"", ValueRules.mismatch(TextNode.valueOf("[1, 2, 3, 4] x"), field(FieldType.FLOAT_VECTOR, 4), true),
                "one JSON document per cell, as Go's json.Unmarshal reads it");
        assertEquals("the text \"" + "[".repeat(37) + "...\"",
                ValueRules.mismatch(TextNode.valueOf("[".repeat(100_000)), field(FieldType.FLOAT_VECTOR, 4), true));
    }

    /**
     * A CSV cell of five million empty objects (16 MiB) read as a vector: as Jackson's tree, 400 MB, which ran a JVM of 256 MB
     * out of memory. A cell's JSON is read within a budget of nodes; a vector or an array of more values than that is more than
     * Milvus takes (32,768 dimensions, 4,096 elements at most), a fault of its length or capacity, told without the whole tree.
     */
    @Test
    void aCellOfMillionsOfEmptyObjectsIsReadWithinTheNodeBudget() throws Exception {
        final TextNode cell = TextNode.valueOf("[" + "{},".repeat(5_000_000) + "{}]");
        final Fault[] fault = new Fault[2];
        final long allocated = Allocations.by(() -> {
            fault[0] = ValueRules.fault(cell, field(FieldType.FLOAT_VECTOR, 4), true);
            fault[1] = ValueRules.fault(cell, new FieldSchema("f", FieldType.ARRAY, FieldType.INT64, false, false, false, false, false, false,
                    null, null, 10), true);
            return fault;
        });
        assertEquals(Fault.Kind.LENGTH, fault[0].kind());
        assertEquals("JSON of more than 500000 values in lists and objects, more than the validator reads", fault[0].found());
        assertEquals(Fault.Kind.CAPACITY, fault[1].kind());
        // each read: the cell's bytes (16 MB), the tree up to its budget (40 MB at most) and what Jackson throws away
        assertTrue(allocated < 2 * (2L * cell.asText().length() + (96L << 20)), "allocated " + (allocated >> 20) + " MB");
    }

    @Test
    void aJsonFieldTakesAnObjectOrTheTextOfOneDocument() {
        assertNull(ValueRules.mismatch(TextNode.valueOf("{\"a\": 1}"), field(FieldType.JSON, null), false));
        assertEquals("the text \"\"", ValueRules.mismatch(TextNode.valueOf(""), field(FieldType.JSON, null), false));
        assertEquals("the text \"{} x\"", ValueRules.mismatch(TextNode.valueOf("{} x"), field(FieldType.JSON, null), false));
    }

    @Test
    void aTextOfTheWrongTypeIsQuotedOnOneLine() {
        // a CSV cell in quotes and a JSON string may hold line breaks and terminal escapes (a fuzz finding: the problem spanned two lines)
        assertEquals("the text \"7 forged: line\"", ValueRules.mismatch(TextNode.valueOf("7\nforged: line\u001b[31m"), field(FieldType.INT32, null),
                false));
        assertEquals("the text \"" + "x".repeat(37) + "...\"", ValueRules.mismatch(TextNode.valueOf("x".repeat(10_000) + "\n"),
                field(FieldType.INT32, null), false));
    }

    @Test
    void aColumnOfAnyNameMakesAShortProblem() {
        final String name = "k".repeat(100_000);
        final CollectionSchema schema = new CollectionSchema("docs", false, List.of());
        final FileContents contents = new FileContents(FileFormat.JSON, List.of(FileColumn.values(name, List.of(TextNode.valueOf("v")))), 1,
                null, 10);
        final List<String> problems = SchemaRules.check(new SchemaRules.Target(schema, null, 10, 1L << 30, "Milvus"), contents);
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().length() < 400, problems.getFirst());
    }
}
