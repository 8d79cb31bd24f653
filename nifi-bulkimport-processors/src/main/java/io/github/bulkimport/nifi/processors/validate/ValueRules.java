package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.validate.file.Fault;
import io.github.bulkimport.nifi.processors.validate.file.JsonSyntax;
import io.github.bulkimport.nifi.processors.validate.file.JsonTree;
import io.github.bulkimport.nifi.processors.validate.file.SparseVector;
import io.github.bulkimport.nifi.processors.validate.rows.CellRow;
import io.github.bulkimport.nifi.processors.validate.rows.RowLimits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Whether one value of a JSON or CSV file can fill a field, as Milvus's row parser decides: numbers
 * in range (an integer field takes no fraction), text within the field's maximum length in bytes, a
 * list of the vector's dimension, an array within its capacity. A CSV cell is text, read as its
 * field's type first (vectors, arrays and JSON as JSON text, booleans as Go reads them).
 */
final class ValueRules {

    /** JSON text inside a value (a CSV cell, a JSON field's string) is one JSON document, as Go's json.Unmarshal reads it. */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(RowLimits.JACKSON).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");
    private static final int QUOTED = 40;

    private ValueRules() {
    }

    private static final Fault NO_VALUE = new Fault(Fault.Kind.MISSING, "no value");

    /**
     * What is wrong with a row's value for a field (missing, null where the field takes none, or not fitting), or {@code null}.
     *
     * @param nullKey for a CSV cell, the text that stands for null: Milvus's CSV reader takes it as null only for a nullable field,
     *                and otherwise reads it as the field's type (an empty VarChar); {@code null} for a JSON value
     */
    static Fault rowFault(final JsonNode value, final FieldSchema field, final String nullKey) {
        if (value == null || value.isMissingNode()) {
            return field.required() ? NO_VALUE : null;
        }
        final boolean cell = nullKey != null;
        if (cell && (field.nullable() || field.hasDefault()) && value.asText().equals(nullKey)) {
            return null;
        }
        if (value.isNull()) {
            return field.nullable() || field.hasDefault() ? null : Fault.NULL;
        }
        return fault(value, field, cell);
    }

    /** What is wrong with a present, non-null value, as a message's "found ..." part, or {@code null} when it fits. */
    static String mismatch(final JsonNode value, final FieldSchema field, final boolean cell) {
        final Fault fault = fault(value, field, cell);
        return fault == null ? null : fault.found();
    }

    /** What is wrong with a present, non-null value, and which rule it breaks, or {@code null} when it fits. */
    static Fault fault(final JsonNode value, final FieldSchema field, final boolean cell) {
        if (cell && (field.type() == FieldType.VARCHAR || field.type() == FieldType.STRING) && value.asText().indexOf(CellRow.NOT_UTF8) >= 0) {
            return new Fault(Fault.Kind.NOT_UTF8, "text that is not valid UTF-8");
        }
        final JsonNode read;
        try {
            read = cell ? fromCell(value.asText(), field.type()) : value;
        } catch (final JsonTree.TooManyNodesException e) {
            return tooManyNodes(field.type(), e);
        }
        if (read == null) {
            return Fault.lazy(Fault.Kind.TYPE, () -> "the text " + quoted(value.asText()));
        }
        return fault(read, field.type(), field);
    }

    /**
     * A CSV cell read as the field's type, as Go's strconv and json read it: {@code null} when it cannot be. Text that is not a
     * number or not JSON is told from its characters, never from an exception thrown for it: a file of a million bad cells
     * costs its bytes, not a million stack traces.
     */
    private static JsonNode fromCell(final String text, final FieldType type) throws JsonTree.TooManyNodesException {
        return switch (type) {
            case BOOL -> TRUE.contains(text) ? BooleanNode.TRUE : FALSE.contains(text) ? BooleanNode.FALSE : null;
            case INT8, INT16, INT32, INT64 -> {
                final Long number = CellNumbers.whole(text);
                yield number == null ? null : LongNode.valueOf(number);
            }
            case FLOAT, DOUBLE -> {
                final Double number = CellNumbers.decimal(text);
                yield number == null ? null : DoubleNode.valueOf(number);
            }
            case VARCHAR, STRING, OTHER -> JSON.getNodeFactory().textNode(text);
            default -> json(text);
        };
    }

