package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Why Milvus's import readers would fail a file, as their sources (importutilv2: parquet, json, csv, numpy;
 * common.CheckVarcharLength, CheckArrayCapacity, CheckValidUTF8; typeutil.VerifyFloats32 and the sparse vector
 * functions) decide, with their messages: Parquet columns checked by Arrow type first ({@code isSchemaEqual},
 * {@code CreateFieldReaders}), then every row; JSON and CSV rows parsed field by field; NumPy by its header,
 * then every value. {@code null} when the file imports. Redundant columns are skipped, as Milvus 2.6 does.
 */
final class MilvusRules {

    /** The three ways rows come: typed columns (Parquet), JSON values, CSV cells (text). */
    enum Format {
        PARQUET,
        JSON,
        CSV
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");
    private static final String META = "$meta";

    private MilvusRules() {
    }

    /** {@code isSchemaEqual} and {@code CreateFieldReaders}: presence and Arrow types of the columns. */
    static String checkColumns(final Schema schema, final Map<String, String> types) {
        for (final Schema.Field field : schema.fields()) {
            final String type = types.get(field.name());
            if (field.generated()) {
                if (type != null) {
                    return field.primaryKey() ? "the primary key '" + field.name() + "' is auto-generated, no need to provide"
                            : "the field '" + field.name() + "' is output by function, no need to provide";
                }
                continue;
            }
            if (type == null) {
                if (!field.optional()) {
                    return "no parquet field for milvus field '" + field.name() + "'";
                }
                continue;
            }
            final String expected = arrowOf(field.type(), field.elementType());
            if (!convertible(type, expected, field)) {
                return "field '" + field.name() + "' type mis-match, expect arrow type '" + expected + "', get arrow data type '" + type + "'";
            }
        }
        return null;
    }

    static String arrowOf(final String type, final String elementType) {
        return switch (type) {
            case "Bool" -> "bool";
            case "Int8" -> "int8";
            case "Int16" -> "int16";
            case "Int32" -> "int32";
            case "Int64" -> "int64";
            case "Float" -> "float32";
            case "Double" -> "float64";
            case "VarChar", "String", "JSON", "SparseFloatVector" -> "utf8";
            case "Array" -> "list<" + arrowOf(elementType, null) + ">";
            case "FloatVector" -> "list<float32>";
            case "BinaryVector", "Float16Vector", "BFloat16Vector" -> "list<uint8>";
            case "Int8Vector" -> "list<int8>";
            default -> "unknown";
        };
    }

    /** {@code isArrowDataTypeConvertible}. */
    private static boolean convertible(final String src, final String dst, final Schema.Field field) {
        if ("null".equals(src)) {
            return field.optional();
        }
        if ("struct".equals(src)) {
            return "SparseFloatVector".equals(field.type());
        }
        if (src.startsWith("list<")) {
            return dst.startsWith("list<") && convertible(src.substring(5, src.length() - 1), dst.substring(5, dst.length() - 1), field);
        }
        return switch (src) {
            case "bool" -> dst.equals("bool");
            case "uint8" -> dst.equals("uint8");
            case "int8" -> arithmetic(dst);
            case "int16" -> arithmetic(dst) && !dst.equals("int8");
            case "int32" -> arithmetic(dst) && !dst.equals("int8") && !dst.equals("int16");
            case "int64" -> dst.equals("int64") || floating(dst);
            case "float32", "float64" -> floating(dst);
            case "utf8" -> dst.equals("utf8");
            case "binary" -> dst.equals("list<uint8>");
            default -> false;
        };
    }

    private static boolean arithmetic(final String type) {
        return type.equals("int8") || type.equals("int16") || type.equals("int32") || type.equals("int64") || floating(type);
    }

    private static boolean floating(final String type) {
        return type.equals("float32") || type.equals("float64");
    }

