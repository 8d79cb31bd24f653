package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.SchemaElement;
import shaded.parquet.org.apache.thrift.TException;
import shaded.parquet.org.apache.thrift.protocol.TField;
import shaded.parquet.org.apache.thrift.protocol.TList;
import shaded.parquet.org.apache.thrift.protocol.TProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * What a check needs of a Parquet footer (Thrift's FileMetaData): the schema, the row count and the
 * column chunks of the first row group, which say where the first pages are. The other row groups
 * are skipped, not kept: memory follows the schema and one row group, however many groups the file
 * has. The two outer structures are read here, field by field, rather than by their generated
 * readers, which on a missing field put the whole structure in their message.
 *
 * @param firstChunks the column chunks of the first row group; empty for a file without row groups
 */
record ParquetFooter(List<SchemaElement> schema, long rows, List<ColumnChunk> firstChunks) {

    /** Thrift's type codes (its TType, which the shaded library inlines and does not ship). */
    private static final byte STOP = 0;
    private static final byte I32 = 8;
    private static final byte I64 = 10;
    private static final byte STRUCT = 12;
    private static final byte LIST = 15;

    /**
     * The most objects the schema and a row group may make together: every structure (a schema element, a column chunk,
     * its metadata, statistics...), list, list entry (a path's part, an encoding...) and text or binary. Apache Parquet
     * writes 22 of them for a column (a footer of 40,000 columns makes about 880,000 of some 30 bytes each, 26 MB); a
     * footer of empty structures and lists, a byte or two each, would otherwise take 15 times its bytes in memory: a 25 MB
     * footer of 500,000 column chunks, each with every optional structure empty, took more than 256 MB. At most
     * 1,000,000 objects of at most some 60 bytes: 60 MB at most, whatever the footer.
     */
    static final long MAX_KEPT_OBJECTS = 1_000_000;

    private static final short VERSION = 1;
    private static final short SCHEMA = 2;
    private static final short NUM_ROWS = 3;
    private static final short ROW_GROUPS = 4;
    private static final short GROUP_COLUMNS = 1;
    private static final short GROUP_BYTES = 2;
    private static final short GROUP_ROWS = 3;

    /** Decodes a footer: every length it declares is checked against its bytes first ({@link BoundedCompactProtocol}). */
    static ParquetFooter decode(final byte[] footer) throws MalformedParquetException {
        final BoundedCompactProtocol in = BoundedCompactProtocol.over(footer, 0, footer.length);
        in.limitObjects(MAX_KEPT_OBJECTS);
        try {
            return read(in);
        } catch (final TException e) {
            throw new MalformedParquetException("a footer that cannot be decoded (" + (in.ranOut() ? "it goes on past its " + footer.length + " bytes"
                    : BoundedCompactProtocol.reason(e)) + ")");
        }
    }

    private static ParquetFooter read(final BoundedCompactProtocol in) throws TException, MalformedParquetException {
        boolean version = false;
        List<SchemaElement> schema = null;
        Long rows = null;
        List<ColumnChunk> firstChunks = null;
        in.readStructBegin();
        for (TField field = in.readFieldBegin(); field.type != STOP; field = in.readFieldBegin()) {
            if (field.id == VERSION && field.type == I32) {
                in.readI32();
                version = true;
            } else if (field.id == SCHEMA && field.type == LIST) {
                schema = schema(in);
            } else if (field.id == NUM_ROWS && field.type == I64) {
                rows = in.readI64();
            } else if (field.id == ROW_GROUPS && field.type == LIST) {
                firstChunks = firstChunks(in);
            } else {
                in.skipUnkept(field.type);
            }
            in.readFieldEnd();
        }
        in.readStructEnd();
        if (!version || schema == null || rows == null || firstChunks == null) {
            throw new MalformedParquetException("a footer without its " + (!version ? "version" : schema == null ? "schema"
                    : rows == null ? "row count" : "row groups"));
        }
        if (rows < 0) {
            throw new MalformedParquetException("a footer that counts " + rows + " rows");
        }
        return new ParquetFooter(schema, rows, firstChunks);
    }

    private static List<SchemaElement> schema(final BoundedCompactProtocol in) throws TException {
        final TList list = in.readListBegin();
        requireStructs(list);
        final List<SchemaElement> schema = startingList(list);
        for (int i = 0; i < list.size; i++) {
            final SchemaElement element = new SchemaElement();
            element.read(in);
            schema.add(element);
        }
        in.readListEnd();
        return schema;
    }

    /** The first row group's column chunks; the other groups are skipped. */
    private static List<ColumnChunk> firstChunks(final BoundedCompactProtocol in) throws TException, MalformedParquetException {
        final TList list = in.readListBeginOfUnkept();
        requireStructs(list);
        List<ColumnChunk> first = List.of();
        for (int i = 0; i < list.size; i++) {
            if (i == 0) {
                first = rowGroup(in);
            } else {
                in.skipUnkept(STRUCT);
            }
        }
        in.readListEnd();
        return first;
    }

    private static List<ColumnChunk> rowGroup(final BoundedCompactProtocol in) throws TException, MalformedParquetException {
        return group(in, "first row group").columns();
    }

    /** A row group: its column chunks and how many rows it holds. */
    record RowGroup(List<ColumnChunk> columns, long rows) {
    }

    /** Reads the row groups of a footer one at a time, keeping one in memory, whatever their number. */
    interface RowGroupVisitor {
        void visit(int index, RowGroup group) throws java.io.IOException, MalformedParquetException, CannotCheckException;
    }

    /**
     * Visits every row group of a footer, in order, each decoded when its turn comes: the schema and the
     * other groups are skipped, and each group may make {@link #MAX_KEPT_OBJECTS} objects.
     */
    static void eachRowGroup(final byte[] footer, final RowGroupVisitor visitor) throws java.io.IOException, MalformedParquetException,
            CannotCheckException {
        final BoundedCompactProtocol in = BoundedCompactProtocol.over(footer, 0, footer.length);
        try {
            in.readStructBegin();
            for (TField field = in.readFieldBegin(); field.type != STOP; field = in.readFieldBegin()) {
                if (field.id == ROW_GROUPS && field.type == LIST) {
                    final TList list = in.readListBeginOfUnkept();
                    requireStructs(list);
                    for (int i = 0; i < list.size; i++) {
                        in.limitObjects(MAX_KEPT_OBJECTS);
                        final RowGroup group = group(in, "row group " + (i + 1));
                        if (group.rows() < 0) {
                            throw new MalformedParquetException("a footer whose row group " + (i + 1) + " counts " + group.rows() + " rows");
                        }
                        visitor.visit(i, group);
                    }
                    in.readListEnd();
                    return;
                }
                in.skipUnkept(field.type);
                in.readFieldEnd();
            }
        } catch (final TException e) {
            throw new MalformedParquetException("a footer that cannot be decoded (" + (in.ranOut() ? "it goes on past its " + footer.length + " bytes"
                    : BoundedCompactProtocol.reason(e)) + ")");
        }
    }

    private static RowGroup group(final BoundedCompactProtocol in, final String which) throws TException, MalformedParquetException {
        List<ColumnChunk> columns = null;
        boolean bytes = false;
        Long rows = null;
        in.readStructBegin();
        for (TField field = in.readFieldBegin(); field.type != STOP; field = in.readFieldBegin()) {
            if (field.id == GROUP_COLUMNS && field.type == LIST) {
                final TList list = in.readListBegin();
                requireStructs(list);
                columns = startingList(list);
                for (int i = 0; i < list.size; i++) {
                    final ColumnChunk chunk = new ColumnChunk();
                    chunk.read(in);
                    columns.add(chunk);
                }
                in.readListEnd();
            } else if (field.id == GROUP_BYTES && field.type == I64) {
                in.readI64();
                bytes = true;
            } else if (field.id == GROUP_ROWS && field.type == I64) {
                rows = in.readI64();
            } else {
                in.skipUnkept(field.type);
            }
            in.readFieldEnd();
        }
        in.readStructEnd();
        if (columns == null || !bytes || rows == null) {
            throw new MalformedParquetException("a footer whose " + which + " has no " + (columns == null ? "column chunks"
                    : !bytes ? "byte size" : "row count"));
        }
        return new RowGroup(columns, rows);
    }

    /** A list for the elements a Thrift list declares: its size was checked against the bytes left, yet does not size the list. */
    private static <T> List<T> startingList(final TList list) {
        return new ArrayList<>(Math.min(list.size, 1024));
    }

    private static void requireStructs(final TList list) throws TProtocolException {
        if (list.size > 0 && list.elemType != STRUCT) {
            throw new TProtocolException(TProtocolException.INVALID_DATA, "a list of type " + list.elemType + " where structures are expected");
        }
    }
}
