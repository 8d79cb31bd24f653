package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.Encoding;

import java.nio.ByteBuffer;

/**
 * The longest of a page's byte-array values, read from the lengths alone, in the encodings Parquet
 * writers use for text: PLAIN (each value after its 4-byte length), DELTA_LENGTH_BYTE_ARRAY (the
 * lengths delta-encoded first) and DELTA_BYTE_ARRAY (prefix lengths shared with the previous value,
 * then the suffixes' lengths). Dictionary-encoded pages hold indexes; their text is in the
 * dictionary page, which is PLAIN.
 */
final class ValueLengths {

    private ValueLengths() {
    }

    /** The longest of {@code count} values, or {@code null} when the encoding does not tell or the page ends first. */
    static Integer longest(final ByteBuffer values, final Encoding encoding, final int count) {
        return switch (encoding) {
            case PLAIN -> plain(values, count);
            case DELTA_LENGTH_BYTE_ARRAY -> max(DeltaBinaryPacked.decode(values, count), null);
            case DELTA_BYTE_ARRAY -> {
                final long[] prefixes = DeltaBinaryPacked.decode(values, count);
                yield prefixes == null ? null : max(DeltaBinaryPacked.decode(values, count), prefixes);
            }
            default -> null;
        };
    }

    private static Integer plain(final ByteBuffer values, final int count) {
        Integer longest = null;
        for (int i = 0; i < count && values.remaining() >= 4; i++) {
            final int length = values.getInt();
            if (length < 0 || length > values.remaining()) {
                break;
            }
            values.position(values.position() + length);
            longest = longest == null ? length : Math.max(longest, length);
        }
        return longest;
    }

    private static Integer max(final long[] lengths, final long[] prefixes) {
        if (lengths == null || lengths.length == 0) {
            return null;
        }
        long longest = 0;
        for (int i = 0; i < lengths.length; i++) {
            longest = Math.max(longest, lengths[i] + (prefixes == null || i >= prefixes.length ? 0 : prefixes[i]));
        }
        return (int) Math.min(Integer.MAX_VALUE, longest);
    }

    /** Parquet's DELTA_BINARY_PACKED integers: blocks of bit-packed deltas from a first value, each block with its own minimum delta. */
    static final class DeltaBinaryPacked {

        private DeltaBinaryPacked() {
        }

        /** Up to {@code count} values (fewer when the header says fewer), or {@code null} when the data is not this encoding. */
        static long[] decode(final ByteBuffer data, final int count) {
            final long blockSize = unsignedVarLong(data);
            final long miniblocks = unsignedVarLong(data);
            final long total = unsignedVarLong(data);
            if (blockSize <= 0 || miniblocks <= 0 || blockSize % miniblocks != 0 || total < 0) {
                return null;
            }
            final int wanted = (int) Math.min(total, count);
            final long[] values = new long[wanted];
            long previous = zigZag(unsignedVarLong(data));
            if (wanted == 0) {
                return values;
            }
            values[0] = previous;
            int filled = 1;
            final int perMiniblock = (int) (blockSize / miniblocks);
            // the values after the first come in blocks, which the whole encoded run always ends with
            while (filled < total && data.hasRemaining()) {
                final long minDelta = zigZag(unsignedVarLong(data));
                final int[] widths = new int[(int) miniblocks];
                for (int m = 0; m < miniblocks && data.hasRemaining(); m++) {
                    widths[m] = data.get() & 0xFF;
                }
                for (int m = 0; m < miniblocks && filled < total; m++) {
                    final int bytes = perMiniblock * widths[m] / 8;
                    if (bytes > data.remaining()) {
                        return filled >= wanted ? values : null;
                    }
                    final byte[] packed = new byte[bytes];
                    data.get(packed);
                    for (int v = 0; v < perMiniblock && filled < total; v++) {
                        previous += minDelta + unpack(packed, widths[m], v);
                        if (filled < wanted) {
                            values[filled] = previous;
                        }
                        filled++;
                    }
                }
            }
            return filled >= wanted ? values : null;
        }

        private static long unpack(final byte[] packed, final int width, final int index) {
            long value = 0;
            for (int bit = 0; bit < width; bit++) {
                final int position = index * width + bit;
                if ((packed[position / 8] >>> (position % 8) & 1) == 1) {
                    value |= 1L << bit;
                }
            }
            return value;
        }

        private static long unsignedVarLong(final ByteBuffer data) {
            long value = 0;
            int shift = 0;
            while (data.hasRemaining() && shift < 64) {
                final int b = data.get() & 0xFF;
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
                shift += 7;
            }
            return value;
        }

        private static long zigZag(final long value) {
            return value >>> 1 ^ -(value & 1);
        }
    }
}
