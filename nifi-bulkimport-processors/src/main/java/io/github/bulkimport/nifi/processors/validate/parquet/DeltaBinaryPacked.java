package io.github.bulkimport.nifi.processors.validate.parquet;

import java.nio.ByteBuffer;

/**
 * Byte-array lengths in Parquet's DELTA_BINARY_PACKED encoding: a header (values per block, miniblocks
 * per block, value count, first value), then blocks of a minimum delta, one bit width per miniblock
 * and the miniblocks' deltas above the minimum, bit-packed. Read as spans of values in arithmetic
 * progression: a miniblock of bit width 0 adds its minimum delta again and again, so its values are
 * taken as one span, whatever their number; any other value comes alone and takes at least a bit of
 * the page. So the work follows the bytes, never the counts the header declares. Every value must be
 * a length that fits in the page ({@code 0} to {@code maxLength}).
 */
final class DeltaBinaryPacked {

    /** Lengths are 32-bit integers: their deltas take at most 32 bits. */
    private static final int MAX_BIT_WIDTH = 32;

    private final ByteBuffer data;
    private final long maxLength;
    private final String page;
    private final long total;
    private final long perMiniblock;
    private final int miniblocks;
    /** Values moved past. */
    private long passed;
    /** The current span: its current value, the step between its values, how many are left (the current one included). */
    private long value;
    private long step;
    private long spanLeft;
    /** The current block and miniblock. */
    private long minDelta;
    private byte[] widths;
    private int miniblock;
    private int width;
    private long miniblockLeft;
    private int packedStart;
    private long packedIndex;

    private DeltaBinaryPacked(final ByteBuffer data, final long maxLength, final String page, final long total, final long perMiniblock,
                              final int miniblocks, final long first) throws MalformedParquetException {
        this.data = data;
        this.maxLength = maxLength;
        this.page = page;
        this.total = total;
        this.perMiniblock = perMiniblock;
        this.miniblocks = miniblocks;
        if (total > 0) {
            span(first, 0, 1);
        }
    }

    /**
     * Reads the header at {@code data}'s position; the values follow, read as they are asked for.
     *
     * @param page how messages name the page ("a data page of column title")
     */
    static DeltaBinaryPacked lengths(final ByteBuffer data, final long maxLength, final String page) throws MalformedParquetException {
        final long blockSize = unsignedVarInt(data, page);
        final long miniblocks = unsignedVarInt(data, page);
        final long total = unsignedVarInt(data, page);
        final long first = zigZag(unsignedVarLong(data, page));
        if (blockSize == 0 || blockSize % 128 != 0 || miniblocks == 0 || blockSize % miniblocks != 0 || blockSize / miniblocks % 32 != 0) {
            throw new MalformedParquetException(page + " whose delta-encoded lengths have blocks of " + blockSize + " values in " + miniblocks
                    + " miniblocks (Parquet wants a multiple of 128 values, in miniblocks of a multiple of 32)");
        }
        return new DeltaBinaryPacked(data, maxLength, page, total, blockSize / miniblocks, (int) miniblocks, first);
    }

    /** How many values the header declares. */
    long total() {
        return total;
    }

    boolean hasValue() {
        return passed < total;
    }

    /** The current value. */
    long value() {
        return value;
    }

    /** How many values from the current one on are in arithmetic progression (at least 1), each {@link #step()} after the one before. */
    long span() {
        return spanLeft;
    }

    long step() {
        return step;
    }

    /** Moves past {@code n} values, at most {@link #span()}. */
    void advance(final long n) throws MalformedParquetException {
        passed += n;
        if (n < spanLeft) {
            value += step * n;
            spanLeft -= n;
            return;
        }
        final long last = value + step * (spanLeft - 1);
        spanLeft = 0;
        if (passed < total) {
            nextSpan(last);
        }
    }

    /** Moves past every value, to where the encoding ends. */
    void skipAll() throws MalformedParquetException {
        while (hasValue()) {
            advance(span());
        }
    }

    private void nextSpan(final long previous) throws MalformedParquetException {
        if (miniblockLeft == 0) {
            nextMiniblock();
        }
        if (width == 0) {
            final long n = Math.min(miniblockLeft, total - passed);
            miniblockLeft -= n;
            span(previous + minDelta, minDelta, n);
        } else {
            miniblockLeft--;
            span(previous + minDelta + unpack(packedIndex++), 0, 1);
        }
    }

    private void nextMiniblock() throws MalformedParquetException {
        if (widths == null || miniblock == miniblocks) {
            nextBlock();
        }
        width = widths[miniblock++] & 0xFF;
        if (width > MAX_BIT_WIDTH) {
            throw new MalformedParquetException(page + " whose delta-encoded lengths take " + width + " bits each, above " + MAX_BIT_WIDTH);
        }
        // a miniblock holds a multiple of 32 values: its bytes are whole
        final long bytes = perMiniblock / 8 * width;
        if (bytes > data.remaining()) {
            throw ended();
        }
        packedStart = data.position();
        packedIndex = 0;
        data.position(packedStart + (int) bytes);
        miniblockLeft = perMiniblock;
    }

    private void nextBlock() throws MalformedParquetException {
        if (!data.hasRemaining()) {
            throw ended();
        }
        minDelta = zigZag(unsignedVarLong(data, page));
        if (minDelta < Integer.MIN_VALUE || minDelta > Integer.MAX_VALUE) {
            throw new MalformedParquetException(page + " whose delta-encoded lengths step by " + minDelta + ", beyond 32 bits");
        }
        if (miniblocks > data.remaining()) {
            throw ended();
        }
        if (widths == null) {
            widths = new byte[miniblocks];
        }
        data.get(widths);
        miniblock = 0;
    }

    private void span(final long first, final long by, final long n) throws MalformedParquetException {
        // with the first value in range, a step times the span's length above the range takes the last out of it
        if (first < 0 || first > maxLength || by != 0 && n - 1 > maxLength / Math.abs(by)
                || first + by * (n - 1) < 0 || first + by * (n - 1) > maxLength) {
            throw new MalformedParquetException(page + " with a value length outside 0 to " + maxLength + " bytes, the page's size");
        }
        value = first;
        step = by;
        spanLeft = n;
    }

    private long unpack(final long index) {
        long unpacked = 0;
        for (int bit = 0; bit < width; bit++) {
            final long position = index * width + bit;
            if ((data.get(packedStart + (int) (position >>> 3)) >>> (position & 7) & 1) == 1) {
                unpacked |= 1L << bit;
            }
        }
        return unpacked;
    }

    private MalformedParquetException ended() {
        return new MalformedParquetException(page + " whose delta-encoded lengths end before their " + total + " values");
    }

    /** A header number: an unsigned varint of at most 32 bits. */
    private static long unsignedVarInt(final ByteBuffer data, final String page) throws MalformedParquetException {
        final long value = unsignedVarLong(data, page);
        if (value > 0xFFFF_FFFFL || value < 0) {
            throw new MalformedParquetException(page + " whose delta-encoded lengths have a header number beyond 32 bits");
        }
        return value;
    }

    private static long unsignedVarLong(final ByteBuffer data, final String page) throws MalformedParquetException {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!data.hasRemaining()) {
                throw new MalformedParquetException(page + " whose delta-encoded lengths end inside their header");
            }
            final int b = data.get() & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedParquetException(page + " whose delta-encoded lengths hold a number of more than 10 bytes");
    }

    private static long zigZag(final long value) {
        return value >>> 1 ^ -(value & 1);
    }
}
