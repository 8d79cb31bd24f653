package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.Encoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks the byte-array values of a page, each handed over where it lies in the page (or, for DELTA_BYTE_ARRAY,
 * rebuilt into a buffer kept from value to value): PLAIN (a 4-byte length before each value),
 * DELTA_LENGTH_BYTE_ARRAY (every length first, delta-encoded, then the values) and DELTA_BYTE_ARRAY (each value a
 * prefix of the one before and a suffix). Every length is checked against the page before it is followed.
 */
final class ByteArrays {

    /** Takes one value: {@code bytes[from, to)}, the {@code ordinal}-th present value of the page. */
    interface Visitor {
        void value(long ordinal, byte[] bytes, int from, int to);
    }

    private byte[] rebuilt = new byte[256];

    /** Whether values of this encoding can be walked. */
    static boolean readable(final Encoding encoding) {
        return encoding == Encoding.PLAIN || encoding == Encoding.DELTA_LENGTH_BYTE_ARRAY || encoding == Encoding.DELTA_BYTE_ARRAY;
    }

    /** Walks the first {@code count} values of {@code b[offset, offset + length)}. */
    void walk(final Encoding encoding, final byte[] b, final int offset, final int length, final long count, final String page,
              final Visitor visitor) throws MalformedParquetException {
        switch (encoding) {
            case PLAIN -> plain(b, offset, length, count, page, visitor);
            case DELTA_LENGTH_BYTE_ARRAY -> deltaLengths(b, offset, length, count, page, visitor);
            case DELTA_BYTE_ARRAY -> deltaStrings(b, offset, length, count, page, visitor);
            default -> throw new IllegalArgumentException(encoding.name());
        }
    }

    private static void plain(final byte[] b, final int offset, final int length, final long count, final String page, final Visitor visitor)
            throws MalformedParquetException {
        final ByteBuffer values = ByteBuffer.wrap(b, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            if (values.remaining() < 4) {
                throw new MalformedParquetException(page + " whose values end before its " + count + " values");
            }
            final int valueLength = values.getInt();
            if (valueLength < 0 || valueLength > values.remaining()) {
                throw new MalformedParquetException(page + " with a value of " + valueLength + " bytes, where " + values.remaining() + " are left");
            }
            final int from = values.position();
            visitor.value(i, b, from, from + valueLength);
            values.position(from + valueLength);
        }
    }

    private static void deltaLengths(final byte[] b, final int offset, final int length, final long count, final String page, final Visitor visitor)
            throws MalformedParquetException {
        final ByteBuffer section = ByteBuffer.wrap(b, offset, length);
        // the values start where the lengths end, which only reading the lengths through tells
        final ByteBuffer afterLengths = section.duplicate();
        final DeltaBinaryPacked skipped = DeltaBinaryPacked.lengths(afterLengths, length, page);
        requireValues(skipped.total(), count, page);
        skipped.skipAll();
        final DeltaBinaryPacked lengths = DeltaBinaryPacked.lengths(section.duplicate(), length, page);
        int from = afterLengths.position();
        final int end = offset + length;
        for (long i = 0; i < count; i++) {
            final long valueLength = lengths.value();
            if (valueLength > end - from) {
                throw new MalformedParquetException(page + " with a value of " + valueLength + " bytes, where " + (end - from) + " are left");
            }
            visitor.value(i, b, from, from + (int) valueLength);
            from += (int) valueLength;
            lengths.advance(1);
        }
    }

    private void deltaStrings(final byte[] b, final int offset, final int length, final long count, final String page, final Visitor visitor)
            throws MalformedParquetException {
        final ByteBuffer section = ByteBuffer.wrap(b, offset, length);
        final ByteBuffer afterPrefixes = section.duplicate();
        final DeltaBinaryPacked skipped = DeltaBinaryPacked.lengths(afterPrefixes, length, page);
        requireValues(skipped.total(), count, page);
        skipped.skipAll();
        final DeltaBinaryPacked prefixes = DeltaBinaryPacked.lengths(section.duplicate(), length, page);
        // after the prefixes' lengths come the suffixes, as DELTA_LENGTH_BYTE_ARRAY
        final ByteBuffer afterSuffixLengths = afterPrefixes.duplicate();
        final DeltaBinaryPacked skippedSuffixes = DeltaBinaryPacked.lengths(afterSuffixLengths, length, page);
        requireValues(skippedSuffixes.total(), count, page);
        skippedSuffixes.skipAll();
        final DeltaBinaryPacked suffixes = DeltaBinaryPacked.lengths(afterPrefixes.duplicate(), length, page);
        int from = afterSuffixLengths.position();
        final int end = offset + length;
        int previous = 0;
        for (long i = 0; i < count; i++) {
            final int prefix = (int) prefixes.value();
            final int suffix = (int) suffixes.value();
            if (prefix > previous) {
                throw new MalformedParquetException(page + " whose value " + (i + 1) + " shares " + prefix + " bytes with a value of " + previous);
            }
            if (suffix > end - from) {
                throw new MalformedParquetException(page + " with a value of " + suffix + " bytes, where " + (end - from) + " are left");
            }
            // no value is longer than the page: the one being rebuilt fits in a buffer the page's size bounds
            final int valueLength = prefix + suffix;
            if (valueLength > rebuilt.length) {
                final byte[] grown = new byte[Math.max(valueLength, Math.min(2 * rebuilt.length, length))];
                System.arraycopy(rebuilt, 0, grown, 0, previous);
                rebuilt = grown;
            }
            System.arraycopy(b, from, rebuilt, prefix, suffix);
            from += suffix;
            visitor.value(i, rebuilt, 0, valueLength);
            previous = valueLength;
            prefixes.advance(1);
            suffixes.advance(1);
        }
    }

    private static void requireValues(final long total, final long count, final String page) throws MalformedParquetException {
        if (total < count) {
            throw new MalformedParquetException(page + " whose delta-encoded lengths hold " + total + " values, where " + count + " are present");
        }
    }
}
