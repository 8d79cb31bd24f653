package io.github.bulkimport.nifi.processors.validate.parquet;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import org.apache.parquet.format.CompressionCodec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Uncompresses a page with its column chunk's codec, in pure Java ({@link SnappyBytes} for Snappy,
 * aircompressor for ZSTD and LZ4, the JDK for GZIP), so that no Hadoop codec and no native library is needed. The page is
 * in memory: whatever goes wrong here is the page's bytes, never the content's I/O.
 */
final class PageBytes {

    private PageBytes() {
    }

    /** Whether pages of this codec can be read. */
    static boolean readable(final CompressionCodec codec) {
        return switch (codec) {
            case UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW -> true;
            default -> false;
        };
    }

    /**
     * The page's bytes uncompressed: exactly {@code uncompressedSize} of them, as its header says,
     * which the caller has bounded (the output is allocated at that size).
     *
     * @param page how messages name the page ("a data page of column vector")
     */
    static byte[] uncompress(final CompressionCodec codec, final byte[] compressed, final int uncompressedSize, final String page)
            throws MalformedParquetException {
        if (codec == CompressionCodec.UNCOMPRESSED) {
            return compressed;
        }
        final byte[] out = new byte[uncompressedSize];
        final int size;
        try {
            size = switch (codec) {
                case SNAPPY -> snappy(compressed, out, page);
                case ZSTD -> new ZstdDecompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
                case LZ4_RAW -> new Lz4Decompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
                case GZIP -> gunzip(compressed, out);
                default -> throw new MalformedParquetException(page + " compressed with " + codec + ", which cannot be read");
            };
        } catch (final MalformedInputException | IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException | IOException corrupt) {
            // aircompressor 0.27 reports corrupt input with its MalformedInputException, and its ZSTD decoder some of it with the checks of its
            // Util (IllegalStateException, IllegalArgumentException, IndexOutOfBoundsException) or an index out of its tables, all found by
            // fuzzing; the output and the decoders' tables are allocated before, at sizes the bytes do not set. The JDK's GZIP stream, over
            // bytes in memory, throws IOException only for them too.
            throw new MalformedParquetException(page + " whose " + codec + " bytes cannot be uncompressed");
        }
        if (size != uncompressedSize) {
            throw new MalformedParquetException(page + " whose " + codec + " bytes uncompress to " + size + " bytes, not the " + uncompressedSize
                    + " its header says");
        }
        return out;
    }

    /** Decompressors kept for one reader, which reuses them page after page (ZSTD's keeps tables between frames). */
    static final class Decompressors {
        private final Lz4Decompressor lz4 = new Lz4Decompressor();
        private ZstdDecompressor zstd;

        private ZstdDecompressor zstd() {
            if (zstd == null) {
                zstd = new ZstdDecompressor();
            }
            return zstd;
        }
    }

    /**
     * Uncompresses {@code length} bytes of {@code compressed} from {@code offset} into the first {@code uncompressedSize}
     * bytes of {@code out}, which the caller has sized and bounded: exactly that many, as the page header says.
     */
    static void uncompressInto(final Decompressors decompressors, final CompressionCodec codec, final byte[] compressed, final int offset,
                               final int length, final byte[] out, final int uncompressedSize, final String page) throws MalformedParquetException {
        final int size;
        try {
            size = switch (codec) {
                case UNCOMPRESSED -> {
                    System.arraycopy(compressed, offset, out, 0, Math.min(length, uncompressedSize));
                    yield length;
                }
                case SNAPPY -> {
                    final int declared = SnappyDecompressor.getUncompressedLength(compressed, offset);
                    if (declared != uncompressedSize) {
                        throw new MalformedParquetException(page + " whose SNAPPY bytes say they uncompress to " + declared + " bytes, not the "
                                + uncompressedSize + " its header says");
                    }
                    yield snappy(compressed, offset, length, out, uncompressedSize, page);
                }
                case ZSTD -> decompressors.zstd().decompress(compressed, offset, length, out, 0, uncompressedSize);
                case LZ4_RAW -> decompressors.lz4.decompress(compressed, offset, length, out, 0, uncompressedSize);
                case GZIP -> gunzip(compressed, offset, length, out, uncompressedSize);
                default -> throw new MalformedParquetException(page + " compressed with " + codec + ", which cannot be read");
            };
        } catch (final MalformedInputException | IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException | IOException corrupt) {
            // as in uncompress: what the decoders throw for corrupt bytes, the output and their tables sized before
            throw new MalformedParquetException(page + " whose " + codec + " bytes cannot be uncompressed");
        }
        if (size != uncompressedSize) {
            throw new MalformedParquetException(page + " whose " + codec + " bytes uncompress to " + size + " bytes, not the " + uncompressedSize
                    + " its header says");
        }
    }

    private static int gunzip(final byte[] compressed, final int offset, final int length, final byte[] out, final int size) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed, offset, length))) {
            final int n = in.readNBytes(out, 0, size);
            // more bytes than the header says are as wrong as fewer
            return n == size && in.read() >= 0 ? size + 1 : n;
        }
    }

    /** Snappy's bytes start with the length they uncompress to, which must be the page header's. */
    private static int snappy(final byte[] compressed, final byte[] out, final String page) throws MalformedParquetException {
        final int declared = SnappyDecompressor.getUncompressedLength(compressed, 0);
        if (declared != out.length) {
            throw new MalformedParquetException(page + " whose SNAPPY bytes say they uncompress to " + declared + " bytes, not the " + out.length
                    + " its header says");
        }
        return snappy(compressed, 0, compressed.length, out, out.length, page);
    }

    private static int snappy(final byte[] compressed, final int offset, final int length, final byte[] out, final int size, final String page)
            throws MalformedParquetException {
        if (SnappyBytes.uncompress(compressed, offset, length, out, size) == SnappyBytes.CORRUPT) {
            throw new MalformedParquetException(page + " whose SNAPPY bytes cannot be uncompressed");
        }
        return size;
    }

    private static int gunzip(final byte[] compressed, final byte[] out) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return in.readNBytes(out, 0, out.length);
        }
    }
}
