package io.github.bulkimport.nifi.processors.progress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How servers name a file, and which files a name is: whole names only, never a part of one. */
class FailedFilesTest {

    static Stream<Arguments> names() {
        return Stream.of(
                // name as the server sends it, the paths a flowfile sent, whether the name is that file
                Arguments.of("[a/1.parquet]", List.of("a/1.parquet"), true),
                Arguments.of("[a/1.parquet]", List.of("a/1.parquet", "a/2.parquet"), false),
                Arguments.of("[a/id.npy a/vector.npy]", List.of("a/id.npy", "a/vector.npy"), true),
                Arguments.of("[a/id.npy a/vector.npy]", List.of("a/id.npy"), false),
                Arguments.of("[my bad-schema file.parquet]", List.of("my bad-schema file.parquet"), true),
                Arguments.of("[my bad-schema file.parquet]", List.of("file.parquet"), false),
                Arguments.of("[my bad-schema file.parquet]", List.of("my"), false),
                Arguments.of("[part,bad-schema,7.parquet]", List.of("part"), false),
                Arguments.of("[part,bad-schema,7.parquet]", List.of("part,bad-schema,7.parquet"), true),
                // Zilliz Cloud: the key within the bucket, for the URL sent
                Arguments.of("medium/1.parquet", List.of("s3://bucket/medium/1.parquet"), true),
                Arguments.of("1.parquet", List.of("s3://bucket/medium/11.parquet"), false),
                Arguments.of("[medium/1.parquet]", List.of("s3://bucket/medium/1.parquet"), true),
                // open-source Milvus: the protobuf text of its import file
                Arguments.of("id:7 paths:\"a/1.parquet\"", List.of("a/1.parquet"), true),
                Arguments.of("id:7  paths:\"a/id.npy\"  paths:\"a/vector.npy\"", List.of("a/id.npy", "a/vector.npy"), true),
                Arguments.of("id:7 paths:\"a/id.npy\" paths:\"a/vector.npy\"", List.of("a/id.npy"), false),
                Arguments.of("id:7 paths:\"my file \\\"x\\\".parquet\"", List.of("my file \"x\".parquet"), true),
                Arguments.of("id:7 paths:\"caf\\303\\251.parquet\"", List.of("café.parquet"), true),
                Arguments.of("id:7 paths:a/1.parquet", List.of("a/1.parquet"), true),
                Arguments.of("id:7 paths:\"a/1.parquet", List.of("a/1.parquet"), false),
                Arguments.of("id: paths:\"a/1.parquet\"", List.of("a/1.parquet"), false));
    }

    @ParameterizedTest
    @MethodSource("names")
    void aNameIsAFileOnlyWhole(final String name, final List<String> paths, final boolean expected) {
        assertEquals(expected, FailedFiles.names(name, paths), name + " for " + paths);
    }
}
