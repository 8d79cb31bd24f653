package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
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
        assertNull(replaced.unreadable(), "Go's reader does not check UTF-8: it keeps a malformed byte, which is read as the marker");
        assertEquals("x" + CellRow.NOT_UTF8, replaced.column("a").orElseThrow().values().getFirst().asText());
    }

    @Test
    void aQuotedCellThatNeverEndsIsUnreadable() throws IOException {
        assertUnreadable(csv("a,b\n\"" + "x".repeat(1_000)), "not CSV at line 2", "quoted cell that is never closed");
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

    /** Lines, quotes and carriage returns as Go's encoding/csv takes them: the validator sees the rows Milvus sees. */
    @Test
    void linesAndQuotesAreSplitAsGoSplitsThem() throws IOException {
        final FileContents crlfInside = csv("a,b\r\n\"x\r\ny\",\"p\"\"q\"\r\n\r\n1,2\r");
        assertNull(crlfInside.unreadable());
        assertEquals(2, crlfInside.rows(), "an empty CRLF line is skipped; a CR at the very end is dropped");
        assertEquals("x\ny", crlfInside.column("a").orElseThrow().values().getFirst().asText(), "CRLF inside a quoted cell is read as LF");
        assertEquals("p\"q", crlfInside.column("b").orElseThrow().values().getFirst().asText());
        assertEquals("2", crlfInside.column("b").orElseThrow().values().get(1).asText());

        final FileContents loneCr = csv("a,b\nx\ry,2\n");
        assertEquals("x\ry", loneCr.column("a").orElseThrow().values().getFirst().asText(), "a CR not before LF is text");

        assertUnreadable(csv("a,b\n1,2\n   \n3,4\n"), "row 2 with 1 cells under a header of 2");
        assertEquals(2, csv("a\n1\n \n").rows(), "a line of spaces is a row of one cell");
    }

    @Test
    void quotesGoRefusesAreRefused() throws IOException {
        assertUnreadable(csv("a,b\n1,x\"y\n"), "at line 2, column 4", "a quote (\") inside a cell that does not start with one");
        assertUnreadable(csv("a,b\nx\"y,1\n"), "at line 2, column 2", "inside a cell that does not start with one");
        assertUnreadable(csv("a,b\n1, \"y\"\n"), "inside a cell that does not start with one");
        assertUnreadable(csv("a,b\n1,\"y\"z\n"), "at line 2, column 5", "text after a quoted cell's closing quote");
        assertUnreadable(csv("a,b\n1,\"{\\\"k\\\": 1}\"\n"), "text after a quoted cell's closing quote");
        assertUnreadable(csv("a,\"b\n1,2\n"), "never closed");
    }

    @Test
    void linesEndingWithCarriageReturnsAloneAreNamed() throws IOException {
        assertUnreadable(csv("a,b\r1,2\r3,4\r"), "carriage return (CR) alone", "LF or CRLF");
        final WholeFile whole = CsvRows.each(BytesContent.of("rows.csv", "a,b\r1,2\r"), ',', "", (index, row) -> { });
        assertEquals(0, whole.rows());
        assertTrue(whole.unreadable().contains("carriage return (CR) alone"), whole.unreadable());
    }

    @Test
    void emptyLinesBetweenRowsCountAgainstNoRowsBound() throws IOException {
        final String text = "a,b\n1,2\n" + "\n".repeat((int) RowLimits.MAX_BYTES + 100_000) + "3,4\n";
        final WholeFile whole = CsvRows.each(BytesContent.of("rows.csv", text), ',', "", (index, row) -> { });
        assertNull(whole.unreadable(), whole.unreadable());
        assertEquals(2, whole.rows());
    }
}
