package io.github.bulkimport.nifi.processors.validate.parquet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.processors.validate.RepresentativeSchema;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validation Depth Whole File over any bytes, as ValidateBulkImportFile reads a flowfile's content: the footer
 * (ParquetFile), then every row group and page (ParquetRows), against a collection of every field type, dynamic
 * field on and off. It returns (no Throwable escapes, no IOException from bytes in memory) within 100 ms, and
 * every problem and reason is one short line. The committed inputs are files Apache Parquet wrote (many row
 * groups and pages, each layout, a bad value of each kind) and one file of each lie that would make the work
 * follow what a file declares rather than its bytes (written by {@link ParquetRowsHostileTest}).
 */
class ParquetRowsFuzzTest {

    private static final int LONGEST = 2_000;
    private static boolean warm;

    private static void warmUp() throws Exception {
        if (warm) {
            return;
        }
        warm = true;
        for (int round = 0; round < 20; round++) {
            check(HostileParquet.vectorFile(200, 4));
            check(HostileParquet.titleFile("a", "bb", "ccc", "a title too long"));
        }
    }

    private static List<String> check(final byte[] bytes) throws Exception {
        final BytesContent content = new BytesContent(bytes);
        final FileContents contents = ParquetFile.read(content, Set.of(), Set.of(), 100);
        return RepresentativeSchema.wholeFileProblems(content, contents, ',');
    }

    @FuzzTest(maxDuration = "5m")
    void parquetRows(final byte[] input) throws Exception {
        warmUp();
        final byte[] bytes = input.length <= FuzzInvariants.MAX_INPUT_BYTES ? input : Arrays.copyOf(input, FuzzInvariants.MAX_INPUT_BYTES);
        for (final String problem : FuzzInvariants.withinBudget(() -> check(bytes))) {
            assertFalse(problem.isBlank(), "a problem says what is wrong");
            assertTrue(problem.length() <= LONGEST && problem.lines().count() <= 1, problem);
        }
    }
}
