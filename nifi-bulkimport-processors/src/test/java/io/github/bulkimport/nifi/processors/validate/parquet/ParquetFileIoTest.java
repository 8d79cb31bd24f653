package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An IOException from ParquetFile.read means the content could not be read, never that its bytes are
 * broken: a failing content repository throws through, a file that ends early is unreadable.
 */
class ParquetFileIoTest {

    private static final byte[] FILE = HostileParquet.vectorFile(2, 4);
    /** Where the footer starts: before it, the page (from byte 4); after it, the footer. */
    private static final int FOOTER = FILE.length - 8 - HostileParquet.footerLength(FILE);

    /** The file's bytes, whose streams fail with {@link #FAILURE} where they would read bytes from {@code from} to {@code to}. */
    private record FailingContent(byte[] bytes, long from, long to) implements Content {

        static final IOException FAILURE = new IOException("the content repository is gone");

        @Override
        public String fileName() {
            return "file.parquet";
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream openAt(final long offset) throws IOException {
            if (offset >= from && offset < to) {
                throw FAILURE;
            }
            return new FilterInputStream(new ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset)) {
                private long position = offset;

                @Override
                public int read() throws IOException {
                    final byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(final byte[] buffer, final int off, final int len) throws IOException {
                    if (position < to && position + len > from) {
                        throw FAILURE;
                    }
                    final int n = super.read(buffer, off, len);
                    position += Math.max(0, n);
                    return n;
                }
            };
        }
    }

    @ParameterizedTest(name = "failing at byte {0}")
    @ValueSource(ints = {4, 5, 30})
    void aContentThatFailsInThePagesThrowsItsIOException(final int at) {
        assertFailure(new FailingContent(FILE, at, FOOTER));
    }

    @ParameterizedTest(name = "failing {0} bytes into the footer")
    @ValueSource(ints = {0, 1, 10})
    void aContentThatFailsInTheFooterThrowsItsIOException(final int into) {
        assertFailure(new FailingContent(FILE, FOOTER + into, FOOTER + into + 1));
    }

    @ParameterizedTest(name = "failing at the end minus {0}")
    @ValueSource(ints = {1, 8})
    void aContentThatFailsInTheTailThrowsItsIOException(final int beforeEnd) {
        assertFailure(new FailingContent(FILE, FILE.length - beforeEnd, FILE.length - beforeEnd + 1));
    }

    private static void assertFailure(final Content content) {
        final IOException thrown = assertThrows(IOException.class, () -> ParquetFile.read(content, Reading.LENGTHS_OF, Reading.TEXT_OF, Reading.ROWS));
        assertSame(FailingContent.FAILURE, thrown);
    }

    @ParameterizedTest(name = "a stream that ends at byte {0}")
    @ValueSource(ints = {4, 10, 60})
    void aStreamThatEndsBeforeTheSizeInAPageIsUnreadable(final int end) throws IOException {
        final FileContents contents = ParquetFile.read(new ShortContent(FILE, FOOTER, end), Reading.LENGTHS_OF, Reading.TEXT_OF, Reading.ROWS);
        assertTrue(contents.unreadable().endsWith("that ends past the end of the file"), contents.unreadable());
    }

    @ParameterizedTest(name = "a stream that ends {0} bytes into the footer")
    @ValueSource(ints = {0, 10})
    void aStreamThatEndsBeforeTheSizeInTheFooterIsUnreadable(final int into) throws IOException {
        final FileContents contents = ParquetFile.read(new ShortContent(FILE, FILE.length - 8, FOOTER + into), Reading.LENGTHS_OF, Reading.TEXT_OF,
                Reading.ROWS);
        assertEquals("a file that ends inside its footer", contents.unreadable());
    }

    /** The file's size, but the streams opened before {@code openedBefore} end at byte {@code end}. */
    private record ShortContent(byte[] bytes, int openedBefore, int end) implements Content {

        @Override
        public String fileName() {
            return "file.parquet";
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream openAt(final long offset) {
            final byte[] seen = offset >= openedBefore ? bytes : Arrays.copyOf(bytes, end);
            final int from = (int) Math.min(offset, seen.length);
            return new ByteArrayInputStream(seen, from, seen.length - from);
        }
    }
}
