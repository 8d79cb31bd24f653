package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import io.github.bulkimport.nifi.testing.FuzzInvariants;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.TITLE;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.VECTOR;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.concat;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.dataPage;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.header;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.rle;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.v1Levels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ParquetRows over files that lie, each read within the fuzz targets' budget without an exception: what a page
 * declares (2^31 levels, runs of dictionary indexes, delta-encoded values) costs the bytes that hold it, and a broken
 * structure makes the file unreadable with a message. The broken and merely large pages First Pages is tested on are
 * read whole here too. Also writes the committed inputs of {@link ParquetRowsFuzzTest} when asked:
 * {@code -Dparquet.rows.seeds=<the corpus folder>}.
 */
class ParquetRowsHostileTest {

    private static final int MAX = Integer.MAX_VALUE;
    private static final CompressionCodec PLAIN = CompressionCodec.UNCOMPRESSED;
    static final List<ColumnRules> RULES = List.of(
            new ColumnRules("vector", 4, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.FLOAT32, false, false),
            new ColumnRules("title", null, null, 8, true, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, false));

    /** What a check came to, and how many bad rows it told. */
    private record Outcome(WholeFile read, long badRows) {
    }

    private static Outcome check(final byte[] bytes) throws Exception {
        return FuzzInvariants.withinBudget(() -> {
            final AtomicLong bad = new AtomicLong();
            final BadRows sink = (first, count, column, fault) -> bad.addAndGet(count);
            return new Outcome(ParquetRows.check(new BytesContent(bytes), RULES, sink), bad.get());
        });
    }

    static Stream<Arguments> lies() {
        return Stream.of(
                lie("levels: 2^31 - 1 null titles in one run", null, MAX, ParquetRowsHostileTest::nullTitles),
                lie("levels: 2^31 - 1 empty vectors in one run", null, MAX, ParquetRowsHostileTest::emptyVectors),
                lie("dictionary: a bit-packed run of 2^31 - 1 groups of indexes of a faulty entry", null, MAX,
                        () -> titleDictionary(MAX, new HostileBytes().varint((long) MAX << 1 | 1).raw(0).bytes())),
                lie("dictionary: an index past its entries", "a data page of column title with the dictionary index 5, past its 1 entries", 0,
                        () -> titleDictionary(1, new HostileBytes().varint(1L << 1).raw(5).bytes())),
                lie("levels: a row that never started", "a data page of column vector whose levels go on with a row that never started", 0,
                        () -> HostileParquet.file(VECTOR, PLAIN, 8, 2, dataPage(8, concat(v1Levels(rle(8, 1)), v1Levels(rle(8, 3)), new byte[32])))),
                lie("a column chunk of fewer rows than its row group", "a column chunk of column vector holding 2 rows, where its row group holds 5", 0,
                        () -> HostileParquet.file(VECTOR, PLAIN, 8, 5, dataPage(8, HostileParquet.vectorBody(2, 4)))),
                lie("floats that end before the page's values", "a data page of column vector whose values end early (16 bytes, where its values take 32)",
                        0, () -> HostileParquet.file(VECTOR, PLAIN, 8, 2, dataPage(8, concat(v1Levels(rle(1, 0, 3, 1, 1, 0, 3, 1)),
                                v1Levels(rle(8, 3)), new byte[16])))),
                lie("delta strings: a value sharing more than the value before", "a data page of column title whose value 1 shares 2 bytes with a "
                        + "value of 0", 0, () -> deltaStrings(1, delta(128, 4, 1, 2), delta(128, 4, 1, 1), new byte[] {'a'})),
                lie("delta strings: 2^31 - 1 repeats of one value in width-0 miniblocks", null, 0, () -> deltaStrings(MAX,
                        delta(1L << 27, 1, MAX, 0, new long[2 * 16]), delta(1L << 27, 1, MAX, 0, new long[2 * 16]), new byte[0])));
    }

