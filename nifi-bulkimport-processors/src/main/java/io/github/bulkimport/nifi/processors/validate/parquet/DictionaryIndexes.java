package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Fault;

/**
 * The values of a dictionary-encoded page: a byte giving the bit width, then indexes into the dictionary
 * in the RLE / bit-packing hybrid encoding. Only read when the dictionary holds a faulty entry: each index
 * of one is a faulty value. A run of one index costs its few bytes whatever its length; an index past
 * the dictionary makes the page broken.
 */
final class DictionaryIndexes {

    private DictionaryIndexes() {
    }

    /**
     * Marks in {@code faults} the values, among the page's first {@code count}, whose index points at an entry
     * {@code entries} holds a fault for ({@code null} for a sound one).
     */
    static void faults(final byte[] b, final int offset, final int length, final long count, final Fault[] entries, final int size,
                       final String page, final ValueFaults faults) throws MalformedParquetException {
        if (count == 0) {
            return;
        }
        if (length < 1) {
            throw new MalformedParquetException(page + " whose dictionary indexes are missing");
        }
        final int bitWidth = b[offset] & 0xFF;
        if (bitWidth > 32) {
            throw new MalformedParquetException(page + " whose dictionary indexes take " + bitWidth + " bits each");
        }
        final int end = offset + length;
        int i = offset + 1;
        long ordinal = 0;
        while (ordinal < count) {
            // a run header: an unsigned varint of at most 5 bytes
            long header = 0;
            int shift = 0;
            while (true) {
                if (i >= end) {
                    throw new MalformedParquetException(page + " whose dictionary indexes end before its " + count + " values");
                }
                final int next = b[i++] & 0xFF;
                header |= (long) (next & 0x7F) << shift;
                if ((next & 0x80) == 0) {
                    break;
                }
                shift += 7;
                if (shift >= 35) {
                    throw new MalformedParquetException(page + " whose dictionary indexes hold a run header of more than 5 bytes");
                }
            }
            if ((header & 1) == 0) {
                final long run = Math.min(header >>> 1, count - ordinal);
                final int valueBytes = (bitWidth + 7) / 8;
                if (i + valueBytes > end) {
                    throw new MalformedParquetException(page + " whose dictionary indexes end inside a run");
                }
                long index = 0;
                for (int k = 0; k < valueBytes; k++) {
                    index |= (long) (b[i + k] & 0xFF) << (8 * k);
                }
                i += valueBytes;
                checkIndex(index, size, page);
                if (run > 0 && entries[(int) index] != null) {
                    faults.add(ordinal, run, entries[(int) index]);
                }
                ordinal += run;
            } else {
                final long groups = header >>> 1;
                final long values = Math.min(groups * 8, count - ordinal);
                // the last run may be cut short: its missing bits read as 0, as Parquet's readers take them
                final long bytes = Math.min(groups * bitWidth, end - i);
                // values whose bits lie past the bytes read as index 0: taken as one run, so that the work follows the bytes
                final long covered = bitWidth == 0 ? 0 : Math.min(values, (bytes * 8 + bitWidth - 1) / bitWidth);
                final int start = i;
                for (long v = 0; v < covered; v++) {
                    final long index = unpack(b, start, bytes, v, bitWidth);
                    checkIndex(index, size, page);
                    if (entries[(int) index] != null) {
                        faults.add(ordinal + v, 1, entries[(int) index]);
                    }
                }
                if (values > covered) {
                    checkIndex(0, size, page);
                    if (entries[0] != null) {
                        faults.add(ordinal + covered, values - covered, entries[0]);
                    }
                }
                i += (int) bytes;
                ordinal += values;
            }
        }
    }

    private static void checkIndex(final long index, final int size, final String page) throws MalformedParquetException {
        if (index >= size) {
            throw new MalformedParquetException(page + " with the dictionary index " + index + ", past its " + size + " entries");
        }
    }

    /** Value {@code index} of a bit-packed run of {@code bytes} bytes from {@code start}, least significant bit first. */
    private static long unpack(final byte[] b, final int start, final long bytes, final long index, final int bitWidth) {
        final long bit = index * bitWidth;
        long value = 0;
        for (int k = 0; k < bitWidth; ) {
            final long at = bit + k;
            final long byteIndex = at >>> 3;
            if (byteIndex >= bytes) {
                break;
            }
            final int shift = (int) (at & 7);
            final int take = Math.min(8 - shift, bitWidth - k);
            value |= (long) ((b[start + (int) byteIndex] & 0xFF) >>> shift & ((1 << take) - 1)) << k;
            k += take;
        }
        return value;
    }
}
