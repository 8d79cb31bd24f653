package io.github.bulkimport.emulator.files;

import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Parquet file whole, with Apache Parquet's own reader (parquet-hadoop), as Milvus reads it
 * with Arrow: each top-level column's Arrow type, and every row's values.
 */
final class ParquetTable {

    private ParquetTable() {
    }

    static Table read(final Path path, final int maxRows) {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(path))) {
            final MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            final Map<String, String> types = new LinkedHashMap<>();
            for (final Type field : schema.getFields()) {
                types.put(field.getName(), arrowType(field));
            }
            final List<Map<String, Object>> rows = new ArrayList<>();
            PageReadStore group;
            while (rows.size() < maxRows && (group = reader.readNextRowGroup()) != null) {
                final RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(group, new GroupRecordConverter(schema));
                for (long i = 0; i < group.getRowCount() && rows.size() < maxRows; i++) {
                    rows.add(row(records.read(), schema));
                }
            }
            return new Table(types, rows, null);
        } catch (final IOException | RuntimeException e) {
            return Table.unreadable("failed to read parquet file: " + e.getMessage());
        }
    }

    private static Map<String, Object> row(final Group record, final GroupType schema) {
        final Map<String, Object> row = new LinkedHashMap<>();
        for (final Type field : schema.getFields()) {
            row.put(field.getName(), record.getFieldRepetitionCount(field.getName()) == 0 ? null : value(record, field, 0));
        }
        return row;
    }

    private static Object value(final Group parent, final Type field, final int index) {
        if (field.isPrimitive()) {
            final PrimitiveType primitive = field.asPrimitiveType();
            return switch (primitive.getPrimitiveTypeName()) {
                case BOOLEAN -> parent.getBoolean(field.getName(), index);
                case INT32 -> (long) parent.getInteger(field.getName(), index);
                case INT64 -> parent.getLong(field.getName(), index);
                case FLOAT -> (double) parent.getFloat(field.getName(), index);
                case DOUBLE -> parent.getDouble(field.getName(), index);
                case BINARY, FIXED_LEN_BYTE_ARRAY -> primitive.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || primitive.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
                        ? parent.getString(field.getName(), index) : parent.getBinary(field.getName(), index).getBytes();
                default -> parent.getValueToString(parent.getType().getFieldIndex(field.getName()), index);
            };
        }
        final Group group = parent.getGroup(field.getName(), index);
        final GroupType type = field.asGroupType();
        if (type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            final Type repeated = type.getType(0);
            final List<Object> list = new ArrayList<>();
            for (int i = 0; i < group.getFieldRepetitionCount(0); i++) {
                if (repeated.isPrimitive()) {
                    list.add(value(group, repeated, i));
                } else {
                    final Group entry = group.getGroup(0, i);
                    final Type element = repeated.asGroupType().getType(0);
                    list.add(entry.getFieldRepetitionCount(0) == 0 ? null : value(entry, element, 0));
                }
            }
            return list;
        }
        return row(group, type);
    }

    /** The Arrow type Milvus's reader sees for a Parquet field. */
    static String arrowType(final Type field) {
        final LogicalTypeAnnotation logical = field.getLogicalTypeAnnotation();
        if (!field.isPrimitive()) {
            final GroupType group = field.asGroupType();
            if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && group.getFieldCount() == 1) {
                final Type repeated = group.getType(0);
                final Type element = repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1 ? repeated : repeated.asGroupType().getType(0);
                return "list<" + arrowType(element) + ">";
            }
            return "struct";
        }
        if (logical instanceof LogicalTypeAnnotation.UnknownLogicalTypeAnnotation) {
            return "null";
        }
        return switch (field.asPrimitiveType().getPrimitiveTypeName()) {
            case BOOLEAN -> "bool";
            case INT32 -> logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation integer
                    ? (integer.isSigned() ? "int" : "uint") + integer.getBitWidth() : logical == null ? "int32" : "date32";
            case INT64 -> logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation integer && !integer.isSigned() ? "uint64"
                    : logical == null || logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation ? "int64" : "timestamp";
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case BINARY -> logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation ? "utf8" : "binary";
            case FIXED_LEN_BYTE_ARRAY -> logical instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation ? "halffloat" : "fixed_size_binary";
            case INT96 -> "timestamp";
        };
    }
}
