package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NumPy headers of 64 KB, the most read, of nested tuples, of a 21,000-entry shape, of 64,000 digits, of 64,000 backslashes: each
 * is read in one pass (a red team tried them; they held). A guard against work that grows faster than the header, not a measure
 * of speed: each read takes a few milliseconds, at most some 120 on a shared machine; a second tells a quadratic read apart.
 */
class NumpyHeaderCostTest {

    private static byte[] npy(final String header) {
        final byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(text.length & 0xFF);
        out.write(text.length >> 8 & 0xFF);
        out.writeBytes(text);
        return out.toByteArray();
    }

    private static long millis(final String header) throws Exception {
        final BytesContent file = new BytesContent("vector.npy", npy(header));
        NumpyHeader.read(file, "vector");
        final long start = System.nanoTime();
        FileContents contents = null;
        for (int i = 0; i < 10; i++) {
            contents = NumpyHeader.read(file, "vector");
        }
        final long took = (System.nanoTime() - start) / 10_000_000;
                return took;
    }

    @Test
    void sixtyFourKilobyteHeadersAreReadInOnePass() throws Exception {
        final String nested = "(".repeat(31) + "1" + ")".repeat(31);
        final StringBuilder tuples = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        while (tuples.length() < 65_000) {
            tuples.append(nested).append(',');
        }
        assertTrue(millis(tuples.append(")}").toString()) < 1_000);
        assertTrue(millis("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(21_000) + ")}") < 1_000);
        assertTrue(millis("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "9".repeat(64_000) + ", 4)}") < 1_000);
        assertTrue(millis("{'descr': '" + "\\".repeat(64_000) + "', 'fortran_order': False, 'shape': (1, 4)}") < 1_000);
    }
}