    private static Arguments lie(final String name, final String unreadable, final long badRows, final Supplier<byte[]> file) {
        return Arguments.of(Named.of(name, file), unreadable, badRows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lies")
    void aLieCostsTheBytesThatHoldItOrMakesTheFileUnreadable(final Supplier<byte[]> file, final String unreadable, final long badRows) throws Exception {
        final Outcome outcome = check(file.get());
        if (unreadable == null) {
            assertNull(outcome.read().unreadable(), outcome.read().unreadable());
            assertEquals(badRows, outcome.badRows());
        } else {
            assertEquals(unreadable, outcome.read().unreadable());
        }
    }

    static Stream<Arguments> brokenPages() {
        return ParquetPagesHostileTest.brokenPages();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenPages")
    void thePagesFirstPagesFindsBrokenAreBrokenReadWhole(final Supplier<byte[]> file, final String firstPages) throws Exception {
        final WholeFile read = check(file.get()).read();
        assertTrue(read.unreadable() != null || read.uncheckable() != null, "read whole as sound: " + read);
        final String why = read.unreadable() != null ? read.unreadable() : read.uncheckable();
        assertTrue(why.length() < 300 && why.lines().count() == 1, why);
    }

    static Stream<Named<Supplier<byte[]>>> readablePages() {
        return ParquetPagesHostileTest.readablePages();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readablePages")
    void thePagesFirstPagesReadsDespiteTheirClaimsCostTheirBytesReadWhole(final Supplier<byte[]> file) throws Exception {
        assertNotNull(check(file.get()).read());
    }

    /** 2^31 - 1 rows of a null title, in a column that is not nullable: one run. */
    private static byte[] nullTitles() {
        return HostileParquet.file(TITLE, PLAIN, MAX, MAX, dataPage(MAX, v1Levels(rle(MAX, 0))));
    }

    /** 2^31 - 1 rows of an empty vector: one run of each level. */
    private static byte[] emptyVectors() {
        return HostileParquet.file(VECTOR, PLAIN, MAX, MAX, dataPage(MAX, concat(v1Levels(rle(MAX, 0)), v1Levels(rle(MAX, 1)))));
    }

    /** A dictionary of one title too long, and a page of {@code values} titles whose indexes are these bytes. */
    private static byte[] titleDictionary(final int values, final byte[] runs) {
        final byte[] dictionary = HostileParquet.plain("a title too long");
        final byte[] body = concat(v1Levels(rle(values, 1)), new byte[] {1}, runs);
        return HostileParquet.file(TITLE, PLAIN, values, values, concat(header(HostileParquet.dictionaryPage(1, dictionary.length, dictionary.length)),
                dictionary), concat(header(dataPage(values, body.length, body.length, Encoding.RLE_DICTIONARY)), body));
    }

    private static byte[] deltaStrings(final int values, final byte[] prefixes, final byte[] suffixes, final byte[] data) {
        final byte[] body = concat(v1Levels(rle(values, 1)), prefixes, suffixes, data);
        return HostileParquet.file(TITLE, PLAIN, values, values, concat(header(dataPage(values, body.length, body.length, Encoding.DELTA_BYTE_ARRAY)),
                body));
    }

    /** DELTA_BINARY_PACKED bytes: the header (block size, miniblocks, total, first value), then raw bytes of blocks. */
    private static byte[] delta(final long blockSize, final long miniblocks, final long total, final long first, final long... blocks) {
        final HostileBytes bytes = new HostileBytes().varint(blockSize).varint(miniblocks).varint(total).zigzag(first);
        for (final long b : blocks) {
            bytes.raw((int) b);
        }
        return bytes.bytes();
    }

    /** Raw bytes and varints. */
    private static final class HostileBytes {
        private final CompactThrift bytes = new CompactThrift();

        HostileBytes varint(final long value) {
            bytes.varint(value);
            return this;
        }

        HostileBytes zigzag(final long value) {
            bytes.varint(value << 1 ^ value >> 63);
            return this;
        }

        HostileBytes raw(final int... raw) {
            bytes.raw(raw);
            return this;
        }

        byte[] bytes() {
            return bytes.bytes();
        }
    }

    // ---- the fuzz target's committed inputs -----------------------------------------------------

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message docs {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional group tags (LIST) { repeated group list { optional int64 element; } }
              optional group names (LIST) { repeated group list { optional binary element (STRING); } }
              optional int32 count;
              optional float score;
              optional binary meta (JSON);
              optional binary sparse (STRING);
              optional binary $meta (STRING);
            }""");

    @TempDir
    Path scratch;

    @Test
    @EnabledIfSystemProperty(named = "parquet.rows.seeds", matches = ".+")
    void writeTheFuzzTargetsInputs() throws Exception {
        final Path corpus = Files.createDirectories(Path.of(System.getProperty("parquet.rows.seeds")));
        for (final Object[] layout : new Object[][] {{CompressionCodecName.SNAPPY, false, true}, {CompressionCodecName.ZSTD, true, false},
            {CompressionCodecName.UNCOMPRESSED, true, true}, {CompressionCodecName.GZIP, false, false}}) {
            final String name = "real-" + ((boolean) layout[1] ? "v2" : "v1") + "-" + layout[0].toString().toLowerCase(Locale.ROOT) + "-"
                    + ((boolean) layout[2] ? "dictionary" : "plain") + "-row-groups-with-bad-values";
            Files.write(corpus.resolve(name), written((CompressionCodecName) layout[0], (boolean) layout[1], (boolean) layout[2]));
        }
        lies().forEach(arguments -> write(corpus, "lie-", arguments.get()[0]));
        readablePages().forEach(named -> write(corpus, "page-", named));
    }

    @SuppressWarnings("unchecked")
    private static void write(final Path corpus, final String prefix, final Object named) {
        final Named<Supplier<byte[]>> file = (Named<Supplier<byte[]>>) named;
        try {
            Files.write(corpus.resolve(prefix + file.getName().toLowerCase(Locale.ROOT).replace("^", "pow").replaceAll("[^a-z0-9]+", "-")),
                    file.getPayload().get());
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A small file Apache Parquet writes: 400 rows in row groups of a few kilobytes, pages of a few hundred bytes, a bad value of each kind. */
    private byte[] written(final CompressionCodecName codec, final boolean v2, final boolean dictionary) throws Exception {
        final Path file = scratch.resolve("seed.parquet");
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(SCHEMA).withConf(new Configuration(false))
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).withCompressionCodec(codec)
                .withWriterVersion(v2 ? ParquetProperties.WriterVersion.PARQUET_2_0 : ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(dictionary).withRowGroupSize(8 * 1024).withPageSize(512).withPageRowCountLimit(50).build()) {
            for (int i = 0; i < 400; i++) {
                final Group row = groups.newGroup();
                final Group vector = row.addGroup("vector");
                for (int k = 0; k < (i == 301 ? 3 : 4); k++) {
                    vector.addGroup("list").append("element", i == 222 && k == 1 ? Float.NaN : i * 0.5f + k);
                }
                row.append("title", i == 333 ? "a title too long" : "t" + i % 7);
                final Group tags = row.addGroup("tags");
                for (int k = 0; k < (i == 123 ? 5 : i % 3); k++) {
                    tags.addGroup("list").append("element", (long) k);
                }
                row.addGroup("names").addGroup("list").append("element", i == 250 ? "much too long" : "n");
                if (i != 111) {
                    row.append("count", i);
                }
                row.append("score", i == 99 ? Float.POSITIVE_INFINITY : i);
                row.append("meta", i == 77 ? "{\"a\": " : "{\"a\": 1}");
                row.append("sparse", i == 55 ? "{\"1\": 1, \"1\": 2}" : "{\"indices\": [1, 2], \"values\": [0.5, 1]}");
                row.append("$meta", i == 44 ? "[1]" : "{}");
                writer.write(row);
            }
        }
        final byte[] bytes = Files.readAllBytes(file);
        final WholeFile read = ParquetRows.check(new BytesContent(bytes), RULES, (first, count, column, fault) -> { });
        assertNull(read.unreadable(), read.unreadable());
        return bytes;
    }
}
