package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the header and first rows of a CSV file as Milvus does: the separator and null key are the
 * import options {@code sep} and {@code nullkey}; every cell is text, read as its field's type later
 * (vectors, arrays and JSON as JSON text).
 */
public final class CsvRows {

    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();

    private CsvRows() {
    }

    public static FileContents read(final Content content, final int maxRows, final char separator, final String nullKey) throws IOException {
        try (CountingStream in = new CountingStream(content.openAt(0))) {
            try {
                return read(in, maxRows, separator, nullKey);
            } catch (final JsonProcessingException e) {
                return FileContents.unreadable(FileFormat.CSV, "text that is not CSV (" + e.getOriginalMessage() + ")", in.count());
            } catch (final RuntimeJsonMappingException e) {
                return FileContents.unreadable(FileFormat.CSV, "text that is not CSV (" + e.getMessage() + ")", in.count());
            }
        }
    }

    private static FileContents read(final CountingStream in, final int maxRows, final char separator, final String nullKey) throws IOException {
        final CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(separator);
        try (MappingIterator<String[]> rows = CSV.readerForArrayOf(String.class).with(schema).readValues(in)) {
            if (!rows.hasNext()) {
                return FileContents.unreadable(FileFormat.CSV, "an empty file, where Milvus reads a header line", in.count());
            }
            final String[] header = rows.next();
            final Set<String> names = new HashSet<>();
            for (final String name : header) {
                if (!names.add(name)) {
                    return FileContents.unreadable(FileFormat.CSV, "a header that names column \"" + name + "\" twice", in.count());
                }
            }
            final List<List<JsonNode>> columns = new ArrayList<>(header.length);
            for (int i = 0; i < header.length; i++) {
                columns.add(new ArrayList<>());
            }
            int read = 0;
            while (read < maxRows && rows.hasNext()) {
                final String[] cells = rows.next();
                read++;
                if (cells.length != header.length) {
                    return FileContents.unreadable(FileFormat.CSV, "row " + read + " with " + cells.length + " cells under a header of "
                            + header.length + " (is the separator '" + separator + "', as option sep says?)", in.count());
                }
                for (int i = 0; i < header.length; i++) {
                    columns.get(i).add(cells[i].equals(nullKey) ? NullNode.getInstance() : TextNode.valueOf(cells[i]));
                }
            }
            final List<FileColumn> found = new ArrayList<>(header.length);
            for (int i = 0; i < header.length; i++) {
                found.add(FileColumn.values(header[i], columns.get(i), true));
            }
            return new FileContents(FileFormat.CSV, found, read, read == 0 ? "a header and no rows: " + Arrays.toString(header) : null, in.count());
        }
    }
}