    /**
     * JSON text as a tree, or {@code null} when it is not one JSON document (checked before Jackson reads it).
     *
     * @throws JsonTree.TooManyNodesException when it holds more than {@link JsonTree#MAX_NODES} values
     */
    private static JsonNode json(final String text) throws JsonTree.TooManyNodesException {
        // a byte that is not UTF-8 is U+FFFD to Go's JSON reader, three bytes long in a string's length
        final byte[] bytes = text.replace(CellRow.NOT_UTF8, '\uFFFD').getBytes(StandardCharsets.UTF_8);
        if (JsonSyntax.problem(bytes, 0, bytes.length) != null) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(bytes)) {
            parser.nextToken();
            return JsonTree.read(parser, JsonTree.Budget.full());
        } catch (final JsonTree.TooManyNodesException tooMany) {
            throw tooMany;
        } catch (final IOException beyondBounds) {
            return null;
        }
    }

    /**
     * A cell of JSON of more values than the validator reads: a vector of more dimensions, an array of more elements than Milvus
     * takes (at most 32,768 and 4,096), a sparse vector or a JSON value beyond what is read.
     */
    private static Fault tooManyNodes(final FieldType type, final JsonTree.TooManyNodesException e) {
        final Fault.Kind kind = switch (type) {
            case FLOAT_VECTOR, FLOAT16_VECTOR, BFLOAT16_VECTOR, BINARY_VECTOR, INT8_VECTOR -> Fault.Kind.LENGTH;
            case ARRAY -> Fault.Kind.CAPACITY;
            case SPARSE_FLOAT_VECTOR -> Fault.Kind.SPARSE;
            default -> Fault.Kind.TYPE;
        };
        return new Fault(kind, "JSON of " + e.getMessage());
    }

    private static Fault fault(final JsonNode value, final FieldType type, final FieldSchema field) {
        return switch (type) {
            case BOOL -> value.isBoolean() ? null : type(value);
            case INT8, INT16, INT32, INT64 -> integer(value, KindRules.bits(type)) ? null : type(value);
            case FLOAT -> isFloat(value) ? null : number(value);
            case DOUBLE -> value.isNumber() && Double.isFinite(value.asDouble()) ? null : number(value);
            case VARCHAR, STRING -> text(value, field.maxLength());
            case JSON -> value.isObject() || value.isTextual() && isJson(value.asText()) ? null
                    : new Fault(value.isTextual() ? Fault.Kind.NOT_JSON : Fault.Kind.TYPE, describe(value));
            case ARRAY -> array(value, field);
            case FLOAT_VECTOR, FLOAT16_VECTOR, BFLOAT16_VECTOR -> vector(value, field.dim(), 0, 0, false);
            case BINARY_VECTOR -> vector(value, field.dim() == null ? null : field.dim() / 8, 0, 255, true);
            case INT8_VECTOR -> vector(value, field.dim(), -128, 127, true);
            case SPARSE_FLOAT_VECTOR -> sparse(value);
            case OTHER -> null;
        };
    }

    private static Fault type(final JsonNode value) {
        return Fault.lazy(Fault.Kind.TYPE, () -> describe(value));
    }

    /** A number that is not finite, or beyond the field's float: NON_FINITE; anything else is of another type. */
    private static Fault number(final JsonNode value) {
        return Fault.lazy(value.isNumber() ? Fault.Kind.NON_FINITE : Fault.Kind.TYPE, () -> describe(value));
    }

    /** A sparse vector: an object Milvus takes (its JSON rows keep numbers as their text); a CSV cell's JSON is read the same way. */
    private static Fault sparse(final JsonNode value) {
        if (!value.isObject()) {
            return type(value);
        }
        final String problem = SparseVector.problem(value, true);
        return problem == null ? null : new Fault(Fault.Kind.SPARSE, problem);
    }

    private static boolean integer(final JsonNode value, final int bits) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            return false;
        }
        final long number = value.asLong();
        return bits == 64 || number >= -(1L << (bits - 1)) && number < 1L << (bits - 1);
    }

    private static Fault text(final JsonNode value, final Integer maxLength) {
        if (!value.isTextual()) {
            return type(value);
        }
        final int bytes = utf8Length(value.asText());
        return maxLength != null && bytes > maxLength ? new Fault(Fault.Kind.TOO_LONG, "a text of " + bytes + " bytes") : null;
    }

    /** The bytes a text takes in UTF-8, counted without encoding it. */
    static int utf8Length(final String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static Fault array(final JsonNode value, final FieldSchema field) {
        if (!value.isArray()) {
            return type(value);
        }
        if (field.maxCapacity() != null && value.size() > field.maxCapacity()) {
            return new Fault(Fault.Kind.CAPACITY, "a list of " + value.size());
        }
        final FieldType element = field.elementType() == null ? FieldType.OTHER : field.elementType();
        for (final JsonNode item : value) {
            final Fault wrong = item.isNull() ? Fault.NULL : fault(item, element, field);
            if (wrong != null) {
                return new Fault(wrong.kind() == Fault.Kind.TOO_LONG ? Fault.Kind.TOO_LONG : Fault.Kind.TYPE, "a list holding " + wrong.found());
            }
        }
        return null;
    }

    private static Fault vector(final JsonNode value, final Integer length, final long min, final long max, final boolean integers) {
        if (!value.isArray()) {
            return type(value);
        }
        if (length != null && value.size() != length) {
            return new Fault(Fault.Kind.LENGTH, "a list of " + value.size());
        }
        for (final JsonNode item : value) {
            final boolean fits = integers ? item.isIntegralNumber() && item.canConvertToLong() && item.asLong() >= min && item.asLong() <= max
                    : isFloat(item);
            if (!fits) {
                return new Fault(!integers && item.isNumber() ? Fault.Kind.NON_FINITE : Fault.Kind.TYPE, "a list holding " + describe(item));
            }
        }
        return null;
    }

    /** A number that fits a 32-bit float, as Milvus reads Float fields and vectors' values. */
    private static boolean isFloat(final JsonNode value) {
        return value.isNumber() && Float.isFinite((float) value.asDouble());
    }

    private static boolean isJson(final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return JsonSyntax.problem(bytes, 0, bytes.length) == null;
    }

    /** Whether a value of {@code $meta} holds the dynamic fields: an object, or a string of a JSON object. */
    static boolean dynamicFields(final JsonNode value) {
        if (value.isObject()) {
            return true;
        }
        if (!value.isTextual()) {
            return false;
        }
        // told from its characters, without a tree of what it holds
        final byte[] bytes = value.asText().getBytes(StandardCharsets.UTF_8);
        return JsonSyntax.problem(bytes, 0, bytes.length) == null && JsonSyntax.firstByte(bytes, 0, bytes.length) == '{';
    }

    /** A value as a message names it. */
    static String describe(final JsonNode value) {
        if (value.isTextual()) {
            return "the text " + quoted(value.asText());
        }
        if (value.isNumber()) {
            return "the number " + VisibleText.bound(value.asText(), QUOTED);
        }
        if (value.isBoolean()) {
            return value.asText();
        }
        if (value.isArray()) {
            return "a list of " + value.size();
        }
        if (value.isObject()) {
            return "an object";
        }
        return value.isNull() ? "null" : "no value";
    }

    /** One short line: a cell or a JSON string may hold line breaks and other controls (cut first, so that a long text is not cleaned whole). */
    private static String quoted(final String text) {
        return "\"" + VisibleText.bound(VisibleText.clean(VisibleText.bound(text, 2 * QUOTED)), QUOTED) + "\"";
    }
}
