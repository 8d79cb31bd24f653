package io.github.bulkimport.nifi.processors.validate.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.processors.validate.RepresentativeSchema;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validation Depth Whole File over any bytes as JSON, JSON Lines, CSV and NumPy: the first rows (or the header) read as
 * First Pages reads them, then every row (JsonRows.each, CsvRows.each) or every value (NumpyValues), each checked against
 * a collection of every field type, dynamic field on and off: a result within 100 ms, problems of one short line.
 */
class WholeRowsFuzzTest {

    private static final int LONGEST = 2_000;
    private static boolean warm;

    private static void warmUp() throws Exception {
        if (warm) {
            return;
        }
        warm = true;
        final String row = "{\"vector\": [1, 2, 3, 4], \"title\": \"abc\", \"tags\": [1], \"count\": 7, \"meta\": {\"a\": 1}, \"bits\": [1, 2], "
                + "\"sparse\": {\"indices\": [1, 2], \"values\": [0.5, 1]}, \"$meta\": \"{}\"}";
        // sound rows, and rows of which every value is bad (where a whole-file check does the most per byte), of either collection
        for (int round = 0; round < 20; round++) {
            for (final String even : List.of("", " ")) {
                json(BytesContent.of("rows.json", ("[" + row + ",").repeat(300) + row + "]" + even));
                json(BytesContent.of("rows.jsonl", (row + "\n").repeat(300) + even));
                json(BytesContent.of("rows.jsonl", (row.substring(0, row.length() - 1) + ", \"ratio\": 0.5, \"flag\": true, \"mid\": 3}\n").repeat(300)
                        + row.replace("\"count\": 7", "\"count\": null") + "\n" + even));
                csv(BytesContent.of("rows.csv", "vector,title,count,sparse\n" + "\"[1, 2, 3, 4]\",abc,3,\"{\"\"1\"\": 0.5}\"\n".repeat(300) + even));
                csv(BytesContent.of("rows.csv", "vector,title,count,ratio,flag,meta,sparse\n"
                        + "\"[1, 2, 3, 4]\",abc,3,0.5,true,\"{\"\"a\"\": 1}\",\"{\"\"1\"\": 0.5}\"\n".repeat(300) + "\"[1, 2, 3, 4]\",abc,3,NaN,true,\"{a\",\"\"\n" + even));
                json(BytesContent.of("rows.json", "[" + "{\"vector\": [1e39], \"k\": null},".repeat(3_000) + "{}]" + even));
                json(BytesContent.of("rows.jsonl", "{\"count\": null}\n".repeat(3_000) + even));
                csv(BytesContent.of("rows.csv", "count,ratio,title,vector\n" + "x,y,much too long a title,[1]\n".repeat(3_000) + even));
            }
        }
    }

    private static List<String> json(final BytesContent file) throws Exception {
        final FileContents contents = JsonRows.read(file, 100);
        return RepresentativeSchema.wholeFileProblems(file, contents, ',');
    }

    private static List<String> csv(final BytesContent file) throws Exception {
        final FileContents contents = CsvRows.read(file, 100, ',', "");
        return RepresentativeSchema.wholeFileProblems(file, contents, ',');
    }

    private static List<String> numpy(final BytesContent file, final String field) throws Exception {
        final FileContents contents = NumpyHeader.read(file, field);
        return RepresentativeSchema.wholeFileProblems(file, contents, ',');
    }

    private static void check(final FuzzInvariants.Target<List<String>> work) throws Exception {
        warmUp();
        for (final String problem : FuzzInvariants.withinBudget(work)) {
            assertFalse(problem == null || problem.isBlank(), "a problem says what is wrong");
            assertTrue(problem.length() <= LONGEST && problem.lines().count() <= 1, problem);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void jsonRows(final byte[] input) throws Exception {
        check(() -> json(new BytesContent("rows.json", FuzzedFiles.bounded(input))));
    }

    @FuzzTest(maxDuration = "5m")
    void jsonLines(final byte[] input) throws Exception {
        check(() -> json(new BytesContent("rows.jsonl", FuzzedFiles.bounded(input))));
    }

    @FuzzTest(maxDuration = "5m")
    void csvRows(final byte[] input) throws Exception {
        check(() -> csv(new BytesContent("rows.csv", FuzzedFiles.bounded(input))));
    }

    /** NumPy data after any header, as the file of each field a value check reads (a float vector, floats, text, JSON). */
    @FuzzTest(maxDuration = "5m")
    void numpyValues(final byte[] input) throws Exception {
        final byte[] bytes = FuzzedFiles.bounded(input);
        check(() -> {
            final List<String> problems = new ArrayList<>();
            for (final String field : List.of("vector", "score", "ratio", "title", "meta")) {
                problems.addAll(numpy(new BytesContent(field + ".npy", bytes), field));
            }
            return problems;
        });
    }
}
