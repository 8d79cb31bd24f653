package io.github.bulkimport.nifi.processors.validate.rows;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import io.github.bulkimport.nifi.testing.Allocations;
import io.github.bulkimport.nifi.testing.FuzzInvariants;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON rows as Milvus reads them, and hostile JSON: a result for any bytes, within the reader's limits. */
class JsonRowsTest {

    private static FileContents json(final String text) throws IOException {
        return JsonRows.read(BytesContent.of("rows.json", text), 100);
    }

    private static void assertUnreadable(final FileContents contents, final String... words) {
        assertTrue(contents.unreadable() != null && !contents.unreadable().isBlank(), "unreadable: " + contents.rows() + " rows");
        for (final String word : words) {
            assertTrue(contents.unreadable().contains(word), contents.unreadable());
        }
    }

    private static List<JsonNode> values(final FileContents contents, final String column) {
        return contents.column(column).orElseThrow().values();
    }

    @Test
    void rowsListsTheOlderRowsObjectAndJsonLinesAreRead() throws IOException {
        assertEquals(2, json("[{\"a\": 1}, {\"b\": 2}]").rows());
        assertEquals(2, json("{\"ROWS\": [{\"a\": 1}, {\"b\": 2}]}").rows());
        final FileContents lines = JsonRows.read(BytesContent.of("rows.jsonl", "{\"a\": 1}\n{\"b\": 2}\n"), 100);
        assertNull(lines.unreadable());
        assertEquals(2, lines.rows());
        assertTrue(values(lines, "a").get(1).isMissingNode(), "a row without the key has a missing value");
    }

    @Test
    void hugeAndTinyNumbersAreValuesNotErrors() throws IOException {
        final FileContents contents = json("[{\"a\": 1e999999999, \"b\": 1e-999999999, \"c\": " + "9".repeat(1_000) + "}]");
        assertNull(contents.unreadable());
        assertTrue(Double.isInfinite(values(contents, "a").getFirst().asDouble()));
        assertEquals(0.0, values(contents, "b").getFirst().asDouble());
        assertUnreadable(json("[{\"a\": " + "9".repeat(1_001) + "}]"), "beyond what the validator reads", "Number value length");
    }

    @Test
    void deepNestingIsUnreadableWithoutAStackOverflow() throws IOException {
        assertUnreadable(json("[{\"a\": " + "[".repeat(100_000)), "nesting depth (1001) exceeds the maximum allowed (1000)");
        assertUnreadable(json("{\"rows\": [" + "{\"a\": ".repeat(100_000)), "nesting depth");
    }

    /** Milvus's reader (Go's encoding/json) takes the bytes as UTF-8 and skips no byte order mark. */
    @Test
    void encodingsAreReadAsMilvusReadsThem() throws IOException {
        assertUnreadable(json("\uFEFF[{\"a\": 1}]"), "byte order mark");
        assertUnreadable(JsonRows.read(new BytesContent("rows.json", new byte[] {0, 0, 0, '[', 0, 0, 0, (byte) 0xFF, -1, -1, -1, -1}), 100),
                "not JSON", "CTRL-CHAR, code 0");
        final byte[] invalidUtf8 = {'[', '{', '"', 'a', '"', ':', '"', 'x', (byte) 0xFF, (byte) 0xC3, '"', '}', ']'};
        final FileContents replaced = JsonRows.read(new BytesContent("rows.json", invalidUtf8), 100);
        assertNull(replaced.unreadable(), "a malformed byte inside a string is read as U+FFFD, as Go reads it");
        assertEquals("x\uFFFD\uFFFD", values(replaced, "a").getFirst().asText());
        assertEquals("\u0000", values(json("[{\"a\": \"\\u0000\"}]"), "a").getFirst().asText());
        assertUnreadable(json("[{\"a\": 1}\u0000]"), "CTRL-CHAR");
    }

    @Test
    void aRowOfAMegabyteIsReadAndOneThatNeverEndsIsUnreadable() throws IOException {
        final String megabyte = "x".repeat(1 << 20);
        assertEquals(megabyte, values(json("[{\"a\": \"" + megabyte + "\"}]"), "a").getFirst().asText());
        assertUnreadable(json("[{\"a\": \"" + "x".repeat((int) RowLimits.MAX_BYTES)), "row 1 does not end within the first 16 MiB");
    }

