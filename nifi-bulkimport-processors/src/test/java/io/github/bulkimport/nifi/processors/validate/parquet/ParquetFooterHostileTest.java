package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.testing.Allocations;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.BINARY;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.I32;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.I64;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.LIST;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.STRUCT;
import static io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet.Column.VECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Footers that lie, each once a crash (an OutOfMemoryError, a StackOverflowError, an unchecked
 * exception) and now a file read as unreadable, quickly, saying what is broken.
 */
class ParquetFooterHostileTest {

    static Stream<Arguments> footers() {
        return Stream.of(
                footer("a schema that claims 2^31 - 1 elements in a few bytes", "a footer that cannot be decoded",
                        () -> version().field(2, LIST).listHeader(Integer.MAX_VALUE, STRUCT).bytes()),
                footer("a schema of -1 elements", "a footer that cannot be decoded (Negative length: -1)",
                        () -> version().field(2, LIST).listHeader(0xFFFF_FFFFL, STRUCT).bytes()),
                footer("a binary of 2^31 bytes", "a footer that cannot be decoded (it goes on past",
                        () -> version().field(9, BINARY).binaryLength(1L << 31).bytes()),
                footer("a binary of 2^32 - 1 bytes, -1 as a signed int", "a footer that cannot be decoded (it goes on past",
                        () -> version().field(9, BINARY).binaryLength(0xFFFF_FFFFL).bytes()),
                footer("an unknown field of structures nested 200,000 deep", "structures nested deeper than 64 levels",
                        () -> nested(version().field(100, STRUCT), 0x1C)),
                footer("an unknown field of lists nested 200,000 deep", "structures nested deeper than 64 levels",
                        () -> nested(version().field(100, LIST), 0x19)),
                footer("a varint whose bytes all say it goes on (fuzzing: an ArrayIndexOutOfBoundsException)",
                        "a footer that cannot be decoded (it goes on past its 9 bytes)", () -> new CompactThrift().field(1, I32)
                                .raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF).bytes()),
                footer("an unknown field of a type Thrift does not know", "a footer that cannot be decoded",
                        () -> version().raw(0x1E).bytes()),
                footer("a schema element without its name", "a footer that cannot be decoded (Required field 'name'",
                        () -> version().field(2, LIST).listHeader(1, STRUCT).beginStruct().field(5, I32).i32(0).endStruct()
                                .field(3, I64).i64(0).field(4, LIST).listHeader(0, STRUCT).raw(0).bytes()),
                footer("a footer without its row groups", "a footer without its row groups",
                        () -> version().field(2, LIST).listHeader(1, STRUCT).beginStruct().field(4, BINARY).string("schema").endStruct()
                                .field(3, I64).i64(0).raw(0).bytes()),
                footer("a footer that ends inside its schema", "a footer that cannot be decoded (it goes on past",
                        () -> version().field(2, LIST).listHeader(3, STRUCT).beginStruct().field(4, BINARY).string("schema").bytes()),
                footer("a row group without its rows", "a footer whose first row group has no row count",
                        () -> version().field(2, LIST).listHeader(1, STRUCT).beginStruct().field(4, BINARY).string("schema").endStruct()
                                .field(3, I64).i64(0).field(4, LIST).listHeader(1, STRUCT).beginStruct().field(1, LIST).listHeader(0, STRUCT)
                                .field(2, I64).i64(0).endStruct().raw(0).bytes()),
                footer("a row group list of integers", "where structures are expected",
                        () -> version().field(2, LIST).listHeader(1, STRUCT).beginStruct().field(4, BINARY).string("schema").endStruct()
                                .field(3, I64).i64(0).field(4, LIST).listHeader(2, I32).i32(1).i32(2).raw(0).bytes()),
                footer("a negative row count", "a footer that counts -1 rows", () -> {
                    final FileMetaData metadata = HostileParquet.metadata(VECTOR, 4, CompressionCodec.UNCOMPRESSED, 0, 0);
                    metadata.setNum_rows(-1);
                    return HostileParquet.footer(metadata);
                }),
                footer("a schema nested 101 levels deep", "a schema nested deeper than 100 levels", () -> chain(101)),
                footer("an empty schema", "an empty schema", () -> schema(List.of())),
                footer("a group that claims -1 children", "a schema whose element schema claims -1 children",
                        () -> schema(List.of(HostileParquet.group("schema", null, -1)))),
                footer("a group that claims more children than follow", "a schema whose element schema claims 5 children, where 1 elements follow",
                        () -> schema(List.of(HostileParquet.group("schema", null, 5), HostileParquet.leaf("a", Type.INT32, null)))),
                footer("a group whose children end early", "a schema whose group schema has fewer children than the 2 it claims",
                        () -> schema(List.of(HostileParquet.group("schema", null, 2), HostileParquet.group("g", null, 1),
                                HostileParquet.leaf("a", Type.INT32, null)))),
                footer("a name of 10,000 characters and a line break, in a message", "a schema whose element ?" + "x".repeat(63) + "... claims -1 children",
                        () -> schema(List.of(HostileParquet.group("\n" + "x".repeat(10_000), null, -1)))),
                footer("elements after the root's last field", "a schema with elements after the last field of its root (b)",
                        () -> schema(List.of(HostileParquet.group("schema", null, 1), HostileParquet.leaf("a", Type.INT32, null),
                                HostileParquet.leaf("b", Type.INT32, null)))));
    }

    @ParameterizedTest
    @MethodSource("footers")
    void aFooterThatLiesIsUnreadable(final Supplier<byte[]> footer, final String expected) throws Exception {
        final String why = Reading.unreadable(HostileParquet.file(new byte[0], footer.get()));
        assertTrue(why.contains(expected), why);
    }

    @Test
    void aSchemaNested200000LevelsDeepIsRefusedWithoutRecursion() throws Exception {
        final byte[] file = HostileParquet.file(new byte[0], chain(200_000));
        final FileContents contents = assertTimeout(Duration.ofSeconds(2), () -> ParquetFile.read(new BytesContent(file), Reading.LENGTHS_OF,
                Reading.TEXT_OF, Reading.ROWS));
        assertEquals("a schema nested deeper than 100 levels", contents.unreadable());
    }

    @Test
    void aSchemaNested100LevelsDeepIsRead() throws Exception {
        assertEquals(List.of(), Reading.readable(HostileParquet.file(new byte[0], chain(99))).column("g").orElseThrow().lengths());
    }

    /**
     * A footer of tiny entries within its 64 MB: each a few bytes, yet an object of tens of bytes once decoded. What the
     * schema and the first row group keep is bounded in objects, so the memory is; the row groups skipped count nothing.
     */
    @Test
    void aFooterOfMoreEntriesThanACheckKeepsIsUnreadableAndItsSkippedRowGroupsCountNothing() throws Exception {
        final List<SchemaElement> elements = new ArrayList<>();
        final int leaves = (int) ParquetFooter.MAX_KEPT_OBJECTS; // so many entries that the list's header is refused
        elements.add(HostileParquet.group("schema", null, leaves));
        for (int i = 0; i < leaves; i++) {
            elements.add(HostileParquet.leaf("c", Type.INT32, null));
        }
        final String why = Reading.unreadable(HostileParquet.file(new byte[0], schema(elements)));
        assertTrue(why.contains("more than the 1000000 entries (structures, lists and their elements, texts) a check keeps"), why);

        final CompactThrift manyGroups = version().field(2, LIST).listHeader(2, STRUCT)
                .beginStruct().field(4, BINARY).string("schema").field(5, I32).i32(1).endStruct()
                .beginStruct().field(1, I32).i32(1).field(4, BINARY).string("a").endStruct()
                .field(3, I64).i64(0).field(4, LIST).listHeader(600_000, STRUCT);
        for (int i = 0; i < 600_000; i++) {
            manyGroups.beginStruct().field(1, LIST).listHeader(0, STRUCT).field(2, I64).i64(0).field(3, I64).i64(0).endStruct();
        }
        final FileContents contents = ParquetFile.read(new BytesContent(HostileParquet.file(new byte[0], manyGroups.raw(0).bytes())),
                Reading.LENGTHS_OF, Reading.TEXT_OF, Reading.ROWS);
        assertEquals(null, contents.unreadable(), "600,000 row groups, of which only the first is kept");
    }

    /**
     * A footer of 500,000 column chunks within every bound of its bytes (25 MB) and of its list entries, each chunk 51 bytes
     * holding every optional structure and list a chunk may have, empty: once decoded, some 780 bytes of objects a chunk, more
     * than 380 MB, which ran a JVM of 256 MB out of memory. Structures, lists and texts count as objects too: the footer is
     * unreadable once they are more than a check keeps, and reading it allocates its own bytes and a bounded amount beyond.
     */
    @Test
    void aFooterOfEmptyStructuresIsUnreadableWithinTheObjectsACheckKeeps() throws Exception {
        final byte[] footer = footerOfChunks(499_990);
        final byte[] file = HostileParquet.file(new byte[4], footer);
        final long before = Allocations.ofThisThread();
        final FileContents contents = ParquetFile.read(new BytesContent(file), Reading.LENGTHS_OF, Reading.TEXT_OF, Reading.ROWS);
        final long allocated = Allocations.ofThisThread() - before;
        assertTrue(contents.unreadable().contains("more than the 1000000 entries (structures, lists and their elements, texts) a check keeps"),
                contents.unreadable());
        // the footer's bytes, read from the content, then the objects up to the bound (about 40 MB here) and what decoding them throws away
        assertTrue(allocated < footer.length + 96L * 1024 * 1024, "allocated " + allocated / (1 << 20) + " MB for a footer of "
                + footer.length / (1 << 20) + " MB");
    }

    /** One column chunk of a row group: every required field, every optional structure and list, each empty. */
    static byte[] emptiedChunk() {
        final CompactThrift chunk = new CompactThrift();
        chunk.field(2, I64).i64(4);
        chunk.field(3, STRUCT).beginStruct()
                .field(1, I32).i32(0)
                .field(2, LIST).listHeader(0, I32)
                .field(3, LIST).listHeader(0, BINARY)
                .field(4, I32).i32(0)
                .field(5, I64).i64(0)
                .field(6, I64).i64(0)
                .field(7, I64).i64(0)
                .field(8, LIST).listHeader(0, STRUCT)
                .field(9, I64).i64(4)
                .field(12, STRUCT).beginStruct()
                .field(1, BINARY).binaryLength(0).field(2, BINARY).binaryLength(0).field(5, BINARY).binaryLength(0).field(6, BINARY).binaryLength(0)
                .endStruct()
                .field(13, LIST).listHeader(0, STRUCT)
                .field(16, STRUCT).beginStruct().field(2, LIST).listHeader(0, I64).field(3, LIST).listHeader(0, I64).endStruct()
                .field(17, STRUCT).beginStruct().field(2, LIST).listHeader(0, I32).endStruct()
                .endStruct();
        chunk.field(8, STRUCT).beginStruct().field(1, STRUCT).beginStruct().endStruct().endStruct();
        chunk.field(9, BINARY).binaryLength(0);
        chunk.endStruct();
        return chunk.bytes();
    }

    /** A footer of one root schema element and one row group of {@code chunks} emptied chunks. */
    static byte[] footerOfChunks(final int chunks) {
        final byte[] chunk = emptiedChunk();
        final byte[] head = version()
                .field(2, LIST).listHeader(1, STRUCT).beginStruct().field(4, BINARY).string("s").endStruct()
                .field(3, I64).i64(0)
                .field(4, LIST).listHeader(1, STRUCT).beginStruct().field(1, LIST).listHeader(chunks, STRUCT).bytes();
        // the group's total_byte_size and num_rows, then the ends of the group and of the footer
        final byte[] tail = new CompactThrift().raw(0x16).i64(0).raw(0x16).i64(0).raw(0).raw(0).bytes();
        final byte[] footer = new byte[head.length + chunks * chunk.length + tail.length];
        System.arraycopy(head, 0, footer, 0, head.length);
        for (int i = 0; i < chunks; i++) {
            System.arraycopy(chunk, 0, footer, head.length + i * chunk.length, chunk.length);
        }
        System.arraycopy(tail, 0, footer, head.length + chunks * chunk.length, tail.length);
        return footer;
    }

    static Stream<Arguments> tails() {
        final byte[] sound = HostileParquet.vectorFile(2, 4);
        return Stream.of(
                Arguments.of(Named.of("a footer length past the file's start", withFooterLength(sound, sound.length)),
                        "a Parquet footer length of " + sound.length),
                Arguments.of(Named.of("a negative footer length", withFooterLength(sound, -8)), "a Parquet footer length of -8"),
                Arguments.of(Named.of("no magic at the end", HostileParquet.concat(sound, new byte[] {1})), "no Parquet magic (PAR1) at its end"),
                Arguments.of(Named.of("a file of 11 bytes", new byte[11]), "a file of 11 bytes, too short to be Parquet"));
    }

    @ParameterizedTest
    @MethodSource("tails")
    void aTailThatLiesIsUnreadable(final byte[] file, final String expected) throws Exception {
        final String why = Reading.unreadable(file);
        assertTrue(why.startsWith(expected), why);
    }

    private static Arguments footer(final String name, final String expected, final Supplier<byte[]> footer) {
        return Arguments.of(Named.of(name, footer), expected);
    }

    /** A footer's first field, its version. */
    private static CompactThrift version() {
        return new CompactThrift().field(1, I32).i32(1);
    }

    /** The footer so far, then 200,000 bytes each opening one more level. */
    private static byte[] nested(final CompactThrift start, final int level) {
        final int[] levels = new int[200_000];
        Arrays.fill(levels, level);
        return start.raw(levels).bytes();
    }

    /** A sound footer but for its schema. */
    private static byte[] schema(final List<SchemaElement> elements) {
        final FileMetaData metadata = new FileMetaData(1, new ArrayList<>(elements), 0, List.of());
        return HostileParquet.footer(metadata);
    }

    /** A schema of groups each the only child of the one before, {@code depth} deep, then a leaf. */
    static byte[] chain(final int depth) {
        final List<SchemaElement> elements = new ArrayList<>(depth + 1);
        for (int i = 0; i < depth; i++) {
            elements.add(HostileParquet.group("g", null, 1));
        }
        elements.add(HostileParquet.leaf("leaf", Type.INT32, null));
        return schema(elements);
    }

    private static byte[] withFooterLength(final byte[] file, final int length) {
        final byte[] changed = file.clone();
        System.arraycopy(HostileParquet.littleEndianInt(length), 0, changed, changed.length - 8, 4);
        return changed;
    }
}
