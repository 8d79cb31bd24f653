package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.jetbrains.bio.npy.NpyFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Writes the files the validator's tests check with real writers: Apache Parquet's (parquet-hadoop),
 * Jackson's for JSON and CSV, and a NumPy writer (org.jetbrains.bio:npy). No file is hand-made bytes.
 */
final class RealFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a Parquet file is written: codec, page format and dictionary. */
    record ParquetLayout(CompressionCodecName codec, boolean v2Pages, boolean dictionary) {
        static final ParquetLayout DEFAULT = new ParquetLayout(CompressionCodecName.SNAPPY, false, true);
    }

    private RealFiles() {
    }

    /**
     * @param fill writes row {@code i} into the group
     */
    static Path parquet(final Path file, final MessageType schema, final ParquetLayout layout, final int rows, final BiConsumer<Integer, Group> fill) {
        return parquet(file, schema, layout, rows, ParquetWriter.DEFAULT_BLOCK_SIZE, fill);
    }

    /**
     * @param rowGroupBytes about how many bytes a row group holds before the writer starts the next: small, for files of many row groups
     * @param fill          writes row {@code i} into the group
     */
    static Path parquet(final Path file, final MessageType schema, final ParquetLayout layout, final int rows, final long rowGroupBytes,
                        final BiConsumer<Integer, Group> fill) {
        try {
            Files.createDirectories(file.getParent());
            final SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                    .withType(schema)
                    .withConf(new Configuration(false))
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withCompressionCodec(layout.codec())
                    .withWriterVersion(layout.v2Pages() ? ParquetProperties.WriterVersion.PARQUET_2_0 : ParquetProperties.WriterVersion.PARQUET_1_0)
                    .withDictionaryEncoding(layout.dictionary())
                    .withRowGroupSize(rowGroupBytes)
                    .withPageSize(Math.min(ParquetProperties.DEFAULT_PAGE_SIZE, (int) Math.max(4096, rowGroupBytes / 8)))
                    .build()) {
                for (int i = 0; i < rows; i++) {
                    final Group group = groups.newGroup();
                    fill.accept(i, group);
                    writer.write(group);
                }
            }
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends a list (three-level LIST) of floats to a group. */
    static void floats(final Group group, final String field, final int count) {
        final Group list = group.addGroup(field);
        for (int i = 0; i < count; i++) {
            list.addGroup("list").append("element", 0.5f * i);
        }
    }

    static void longs(final Group group, final String field, final int count) {
        final Group list = group.addGroup(field);
        for (int i = 0; i < count; i++) {
            list.addGroup("list").append("element", (long) i);
        }
    }

    /** A JSON document: the rows (a list) or an object around them. */
    static Path json(final Path file, final Object document) {
        try {
            Files.createDirectories(file.getParent());
            JSON.writeValue(file.toFile(), document);
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON Lines: one row per line. */
    static Path jsonLines(final Path file, final List<?> rows) {
        try {
            Files.createDirectories(file.getParent());
            final StringBuilder lines = new StringBuilder();
            for (final Object row : rows) {
                lines.append(JSON.writeValueAsString(row)).append('\n');
            }
            Files.writeString(file, lines);
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path csv(final Path file, final char separator, final List<String> header, final List<List<String>> rows) {
        try {
            Files.createDirectories(file.getParent());
            final CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(separator);
            try (SequenceWriter writer = new CsvMapper().writer(schema).writeValues(file.toFile())) {
                writer.write(header.toArray(String[]::new));
                for (final List<String> row : rows) {
                    writer.write(row.toArray(String[]::new));
                }
            }
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path npy(final Path file, final float[] values, final int... shape) {
        return npy(file, () -> NpyFile.write(file, values, shape));
    }

    static Path npy(final Path file, final double[] values, final int... shape) {
        return npy(file, () -> NpyFile.write(file, values, shape));
    }

    static Path npy(final Path file, final int[] values, final int... shape) {
        return npy(file, () -> NpyFile.write(file, values, shape));
    }

    static Path npy(final Path file, final long[] values, final int... shape) {
        return npy(file, () -> NpyFile.write(file, values, shape));
    }

    static Path npy(final Path file, final String[] values) {
        return npy(file, () -> NpyFile.write(file, values, new int[] {values.length}));
    }

    private static Path npy(final Path file, final Runnable write) {
        try {
            Files.createDirectories(file.getParent());
            write.run();
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
