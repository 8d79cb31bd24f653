package io.github.bulkimport.systemtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collections that hold every field type a NiFi record can express, as the emulator describes them,
 * with records for each: their Avro schema (the schema a record reader is given) and rows as JSON text,
 * whose keys GenerateFlowFile draws with Expression Language. Each source flowfile holds
 * {@link #ROWS} rows: half of them give the nullable field, the field with a default and the dynamic
 * field a value, the other half leave them null.
 */
public final class RecordTypes {

    /** Rows per source flowfile. */
    public static final int ROWS = 10;

    /** Int64 primary key, two vectors, every scalar, arrays, JSON, a nullable field, a default, the dynamic field. */
    public static final String SCALARS = "records_scalars";
    /** VarChar primary key and the other four dense vectors. */
    public static final String VECTORS = "records_vectors";
    /** An auto-ID primary key (the emulator's default schema: a FloatVector(8) and the dynamic field). */
    public static final String AUTO_ID = "records_auto_id";

    public static final String SCALARS_SCHEMA = """
            {"enableDynamicField": true, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": false},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "sparse", "type": "SparseFloatVector"},
              {"name": "flag", "type": "Bool"},
              {"name": "tiny", "type": "Int8"},
              {"name": "small", "type": "Int16"},
              {"name": "count", "type": "Int32"},
              {"name": "big", "type": "Int64"},
              {"name": "ratio", "type": "Float"},
              {"name": "score", "type": "Double"},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "8"}]},
              {"name": "tags", "type": "Array", "elementType": "VarChar", "params": [{"key": "max_capacity", "value": "3"}, {"key": "max_length", "value": "8"}]},
              {"name": "counts", "type": "Array", "elementType": "Int32", "params": [{"key": "max_capacity", "value": "3"}]},
              {"name": "doc", "type": "JSON"},
              {"name": "note", "type": "VarChar", "nullable": true, "params": [{"key": "max_length", "value": "16"}]},
              {"name": "rank", "type": "Int32", "defaultValue": 0}]}""";

    public static final String VECTORS_SCHEMA = """
            {"enableDynamicField": false, "fields": [
              {"name": "pk", "type": "VarChar", "primaryKey": true, "autoId": false, "params": [{"key": "max_length", "value": "36"}]},
              {"name": "half", "type": "Float16Vector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "brain", "type": "BFloat16Vector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "small", "type": "Int8Vector", "params": [{"key": "dim", "value": "4"}]},
              {"name": "bits", "type": "BinaryVector", "params": [{"key": "dim", "value": "16"}]}]}""";

    /** How SparseFloatVector, JSON and an array of text are held in a record. */
    public enum Holding {
        /** As NiFi's record types: a map of floats, a record, an array of strings. */
        RECORD_TYPES,
        /** As strings of JSON text, which a CSV cell carries as they are. */
        JSON_TEXT
    }

    private RecordTypes() {
    }

    public static String scalarsAvro(final Holding holding) {
        final boolean text = holding == Holding.JSON_TEXT;
        return """
                {"type": "record", "name": "scalars", "fields": [
                  {"name": "id", "type": "long"},
                  {"name": "vector", "type": {"type": "array", "items": "float"}},
                  {"name": "sparse", "type": %s},
                  {"name": "flag", "type": "boolean"},
                  {"name": "tiny", "type": "int"},
                  {"name": "small", "type": "int"},
                  {"name": "count", "type": "int"},
                  {"name": "big", "type": "long"},
                  {"name": "ratio", "type": "float"},
                  {"name": "score", "type": "double"},
                  {"name": "title", "type": "string"},
                  {"name": "tags", "type": %s},
                  {"name": "counts", "type": {"type": "array", "items": "int"}},
                  {"name": "doc", "type": %s},
                  {"name": "note", "type": ["null", "string"]},
                  {"name": "rank", "type": ["null", "int"]},
                  {"name": "source", "type": ["null", "string"]}]}""".formatted(
                text ? "\"string\"" : "{\"type\": \"map\", \"values\": \"float\"}",
                text ? "\"string\"" : "{\"type\": \"array\", \"items\": \"string\"}",
                text ? "\"string\"" : "{\"type\": \"record\", \"name\": \"doc\", \"fields\": [{\"name\": \"lang\", \"type\": \"string\"}, "
                        + "{\"name\": \"pages\", \"type\": \"int\"}]}");
    }

    public static final String VECTORS_AVRO = """
            {"type": "record", "name": "vectors", "fields": [
              {"name": "pk", "type": "string"},
              {"name": "half", "type": {"type": "array", "items": "float"}},
              {"name": "brain", "type": {"type": "array", "items": "float"}},
              {"name": "small", "type": {"type": "array", "items": "int"}},
              {"name": "bits", "type": {"type": "array", "items": "int"}}]}""";

    public static final String AUTO_ID_AVRO = """
            {"type": "record", "name": "auto_id", "fields": [
              {"name": "vector", "type": {"type": "array", "items": "double"}},
              {"name": "source", "type": "string"}]}""";

    /**
     * Rows of {@link #SCALARS}; the title is 8 bytes (its max_length) in 7 characters. Even rows give note,
     * rank and the dynamic key source; odd rows leave them null.
     */
    public static String scalarsRows(final Holding holding) {
        final boolean text = holding == Holding.JSON_TEXT;
        final List<String> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            final boolean given = i % 2 == 0;
            final String sparse = "{\"" + (i + 1) + "\": 0.5, \"1000\": 0.25}";
            final String tags = "[\"nifi\", \"milvus\"]";
            final String doc = "{\"lang\": \"en\", \"pages\": " + i + "}";
            rows.add(("{\"id\": ${nextInt()}, \"vector\": [0.1, 0.2, 0.3, %d.5], \"sparse\": %s, \"flag\": %s, \"tiny\": -128, \"small\": 32767, "
                    + "\"count\": %d, \"big\": 9007199254740993, \"ratio\": 0.25, \"score\": 1.0E-300, \"title\": \"h\u00e9llo12\", \"tags\": %s, "
                    + "\"counts\": [1, 2, %d], \"doc\": %s, \"note\": %s, \"rank\": %s, \"source\": %s}").formatted(
                    i, text ? quoted(sparse) : sparse, i % 3 == 0, i, text ? quoted(tags) : tags, i, text ? quoted(doc) : doc,
                    given ? "\"row " + i + "\"" : "null", given ? String.valueOf(i) : "null", given ? "\"kafka\"" : "null"));
        }
        return "[" + String.join(",\n", rows) + "]";
    }

    /** Rows of {@link #VECTORS}: a UUID key, half-precision vectors as floats, int8 values at their bounds, 16 bits as 2 bytes. */
    public static String vectorsRows() {
        final List<String> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(("{\"pk\": \"${UUID()}\", \"half\": [0.5, -1.25, 65504.0, %d.0], \"brain\": [1.0E30, -0.001, 3.0, %d.0], "
                    + "\"small\": [-128, 127, 0, %d], \"bits\": [255, %d]}").formatted(i, i, i, i));
        }
        return "[" + String.join(",\n", rows) + "]";
    }

    /** Rows of {@link #AUTO_ID}: no primary key, a vector of 8, the dynamic key source. */
    public static String autoIdRows() {
        final List<String> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add("{\"vector\": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, %d.8], \"source\": \"sensor-%d\"}".formatted(i, i));
        }
        return "[" + String.join(",\n", rows) + "]";
    }

    /** The emulator's schemas of the collections. */
    public static Map<String, String> schemas() {
        return Map.of(SCALARS, SCALARS_SCHEMA, VECTORS, VECTORS_SCHEMA);
    }

    private static String quoted(final String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
