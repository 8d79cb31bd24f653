package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.processors.validate.RealFiles.ParquetLayout;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.parquet.BytesContent;
import io.github.bulkimport.nifi.processors.validate.parquet.ParquetFile;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Files written by Apache Parquet in every layout the reader meets (each codec, v1 and v2 pages, with
 * and without dictionaries: PLAIN, dictionary and DELTA_BYTE_ARRAY text) are read the same: the list
 * lengths of the first rows and the longest text of the first pages.
 */
class ParquetLayoutsTest {

    static final String SCHEMA = """
            message docs {
              optional group vector (LIST) { repeated group list { optional float element; } }
              optional binary title (STRING);
              optional group tags (LIST) { repeated group list { optional int64 element; } }
              optional group names (LIST) { repeated group list { optional binary element (STRING); } }
            }""";
    static final int ROWS = 300;
    static final int CHECKED = 100;

    static Stream<Arguments> layouts() {
        final List<Arguments> layouts = new ArrayList<>();
        for (final CompressionCodecName codec : List.of(CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY, CompressionCodecName.GZIP,
                CompressionCodecName.ZSTD, CompressionCodecName.LZ4_RAW)) {
            for (final boolean v2 : List.of(false, true)) {
                for (final boolean dictionary : List.of(false, true)) {
                    layouts.add(Arguments.of(new ParquetLayout(codec, v2, dictionary)));
                }
            }
        }
        return layouts.stream();
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void everyLayoutIsReadTheSame(final ParquetLayout layout, @TempDir final Path folder) throws IOException {
        final Path file = RealFiles.parquet(folder.resolve("docs.parquet"), MessageTypeParser.parseMessageType(SCHEMA), layout, ROWS,
                ParquetLayoutsTest::row);
        final FileContents contents = ParquetFile.read(new BytesContent(Files.readAllBytes(file)), Set.of("vector", "tags", "names"),
                Set.of("title", "names"), CHECKED);
        assertNull(contents.unreadable());
        assertEquals(Collections.nCopies(CHECKED, 4), contents.column("vector").orElseThrow().lengths());
        assertEquals(IntStream.range(0, CHECKED).map(i -> i % 4).boxed().toList(), contents.column("tags").orElseThrow().lengths());
        assertEquals(IntStream.range(0, CHECKED).map(i -> i % 3).boxed().toList(), contents.column("names").orElseThrow().lengths());
        assertEquals(13, contents.column("title").orElseThrow().longestText());
        assertEquals(6, contents.column("names").orElseThrow().longestText());
        assertEquals(ROWS, contents.rows());
    }

    /** Row i: a vector of 4, a title of i % 13 + 1 letters (none every fifth row), i % 4 tags, i % 3 names of up to 6 letters. */
    private static void row(final int i, final Group group) {
        RealFiles.floats(group, "vector", 4);
        if (i % 5 != 0) {
            group.append("title", "t".repeat(i % 13 + 1) + "");
        }
        RealFiles.longs(group, "tags", i % 4);
        final Group names = group.addGroup("names");
        for (int n = 0; n < i % 3; n++) {
            names.addGroup("list").append("element", "n".repeat((i + n) % 6 + 1));
        }
    }
}
