package io.github.bulkimport.emulator.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Why Milvus's import readers would fail a file, as their sources (importutilv2: parquet, json, csv,
 * numpy) decide, with their messages: Parquet columns checked by Arrow type first ({@code isSchemaEqual},
 * {@code CreateFieldReaders}), then every row; JSON and CSV rows parsed field by field; NumPy by its
 * header. {@code null} when the file imports. Redundant columns are skipped, as Milvus 2.6 does.
 */
final class MilvusRules {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");
    private static final String META = "$meta";

    private MilvusRules() {
    }

    static String check(final Schema schema, final Table table, final boolean cells) {
        if (table.typed()) {
            final String columns = checkColumns(schema, table.arrowTypes());
            if (columns != null) {
                return columns;
            }
        }
        for (int r = 0; r < table.rows().size(); r++) {
            final String row = checkRow(schema, table.rows().get(r), table.typed(), cells);
            if (row != null) {
                return row + " (row " + (r + 1) + ")";
            }
        }
        return null;
    }

    /** {@code isSchemaEqual} and {@code CreateFieldReaders}: presence and Arrow types of the columns. */
    private static String checkColumns(final Schema schema, final Map<String, String> types) {
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

    private static String checkRow(final Schema schema, final Map<String, Object> row, final boolean typed, final boolean cells) {
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
            final Object value = row.get(field.name());
            if (value == null) {
                if (!field.optional()) {
                    return typed ? "the field '" + field.name() + "' is not nullable but the file contains null value"
                            : "expected type '" + field.type() + "' for field '" + field.name() + "', got type '<nil>' with value '<nil>'";
                }
                continue;
            }
            final String problem = typed ? checkTyped(field, value) : parseEntity(field, cells ? fromCell(field, (String) value) : value);
            if (problem != null) {
                return problem;
            }
        }
        if (schema.dynamic() && row.get(META) != null) {
            return checkMeta(row, typed);
        }
        return null;
    }

    /** Per-row checks of a typed column: dimensions, lengths and capacities, which Arrow types do not carry. */
    private static String checkTyped(final Schema.Field field, final Object value) {
        if (field.isVector() && value instanceof List<?> list) {
            final Integer expected = field.dim() == null ? null : switch (field.type()) {
                case "BinaryVector" -> field.dim() / 8;
                case "Float16Vector", "BFloat16Vector" -> field.dim() * 2;
                default -> field.dim();
            };
            if (expected != null && list.size() != expected) {
                return dimError(field, "BinaryVector".equals(field.type()) ? list.size() * 8 : list.size());
            }
        }
        return lengthAndCapacity(field, value);
    }

    private static String lengthAndCapacity(final Schema.Field field, final Object value) {
        if (value instanceof String text && field.maxLength() != null) {
            final int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > field.maxLength()) {
                return "length of varchar field " + field.name() + " exceeds max length, length: " + bytes + ", max length: " + field.maxLength();
            }
        }
        if ("Array".equals(field.type()) && value instanceof List<?> list) {
            if (field.maxCapacity() != null && list.size() > field.maxCapacity()) {
                return "array capacity exceeds max capacity of field '" + field.name() + "', capacity: " + list.size() + ", max capacity: "
                        + field.maxCapacity();
            }
            for (final Object element : list) {
                final String problem = element == null ? null : lengthAndCapacity(new Schema.Field(field.name(), field.elementType(), null, false,
                        false, false, false, false, false, null, field.maxLength(), null), element);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    /** A CSV cell as the CSV row parser reads it for the field's type; the text itself when it cannot. */
    private static Object fromCell(final Schema.Field field, final String cell) {
        try {
            return switch (field.type()) {
                case "Bool" -> TRUE.contains(cell) ? Boolean.TRUE : FALSE.contains(cell) ? Boolean.FALSE : cell;
                case "Int8", "Int16", "Int32", "Int64" -> Long.parseLong(cell.strip());
                case "Float", "Double" -> Double.parseDouble(cell.strip());
                case "VarChar", "String" -> cell;
                default -> JSON.readValue(cell, Object.class);
            };
        } catch (final NumberFormatException | JsonProcessingException e) {
            return cell;
        }
    }

    /** {@code rowParser.parseEntity}. */
    private static String parseEntity(final Schema.Field field, final Object value) {
        final String typeError = "expected type '" + field.type() + "' for field '" + field.name() + "', got type '" + goType(value)
                + "' with value '" + value + "'";
        return switch (field.type()) {
            case "Bool" -> value instanceof Boolean ? null : typeError;
            case "Int8", "Int16", "Int32", "Int64" -> integer(value, bits(field.type())) ? null : typeError;
            case "Float", "Double" -> value instanceof Number number && Double.isFinite(number.doubleValue()) ? null : typeError;
            case "VarChar", "String" -> value instanceof String ? lengthAndCapacity(field, value) : typeError;
            case "JSON" -> value instanceof Map || value instanceof String text && isJson(text) ? null : typeError;
            case "Array" -> value instanceof List<?> list ? array(field, list) : typeError;
            case "FloatVector", "Float16Vector", "BFloat16Vector" -> vector(field, value, false, 0, 0, typeError, 1);
            case "BinaryVector" -> vector(field, value, true, 0, 255, typeError, 8);
            case "Int8Vector" -> vector(field, value, true, -128, 127, typeError, 1);
            case "SparseFloatVector" -> value instanceof Map ? null : typeError;
            default -> null;
        };
    }

    private static String array(final Schema.Field field, final List<?> list) {
        final String capacity = lengthAndCapacity(field, list);
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
            final boolean fits = integers ? integer(item, 64) && ((Number) item).longValue() >= min && ((Number) item).longValue() <= max
                    : item instanceof Number number && Double.isFinite(number.doubleValue());
            if (!fits) {
                return "expected type '" + field.type() + "' for field '" + field.name() + "', got type '" + goType(item) + "' with value '" + item + "'";
            }
        }
        return null;
    }

    private static String dimError(final Schema.Field field, final int actual) {
        return "expected dim '" + field.dim() + "' for field '" + field.name() + "' with type '" + field.type() + "', got dim '" + actual + "'";
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
            try {
                meta = JSON.readValue(text, Object.class);
            } catch (final JsonProcessingException e) {
                return "illegal value for dynamic field, not a JSON format string";
            }
        }
        if (!(meta instanceof Map<?, ?> fields)) {
            return "illegal value for dynamic field, not a JSON object";
        }
        for (final Object key : fields.keySet()) {
            // a Parquet file's other columns are skipped, not merged: no key of theirs can repeat one of $meta
            if (!typed && row.containsKey(String.valueOf(key))) {
                return "duplicated key is not allowed, key=" + key;
            }
        }
        return null;
    }

    private static boolean isJson(final String text) {
        try {
            JSON.readTree(text);
            return true;
        } catch (final JsonProcessingException e) {
            return false;
        }
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
