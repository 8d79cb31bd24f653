package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
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
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * ParquetRows over files Apache Parquet wrote in every layout it writes (page versions, codecs, dictionary or not,
 * byte stream split), with many row groups and pages: every bad row is found, in the row group and page it lies in,
 * and no sound row is called bad.
 */
class ParquetRowsTest {

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message docs {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional binary meta (JSON);
              optional group tags (LIST) { repeated group list { optional int64 element; } }
              optional int64 count;
              optional double score;
            }""");
    private static final int ROWS = 20_000;
    private static final int DIM = 8;

    @TempDir
    Path folder;

    record Layout(String name, CompressionCodecName codec, boolean v2, boolean dictionary, boolean streamSplit) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Layout> layouts() {
        return Stream.of(new Layout("v1 snappy dictionary", CompressionCodecName.SNAPPY, false, true, false),
                new Layout("v1 uncompressed plain", CompressionCodecName.UNCOMPRESSED, false, false, false),
                new Layout("v2 zstd dictionary", CompressionCodecName.ZSTD, true, true, false),
                new Layout("v2 gzip plain (delta byte arrays)", CompressionCodecName.GZIP, true, false, false),
                new Layout("v1 lz4_raw byte stream split", CompressionCodecName.LZ4_RAW, false, false, true),
                new Layout("v2 uncompressed byte stream split", CompressionCodecName.UNCOMPRESSED, true, false, true));
    }

    /** Bad rows: where each column's fault is put, and what the check must find. */
    private static final int NAN_ROW = 13_457;
    private static final int SHORT_VECTOR_ROW = 17_001;
    private static final int NULL_VECTOR_ROW = 3;
    private static final int LONG_TITLE_ROW = 19_999;
    private static final int NULL_COUNT_ROW = 8_765;
    private static final int BAD_JSON_ROW = 11_111;
    private static final int MANY_TAGS_ROW = 5_000;
    private static final int INFINITE_SCORE_ROW = 12_345;

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void everyBadRowIsFoundInEveryLayout(final Layout layout) throws Exception {
        final Path file = write(layout);
        final TreeMap<Long, List<String>> found = new TreeMap<>();
        final BadRows sink = (first, count, column, fault) -> {
            for (long row = first; row < first + count; row++) {
                found.computeIfAbsent(row, r -> new ArrayList<>()).add(column + ": " + fault.kind() + " " + fault.found());
            }
        };
        final List<ColumnRules> rules = List.of(
                new ColumnRules("vector", DIM, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.FLOAT32, false, false),
                new ColumnRules("title", null, null, 8, true, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, false),
                new ColumnRules("meta", null, null, null, false, ColumnRules.Json.ANY, ColumnRules.Finite.NONE, false, true),
                new ColumnRules("tags", null, 3, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, true),
                new ColumnRules("count", null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, false),
                new ColumnRules("score", null, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.FLOAT64, false, true));
        final WholeFile checked = ParquetRows.check(new BytesContent(Files.readAllBytes(file)), rules, sink);
        assertNull(checked.unreadable(), checked.unreadable());
        assertNull(checked.uncheckable(), checked.uncheckable());
        assertEquals(ROWS, checked.rows());
        final TreeMap<Long, List<String>> expected = new TreeMap<>();
        expected.put((long) NULL_VECTOR_ROW, List.of("vector: NULL null"));
        expected.put((long) MANY_TAGS_ROW, List.of("tags: CAPACITY a list of 4"));
        expected.put((long) NULL_COUNT_ROW, List.of("count: NULL null"));
        expected.put((long) BAD_JSON_ROW, List.of("meta: NOT_JSON text that is not JSON (JSON that ends inside an object): \"{\"a\": 1\""));
        expected.put((long) INFINITE_SCORE_ROW, List.of("score: NON_FINITE -Inf"));
        expected.put((long) NAN_ROW, List.of("vector: NON_FINITE NaN"));
        expected.put((long) SHORT_VECTOR_ROW, List.of("vector: LENGTH a list of 7"));
        expected.put((long) LONG_TITLE_ROW, List.of("title: TOO_LONG a text of 9 bytes"));
        assertEquals(expected.toString(), found.toString());
    }

    private Path write(final Layout layout) throws Exception {
        final Path file = folder.resolve(layout.name().replace(' ', '-') + ".parquet");
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withType(SCHEMA)
                .withConf(new Configuration(false))
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(layout.codec())
                .withWriterVersion(layout.v2() ? ParquetProperties.WriterVersion.PARQUET_2_0 : ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(layout.dictionary())
                .withByteStreamSplitEncoding(layout.streamSplit())
                .withRowGroupSize(128L * 1024)
                .withPageSize(16 * 1024)
                .withPageRowCountLimit(1_000)
                .build()) {
            for (int i = 0; i < ROWS; i++) {
                final Group row = groups.newGroup();
                if (i != NULL_VECTOR_ROW) {
                    final Group vector = row.addGroup("vector");
                    for (int k = 0; k < (i == SHORT_VECTOR_ROW ? DIM - 1 : DIM); k++) {
                        vector.addGroup("list").append("element", i == NAN_ROW && k == 5 ? Float.NaN : (i % 97) * 0.25f + k);
                    }
                }
                row.append("title", i == LONG_TITLE_ROW ? "123456789" : "t" + i % 50);
                row.append("meta", i == BAD_JSON_ROW ? "{\"a\": 1" : "{\"a\": " + i % 10 + "}");
                final Group tags = row.addGroup("tags");
                for (int k = 0; k < (i == MANY_TAGS_ROW ? 4 : i % 3); k++) {
                    tags.addGroup("list").append("element", (long) k);
                }
                if (i != NULL_COUNT_ROW) {
                    row.append("count", (long) i);
                }
                row.append("score", i == INFINITE_SCORE_ROW ? Double.NEGATIVE_INFINITY : i * 0.5);
                writer.write(row);
            }
        }
        return file;
    }
}
