package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A Parquet file's tail, checked against the file's size before anything is allocated for it: the
 * footer's bytes, and where the pages end (where the footer starts).
 */
record ParquetTail(byte[] footer, long dataEnd) {

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCRYPTED_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);
    /** The footer's length (4 bytes) and the magic after it. */
    private static final int TAIL_BYTES = 8;
    /** The footer of a file with many row groups and columns can be large, but not this large. */
    static final int MAX_FOOTER_BYTES = 64 * 1024 * 1024;

    /** The first bytes of a file are its magic: no page starts before. */
    static final int MAGIC_BYTES = 4;

    /**
     * @param read counts the bytes read from the content, as they are read (the tail, then the footer), even when
     *             the tail turns out broken
     */
    static ParquetTail read(final Content content, final Counter read) throws IOException, MalformedParquetException {
        final long size = content.size();
        if (size < MAGIC.length + TAIL_BYTES) {
            throw new MalformedParquetException("a file of " + size + " bytes, too short to be Parquet");
        }
        final byte[] tail = readAt(content, size - TAIL_BYTES, TAIL_BYTES, read);
        if (tail.length == TAIL_BYTES && matches(tail, ENCRYPTED_MAGIC)) {
            throw new MalformedParquetException("a Parquet file with an encrypted footer, which Milvus does not read");
        }
        if (tail.length < TAIL_BYTES || !matches(tail, MAGIC)) {
            throw new MalformedParquetException("no Parquet magic (PAR1) at its end");
        }
        final int footerLength = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        final long dataEnd = size - TAIL_BYTES - footerLength;
        if (footerLength <= 0 || dataEnd < MAGIC.length || footerLength > MAX_FOOTER_BYTES) {
            throw new MalformedParquetException("a Parquet footer length of " + footerLength + " bytes in a file of " + size);
        }
        final byte[] footer = readAt(content, dataEnd, footerLength, read);
        if (footer.length < footerLength) {
            throw new MalformedParquetException("a file that ends inside its footer");
        }
        return new ParquetTail(footer, dataEnd);
    }

    /** Counts bytes read. */
    interface Counter {
        void add(long bytes);
    }

    /** Up to {@code length} bytes from {@code offset}, fewer where the content ends early. */
    private static byte[] readAt(final Content content, final long offset, final int length, final Counter read) throws IOException {
        try (InputStream in = content.openAt(offset)) {
            final byte[] bytes = in.readNBytes(length);
            read.add(bytes.length);
            return bytes;
        }
    }

    private static boolean matches(final byte[] tail, final byte[] magic) {
        return tail[4] == magic[0] && tail[5] == magic[1] && tail[6] == magic[2] && tail[7] == magic[3];
    }
}
