package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads what a check needs of a Parquet file and nothing more: the footer (the schema, where the
 * column chunks are), then, for the columns whose values matter (a vector's dimension, an array's
 * length, the longest text), the first pages of the first row group. The cost does not grow with
 * the file: a 1 GB file is read as little as a 1 MB one.
 */
public final class ParquetFile {

    private final Content content;
    private long bytesRead;
    private FirstPages pages;

    private ParquetFile(final Content content) {
        this.content = content;
    }

    /**
     * Reads a file's columns, for any bytes: a file whose bytes are broken comes back
     * {@link FileContents#unreadable unreadable}, saying what is broken and where; nothing the bytes
     * hold throws. An {@link IOException} means that reading the content itself failed, never that
     * the file is malformed: every byte is first read into memory, in bounded amounts (the tail, the
     * footer up to 64 MB, a page header up to 1 MB, a page up to 16 MB), and only then decoded, so
     * that an IOException can only come from {@link Content#openAt} or the stream it gives. A stream
     * that ends before the content's size is a file that ends early: unreadable too. Nothing the
     * file declares sizes an allocation, a loop or a recursion before it is checked against what
     * holds it (the file, the footer, the page).
     *
     * @param lengthsOf the fields whose list lengths to read from the first rows (vectors, arrays)
     * @param textOf    the fields whose longest text to read (VarChar with a maximum length)
     * @throws IOException only when reading the content failed
     */
    public static FileContents read(final Content content, final Set<String> lengthsOf, final Set<String> textOf, final int maxRows)
            throws IOException {
        final ParquetFile file = new ParquetFile(content);
        try {
            return file.columns(lengthsOf, textOf, maxRows);
        } catch (final MalformedParquetException broken) {
            return FileContents.unreadable(FileFormat.PARQUET, broken.getMessage(), file.bytesRead());
        }
    }

    private long bytesRead() {
        return bytesRead + (pages == null ? 0 : pages.bytesRead());
    }

    private FileContents columns(final Set<String> lengthsOf, final Set<String> textOf, final int maxRows)
            throws IOException, MalformedParquetException {
        final ParquetTail tail = ParquetTail.read(content, bytes -> bytesRead += bytes);
        final long dataEnd = tail.dataEnd();
        final ParquetFooter footer = ParquetFooter.decode(tail.footer());
        final Map<List<String>, ColumnMetaData> chunks = chunksByPath(footer.firstChunks());
        pages = new FirstPages(content, dataEnd);
        final List<FileColumn> columns = new ArrayList<>();
        for (final ParquetColumn column : ParquetSchema.topLevel(footer.schema())) {
            final boolean wantLengths = lengthsOf.contains(column.name()) && column.maxRepetition() > 0;
            final boolean wantText = textOf.contains(column.name()) && column.binaryValues();
            final ColumnMetaData chunk = column.leafPath() == null ? null : chunks.get(column.leafPath());
            FirstPages.Sample sample = FirstPages.Sample.NONE;
            if ((wantLengths || wantText) && chunk != null) {
                sample = pages.read(chunk, column, maxRows);
            }
            columns.add(FileColumn.typed(column.name(), column.kind(), column.elementKind(), sample.lengths(), sample.longestText()));
        }
        return new FileContents(FileFormat.PARQUET, columns, (int) Math.min(Integer.MAX_VALUE, footer.rows()), null, bytesRead());
    }

    /** The chunks with metadata, by their path in the schema, read once: the first of a path when two claim it. */
    private static Map<List<String>, ColumnMetaData> chunksByPath(final List<ColumnChunk> chunks) {
        final Map<List<String>, ColumnMetaData> byPath = new HashMap<>();
        for (final ColumnChunk chunk : chunks) {
            if (chunk.isSetMeta_data()) {
                byPath.putIfAbsent(chunk.getMeta_data().getPath_in_schema(), chunk.getMeta_data());
            }
        }
        return byPath;
    }
}
