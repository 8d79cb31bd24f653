package io.github.bulkimport.emulator.files;

import java.util.List;
import java.util.Map;

/**
 * A data file as the emulator reads it in full: its rows, each a map of field to value (Boolean,
 * Long, Double, String, List, Map or {@code null}), and, for a typed file (Parquet), each column's
 * type as Arrow names it ({@code int64}, {@code utf8}, {@code list<float32>}).
 *
 * @param arrowTypes column to Arrow type, in the file's order; empty for JSON and CSV
 * @param unreadable why the file cannot be read, or {@code null}
 */
record Table(Map<String, String> arrowTypes, List<Map<String, Object>> rows, String unreadable) {

    static Table unreadable(final String why) {
        return new Table(Map.of(), List.of(), why);
    }

    boolean typed() {
        return !arrowTypes.isEmpty();
    }
}