    /**
     * A row whose one value is a list of five million empty objects: 16 MiB, within every bound of the text, yet 400 MB as
     * Jackson's tree, which ran a JVM of 256 MB out of memory. The lists and objects of rows are read within a budget of
     * nodes: the first rows stop at it (the first row beyond it is more than the validator reads), and so does a row of a
     * whole-file read; what is allocated follows the text's bytes and the budget, not the tree the text describes.
     */
    @Test
    void aRowOfMillionsOfEmptyObjectsIsReadWithinTheNodeBudget() throws Exception {
        final BytesContent rows = BytesContent.of("rows.json", "[{\"vector\": [" + "{},".repeat(5_000_000) + "{}]}]");
        final long[] read = new long[1];
        final long allocated = Allocations.by(() -> {
            assertUnreadable(JsonRows.read(rows, 100), "row 1 with more than 500000 values in lists and objects, more than the validator reads");
            final WholeFile whole = JsonRows.each(rows, (index, row) -> read[0]++);
            assertEquals("row 1 with more than 500000 values in lists and objects, more than the validator reads", whole.uncheckable());
            return whole;
        });
        assertEquals(0, read[0]);
        // each read: the text as characters (32 MB), the tree up to its budget (40 MB at most) and what Jackson throws away
        assertTrue(allocated < 2 * (4L * rows.bytes().length + (96L << 20)), "allocated " + (allocated >> 20) + " MB");

        final BytesContent later = BytesContent.of("rows.json", "[{\"vector\": [1]}, {\"vector\": [" + "{},".repeat(1_000_000) + "{}]}]");
        assertEquals(1, JsonRows.read(later, 100).rows(), "the rows before the one beyond the budget are checked");
    }

    @Test
    void rowsStopOnceTheBytesToCheckAreRead() throws IOException {
        final String row = "{\"a\": \"" + "x".repeat(100_000) + "\"},";
        final FileContents contents = json("[" + row.repeat(100) + "{\"a\": \"\"}]");
        assertNull(contents.unreadable());
        assertTrue(contents.rows() > 30 && contents.rows() < 60, contents.rows() + " rows of 100 KB for the first 4 MiB");
    }

    /** Each row with a key of its own made columns × rows values: 20,000 such rows took 95 s. */
    @Test
    void rowsOfDistinctKeysStopAtTheValuesKept() throws Exception {
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            lines.append("{\"k").append(i).append("\": 0}\n");
        }
        final BytesContent content = BytesContent.of("rows.jsonl", lines.toString());
        for (int warm = 0; warm < 5; warm++) {
            JsonRows.read(content, 100_000);
        }
        final FileContents contents = FuzzInvariants.withinBudget(() -> JsonRows.read(content, 100_000));
        assertNull(contents.unreadable());
        assertTrue((long) contents.rows() * contents.columns().size() <= RowLimits.MAX_VALUES, contents.rows() + " rows");
        assertTrue(contents.rows() >= 450, contents.rows() + " rows");

        final StringBuilder wide = new StringBuilder("[{");
        for (int i = 0; i <= RowLimits.MAX_COLUMNS; i++) {
            wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
        }
        assertUnreadable(json(wide.append("}]").toString()), "row 1 with more than 10000 keys");
    }

    @Test
    void whatIsNotARowIsUnreadable() throws IOException {
        assertUnreadable(json(""), "an empty file");
        assertUnreadable(json("[1]"), "row 1 is a number");
        assertUnreadable(json("{\"" + "k".repeat(10_000) + "\": []}"), "first key is \"kkk");
        assertTrue(json("{\"" + "k".repeat(10_000) + "\": []}").unreadable().length() < 200, "a key is quoted short");
        assertUnreadable(json("[{\"a\": 1},"), "not JSON at line 1");
        assertUnreadable(json("[{\"a\": tru}]"), "not JSON");
        assertUnreadable(json("\"text\""), "starts with a string");
    }

    @Test
    void aFailingContentStreamIsAnIOExceptionNotAnUnreadableFile() {
        final Content failing = new Content() {
            @Override
            public String fileName() {
                return "rows.json";
            }

            @Override
            public long size() {
                return 1_000;
            }

            @Override
            public InputStream openAt(final long offset) {
                final byte[] first = ("[" + "{\"a\": 1},".repeat(10)).getBytes(StandardCharsets.UTF_8);
                return new InputStream() {
                    private int read;

                    @Override
                    public int read() throws IOException {
                        if (read < first.length) {
                            return first[read++];
                        }
                        throw new IOException("the content repository is gone");
                    }
                };
            }
        };
        final IOException e = assertThrows(IOException.class, () -> JsonRows.read(failing, 100));
        assertEquals("the content repository is gone", e.getMessage());
    }
}
