package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.CountingStream;

import java.io.Closeable;
import java.io.IOException;
import java.util.Arrays;

/**
 * The bytes of a column chunk from its first page on, read from the content into memory as the pages
 * ask for them, and never past the end of the file's data (where the footer starts). Reading is all
 * it does: an {@link IOException} from here is the content's own failure, and a stream that ends
 * early shows as fewer bytes than asked for, which the caller calls a file that ends early.
 */
final class ChunkBytes implements Closeable {

    private final CountingStream in;
    /** The offset of the next unread byte in the file, and of the end of the file's data. */
    private long offset;
    private final long end;
    /** The least a read from the content asks for: 0 reads exactly what is asked, more saves reads of small headers. */
    private final int readAhead;
    private byte[] buffer = new byte[0];
    private int position;
    private int limit;
    private boolean streamEnded;

    private ChunkBytes(final CountingStream in, final long start, final long end, final int readAhead) {
        this.in = in;
        this.offset = start;
        this.end = end;
        this.readAhead = readAhead;
    }

    /** The bytes of the file from {@code start} (inclusive) to {@code end} (exclusive), none read yet; each read exactly as asked. */
    static ChunkBytes open(final Content content, final long start, final long end) throws IOException {
        return new ChunkBytes(new CountingStream(content.openAt(start)), start, end, 0);
    }

    /**
     * The same, reading at least {@code readAhead} bytes at a time (fewer where the data ends): for reading every page. The bytes go
     * into {@code kept} (the {@link #buffer} of the chunk read before) while it is large enough, so that chunk after chunk reuses it.
     */
    static ChunkBytes streaming(final Content content, final long start, final long end, final int readAhead, final byte[] kept)
            throws IOException {
        final ChunkBytes bytes = new ChunkBytes(new CountingStream(content.openAt(start)), start, end, readAhead);
        bytes.buffer = kept;
        return bytes;
    }

    /** How many bytes of the file's data are left from the position on, read or not. */
    long left() {
        return end - offset;
    }

    /** How many bytes were read from the content. */
    long bytesRead() {
        return in.count();
    }

    /**
     * Reads until at least {@code wanted} bytes from the position on are in memory, or as many as are
     * left; returns how many are (fewer than wanted where the data or the stream ends).
     */
    int fill(final int wanted) throws IOException {
        final int target = (int) Math.min(wanted, left());
        if (limit - position >= target) {
            return limit - position;
        }
        final int asked = (int) Math.min(Math.max(target, readAhead), left());
        if (buffer.length - position < asked) {
            // the bytes kept move to the start: into the buffer itself when it is large enough, else into a larger one, with room
            // for a read ahead before the next page (its header), so that a page's bytes need not move again once it is read
            final byte[] into = buffer.length >= asked ? buffer : new byte[asked + readAhead];
            System.arraycopy(buffer, position, into, 0, limit - position);
            limit -= position;
            position = 0;
            buffer = into;
        }
        while (limit - position < target && !streamEnded) {
            final int n = in.read(buffer, limit, position + asked - limit);
            if (n < 0) {
                streamEnded = true;
            } else {
                limit += n;
            }
        }
        return limit - position;
    }

    /** The buffer the bytes are in, from {@link #position()} on: read only, and only until the next {@link #fill}. */
    byte[] buffer() {
        return buffer;
    }

    int position() {
        return position;
    }

    /** Moves past {@code length} bytes in memory. */
    void skip(final int length) {
        position += length;
        offset += length;
    }

    /**
     * Moves past the next {@code length} bytes, which the caller knows the data holds, without keeping them: those in
     * memory are dropped, the rest skipped in the stream (NiFi's content repository skips without reading). Returns
     * whether the stream held them all.
     */
    boolean discard(final long length) throws IOException {
        final int inMemory = (int) Math.min(length, limit - position);
        skip(inMemory);
        final long rest = length - inMemory;
        if (rest == 0) {
            return true;
        }
        position = 0;
        limit = 0;
        try {
            in.skipNBytes(rest);
        } catch (final java.io.EOFException ended) {
            streamEnded = true;
            return false;
        }
        offset += rest;
        return true;
    }

    /** A copy of the next {@code length} bytes in memory, moving past them. */
    byte[] take(final int length) {
        final byte[] taken = Arrays.copyOfRange(buffer, position, position + length);
        skip(length);
        return taken;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