    /** Why one row fails, as the format's reader says it, or {@code null}. */
    static String checkRow(final Schema schema, final Map<String, Object> row, final Format format, final String nullKey) {
        final boolean typed = format == Format.PARQUET;
        for (final Schema.Field field : schema.fields()) {
            final boolean present = row.containsKey(field.name());
            if (field.generated()) {
                if (present && !typed) {
                    return field.primaryKey() ? "the primary key '" + field.name() + "' is auto-generated, no need to provide"
                            : "the field '" + field.name() + "' is output by function, no need to provide";
                }
                continue;
            }
            if (!present) {
                if (!field.optional() && !typed) {
                    return "value of field '" + field.name() + "' is missed";
                }
                continue;
            }
            Object value = row.get(field.name());
            if (value == null && format == Format.CSV && !field.optional()) {
                // the CSV reader takes the null key as the default of a field with one, as null for a nullable field, else as the cell's text
                value = nullKey;
            }
            if (value == null) {
                if (field.optional()) {
                    continue;
                }
                if (typed && field.isVector()) {
                    return alignment(field, 0);
                }
                return typed ? "the field '" + field.name() + "' is not nullable but the file contains null value"
                        : "expected type '" + field.type() + "' for field '" + field.name() + "', got type '<nil>' with value '<nil>'";
            }
            final String problem = switch (format) {
                case PARQUET -> checkTyped(field, value);
                case JSON -> parseEntity(field, value);
                case CSV -> parseCell(field, (String) value);
            };
            if (problem != null) {
                return problem;
            }
        }
        if (schema.dynamic() && row.get(META) != null) {
            return checkMeta(row, typed);
        }
        return null;
    }

    // ---- Parquet -----------------------------------------------------------------------------------

    /** The Parquet reader's checks of a row's typed value, which Arrow's types do not carry. */
    private static String checkTyped(final Schema.Field field, final Object value) {
        if (field.isVector() && value instanceof List<?> list) {
            final Integer expected = field.dim() == null ? null : switch (field.type()) {
                case "BinaryVector" -> field.dim() / 8;
                case "Float16Vector", "BFloat16Vector" -> field.dim() * 2;
                default -> field.dim();
            };
            if (expected != null && list.size() != expected) {
                return alignment(field, list.size());
            }
            if ("FloatVector".equals(field.type())) {
                // ReadIntegerOrFloatArrayData converts to float32; VerifyFloats32 then (milvus-io/milvus pull request 50705)
                for (final Object item : list) {
                    if (item instanceof Number number && !Float.isFinite(number.floatValue())) {
                        return notFinite(number.floatValue());
                    }
                }
            }
            return null;
        }
        switch (field.type()) {
            case "Float" -> {
                return value instanceof Number number && !Float.isFinite(number.floatValue()) ? notFinite(number.floatValue()) : null;
            }
            case "Double" -> {
                return value instanceof Number number && !Double.isFinite(number.doubleValue()) ? notFinite(number.doubleValue()) : null;
            }
            case "VarChar", "String" -> {
                return varchar(field, value);
            }
            case "JSON" -> {
                return value instanceof String text ? jsonProblem(text) : null;
            }
            case "SparseFloatVector" -> {
                if (value instanceof String text) {
                    final String problem = sparseFromText(text);
                    return problem == null ? null : "Invalid JSON string for SparseFloatVector: '" + text + "', err = " + problem;
                }
                return value instanceof Map<?, ?> struct ? sparse(struct, false) : null;
            }
            case "Array" -> {
                return value instanceof List<?> list ? arrayOf(field, list) : null;
            }
            default -> {
                return null;
            }
        }
    }

    /** checkVectorAligned's error, as ReadIntegerOrFloatArrayData wraps it. */
    private static String alignment(final Schema.Field field, final int got) {
        final int expected = "BinaryVector".equals(field.type()) ? field.dim() / 8
                : "Float16Vector".equals(field.type()) || "BFloat16Vector".equals(field.type()) ? field.dim() * 2 : field.dim();
        return "length of vector is not aligned: expected " + expected + " but got " + got + ", data type: " + field.type();
    }

    /** typeutil.VerifyFloat's error: Go prints NaN and the infinities with %f as NaN, +Inf, -Inf. */
    private static String notFinite(final double value) {
        final String shown = Double.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        return "value '" + shown + "' is not a number or infinity";
    }

    /** CheckValidUTF8, then CheckVarcharLength (length in bytes). */
    private static String varchar(final Schema.Field field, final Object value) {
        if (value instanceof ParquetTable.BadText bad) {
            return "field " + field.name() + " contains invalid UTF-8 data, value=" + bad.lossy();
        }
        if (value instanceof String text && field.maxLength() != null) {
            final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > field.maxLength()) {
                return "value length(" + bytes + ") for field " + field.name() + " exceeds max_length(" + field.maxLength() + ")";
            }
        }
        return null;
    }

