package io.github.bulkimport.nifi.processors.validate.rows;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * Takes each row of a whole-file read of JSON or CSV, in order: its index (from 0) and its values by key (JSON
 * values, or CSV cells as text, the null key as null). The map is the row's alone, and read no more once the call
 * returns.
 */
@FunctionalInterface
public interface RowVisitor {
    void row(long index, Map<String, JsonNode> row);
}
