package io.github.bulkimport.nifi.processors.validate.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

import java.util.Arrays;
import java.util.List;

/**
 * Any bytes as a CSV file, under any separator and null key: rows read and checked, or a reason. The input's last
 * byte is the separator (0xFF stands for U+FFFD, 0xFE for a lone surrogate), the one before it the null key (0 to 3:
 * "", "NULL", "\N", "null"; else that character); the bytes before them are the file, so that a seed is a CSV file
 * with two bytes after it.
 */
class CsvRowsFuzzTest {

    private static final int ROWS = 100_000;
    private static final List<String> NULL_KEYS = List.of("", "NULL", "\\N", "null");

    private static boolean warm;

    private static void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        final StringBuilder header = new StringBuilder("vector,title,count,meta");
        final StringBuilder cells = new StringBuilder("\"[1, 2, 3, 4]\",abc,7,\"{}\"");
        for (int i = 0; i < 1_000; i++) {
            header.append(",c").append(i);
            cells.append(",\"[1, 2]\"");
        }
        final BytesContent file = BytesContent.of("rows.csv", header + "\n" + (cells + "\n").repeat(5));
        FuzzedFiles.warmUp(() -> CsvRows.read(file, ROWS, ',', ""));
    }

    @FuzzTest(maxDuration = "5m")
    void csvRows(final byte[] input) throws Exception {
        warmUp();
        final byte[] bounded = FuzzedFiles.bounded(input);
        final int fileLength = Math.max(0, bounded.length - 2);
        final char separator = bounded.length < 1 ? ',' : separator(bounded[bounded.length - 1] & 0xFF);
        final String nullKey = bounded.length < 2 ? "" : nullKey(bounded[bounded.length - 2] & 0xFF);
        final BytesContent file = new BytesContent("rows.csv", Arrays.copyOf(bounded, fileLength));
        FuzzedFiles.check(FileFormat.CSV, () -> CsvRows.read(file, ROWS, separator, nullKey));
    }

    private static char separator(final int b) {
        return switch (b) {
            case 0xFF -> '\uFFFD';
            case 0xFE -> '\uD800';
            default -> (char) b;
        };
    }

    private static String nullKey(final int b) {
        return b < NULL_KEYS.size() ? NULL_KEYS.get(b) : String.valueOf((char) b);
    }
}
