package io.github.bulkimport.emulator.files;

import java.util.Map;

/**
 * Takes each row of a data file as the emulator reads it whole, one at a time: field to value (Boolean, Long,
 * Double, String, List, Map, {@code null}, or a {@link ParquetTable.BadText}); returns why the row would fail
 * the import, which stops the read, or {@code null}.
 */
@FunctionalInterface
interface RowCheck {
    String row(long index, Map<String, Object> row);
}
