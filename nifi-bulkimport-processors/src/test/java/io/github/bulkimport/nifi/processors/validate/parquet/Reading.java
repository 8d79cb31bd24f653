package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the tests read a file: as the processor does, asking for the lengths and text of the columns the files here hold. */
final class Reading {

    static final Set<String> LENGTHS_OF = Set.of("vector", "tags", "names");
    static final Set<String> TEXT_OF = Set.of("title", "names");
    static final int ROWS = 100;

    private Reading() {
    }

    /** Reads the bytes within the fuzz targets' budget (100 ms, a second try allowed for the JIT). */
    static FileContents read(final byte[] bytes) throws Exception {
        return FuzzInvariants.withinBudget(() -> ParquetFile.read(new BytesContent(bytes), LENGTHS_OF, TEXT_OF, ROWS));
    }

    /** Reads a file that must be unreadable, and returns why. */
    static String unreadable(final byte[] bytes) throws Exception {
        final FileContents contents = read(bytes);
        assertNotNull(contents.unreadable(), "read as sound: " + contents);
        assertFalse(contents.unreadable().isBlank());
        assertFalse(contents.unreadable().contains("null"), contents.unreadable());
        assertFalse(contents.unreadable().contains("Struct:"), contents.unreadable());
        assertTrue(contents.unreadable().length() < 300 && contents.unreadable().lines().count() == 1, contents.unreadable());
        return contents.unreadable();
    }

    /** Reads a file that must be read, whatever it claims. */
    static FileContents readable(final byte[] bytes) throws Exception {
        final FileContents contents = read(bytes);
        assertNull(contents.unreadable(), contents.unreadable());
        return contents;
    }
}
