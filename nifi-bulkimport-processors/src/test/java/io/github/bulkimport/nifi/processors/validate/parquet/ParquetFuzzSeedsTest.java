package io.github.bulkimport.nifi.processors.validate.parquet;

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
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Writes the committed inputs of {@link ParquetFileFuzzTest}: small files Apache Parquet writes (each
 * codec, v1 and v2 pages, dictionary and plain text) and the hostile files of the regression tests
 * (what fuzzing found, finding-*, and a few inputs it grew, fuzzed-*, are kept beside them by hand).
 * Run only when asked for, into the corpus folder:
 * {@code mvn test -pl nifi-bulkimport-processors -am -Dtest=ParquetFuzzSeedsTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dparquet.seeds=$PWD/nifi-bulkimport-processors/src/test/resources/io/github/bulkimport/nifi/processors/validate/parquet/ParquetFileFuzzTestInputs/parquetFile}
 */
class ParquetFuzzSeedsTest {

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message docs {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional group tags (LIST) { repeated group list { optional int64 element; } }
              optional group names (LIST) { repeated group list { optional binary element (STRING); } }
              required int32 count;
            }""");

    /** Cases of the regression tests left out of the corpus: each a variant of one kept (the corpus stays near 60 files). */
    private static final Set<String> VARIANTS = Set.of("footer-a-binary-of-2pow32-1-bytes-1-as-a-signed-int", "footer-a-schema-of-1-elements",
            "footer-a-footer-that-ends-inside-its-schema", "footer-a-row-group-list-of-integers", "footer-a-negative-row-count",
            "footer-an-unknown-field-of-lists-nested-200-000-deep", "tail-a-file-of-11-bytes", "tail-a-negative-footer-length",
            "page-a-column-chunk-at-a-negative-offset", "page-a-column-chunk-inside-the-footer", "page-a-negative-uncompressed-size",
            "page-a-page-header-of-a-binary-of-1-bytes", "page-delta-lengths-a-negative-length", "page-delta-lengths-a-header-number-of-33-bits",
            "page-v1-levels-longer-than-the-page", "page-v2-levels-longer-than-the-page", "page-a-plain-value-of-negative-length",
            "page-garbage-zstd-bytes", "page-a-dictionary-page-of-1-values", "page-a-page-header-larger-than-read",
            "footer-a-group-that-claims-more-children-than-follow", "page-plain-values-that-end-early", "page-delta-lengths-a-length-longer-than-the-page",
            "tail-no-magic-at-the-end", "footer-a-group-whose-children-end-early", "footer-an-unknown-field-of-a-type-thrift-does-not-know",
            "footer-a-footer-without-its-row-groups", "footer-a-row-group-without-its-rows", "page-gzip-bytes-shorter-than-the-header-says",
            "page-snappy-bytes-longer-than-the-header-says-fuzzing-an-illegalargumentexception",
            "footer-a-varint-whose-bytes-all-say-it-goes-on-fuzzing-an-arrayindexoutofboundsexception",
            "page-a-page-header-whose-varint-goes-on-to-the-footer");

    private record Layout(CompressionCodecName codec, boolean v2, boolean dictionary) {
        String name() {
            return "real-" + (v2 ? "v2" : "v1") + "-" + codec.name().toLowerCase(Locale.ROOT) + (dictionary ? "-dictionary" : "-plain");
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "parquet.seeds", matches = ".+")
    void writeSeeds() throws Exception {
        final Path folder = Files.createDirectories(Path.of(System.getProperty("parquet.seeds")));
        for (final Layout layout : List.of(new Layout(CompressionCodecName.SNAPPY, false, true), new Layout(CompressionCodecName.UNCOMPRESSED, false, false),
                new Layout(CompressionCodecName.ZSTD, true, true), new Layout(CompressionCodecName.GZIP, true, false),
                new Layout(CompressionCodecName.LZ4_RAW, false, false), new Layout(CompressionCodecName.UNCOMPRESSED, true, false))) {
            write(folder.resolve(layout.name()), layout);
        }
        hostile(folder, "footer-", ParquetFooterHostileTest.footers().map(footer -> named(footer, bytes -> HostileParquet.file(new byte[0], bytes))));
        hostile(folder, "tail-", ParquetFooterHostileTest.tails().map(tail -> named(tail, bytes -> bytes)));
        hostile(folder, "page-", ParquetPagesHostileTest.brokenPages().map(page -> named(page, bytes -> bytes)));
        Files.write(folder.resolve("footer-a-schema-nested-2000-levels-deep"), HostileParquet.file(new byte[0], ParquetFooterHostileTest.chain(2000)));
        // many columns, not 20,001: replayed cold within 100 ms (ParquetManyColumnsTest times 40,001)
        Files.write(folder.resolve("footer-201-columns"), ParquetManyColumnsTest.file(201));
        Files.write(folder.resolve("sound-vectors"), HostileParquet.vectorFile(3, 4));
        Files.write(folder.resolve("sound-titles"), HostileParquet.titleFile("a", "abcde", "abc"));
        hostile(folder, "page-", ParquetPagesHostileTest.readablePages().map(page -> Named.of(page.getName(), page.getPayload().get())));
    }

    private static Named<byte[]> named(final Arguments arguments, final Function<byte[], byte[]> toFile) {
        @SuppressWarnings("unchecked")
        final Named<Object> named = (Named<Object>) arguments.get()[0];
        final byte[] bytes = named.getPayload() instanceof Supplier<?> supplier ? (byte[]) supplier.get() : (byte[]) named.getPayload();
        return Named.of(named.getName(), toFile.apply(bytes));
    }

    private static void hostile(final Path folder, final String prefix, final Stream<Named<byte[]>> files) throws IOException {
        for (final Named<byte[]> file : files.toList()) {
            final String name = prefix + slug(file.getName());
            if (!VARIANTS.contains(name)) {
                Files.write(folder.resolve(name), file.getPayload());
            }
        }
    }

    private static String slug(final String name) {
        return name.toLowerCase(Locale.ROOT).replace("^", "pow").replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private static void write(final Path file, final Layout layout) throws IOException {
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withType(SCHEMA)
                .withConf(new Configuration(false))
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(layout.codec())
                .withWriterVersion(layout.v2() ? ParquetProperties.WriterVersion.PARQUET_2_0 : ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(layout.dictionary())
                .build()) {
            for (int i = 0; i < 6; i++) {
                final Group row = groups.newGroup();
                final Group vector = row.addGroup("vector");
                for (int d = 0; d < 4; d++) {
                    vector.addGroup("list").append("element", 0.25f * (i + d));
                }
                if (i % 3 != 0) {
                    row.append("title", "title " + i);
                }
                final Group tags = row.addGroup("tags");
                for (int t = 0; t < i % 4; t++) {
                    tags.addGroup("list").append("element", (long) t);
                }
                final Group names = row.addGroup("names");
                for (int n = 0; n < i % 3; n++) {
                    names.addGroup("list").append("element", "name " + n);
                }
                row.append("count", i);
                writer.write(row);
            }
        }
    }
}