    /** CheckArrayCapacity, then each VarChar element's UTF-8 and length. */
    private static String arrayOf(final Schema.Field field, final List<?> list) {
        if (field.maxCapacity() != null && list.size() > field.maxCapacity()) {
            return "array capacity(" + list.size() + ") for field " + field.name() + " exceeds max_capacity(" + field.maxCapacity() + ")";
        }
        if ("VarChar".equals(field.elementType()) || "String".equals(field.elementType())) {
            for (final Object element : list) {
                final String problem = element == null ? null : varchar(field, element);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    // ---- JSON rows -----------------------------------------------------------------------------------

    /** {@code rowParser.parseEntity} of the JSON reader, which keeps numbers as their text (json.Number). */
    private static String parseEntity(final Schema.Field field, final Object value) {
        final String typeError = typeError(field, value);
        return switch (field.type()) {
            case "Bool" -> value instanceof Boolean ? null : typeError;
            case "Int8", "Int16", "Int32", "Int64" -> integer(value, bits(field.type())) ? null : typeError;
            case "Float" -> value instanceof Number number ? parseFloat(number, 32) : typeError;
            case "Double" -> value instanceof Number number ? parseFloat(number, 64) : typeError;
            case "VarChar", "String" -> value instanceof String ? varchar(field, value) : typeError;
            case "JSON" -> value instanceof Map ? null : value instanceof String text ? jsonProblem(text) : typeError;
            case "Array" -> value instanceof List<?> list ? array(field, list) : typeError;
            case "FloatVector", "Float16Vector", "BFloat16Vector" -> vector(field, value, false, 0, 0, typeError, 1);
            case "BinaryVector" -> vector(field, value, true, 0, 255, typeError, 8);
            case "Int8Vector" -> vector(field, value, true, -128, 127, typeError, 1);
            case "SparseFloatVector" -> value instanceof Map<?, ?> map ? sparse(map, true) : typeError;
            default -> null;
        };
    }

    private static String typeError(final Schema.Field field, final Object value) {
        return "expected type '" + field.type() + "' for field '" + field.name() + "', got type '" + goType(value) + "' with value '" + value + "'";
    }

    /** strconv.ParseFloat(text, bits): a number beyond the type is out of range; then VerifyFloats. */
    private static String parseFloat(final Number number, final int bits) {
        final double value = number.doubleValue();
        if (Double.isInfinite(value) || bits == 32 && !Float.isFinite((float) value)) {
            return "strconv.ParseFloat: parsing \"" + number + "\": value out of range";
        }
        return Double.isNaN(value) ? notFinite(value) : null;
    }

    private static String array(final Schema.Field field, final List<?> list) {
        final String capacity = arrayOf(field, list);
        if (capacity != null) {
            return capacity;
        }
        final Schema.Field element = new Schema.Field(field.name(), field.elementType(), null, false, false, false, false, false, false, null,
                field.maxLength(), null);
        for (final Object item : list) {
            if (item == null || parseEntity(element, item) != null) {
                return "expected element type '" + field.elementType() + "' in array field, got type '" + goType(item) + "' with value '" + item + "'";
            }
        }
        return null;
    }

    private static String vector(final Schema.Field field, final Object value, final boolean integers, final long min, final long max,
                                 final String typeError, final int bitsPerElement) {
        if (!(value instanceof List<?> list)) {
            return typeError;
        }
        final int expected = field.dim() == null ? list.size() : field.dim() / bitsPerElement;
        if (list.size() != expected) {
            return dimError(field, list.size() * bitsPerElement);
        }
        for (final Object item : list) {
            if (integers) {
                if (!integer(item, 64) || ((Number) item).longValue() < min || ((Number) item).longValue() > max) {
                    return typeError(field, item);
                }
            } else if (!(item instanceof Number number)) {
                return typeError(field, item);
            } else {
                final String range = parseFloat(number, 32);
                if (range != null) {
                    return range;
                }
            }
        }
        return null;
    }

    private static String dimError(final Schema.Field field, final int actual) {
        return "expected dim '" + field.dim() + "' for field '" + field.name() + "' with type '" + field.type() + "', got dim '" + actual + "'";
    }

    // ---- CSV cells ----------------------------------------------------------------------------------

    /** The CSV reader's {@code parseEntity}: each cell is text, read as its field's type (vectors, arrays and JSON as JSON text). */
    private static String parseCell(final Schema.Field field, final String text) {
        // Go keeps a byte that is not UTF-8 in a cell; read as JSON, it is U+FFFD
        final String cell = "VarChar".equals(field.type()) || "String".equals(field.type()) ? text : text.replace(TextTable.NOT_UTF8, '\uFFFD');
        final String typeError = typeError(field, cell);
        switch (field.type()) {
            case "Bool" -> {
                return TRUE.contains(cell) || FALSE.contains(cell) ? null : typeError;
            }
            case "Int8", "Int16", "Int32", "Int64" -> {
                try {
                    final long number = Long.parseLong(cell);
                    return integer(number, bits(field.type())) ? null : typeError;
                } catch (final NumberFormatException e) {
                    return typeError;
                }
            }
            case "Float", "Double" -> {
                final Double number = goFloat(cell);
                if (number == null || "Float".equals(field.type()) && !Float.isFinite(number.floatValue()) && Double.isFinite(number)) {
                    return typeError;
                }
                return Double.isFinite(number) ? null : notFinite(number);
            }
            case "VarChar", "String" -> {
                return cell.indexOf(TextTable.NOT_UTF8) >= 0 ? "field " + field.name() + " contains invalid UTF-8 data, value="
                        + cell.replace(TextTable.NOT_UTF8, '\uFFFD') : varchar(field, cell);
            }
            case "JSON" -> {
                return jsonProblem(cell);
            }
            case "SparseFloatVector" -> {
                final Object vector = json(cell);
                return vector instanceof Map<?, ?> map ? sparse(map, true) : typeError;
            }
            case "Array" -> {
                final Object list = json(cell);
                return list instanceof List<?> items ? array(field, items) : typeError;
            }
            default -> {
                // vectors: json.Unmarshal into []float32 (or []byte, []int8), which refuses a number beyond the element's type
                final Object list = json(cell);
                if (!(list instanceof List<?> items)) {
                    return typeError;
                }
                final boolean integers = !"FloatVector".equals(field.type()) && !field.type().contains("Float16");
                for (final Object item : items) {
                    if (!(item instanceof Number number) || !integers && !Float.isFinite(number.floatValue())
                            || integers && !integer(item, 64)) {
                        return typeError;
                    }
                }
                final int perElement = "BinaryVector".equals(field.type()) ? 8 : 1;
                return field.dim() != null && items.size() * perElement != field.dim() ? dimError(field, items.size() * perElement) : null;
            }
        }
    }

    /** strconv.ParseFloat's text: Go also reads inf, infinity and nan, in any case, with a sign. */
    private static Double goFloat(final String text) {
        final String lower = text.toLowerCase(Locale.ROOT);
        final String bare = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        if (bare.equals("inf") || bare.equals("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (bare.equals("nan")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text);
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    // ---- JSON text and sparse vectors ----------------------------------------------------------------

    private static Object json(final String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (final JsonProcessingException e) {
            return null;
        }
    }

    /** json.Unmarshal of a JSON field's text: sonic's message differs, what matters is that the row fails on it. */
    private static String jsonProblem(final String text) {
        try {
            JSON.readTree(text);
            return text.isBlank() ? "unexpected end of JSON input" : null;
        } catch (final JsonProcessingException e) {
            return "invalid JSON: " + e.getOriginalMessage();
        }
    }

    /** CreateSparseFloatRowFromJSON: a JSON object, its numbers read as 64-bit floats. */
    private static String sparseFromText(final String text) {
        final Object vector = json(text);
        if (!(vector instanceof Map<?, ?> map)) {
            return vector == null ? "invalid character in JSON" : "json: cannot unmarshal into Go value of type map[string]interface {}";
        }
        return sparse(map, false);
    }

    /**
     * typeutil.CreateSparseFloatRowFromMap, then ValidateSparseFloatRows: {@code {"indices": [...], "values": [...]}} or
     * {@code {"<index>": value}}; an index wraps into 32 bits as Go's conversion does.
     *
     * @param numbers whether numbers come as their text (json.Number: an index must then be written whole)
     */
    private static String sparse(final Map<?, ?> vector, final boolean numbers) {
        if (vector.isEmpty()) {
            return null;
        }
        final Object indices = vector.get("indices");
        final Object values = vector.get("values");
        final long[] read;
        final double[] weights;
        if (indices instanceof List<?> indexList && values instanceof List<?> valueList) {
            read = new long[indexList.size()];
            for (int i = 0; i < read.length; i++) {
                final Object index = indexList.get(i);
                if (!(index instanceof Number number)) {
                    return "invalid index type in JSON: " + goType(index);
                }
                if (numbers && !integer(index, 64) || !numbers && number.doubleValue() != Math.rint(number.doubleValue())) {
                    return numbers ? "strconv.ParseInt: parsing \"" + index + "\": invalid syntax" : "invalid index in JSON: " + index;
                }
                final long whole = number.longValue();
                if (whole >= 0xFFFF_FFFFL) {
                    return "index too large in JSON: " + whole;
                }
                read[i] = whole & 0xFFFF_FFFFL;
            }
            weights = new double[valueList.size()];
            for (int i = 0; i < weights.length; i++) {
                final String problem = weight(valueList.get(i));
                if (problem != null) {
                    return problem;
                }
                weights[i] = ((Number) valueList.get(i)).doubleValue();
            }
        } else if (!(indices instanceof List) && !(values instanceof List)) {
            read = new long[vector.size()];
            weights = new double[vector.size()];
            int i = 0;
            for (final Map.Entry<?, ?> entry : vector.entrySet()) {
                final String key = String.valueOf(entry.getKey());
                try {
                    read[i] = Long.parseLong(key);
                } catch (final NumberFormatException e) {
                    return "strconv.ParseUint: parsing \"" + key + "\": invalid syntax";
                }
                if (read[i] < 0 || key.startsWith("+")) {
                    return "strconv.ParseUint: parsing \"" + key + "\": invalid syntax";
                }
                if (read[i] > 0xFFFF_FFFFL) {
                    return "strconv.ParseUint: parsing \"" + key + "\": value out of range";
                }
                final String problem = weight(entry.getValue());
                if (problem != null) {
                    return problem;
                }
                weights[i++] = ((Number) entry.getValue()).doubleValue();
            }
        } else {
            return "invalid JSON input";
        }
        if (read.length != weights.length) {
            return "indices and values length mismatch";
        }
        final long[] sorted = read.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] == 0xFFFF_FFFFL) {
                return "invalid index in sparse float vector: must be less than 2^32-1";
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                return "unsorted or same indices in sparse float vector";
            }
        }
        for (final double weight : weights) {
            if (weight < 0) {
                return "negative value in sparse float vector";
            }
        }
        return null;
    }

    private static String weight(final Object value) {
        if (!(value instanceof Number number)) {
            return "invalid value type in JSON: " + goType(value);
        }
        if (!Double.isFinite(number.doubleValue())) {
            return "invalid value in JSON: " + number;
        }
        if (number.doubleValue() > Float.MAX_VALUE) {
            return "value too large in JSON: " + number;
        }
        return null;
    }

    private static boolean integer(final Object value, final int bits) {
        final long number;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            number = ((Number) value).longValue();
        } else if (value instanceof BigInteger big && big.bitLength() < 64) {
            number = big.longValue();
        } else {
            return false;
        }
        return bits == 64 || number >= -(1L << (bits - 1)) && number < 1L << (bits - 1);
    }

    private static int bits(final String type) {
        return switch (type) {
            case "Int8" -> 8;
            case "Int16" -> 16;
            case "Int32" -> 32;
            default -> 64;
        };
    }

    /** {@code combineDynamicRow}: {@code $meta} holds an object (or its JSON text) whose keys no other key of the row repeats. */
    private static String checkMeta(final Map<String, Object> row, final boolean typed) {
        Object meta = row.get(META);
        if (meta instanceof String text) {
            meta = json(text);
            if (meta == null) {
                return "illegal value for dynamic field, not a JSON format string";
            }
        }
        if (!(meta instanceof Map<?, ?> fields)) {
            return typed ? "json: cannot unmarshal " + goKind(meta) + " into Go value of type map[string]interface {}"
                    : "illegal value for dynamic field, not a JSON object";
        }
        for (final Object key : fields.keySet()) {
            // a Parquet file's other columns are skipped, not merged: no key of theirs can repeat one of $meta
            if (!typed && row.containsKey(String.valueOf(key))) {
                return "duplicated key is not allowed, key=" + key;
            }
        }
        return null;
    }

    private static String goKind(final Object value) {
        if (value instanceof List) {
            return "array";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Number) {
            return "number";
        }
        return value instanceof Boolean ? "bool" : "value";
    }

    private static String goType(final Object value) {
        if (value == null) {
            return "<nil>";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Number) {
            return "json.Number";
        }
        if (value instanceof List) {
            return "[]interface {}";
        }
        return value instanceof Map ? "map[string]interface {}" : value.getClass().getSimpleName();
    }
}
