package io.github.bulkimport.nifi.processors.validate.parquet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Repetition or definition levels, which Parquet writes in its RLE / bit-packing hybrid encoding:
 * runs of one repeated level, and groups of eight levels packed in {@code bitWidth} bits each, least
 * significant bit first. Read run by run, never unpacked into an array, so that the work follows the
 * bytes and not the counts they declare: a run of 2^31 levels costs its few bytes.
 */
final class HybridLevels {

    private final ByteBuffer data;
    /** The same bytes read as little-endian longs: eight bytes of a bit-packed run at once. */
    private final ByteBuffer words;
    private final int maxLevel;
    private final int bitWidth;
    private final String page;
    private final String kind;
    private final long count;
    /** Levels left in the current run (RLE or bit-packed), the current one included. */
    private long runLeft;
    private boolean packed;
    private boolean loaded;
    private int level;
    /** A bit-packed run: where its bytes start, how many of them there are, which value is the current one. */
    private int packedStart;
    private long packedBits;
    private long packedIndex;
    /** The run's first eight bytes as a little-endian long, zeros past its bytes: most runs of levels are this short. */
    private long packedHead;
    /** In a bit-packed run: where the stretch of levels equal to the current one ends, once {@link #span()} counted it; else 0. */
    private long equalUntil;

    private HybridLevels(final ByteBuffer data, final int maxLevel, final String page, final String kind, final long count) {
        this.data = data;
        this.words = data == null ? null : data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.maxLevel = maxLevel;
        this.bitWidth = bitWidth(maxLevel);
        this.page = page;
        this.kind = kind;
        this.count = count;
    }

    /** Levels of a column whose highest level is 0, which writes none: all 0. */
    static HybridLevels zeros() {
        final HybridLevels zeros = new HybridLevels(null, 0, "", "", 0);
        zeros.runLeft = Long.MAX_VALUE;
        zeros.loaded = true;
        return zeros;
    }

    /**
     * The {@code count} levels encoded in {@code data}, none above {@code maxLevel}.
     *
     * @param page how messages name the page ("a data page of column vector")
     * @param kind "repetition" or "definition"
     */
    static HybridLevels of(final ByteBuffer data, final int maxLevel, final String page, final String kind, final long count) {
        return maxLevel == 0 ? zeros() : new HybridLevels(data, maxLevel, page, kind, count);
    }

    /** The number of bits levels up to {@code maxLevel} take. */
    static int bitWidth(final int maxLevel) {
        return 32 - Integer.numberOfLeadingZeros(maxLevel);
    }

    /** The current level. */
    int level() throws MalformedParquetException {
        load();
        return level;
    }

    /**
     * How many levels from the current one on are equal to it, within the current run: at least 1. In a bit-packed run the
     * equal levels are counted ahead, a byte at a time where the levels take one bit (eight equal levels in a byte of 0s or
     * 1s), so that a run of millions of equal packed levels costs a loop over its bytes, not a step of the caller's for each.
     */
    long span() throws MalformedParquetException {
        load();
        if (!packed) {
            return runLeft;
        }
        if (equalUntil > packedIndex) {
            // counted before: the caller moved on within the stretch, which is not counted again
            return equalUntil - packedIndex;
        }
        final long k = equalAhead();
        equalUntil = packedIndex + k;
        return k;
    }

    /** How many levels of the bit-packed run from the current one on are equal to it. */
    private long equalAhead() {
        long k = 1;
        while (k < runLeft) {
            final long index = packedIndex + k;
            final long bit = index * bitWidth;
            if (bit >= packedBits) {
                // past the run's bytes every level reads as 0
                return level == 0 ? runLeft : k;
            }
            if (bitWidth == 1 && (bit < Long.SIZE || bit + Long.SIZE <= packedBits)) {
                // levels of one bit, up to 64 of them at once: the first that differs is the first bit set (levels of 0) or
                // clear (levels of 1); the run's head reads 0 past its bytes, as its levels do
                final int shift = bit < Long.SIZE ? (int) bit : (int) (bit & 7);
                final long word = (bit < Long.SIZE ? packedHead : words.getLong(packedStart + (int) (bit >>> 3))) >>> shift;
                final long differing = level == 0 ? word : ~word;
                final int window = Long.SIZE - shift;
                final int equal = Math.min(window, Long.numberOfTrailingZeros(differing));
                if (equal < window) {
                    return Math.min(runLeft, k + equal);
                }
                k += window;
                continue;
            }
            if (unpack(index) != level) {
                return k;
            }
            k++;
        }
        return Math.min(k, runLeft);
    }

