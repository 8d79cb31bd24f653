package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads what a check needs of a Parquet file and nothing more: the footer (the schema, where the
 * column chunks are), then, for the columns whose values matter (a vector's dimension, an array's
 * length, the longest text), the first pages of the first row group. The cost does not grow with
 * the file: a 1 GB file is read as little as a 1 MB one.
 */
public final class ParquetFile {

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCRYPTED_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);
    /** The footer of a file with many row groups and columns can be large, but not this large. */
    private static final int MAX_FOOTER_BYTES = 64 * 1024 * 1024;

    private ParquetFile() {
    }

    /**
     * @param lengthsOf the fields whose list lengths to read from the first rows (vectors, arrays)
     * @param textOf    the fields whose longest text to read (VarChar with a maximum length)
     */
    public static FileContents read(final Content content, final Set<String> lengthsOf, final Set<String> textOf, final int maxRows)
            throws IOException {
        final long size = content.size();
        if (size < 12) {
            return FileContents.unreadable(FileFormat.PARQUET, "a file of " + size + " bytes, too short to be Parquet", 0);
        }
        final byte[] tail;
        try (InputStream in = content.openAt(size - 8)) {
            tail = in.readNBytes(8);
        }
        if (matches(tail, ENCRYPTED_MAGIC)) {
            return FileContents.unreadable(FileFormat.PARQUET, "a Parquet file with an encrypted footer, which Milvus does not read", tail.length);
        }
        if (!matches(tail, MAGIC)) {
            return FileContents.unreadable(FileFormat.PARQUET, "no Parquet magic (PAR1) at its end", tail.length);
        }
        final int footerLength = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (footerLength <= 0 || footerLength > size - 12 || footerLength > MAX_FOOTER_BYTES) {
            return FileContents.unreadable(FileFormat.PARQUET, "a Parquet footer length of " + footerLength + " bytes in a file of " + size, tail.length);
        }
        final FileMetaData metadata;
        try (InputStream in = content.openAt(size - 8 - footerLength)) {
            metadata = Util.readFileMetaData(new ByteArrayInputStream(in.readNBytes(footerLength)));
        } catch (final IOException unreadableFooter) {
            return FileContents.unreadable(FileFormat.PARQUET, "a Parquet footer that cannot be read (" + unreadableFooter.getMessage() + ")",
                    8L + footerLength);
        }
        long bytesRead = 8L + footerLength;
        final RowGroup firstGroup = metadata.getRow_groups() == null || metadata.getRow_groups().isEmpty() ? null : metadata.getRow_groups().getFirst();
        final FirstPages pages = new FirstPages(content);
        final List<FileColumn> columns = new ArrayList<>();
        for (final ParquetColumn column : ParquetSchema.topLevel(metadata.getSchema())) {
            final boolean wantLengths = lengthsOf.contains(column.name()) && column.maxRepetition() > 0;
            final boolean wantText = textOf.contains(column.name()) && column.binaryValues();
            final ColumnChunk chunk = firstGroup == null || column.leafPath() == null ? null : chunkOf(firstGroup, column.leafPath());
            FirstPages.Sample sample = FirstPages.Sample.NONE;
            if ((wantLengths || wantText) && chunk != null && chunk.isSetMeta_data()) {
                sample = pages.read(chunk.getMeta_data(), column, maxRows);
                bytesRead += sample.bytesRead();
            }
            columns.add(FileColumn.typed(column.name(), column.kind(), column.elementKind(), sample.lengths(), sample.longestText()));
        }
        return new FileContents(FileFormat.PARQUET, columns, (int) Math.min(Integer.MAX_VALUE, metadata.getNum_rows()), null, bytesRead);
    }

    private static ColumnChunk chunkOf(final RowGroup group, final List<String> path) {
        for (final ColumnChunk chunk : group.getColumns()) {
            if (chunk.isSetMeta_data() && path.equals(chunk.getMeta_data().getPath_in_schema())) {
                return chunk;
            }
        }
        return null;
    }

    private static boolean matches(final byte[] tail, final byte[] magic) {
        return tail.length == 8 && tail[4] == magic[0] && tail[5] == magic[1] && tail[6] == magic[2] && tail[7] == magic[3];
    }
}
