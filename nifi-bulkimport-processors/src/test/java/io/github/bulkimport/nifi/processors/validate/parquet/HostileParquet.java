package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parquet files built by hand, byte by byte where needed: sound footers over pages that lie, and
 * footers that lie. Footers and page headers are written with Parquet's own Thrift structures
 * ({@link Util}), which write whatever numbers they are given; {@link CompactThrift} writes what
 * they cannot. Every file here has one column, whose first page starts right after the magic.
 */
public final class HostileParquet {

    /** Where the first page of every file here starts: right after the magic. */
    public static final long FIRST_PAGE = 4;

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    /** The two column shapes the files here hold. */
    public enum Column {
        /** optional group vector (LIST) { repeated group list { optional float element; } }: levels up to 1 and 3. */
        VECTOR,
        /** optional binary title (STRING): definition levels up to 1. */
        TITLE
    }

    private HostileParquet() {
    }

    /** A whole file: the magic, the pages, the footer, its length, the magic. */
    public static byte[] file(final byte[] pages, final byte[] footer) {
        return concat(MAGIC, pages, footer, littleEndianInt(footer.length), MAGIC);
    }

    /** A file of one column, one page (header and body), with a sound footer. */
    public static byte[] file(final Column column, final CompressionCodec codec, final long values, final long rows, final byte[]... pages) {
        return file(concat(pages), footer(column, FIRST_PAGE, codec, values, rows));
    }

