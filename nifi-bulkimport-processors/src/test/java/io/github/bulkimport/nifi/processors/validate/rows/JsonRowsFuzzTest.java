package io.github.bulkimport.nifi.processors.validate.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

/** Any bytes as a JSON file and as a JSON Lines file, with the most rows Rows to Check allows: rows read and checked, or a reason. */
class JsonRowsFuzzTest {

    /** The largest Rows to Check, where the most values are kept. */
    private static final int ROWS = 100_000;

    @FuzzTest(maxDuration = "5m")
    void jsonRows(final byte[] input) throws Exception {
        check("rows.json", input);
    }

    @FuzzTest(maxDuration = "5m")
    void jsonLines(final byte[] input) throws Exception {
        check("rows.jsonl", input);
    }

    private static void check(final String fileName, final byte[] input) throws Exception {
        final BytesContent file = new BytesContent(fileName, FuzzedFiles.bounded(input));
        FuzzedFiles.check(FileFormat.JSON, () -> JsonRows.read(file, ROWS));
    }
}
