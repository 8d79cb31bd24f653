package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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

    /**
     * The deepest schema read. Milvus's Arrow reader imports nothing deeper than a list of lists (a
     * few levels); 100 leaves room for any real schema while no schema makes the reader's work deep.
     */
    static final int MAX_DEPTH = 100;

    private ParquetSchema() {
    }

    /**
     * The top-level fields of a schema given as the footer gives it: depth first, each group followed
     * by its children. Built without recursion, and refused when it nests deeper than
     * {@link #MAX_DEPTH} or when its elements do not add up to one tree.
     */
    static List<ParquetColumn> topLevel(final List<SchemaElement> elements) throws MalformedParquetException {
        final Node root = tree(elements);
        final List<ParquetColumn> columns = new ArrayList<>(root.children().size());
        for (final Node field : root.children()) {
            columns.add(column(field));
        }
        return columns;
    }

    private static Node tree(final List<SchemaElement> elements) throws MalformedParquetException {
        if (elements.isEmpty()) {
            throw new MalformedParquetException("an empty schema (not even its root)");
        }
        // the groups around the element read: the path from the root, innermost on top
        final Deque<Node> open = new ArrayDeque<>();
        Node root = null;
        for (int i = 0; i < elements.size(); i++) {
            final SchemaElement element = elements.get(i);
            final int children = element.isSetNum_children() ? element.getNum_children() : 0;
            if (children < 0 || children > elements.size() - 1 - i) {
                throw new MalformedParquetException("a schema whose element " + shown(element.getName()) + " claims " + children + " children, where "
                        + (elements.size() - 1 - i) + " elements follow");
            }
            final Node node = new Node(element, new ArrayList<>(children));
            if (root == null) {
                root = node;
            } else if (open.isEmpty()) {
                throw new MalformedParquetException("a schema with elements after the last field of its root (" + shown(element.getName()) + ")");
            } else {
                open.peek().children().add(node);
            }
            if (children > 0) {
                if (open.size() == MAX_DEPTH) {
                    throw new MalformedParquetException("a schema nested deeper than " + MAX_DEPTH + " levels");
                }
                open.push(node);
            } else {
                // a subtree ends with a leaf: the groups it completes are closed
                while (!open.isEmpty() && open.peek().children().size() == open.peek().element().getNum_children()) {
                    open.pop();
                }
            }
        }
        if (!open.isEmpty()) {
            throw new MalformedParquetException("a schema whose group " + shown(open.peek().name()) + " has fewer children than the "
                    + open.peek().element().getNum_children() + " it claims");
        }
        return root;
    }

    /** A name as a message shows it: the file's names may be of any length and hold line breaks, a message is one short line. */
    private static String shown(final String name) {
        final String line = name.replaceAll("\\p{Cntrl}", "?");
        return line.length() <= 64 ? line : line.substring(0, 64) + "...";
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
