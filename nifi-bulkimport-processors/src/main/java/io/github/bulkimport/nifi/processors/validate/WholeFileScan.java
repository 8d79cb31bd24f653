package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import io.github.bulkimport.nifi.processors.validate.parquet.ParquetRows;
import io.github.bulkimport.nifi.processors.validate.rows.CsvRows;
import io.github.bulkimport.nifi.processors.validate.rows.JsonRows;
import io.github.bulkimport.nifi.processors.validate.rows.NumpyHeader;
import io.github.bulkimport.nifi.processors.validate.rows.NumpyValues;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads every row of a file whose first pages were read sound, with the reader of its format, and tells the bad
 * rows to a {@link BadRowTally}: Parquet by its pages (every row group), JSON and CSV row by row with a streaming
 * parser, NumPy value by value.
 */
final class WholeFileScan {

    /** How a CSV file is cut: import options sep and nullkey. */
    record Csv(char separator, String nullKey) {
    }

    private WholeFileScan() {
    }

    /** @throws IOException only when reading the content itself failed */
    static WholeFile scan(final Content content, final CollectionSchema schema, final FileContents contents, final Csv csv, final BadRowTally tally)
            throws IOException {
        return switch (contents.format()) {
            case PARQUET -> ParquetRows.check(content, WholeFileRules.of(schema, contents), tally);
            case JSON -> {
                final RowRules rules = new RowRules(schema, null, null, tally);
                yield JsonRows.each(content, rules::check);
            }
            case CSV -> {
                final Set<String> header = new HashSet<>();
                for (final FileColumn column : contents.columns()) {
                    header.add(column.name());
                }
                final RowRules rules = new RowRules(schema, csv.nullKey(), header, tally);
                yield CsvRows.each(content, csv.separator(), csv.nullKey(), rules::check);
            }
            case NUMPY -> {
                final List<ColumnRules> rules = WholeFileRules.of(schema, contents);
                final NumpyHeader.Layout layout = NumpyHeader.layout(content);
                yield rules.isEmpty() || layout == null ? new WholeFile(contents.rows(), null, null, 0)
                        : NumpyValues.check(content, layout, rules.getFirst(), tally);
            }
        };
    }
}
