package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;

import java.util.List;

/**
 * A top-level field of a Parquet schema, as Milvus's Arrow reader sees it, and where its values are:
 * the path of its leaf column and the levels that tell its rows apart.
 *
 * @param leafPath         the path of the leaf column whose pages hold its values ({@code path_in_schema}), or
 *                         {@code null} when it has none to read (a struct)
 * @param maxRepetition    the leaf's highest repetition level: 1 for a list
 * @param maxDefinition    the leaf's highest definition level
 * @param elementThreshold the definition level from which a level stands for an element of the row's list (or a value)
 * @param binaryValues     whether the leaf holds byte arrays, whose lengths can be read
 */
record ParquetColumn(String name, ColumnKind kind, ColumnKind elementKind, List<String> leafPath, int maxRepetition, int maxDefinition,
                     int elementThreshold, boolean binaryValues) {
}
