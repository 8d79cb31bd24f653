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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a Parquet file whole, with Apache Parquet's own reader (parquet-hadoop), as Milvus reads it
 * with Arrow: each top-level column's Arrow type, then every row of every row group, one at a time.
 */
final class ParquetTable {

    /** Text whose bytes are not valid UTF-8, which Milvus's Parquet reader refuses for a VarChar. */
    record BadText(String lossy) {
    }

    private ParquetTable() {
    }

    /**
     * @param columns checks the columns' Arrow types first (column to type, in the file's order)
     * @return why the file fails (its columns', a row's, or its bytes'), or {@code null}
     */
    static String check(final Path path, final Function<Map<String, String>, String> columns, final RowCheck rows) {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(path))) {
            final MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            final Map<String, String> types = new LinkedHashMap<>();
            for (final Type field : schema.getFields()) {
                types.put(field.getName(), arrowType(field));
            }
            final String columnProblem = columns.apply(types);
            if (columnProblem != null) {
                return columnProblem;
            }
            long index = 0;
            PageReadStore group;
            while ((group = reader.readNextRowGroup()) != null) {
                final RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(group, new GroupRecordConverter(schema));
                for (long i = 0; i < group.getRowCount(); i++) {
                    final String problem = rows.row(index++, row(records.read(), schema));
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            return null;
        } catch (final IOException | RuntimeException e) {
            return "failed to read parquet file: " + e.getMessage();
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
                        ? text(parent.getBinary(field.getName(), index).getBytes()) : parent.getBinary(field.getName(), index).getBytes();
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

    /** Text as Go holds it: its bytes, which a VarChar must hold as valid UTF-8. */
    private static Object text(final byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (final CharacterCodingException e) {
            return new BadText(new String(bytes, StandardCharsets.UTF_8));
        }
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
