package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.RepresentativeSchema;
import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.testing.FuzzInvariants;
import org.jetbrains.bio.npy.NpyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NumPy headers, as NumPy writes them and as a hostile file may: every header gives a result, broken ones a message. */
class NumpyHeaderTest {

    /** A .npy file made by hand: magic, version, header, then {@code dataBytes} zero bytes. */
    static byte[] npy(final int major, final String header, final int dataBytes) {
        final byte[] text = header.getBytes(major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        out.write(text.length & 0xFF);
        out.write(text.length >> 8 & 0xFF);
        if (major != 1) {
            out.write(text.length >> 16 & 0xFF);
            out.write(text.length >> 24 & 0xFF);
        }
        out.writeBytes(text);
        out.writeBytes(new byte[dataBytes]);
        return out.toByteArray();
    }

    private static FileContents read(final byte[] bytes) throws IOException {
        return NumpyHeader.read(new BytesContent("vector.npy", bytes), "vector");
    }

    private static void assertUnreadable(final FileContents contents, final String... words) {
        assertTrue(contents.unreadable() != null && !contents.unreadable().isBlank(), "unreadable: " + contents);
        for (final String word : words) {
            assertTrue(contents.unreadable().contains(word), contents.unreadable());
        }
    }

    @Test
    void filesWrittenByANumpyWriterAreRead(@TempDir final Path folder) throws IOException {
        final Path vectors = folder.resolve("vector.npy");
        NpyFile.write(vectors, new float[12], new int[] {3, 4});
        final FileContents read = NumpyHeader.read(BytesContent.of(vectors), "vector");
        assertNull(read.unreadable());
        assertEquals(3, read.rows());
        assertEquals(FileColumn.typed("vector", ColumnKind.LIST, ColumnKind.FLOAT, List.of(4), null), read.columns().getFirst());

        final Path titles = folder.resolve("title.npy");
        NpyFile.write(titles, new String[] {"a", "bb", "ccc"}, new int[] {3});
        final FileContents text = NumpyHeader.read(BytesContent.of(titles), "title");
        assertNull(text.unreadable());
        assertEquals(ColumnKind.STRING, text.columns().getFirst().kind());
        assertEquals(3, text.columns().getFirst().longestText());

        final Path counts = folder.resolve("count.npy");
        NpyFile.write(counts, new long[] {1, 2}, new int[] {2});
        assertEquals(ColumnKind.INT64, NumpyHeader.read(BytesContent.of(counts), "count").columns().getFirst().kind());
    }

    @Test
    void headersInOtherSpellingsNumpyAcceptsAreRead() throws IOException {
        final FileContents read = read(npy(2, "{\"shape\": (2,4,),\n 'fortran_order':False, 'descr':'<f8'}   \n", 64));
        assertNull(read.unreadable(), read.unreadable());
        assertEquals(FileColumn.typed("vector", ColumnKind.LIST, ColumnKind.DOUBLE, List.of(4), null), read.columns().getFirst());
        final FileContents structured = read(npy(1, "{'descr': [('x', '<i4'), ('y', '<f8', (2,))], 'fortran_order': False, 'shape': (3,), }\n", 60));
        assertNull(structured.unreadable(), structured.unreadable());
        assertEquals(ColumnKind.OTHER, structured.columns().getFirst().kind());
    }

    @Test
    void aShapeBeyondALongIsUnreadable() throws IOException {
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 4), }\n", 0)),
                "(99999999999999999999, 4)", "beyond 9223372036854775807");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 4), }\n", 0)), "negative");
    }

    @Test
    void aTextWidthBeyondAnIntIsUnreadable() throws IOException {
        assertUnreadable(read(npy(1, "{'descr': '<U99999999999', 'fortran_order': False, 'shape': (3,), }\n", 0)),
                "'<U99999999999'", "wider than 2147483647");
        assertUnreadable(read(npy(1, "{'descr': '|S99999999999999999999999', 'fortran_order': False, 'shape': (0,), }\n", 0)), "wider than");
    }

    /** NumPy reads Python 2's {@code 3L}; Milvus's reader (Go's strconv.Atoi on each dimension) refuses it, and the validator says so. */
    @Test
    void aShapeWrittenByPythonTwoIsUnreadableWithHowToFixIt() throws IOException {
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }\n", 48)),
                "Python 2", "(3L, 4L)", "save it again with Python 3");
    }

    /** The old 'shape' regex took quadratic time (0.5 to 2.5 s) on a header of many "'shape': (" without a ')'. */
    @Test
    void aLongHeaderIsParsedInLinearTime() throws Exception {
        final String repeated = "{" + "'shape': (".repeat(6_300);
        final String longValid = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(20_000) + "), }";
        for (final String header : List.of(repeated, longValid)) {
            final byte[] bytes = npy(2, header, 0);
            for (int warm = 0; warm < 20; warm++) {
                read(bytes);
            }
            final FileContents contents = FuzzInvariants.withinBudget(() -> read(bytes));
            assertUnreadable(contents);
        }
        assertUnreadable(read(npy(2, longValid, 0)), "where Milvus reads one row per entry of the first dimension");
    }

    @Test
    void aFileShorterThanItsHeaderDeclaresIsUnreadable() throws IOException {
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 4), }\n", 48)),
                "16000 bytes of data", "holds 48");
        assertUnreadable(read(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }\n", 0)),
                "more data than a file can hold");
        final byte[] truncated = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }\n", 16);
        assertUnreadable(read(java.util.Arrays.copyOf(truncated, 20)), "ends inside its NumPy header");
        assertUnreadable(read(java.util.Arrays.copyOf(truncated, 9)), "ends before the length");
    }

    @Test
    void brokenHeadersAreUnreadableWithWhatIsBroken() throws IOException {
        assertUnreadable(read("not numpy".getBytes(StandardCharsets.US_ASCII)), "no NumPy magic");
        assertUnreadable(read(npy(9, "{}", 0)), "version 9.0");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'shape': (3,), }", 12)), "without 'fortran_order'");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,), }", 12)), "neither True nor False");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", 12)), "Fortran order");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3.0,), }", 12)), "not a Python literal",
                "not a whole number");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3], }", 12)), "not a tuple");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", 12)), "not a tuple");
        assertUnreadable(read(npy(1, "['descr', '<f4']", 0)), "not a dictionary");
        assertUnreadable(read(npy(1, "{'descr': '<f4'", 0)), "not a Python literal");
        assertUnreadable(read(npy(1, "(".repeat(1_000) + ")".repeat(1_000), 0)), "nested more than");
        assertUnreadable(read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), } x", 12)), "text after");
    }

    /** A fuzz finding: a width of 0 divided the read buffer by zero. */
    @Test
    void textZeroCharactersWideIsTheEmptyTextInEveryRow() throws IOException {
        final byte[] bytes = npy(1, "{'descr': '<U0', 'fortran_order': False, 'shape': (4,), }", 0);
        final BytesContent title = new BytesContent("title.npy", bytes);
        assertEquals(List.of(), RepresentativeSchema.wholeFileProblems(title, NumpyHeader.read(title, "title"), ','), "an empty VarChar fits");
        final BytesContent meta = new BytesContent("meta.npy", bytes);
        final List<String> problems = RepresentativeSchema.wholeFileProblems(meta, NumpyHeader.read(meta, "meta"), ',');
        assertTrue(problems.getFirst().startsWith("meta: expected JSON") && problems.getFirst().endsWith("in row 1 (and 3 more rows)"),
                problems.toString());
    }
}
