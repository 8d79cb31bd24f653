package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileColumn;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.parquet.ParquetFile;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Parquet reader reads the footer and the first page of the columns whose values matter, never
 * the whole file: counted at the source, not from what the reader says of itself.
 */
class ParquetReadsLittleTest {

    /** A file's bytes, counting every byte any stream of it hands out. */
    private record CountingContent(Path file, AtomicLong bytes) implements Content {

        @Override
        public String fileName() {
            return file.getFileName().toString();
        }

        @Override
        public long size() {
            try {
                return Files.size(file);
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public InputStream openAt(final long offset) throws IOException {
            final InputStream in = Files.newInputStream(file);
            in.skipNBytes(offset);
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    final int b = super.read();
                    if (b >= 0) {
                        bytes.incrementAndGet();
                    }
                    return b;
                }

                @Override
                public int read(final byte[] buffer, final int off, final int len) throws IOException {
                    final int n = super.read(buffer, off, len);
                    if (n > 0) {
                        bytes.addAndGet(n);
                    }
                    return n;
                }
            };
        }
    }

    @Test
    void aTwentyMegabyteFileIsCheckedFromItsFooterAndOnePage(@TempDir final Path folder) throws IOException {
        final int dim = 128;
        final Path file = RealFiles.parquet(folder.resolve("big.parquet"), MessageTypeParser.parseMessageType("""
                message big {
                  optional group vector (LIST) { repeated group list { optional float element; } }
                  optional binary title (STRING);
                }"""), new RealFiles.ParquetLayout(org.apache.parquet.hadoop.metadata.CompressionCodecName.UNCOMPRESSED, false, false), 40_000,
                (i, group) -> {
                    RealFiles.floats(group, "vector", dim);
                    group.append("title", "row " + i);
                });
        final long size = Files.size(file);
        assertTrue(size > 20_000_000, "a file of " + size + " bytes");

        final CountingContent content = new CountingContent(file, new AtomicLong());
        final FileContents contents = ParquetFile.read(content, Set.of("vector"), Set.of("title"), 100);
        final FileColumn vector = contents.column("vector").orElseThrow();
        assertEquals(ColumnKind.LIST, vector.kind());
        assertEquals(ColumnKind.FLOAT, vector.elementKind());
        assertEquals(Collections.nCopies(100, dim), vector.lengths(), "the first 100 rows' dimensions");
        assertTrue(contents.column("title").orElseThrow().longestText() >= 5);
        assertTrue(content.bytes().get() < 2_500_000, "read " + content.bytes().get() + " of " + size + " bytes");
        assertEquals(40_000, contents.rows());
    }
}
