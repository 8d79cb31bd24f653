package io.github.bulkimport.emulator.files;

import java.util.Map;

/**
 * What an import job found in one of its files read from the bucket: why it fails, or how many rows
 * it imports and how many of them give each field a value.
 *
 * @param failure why the file fails its job, as Milvus words it; {@code null} when it imports
 * @param rows    the rows it imports (0 when it fails)
 * @param values  field name to the rows whose value for it came from the file (not null, not filled with a default);
 *                {@code $meta} counts the rows that hold at least one dynamic field
 */
public record FileReport(String failure, long rows, Map<String, Long> values) {

    public FileReport {
        values = Map.copyOf(values);
    }

    static FileReport failed(final String failure) {
        return new FileReport(failure, 0, Map.of());
    }

    public boolean imports() {
        return failure == null;
    }
}