    public static byte[] footer(final FileMetaData metadata) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Util.writeFileMetaData(metadata, out);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] header(final PageHeader header) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Util.writePageHeader(header, out);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A sound footer of one column whose chunk starts at {@code offset}. */
    public static byte[] footer(final Column column, final long offset, final CompressionCodec codec, final long values, final long rows) {
        return footer(metadata(column, offset, codec, values, rows));
    }

    public static FileMetaData metadata(final Column column, final long offset, final CompressionCodec codec, final long values, final long rows) {
        final List<SchemaElement> schema = new ArrayList<>();
        schema.add(group("schema", null, 1));
        final List<String> path;
        final Type type;
        if (column == Column.VECTOR) {
            final SchemaElement vector = group("vector", FieldRepetitionType.OPTIONAL, 1);
            vector.setConverted_type(ConvertedType.LIST);
            schema.add(vector);
            schema.add(group("list", FieldRepetitionType.REPEATED, 1));
            schema.add(leaf("element", Type.FLOAT, null));
            path = List.of("vector", "list", "element");
            type = Type.FLOAT;
        } else {
            schema.add(leaf("title", Type.BYTE_ARRAY, ConvertedType.UTF8));
            path = List.of("title");
            type = Type.BYTE_ARRAY;
        }
        final ColumnMetaData meta = new ColumnMetaData(type, List.of(Encoding.PLAIN, Encoding.RLE), path, codec, values, 100, 100, offset);
        final ColumnChunk chunk = new ColumnChunk(offset);
        chunk.setMeta_data(meta);
        return new FileMetaData(1, schema, rows, List.of(new RowGroup(List.of(chunk), 100, rows)));
    }

    public static SchemaElement group(final String name, final FieldRepetitionType repetition, final int children) {
        final SchemaElement group = new SchemaElement(name);
        if (repetition != null) {
            group.setRepetition_type(repetition);
        }
        group.setNum_children(children);
        return group;
    }

    public static SchemaElement leaf(final String name, final Type type, final ConvertedType converted) {
        final SchemaElement leaf = new SchemaElement(name);
        leaf.setRepetition_type(FieldRepetitionType.OPTIONAL);
        leaf.setType(type);
        if (converted != null) {
            leaf.setConverted_type(converted);
        }
        return leaf;
    }

    /** A v1 data page's header: PLAIN values, RLE levels. */
    public static PageHeader dataPage(final int values, final int compressed, final int uncompressed) {
        return dataPage(values, compressed, uncompressed, Encoding.PLAIN);
    }

    public static PageHeader dataPage(final int values, final int compressed, final int uncompressed, final Encoding encoding) {
        final PageHeader header = new PageHeader(PageType.DATA_PAGE, uncompressed, compressed);
        header.setData_page_header(new DataPageHeader(values, encoding, Encoding.RLE, Encoding.RLE));
        return header;
    }

    /** A v1 data page, header and body, of the body's size. */
    public static byte[] dataPage(final int values, final byte[] body) {
        return concat(header(dataPage(values, body.length, body.length)), body);
    }

    public static PageHeader dataPageV2(final int values, final int rows, final int repetitionBytes, final int definitionBytes, final int compressed,
                                        final int uncompressed, final Encoding encoding) {
        final PageHeader header = new PageHeader(PageType.DATA_PAGE_V2, uncompressed, compressed);
        header.setData_page_header_v2(new DataPageHeaderV2(values, 0, rows, encoding, definitionBytes, repetitionBytes));
        return header;
    }

    public static PageHeader dictionaryPage(final int values, final int compressed, final int uncompressed) {
        final PageHeader header = new PageHeader(PageType.DICTIONARY_PAGE, uncompressed, compressed);
        header.setDictionary_page_header(new DictionaryPageHeader(values, Encoding.PLAIN));
        return header;
    }

    /** Levels as RLE runs of the hybrid encoding, one byte a level: (count, level) pairs. */
    public static byte[] rle(final long... countAndLevel) {
        final CompactThrift runs = new CompactThrift();
        for (int i = 0; i < countAndLevel.length; i += 2) {
            runs.varint(countAndLevel[i] << 1).raw((int) countAndLevel[i + 1]);
        }
        return runs.bytes();
    }

    /** A v1 page's level section: its length in 4 bytes, then the levels. */
    public static byte[] v1Levels(final byte[] encoded) {
        return concat(littleEndianInt(encoded.length), encoded);
    }

    /** The levels and values of a v1 page of vectors: {@code rows} rows of {@code dim} floats. */
    public static byte[] vectorBody(final int rows, final int dim) {
        final long[] runs = new long[rows * 4];
        for (int row = 0; row < rows; row++) {
            runs[4 * row] = 1;
            runs[4 * row + 1] = 0;
            runs[4 * row + 2] = dim - 1;
            runs[4 * row + 3] = 1;
        }
        final ByteBuffer floats = ByteBuffer.allocate(4 * rows * dim).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * dim; i++) {
            floats.putFloat(0.5f * i);
        }
        return concat(v1Levels(rle(runs)), v1Levels(rle((long) rows * dim, 3)), floats.array());
    }

    /** A sound file of {@code rows} vectors of {@code dim} floats in one uncompressed v1 page. */
    public static byte[] vectorFile(final int rows, final int dim) {
        return file(Column.VECTOR, CompressionCodec.UNCOMPRESSED, (long) rows * dim, rows, dataPage(rows * dim, vectorBody(rows, dim)));
    }

    /** PLAIN byte arrays: each after its length in 4 bytes. */
    public static byte[] plain(final String... values) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final String value : values) {
            final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(littleEndianInt(utf8.length));
            out.writeBytes(utf8);
        }
        return out.toByteArray();
    }

    /** The levels and values of a v1 page of titles, none null. */
    public static byte[] titleBody(final String... titles) {
        return concat(v1Levels(rle(titles.length, 1)), plain(titles));
    }

    /** A sound file of titles in one uncompressed v1 page. */
    public static byte[] titleFile(final String... titles) {
        return file(Column.TITLE, CompressionCodec.UNCOMPRESSED, titles.length, titles.length, dataPage(titles.length, titleBody(titles)));
    }

    /** The length of a file's footer, from its tail. */
    public static int footerLength(final byte[] file) {
        return ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    public static byte[] littleEndianInt(final int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    public static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
