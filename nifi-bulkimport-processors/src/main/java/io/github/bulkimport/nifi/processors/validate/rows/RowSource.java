package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A JSON or CSV file's text as Milvus's Go readers take it: UTF-8, a malformed byte in JSON read as U+FFFD (as Go
 * decodes it), in CSV as {@link CellRow#NOT_UTF8} (Go keeps the bytes); a byte order mark not skipped; and no more than
 * {@link RowLimits#MAX_BYTES} of it. Tells a failure of the content stream itself, which the caller rethrows, from what
 * the parsers make of the text.
 */
final class RowSource implements Closeable {

    /** Thrown in place of the bytes past {@link RowLimits#MAX_BYTES}: of the file, or, read row by row, of one row. */
    static final class LimitReached extends IOException {
        private final boolean perRow;

        LimitReached(final boolean perRow) {
            super("read limit reached", null);
            this.perRow = perRow;
        }

        /** Whether the limit is one row's (a whole-file read) rather than the file's. */
        boolean perRow() {
            return perRow;
        }
    }

    private final CountingStream counted;
    private final Limited limited;
    private final PushbackReader reader;

    /** How a file's bytes that are not UTF-8 are read. */
    enum Text {
        JSON('\uFFFD'),
        CSV(CellRow.NOT_UTF8);

        private final char malformed;

        Text(final char malformed) {
            this.malformed = malformed;
        }
    }

    private RowSource(final CountingStream counted, final Text text, final boolean perRow) {
        this.counted = counted;
        this.limited = new Limited(counted, perRow);
        this.reader = new PushbackReader(new InputStreamReader(limited, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(String.valueOf(text.malformed))), 1);
    }

    /** The file's text, of which at most {@link RowLimits#MAX_BYTES} are read. */
    static RowSource open(final Content content, final Text text) throws IOException {
        return new RowSource(new CountingStream(content.openAt(0)), text, false);
    }

    /**
     * The file's text, all of it, of which at most {@link RowLimits#MAX_BYTES} are read between two calls of {@link #rowStarts}:
     * the bound is one row's. Counted at the bytes, which the decoder and the parser read some kilobytes ahead of the row.
     */
    static RowSource wholeFile(final Content content, final Text text) throws IOException {
        return new RowSource(new CountingStream(content.openAt(0)), text, true);
    }

    /** A row starts: in a whole-file read, the bound of one row starts again. */
    void rowStarts() {
        limited.rowStarts();
    }

    Reader reader() {
        return reader;
    }

    long bytesRead() {
        return counted.count();
    }

    /** Whether the text starts with a byte order mark (U+FEFF), which Milvus takes as text; reads no further. */
    boolean startsWithByteOrderMark() throws IOException {
        final int first = reader.read();
        if (first >= 0 && first != 0xFEFF) {
            reader.unread(first);
        }
        return first == 0xFEFF;
    }

    /**
     * What an exception met while parsing is: the content stream's own failure is rethrown as it was;
     * anything else is the text's doing, returned for the caller to describe.
     */
    IOException parsingProblem(final IOException e) throws IOException {
        if (limited.failure != null) {
            throw limited.failure;
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** Passes at most {@link RowLimits#MAX_BYTES} on, and remembers a failure of the stream beneath. */
    private static final class Limited extends FilterInputStream {

        private final boolean perRow;
        private long passed;
        private IOException failure;

        Limited(final InputStream in, final boolean perRow) {
            super(in);
            this.perRow = perRow;
        }

        void rowStarts() {
            if (perRow) {
                passed = 0;
            }
        }

        @Override
        public int read() throws IOException {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] buffer, final int offset, final int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (passed >= RowLimits.MAX_BYTES) {
                // a file of exactly the limit ends here; a longer one goes on past what is read
                if (fromStream(buffer, offset, 1) < 0) {
                    return -1;
                }
                throw new LimitReached(perRow);
            }
            final int n = fromStream(buffer, offset, (int) Math.min(length, RowLimits.MAX_BYTES - passed));
            if (n > 0) {
                passed += n;
            }
            return n;
        }

        private int fromStream(final byte[] buffer, final int offset, final int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (final IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public long skip(final long n) throws IOException {
            final int length = (int) Math.min(Math.max(n, 0), 8192);
            return Math.max(0, read(new byte[length], 0, length));
        }
    }
}
