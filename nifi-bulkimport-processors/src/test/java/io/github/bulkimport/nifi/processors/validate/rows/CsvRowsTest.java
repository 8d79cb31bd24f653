package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CSV as Milvus reads it (Go's encoding/csv), and hostile CSV: a result for any bytes and any separator. */
class CsvRowsTest {

    private static FileContents csv(final String text, final char separator) throws IOException {
        return CsvRows.read(BytesContent.of("rows.csv", text), 100, separator, "");
    }

    private static FileContents csv(final String text) throws IOException {
        return csv(text, ',');
    }

    private static void assertUnreadable(final FileContents contents, final String... words) {
        assertTrue(contents.unreadable() != null && !contents.unreadable().isBlank(), "unreadable: " + contents.rows() + " rows");
        for (final String word : words) {
            assertTrue(contents.unreadable().contains(word), contents.unreadable());
        }
    }

    @Test
    void cellsAreTextAndTheNullKeyIsKeptForTheRules() throws IOException {
        final FileContents contents = CsvRows.read(BytesContent.of("rows.csv", "id;vector\n1;\"[1, 2]\"\r\n\n2;NULL\n"), 100, ';', "NULL");
        assertNull(contents.unreadable());
        assertEquals(2, contents.rows(), "an empty line is skipped, as Go's reader skips it");
        assertEquals("[1, 2]", contents.column("vector").orElseThrow().values().getFirst().asText());
        // Milvus's CSV reader takes the null key as null only for a nullable field: the rules decide, by the field
        assertEquals("NULL", contents.column("vector").orElseThrow().values().get(1).asText());
        assertEquals("NULL", contents.column("vector").orElseThrow().nullKey());
    }

    @Test
    void separatorsMilvusRefusesGiveAMessage() throws IOException {
        for (final char separator : new char[] {'"', '\n', '\r', 0, '\uFFFD', '\uD800'}) {
            assertUnreadable(csv("a,b\n1,2\n", separator), "separator (import option sep)", "Milvus's CSV reader refuses");
        }
    }

    @Test
    void encodingsAreReadAsMilvusReadsThem() throws IOException {
        assertUnreadable(csv("\uFEFFid,vector\n1,[1]\n"), "byte order mark", "first column's name");
        final FileContents replaced = CsvRows.read(new BytesContent("rows.csv", new byte[] {'a', '\n', 'x', (byte) 0xFF, '\n'}), 100, ',', "");
        assertNull(replaced.unreadable(), "Go's reader does not check UTF-8: a malformed byte is read as U+FFFD");
        assertEquals("x\uFFFD", replaced.column("a").orElseThrow().values().getFirst().asText());
    }

    @Test
    void aQuotedCellThatNeverEndsIsUnreadable() throws IOException {
        assertUnreadable(csv("a,b\n\"" + "x".repeat(1_000)), "not CSV at line 2", "Missing closing quote");
        assertUnreadable(csv("a,b\n\"" + "x\n".repeat((int) RowLimits.MAX_BYTES / 2)), "row 1 does not end within the first 16 MiB");
    }

    @Test
    void aHeaderOfTenThousandColumnsIsReadAndOneMoreIsUnreadable() throws IOException {
        final String header = String.join(",", Collections.nCopies(RowLimits.MAX_COLUMNS, "c")).replace("c", "x");
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < RowLimits.MAX_COLUMNS; i++) {
            names.append(i == 0 ? "" : ",").append('c').append(i);
        }
        final FileContents wide = csv(names + "\n" + header + "\n" + header + "\n");
        assertNull(wide.unreadable());
        assertEquals(RowLimits.MAX_COLUMNS, wide.columns().size());
        assertEquals(2, wide.rows());
        assertUnreadable(csv(names + ",one_more\n"), "more than 10000 columns");
        assertUnreadable(csv("a,b\n1,2,3,4,5\n"), "row 1 with more than 2 cells under a header of 2");
    }

    @Test
    void headersThatCannotBeReadGiveAShortMessage() throws IOException {
        assertUnreadable(csv(""), "an empty file");
        final String name = "n".repeat(100_000);
        final FileContents twice = csv(name + "," + name + "\n1,2\n");
        assertUnreadable(twice, "names column \"nnn", "twice");
        assertTrue(twice.unreadable().length() < 200, twice.unreadable().length() + " characters");
        assertUnreadable(csv("a,b\n"), "a header and no rows: [a, b]");
    }
}
