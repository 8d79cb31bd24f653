package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.RepresentativeSchema;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the readers' fuzz targets assert of every input: a result, within budget, with messages a user can read. */
final class FuzzedFiles {

    /** A problem is one line of a message: what is broken, where, briefly. */
    private static final int LONGEST_PROBLEM = 2_000;

    /** What was read of a file, and the problems the rules found in it. */
    record Checked(FileContents contents, List<String> problems) {
    }

    /** Reads a file that the rules then check, both within {@link FuzzInvariants#PER_INPUT}. */
    @FunctionalInterface
    interface Reader {
        FileContents read() throws Exception;
    }

    private FuzzedFiles() {
    }

    /**
     * Runs a target's readers and the rules a few times before its first input is timed, so that the budget
     * measures what an input costs rather than the JIT compiling the readers (seeds of thousands of keys come
     * first, in a cold JVM). Called from the fuzz method, once, not from a static initializer: classes loaded
     * before Jazzer's agent is in place would not be instrumented for coverage.
     */
    static void warmUp(final Reader... readers) {
        try {
            for (int round = 0; round < 20; round++) {
                for (final Reader reader : readers) {
                    RepresentativeSchema.problems(reader.read());
                }
            }
        } catch (final Exception e) {
            throw new IllegalStateException("warming up the readers failed", e);
        }
    }

    static byte[] bounded(final byte[] input) {
        return input.length > FuzzInvariants.MAX_INPUT_BYTES ? Arrays.copyOf(input, FuzzInvariants.MAX_INPUT_BYTES) : input;
    }

    /** Reads, checks against the representative collections, and asserts what holds for any input. */
    static Checked check(final FileFormat format, final Reader reader) throws Exception {
        final Checked checked = FuzzInvariants.withinBudget(() -> {
            final FileContents contents = reader.read();
            return new Checked(contents, RepresentativeSchema.problems(contents));
        });
        assertValid(format, checked);
        return checked;
    }

    static void assertValid(final FileFormat format, final Checked checked) {
        final FileContents contents = checked.contents();
        assertEquals(format, contents.format());
        assertTrue(contents.rows() >= 0 && contents.bytesRead() >= 0, "rows and bytes read are counts");
        if (contents.unreadable() != null) {
            assertFalse(contents.unreadable().isBlank(), "an unreadable file says why");
        }
        for (final String problem : checked.problems()) {
            assertFalse(problem == null || problem.isBlank(), "a problem says what is wrong");
            assertTrue(problem.length() <= LONGEST_PROBLEM, "a problem of " + problem.length() + " characters");
        }
    }
}