    /**
     * Moves past the next {@code n} levels, counting those equal to {@code target}: a run at a time,
     * and a bit-packed run in a tight loop.
     */
    long count(final long n, final int target) throws MalformedParquetException {
        long counted = 0;
        for (long left = n; left > 0; ) {
            load();
            final long k;
            if (packed && packedIndex * bitWidth < packedBits) {
                k = Math.min(left, Math.min(runLeft, (packedBits + bitWidth - 1) / bitWidth - packedIndex));
                for (long i = packedIndex; i < packedIndex + k; i++) {
                    if (checked(unpack(i)) == target) {
                        counted++;
                    }
                }
            } else {
                k = Math.min(left, runLeft);
                counted += level == target ? k : 0;
            }
            advance(k);
            left -= k;
        }
        return counted;
    }

    /** Moves past {@code n} levels, at most {@link #span()}. */
    void advance(final long n) {
        runLeft -= n;
        if (packed) {
            packedIndex += n;
            loaded = false;
        }
    }

    private void load() throws MalformedParquetException {
        while (runLeft == 0) {
            readRunHeader();
        }
        if (!loaded) {
            level = packed ? unpacked() : level;
            loaded = true;
        }
    }

    private void readRunHeader() throws MalformedParquetException {
        final long header = unsignedVarInt();
        if ((header & 1) == 0) {
            runLeft = header >>> 1;
            packed = false;
            int value = 0;
            for (int i = 0; i < (bitWidth + 7) / 8; i++) {
                value |= next() << (8 * i);
            }
            level = checked(value);
            loaded = true;
        } else {
            final long groups = header >>> 1;
            runLeft = groups * 8;
            packed = true;
            loaded = false;
            packedStart = data.position();
            // the last run may be cut short: its missing bits read as 0, as Parquet's own readers take them
            final int bytes = (int) Math.min(groups * bitWidth, data.remaining());
            packedBits = 8L * bytes;
            packedIndex = 0;
            equalUntil = 0;
            packedHead = bytes >= Long.BYTES ? words.getLong(packedStart) : head(bytes);
            data.position(packedStart + bytes);
        }
    }

    /** The current value of a bit-packed run. */
    private int unpacked() throws MalformedParquetException {
        return checked(unpack(packedIndex));
    }

    /** Value {@code index} of the bit-packed run: its bits, least significant first, those past the run's bytes 0. */
    private int unpack(final long index) {
        final long bit = index * bitWidth;
        final int first = (int) (bit >>> 3);
        final long mask = (1L << bitWidth) - 1;
        if (bit + bitWidth <= Long.SIZE) {
            return (int) (packedHead >>> bit & mask);
        }
        if (8L * first + Long.SIZE <= packedBits) {
            // a level takes at most 32 bits and starts within its first byte: eight bytes hold it
            return (int) (words.getLong(packedStart + first) >>> (bit & 7) & mask);
        }
        long word = 0;
        for (int b = 0; b < (bitWidth + 7 + (int) (bit & 7)) / 8; b++) {
            if (8L * (first + b) < packedBits) {
                word |= (long) (data.get(packedStart + first + b) & 0xFF) << (8 * b);
            }
        }
        return (int) (word >>> (bit & 7) & mask);
    }

    /** The first {@code bytes} (fewer than eight) bytes of the run as a little-endian long. */
    private long head(final int bytes) {
        long head = 0;
        for (int b = 0; b < bytes; b++) {
            head |= (long) (data.get(packedStart + b) & 0xFF) << (8 * b);
        }
        return head;
    }

    private int checked(final int value) throws MalformedParquetException {
        if (value < 0 || value > maxLevel) {
            throw new MalformedParquetException(page + " with a " + kind + " level of " + value + ", above the column's highest (" + maxLevel + ")");
        }
        return value;
    }

    /** A run header: an unsigned varint of at most 32 bits. */
    private long unsignedVarInt() throws MalformedParquetException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            final int b = next();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedParquetException(page + " whose " + kind + " levels hold a run header of more than 5 bytes");
    }

    private int next() throws MalformedParquetException {
        if (!data.hasRemaining()) {
            throw new MalformedParquetException(page + " whose " + kind + " levels end before its " + count + " values");
        }
        return data.get() & 0xFF;
    }
}
