package io.github.bulkimport.nifi.processors.validate.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

/** Any bytes as a JSON file and as a JSON Lines file, with the most rows Rows to Check allows: rows read and checked, or a reason. */
class JsonRowsFuzzTest {

    /** The largest Rows to Check, where the most values are kept. */
    private static final int ROWS = 100_000;

    private static boolean warm;

    private static void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        final StringBuilder wide = new StringBuilder("[{");
        final StringBuilder distinct = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": [").append(i).append(", \"x\", 1.5, null, true]");
            distinct.append("{\"k").append(i).append("\": ").append(i).append("}\n");
        }
        final BytesContent wideRow = BytesContent.of("rows.json", wide.append("}]").toString());
        final BytesContent distinctKeys = BytesContent.of("rows.jsonl", distinct.toString());
        final BytesContent rows = BytesContent.of("rows.json", ("[{\"vector\": [1, 2, 3, 4], \"title\": \"abc\", \"tags\": [1], \"count\": 7, "
                + "\"meta\": {\"a\": 1}, \"bits\": [1, 2], \"$meta\": \"{}\"},").repeat(100) + "{}]");
        FuzzedFiles.warmUp(() -> JsonRows.read(wideRow, ROWS), () -> JsonRows.read(distinctKeys, ROWS), () -> JsonRows.read(rows, ROWS));
    }

    @FuzzTest(maxDuration = "5m")
    void jsonRows(final byte[] input) throws Exception {
        check("rows.json", input);
    }

    @FuzzTest(maxDuration = "5m")
    void jsonLines(final byte[] input) throws Exception {
        check("rows.jsonl", input);
    }

    private static void check(final String fileName, final byte[] input) throws Exception {
        warmUp();
        final BytesContent file = new BytesContent(fileName, FuzzedFiles.bounded(input));
        FuzzedFiles.check(FileFormat.JSON, () -> JsonRows.read(file, ROWS));
    }
}
