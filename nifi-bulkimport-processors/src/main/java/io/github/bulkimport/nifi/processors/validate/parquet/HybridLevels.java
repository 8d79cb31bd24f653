package io.github.bulkimport.nifi.processors.validate.parquet;

import java.nio.ByteBuffer;

/**
 * Decodes repetition and definition levels, which Parquet writes in its RLE / bit-packing hybrid
 * encoding: runs of one repeated value, and groups of eight values packed in {@code bitWidth} bits
 * each, least significant bit first.
 */
final class HybridLevels {

    private HybridLevels() {
    }

    /** The number of bits levels up to {@code maxLevel} take. */
    static int bitWidth(final int maxLevel) {
        return 32 - Integer.numberOfLeadingZeros(maxLevel);
    }

    /** Decodes {@code count} levels from {@code data} (only as many as it holds: the rest stay 0). */
    static int[] decode(final ByteBuffer data, final int bitWidth, final int count) {
        final int[] levels = new int[count];
        if (bitWidth == 0) {
            return levels;
        }
        int filled = 0;
        while (filled < count && data.hasRemaining()) {
            final int header = unsignedVarInt(data);
            if ((header & 1) == 1) {
                filled = unpack(data, bitWidth, (header >>> 1) * 8, levels, filled);
            } else {
                final int run = header >>> 1;
                int value = 0;
                for (int i = 0; i < (bitWidth + 7) / 8 && data.hasRemaining(); i++) {
                    value |= (data.get() & 0xFF) << (8 * i);
                }
                for (int i = 0; i < run && filled < count; i++) {
                    levels[filled++] = value;
                }
            }
        }
        return levels;
    }

    private static int unpack(final ByteBuffer data, final int bitWidth, final int values, final int[] levels, final int start) {
        final int bytes = Math.min(values * bitWidth / 8, data.remaining());
        final byte[] packed = new byte[bytes];
        data.get(packed);
        int filled = start;
        for (int v = 0; v < values && filled < levels.length; v++) {
            int value = 0;
            for (int bit = 0; bit < bitWidth; bit++) {
                final int position = v * bitWidth + bit;
                if (position / 8 < bytes && (packed[position / 8] >>> (position % 8) & 1) == 1) {
                    value |= 1 << bit;
                }
            }
            levels[filled++] = value;
        }
        return filled;
    }

    private static int unsignedVarInt(final ByteBuffer data) {
        int value = 0;
        int shift = 0;
        while (data.hasRemaining() && shift < 35) {
            final int b = data.get() & 0xFF;
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        return value;
    }
}
