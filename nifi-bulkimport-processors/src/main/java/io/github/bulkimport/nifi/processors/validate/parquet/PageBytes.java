package io.github.bulkimport.nifi.processors.validate.parquet;

import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import org.apache.parquet.format.CompressionCodec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Uncompresses a page with its column chunk's codec, in pure Java (aircompressor for Snappy, ZSTD
 * and LZ4, the JDK for GZIP), so that no Hadoop codec and no native library is needed.
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

    static byte[] uncompress(final CompressionCodec codec, final byte[] compressed, final int uncompressedSize) throws IOException {
        if (codec == CompressionCodec.UNCOMPRESSED) {
            return compressed;
        }
        final byte[] out = new byte[uncompressedSize];
        try {
            switch (codec) {
                case SNAPPY -> new SnappyDecompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
                case ZSTD -> new ZstdDecompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
                case LZ4_RAW -> new Lz4Decompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
                case GZIP -> {
                    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                        in.readNBytes(out, 0, out.length);
                    }
                }
                default -> throw new IOException("pages compressed with " + codec + " cannot be read");
            }
        } catch (final RuntimeException corrupt) {
            // aircompressor reports corrupt input with unchecked exceptions
            throw new IOException("a page compressed with " + codec + " could not be uncompressed: " + corrupt.getMessage(), corrupt);
        }
        return out;
    }
}
