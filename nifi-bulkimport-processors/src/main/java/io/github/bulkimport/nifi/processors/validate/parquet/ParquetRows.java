package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every row of a Parquet file: every row group, and in each every page of the columns whose rows
 * something is checked of, in the order they lie in the file, one page in memory at a time. Memory follows
 * a page and the footer, never the file: a 10 GB file costs what a 10 MB one does, in time proportional to
 * the columns read. What each row must hold comes as {@link ColumnRules}, one per column; the bad rows go to
 * a {@link BadRows} as they are found.
 */
public final class ParquetRows {

    private final Content content;
    private long bytesRead;
    private long rows;

    private ParquetRows(final Content content) {
        this.content = content;
    }

    /**
     * Checks every row, for any bytes: a broken file comes back {@link WholeFile#unreadable unreadable} (the rows
     * found bad before the break were told), and nothing the bytes hold throws. Every length the file declares is
     * checked against the bytes that hold it before anything is allocated or followed, as {@link ParquetFile} does.
     *
     * @throws IOException only when reading the content itself failed
     */
    public static WholeFile check(final Content content, final List<ColumnRules> rules, final BadRows sink) throws IOException {
        final ParquetRows file = new ParquetRows(content);
        final WholeChunk.Buffers buffers = new WholeChunk.Buffers();
        try {
            file.checkAll(rules, sink, buffers);
            return new WholeFile(file.rows, null, null, file.bytesRead);
        } catch (final MalformedParquetException broken) {
            return new WholeFile(file.rows, broken.getMessage(), null, file.bytesRead);
        } catch (final CannotCheckException unread) {
            return new WholeFile(file.rows, null, unread.getMessage(), file.bytesRead);
        }
    }

    /** A column checked, with its rules. */
    private record Checking(ParquetColumn column, ColumnRules rules) {
    }

    private void checkAll(final List<ColumnRules> rules, final BadRows sink, final WholeChunk.Buffers buffers)
            throws IOException, MalformedParquetException, CannotCheckException {
        final ParquetTail tail = ParquetTail.read(content, bytes -> bytesRead += bytes);
        final ParquetFooter footer = ParquetFooter.decode(tail.footer());
        final Map<String, ColumnRules> byName = new HashMap<>();
        for (final ColumnRules rule : rules) {
            byName.putIfAbsent(rule.column(), rule);
        }
        final List<Checking> checked = new ArrayList<>();
        for (final ParquetColumn column : ParquetSchema.topLevel(footer.schema())) {
            final ColumnRules rule = byName.remove(column.name());
            if (rule != null && scanned(column, rule)) {
                checked.add(new Checking(column, rule));
            }
        }
        final WholeChunk whole = new WholeChunk(content, tail.dataEnd(), buffers);
        try {
            ParquetFooter.eachRowGroup(tail.footer(), (index, group) -> {
                sink.rowGroup(rows, group.rows());
                final Map<List<String>, ColumnMetaData> chunks = chunksByPath(group.columns());
                final List<Checking> inOrder = new ArrayList<>(checked);
                inOrder.sort(Comparator.comparingLong(checking -> start(chunks.get(checking.column().leafPath()))));
                for (final Checking checking : inOrder) {
                    final ColumnMetaData chunk = chunks.get(checking.column().leafPath());
                    if (chunk == null) {
                        throw new MalformedParquetException("a row group (" + (index + 1) + ") without a column chunk for column "
                                + checking.column().name());
                    }
                    whole.check(chunk, checking.column(), checking.rules(), rows, group.rows(), sink);
                }
                rows += group.rows();
            });
        } finally {
            bytesRead += whole.bytesRead();
        }
    }

    /** Whether anything of the column's rows is checked: its values, its lists' lengths, or its nulls where it may hold some. */
    private static boolean scanned(final ParquetColumn column, final ColumnRules rules) {
        if (column.leafPath() == null) {
            return false;
        }
        return new ColumnValues(column, rules).readsValues()
                || column.maxRepetition() > 0 && (rules.listLength() != null || rules.maxElements() != null)
                || !rules.nullable() && column.maxDefinition() > 0;
    }

    private static long start(final ColumnMetaData chunk) {
        if (chunk == null) {
            return Long.MIN_VALUE;
        }
        return chunk.isSetDictionary_page_offset() && chunk.getDictionary_page_offset() > 0
                ? Math.min(chunk.getDictionary_page_offset(), chunk.getData_page_offset()) : chunk.getData_page_offset();
    }

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
