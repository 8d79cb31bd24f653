package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.file.Fault;

/**
 * What a field expects of a row, for each rule a whole-file check finds broken: the "expected ..." part of a
 * problem ({@code FloatVector(768) of finite 32-bit floats}), said as the First Pages check says it.
 */
final class Expectations {

    private final CollectionSchema schema;

    Expectations(final CollectionSchema schema) {
        this.schema = schema;
    }

    String expected(final String column, final Fault.Kind kind) {
        final FieldSchema field = schema.field(column).orElse(null);
        if (field == null) {
            if (kind != Fault.Kind.UNEXPECTED) {
                return "the dynamic fields as a JSON object (or a string of one)";
            }
            return CollectionSchema.META_FIELD.equals(column) ? "no key, since the dynamic field of collection " + schema.name() + " is off"
                    : "no key, since collection " + schema.name() + " has no such field and its dynamic field is off (Milvus 2.6 and later skip "
                    + "it, earlier servers refuse the file)";
        }
        final String type = field.describeType();
        return switch (kind) {
            case UNEXPECTED -> "no key, since " + SchemaRules.whyForbidden(field);
            case MISSING, NULL -> type;
            case TYPE -> type + (field.nullable() ? " or null" : "");
            case LENGTH -> type + (field.dim() == null ? "" : " (" + KindRules.vectorLength(field, null) + " values a row)");
            case CAPACITY -> type;
            case TOO_LONG -> type + " (at most " + field.maxLength() + " bytes)";
            case NOT_UTF8 -> type + " (valid UTF-8 text)";
            case NOT_JSON -> type + " (one JSON document)";
            case NOT_OBJECT -> type + " (a JSON object)";
            case NON_FINITE -> type + (field.type().isDenseVector() ? " of finite 32-bit floats"
                    : field.type() == FieldType.DOUBLE ? " (a finite number)" : " (a finite 32-bit float)");
            case SPARSE -> type + " (indices below 2^32 - 1, each once; values finite and not negative)";
        };
    }
}
