package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a Parquet footer's flattened schema into its top-level fields, with the kinds an Arrow reader
 * gives them: an annotated INT32 of 8 bits is int8, an annotated BYTE_ARRAY is a string, a LIST
 * group is a list of its element's kind (three-level lists, and the older two-level ones).
 */
final class ParquetSchema {

    /** One element of the schema with its children, rebuilt from the depth-first list of the footer. */
    private record Node(SchemaElement element, List<Node> children) {

        String name() {
            return element.getName();
        }

        boolean repeated() {
            return element.getRepetition_type() == FieldRepetitionType.REPEATED;
        }

        boolean optional() {
            return element.getRepetition_type() == FieldRepetitionType.OPTIONAL;
        }

        boolean isList() {
            return element.isSetLogicalType() && element.getLogicalType().isSetLIST()
                    || element.isSetConverted_type() && element.getConverted_type() == ConvertedType.LIST;
        }
    }

    private ParquetSchema() {
    }

    static List<ParquetColumn> topLevel(final List<SchemaElement> elements) {
        final int[] next = {0};
        final Node root = node(elements, next);
        final List<ParquetColumn> columns = new ArrayList<>(root.children().size());
        for (final Node field : root.children()) {
            columns.add(column(field));
        }
        return columns;
    }

    private static Node node(final List<SchemaElement> elements, final int[] next) {
        final SchemaElement element = elements.get(next[0]++);
        final List<Node> children = new ArrayList<>();
        final int count = element.isSetNum_children() ? element.getNum_children() : 0;
        for (int i = 0; i < count && next[0] < elements.size(); i++) {
            children.add(node(elements, next));
        }
        return new Node(element, children);
    }

    private static ParquetColumn column(final Node field) {
        if (field.children().isEmpty()) {
            final ColumnKind kind = primitiveKind(field.element());
            final int definition = field.optional() || field.repeated() ? 1 : 0;
            if (field.repeated()) {
                // the oldest list: a repeated primitive
                return new ParquetColumn(field.name(), ColumnKind.LIST, kind, List.of(field.name()), 1, definition, 1, binary(field));
            }
            return new ParquetColumn(field.name(), kind, null, List.of(field.name()), 0, definition, definition, binary(field));
        }
        if (!field.isList() || field.children().size() != 1 || !field.children().getFirst().repeated()) {
            return new ParquetColumn(field.name(), ColumnKind.STRUCT, null, null, 0, 0, 0, false);
        }
        final Node repeated = field.children().getFirst();
        final int outer = field.optional() ? 1 : 0;
        final int threshold = outer + 1;
        if (repeated.children().isEmpty()) {
            // two-level list of primitives
            return new ParquetColumn(field.name(), ColumnKind.LIST, primitiveKind(repeated.element()), List.of(field.name(), repeated.name()), 1,
                    threshold, threshold, binary(repeated));
        }
        if (repeated.children().size() != 1) {
            // two-level list of structs
            return new ParquetColumn(field.name(), ColumnKind.LIST, ColumnKind.STRUCT, null, 1, threshold, threshold, false);
        }
        final Node element = repeated.children().getFirst();
        if (!element.children().isEmpty()) {
            // a list of lists or of structs: not a shape Milvus imports into a vector or an array
            return new ParquetColumn(field.name(), ColumnKind.LIST, element.isList() ? ColumnKind.LIST : ColumnKind.STRUCT, null, 1, threshold,
                    threshold, false);
        }
        final int definition = threshold + (element.optional() ? 1 : 0);
        return new ParquetColumn(field.name(), ColumnKind.LIST, primitiveKind(element.element()),
                List.of(field.name(), repeated.name(), element.name()), 1, definition, threshold, binary(element));
    }

    private static boolean binary(final Node leaf) {
        return leaf.element().isSetType() && leaf.element().getType() == Type.BYTE_ARRAY;
    }

    /** The kind Arrow reads a primitive column as, from its physical type and its annotations. */
    static ColumnKind primitiveKind(final SchemaElement element) {
        final LogicalType logical = element.isSetLogicalType() ? element.getLogicalType() : null;
        final ConvertedType converted = element.isSetConverted_type() ? element.getConverted_type() : null;
        if (logical != null && logical.isSetUNKNOWN()) {
            return ColumnKind.NULL;
        }
        if (!element.isSetType()) {
            return ColumnKind.OTHER;
        }
        return switch (element.getType()) {
            case BOOLEAN -> ColumnKind.BOOL;
            case INT32 -> int32Kind(logical, converted);
            case INT64 -> logical != null && (logical.isSetTIMESTAMP() || logical.isSetTIME() || logical.isSetDECIMAL()
                    || logical.isSetINTEGER() && !logical.getINTEGER().isIsSigned())
                    || converted == ConvertedType.UINT_64 || converted == ConvertedType.DECIMAL
                    || converted == ConvertedType.TIMESTAMP_MILLIS || converted == ConvertedType.TIMESTAMP_MICROS ? ColumnKind.OTHER : ColumnKind.INT64;
            case FLOAT -> ColumnKind.FLOAT;
            case DOUBLE -> ColumnKind.DOUBLE;
            case BYTE_ARRAY -> logical != null && (logical.isSetSTRING() || logical.isSetJSON() || logical.isSetENUM())
                    || converted == ConvertedType.UTF8 || converted == ConvertedType.JSON || converted == ConvertedType.ENUM
                    ? ColumnKind.STRING : ColumnKind.BINARY;
            case FIXED_LEN_BYTE_ARRAY -> logical != null && logical.isSetFLOAT16() ? ColumnKind.FLOAT16 : ColumnKind.FIXED_BINARY;
            default -> ColumnKind.OTHER;
        };
    }

    private static ColumnKind int32Kind(final LogicalType logical, final ConvertedType converted) {
        if (logical != null && logical.isSetINTEGER()) {
            final int bits = logical.getINTEGER().getBitWidth();
            if (!logical.getINTEGER().isIsSigned()) {
                return bits == 8 ? ColumnKind.UINT8 : ColumnKind.OTHER;
            }
            return bits == 8 ? ColumnKind.INT8 : bits == 16 ? ColumnKind.INT16 : ColumnKind.INT32;
        }
        if (logical != null && (logical.isSetDATE() || logical.isSetTIME() || logical.isSetDECIMAL())) {
            return ColumnKind.OTHER;
        }
        if (converted == null) {
            return ColumnKind.INT32;
        }
        return switch (converted) {
            case INT_8 -> ColumnKind.INT8;
            case INT_16 -> ColumnKind.INT16;
            case INT_32 -> ColumnKind.INT32;
            case UINT_8 -> ColumnKind.UINT8;
            default -> ColumnKind.OTHER;
        };
    }
}
