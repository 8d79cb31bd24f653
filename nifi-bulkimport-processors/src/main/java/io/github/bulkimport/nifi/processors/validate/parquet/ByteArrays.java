package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Fault;
import org.apache.parquet.format.Encoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks the byte-array values of a page, each where it lies in the page (or, for DELTA_BYTE_ARRAY, rebuilt into a
 * buffer kept from value to value): PLAIN (a 4-byte length before each value), DELTA_LENGTH_BYTE_ARRAY (every length
 * first, delta-encoded, then the values) and DELTA_BYTE_ARRAY (each value a prefix of the one before and a suffix).
 * Every length is checked against the page before it is followed, and the work follows the bytes: the delta encodings
 * can declare 2^31 values in a few bytes, but only empty values or repeats of the one before, which are checked once
 * for the whole stretch.
 */
final class ByteArrays {

    /** What is wrong with one value, {@code bytes[from, to)}, or {@code null}. */
    interface Checker {
        Fault check(byte[] bytes, int from, int to);
    }

    private byte[] rebuilt = new byte[256];

    /** Whether values of this encoding can be read. */
    static boolean readable(final Encoding encoding) {
        return encoding == Encoding.PLAIN || encoding == Encoding.DELTA_LENGTH_BYTE_ARRAY || encoding == Encoding.DELTA_BYTE_ARRAY;
    }

    /** Checks the first {@code count} values of {@code b[offset, offset + length)}, their faults into {@code faults} by ordinal. */
    void check(final Encoding encoding, final byte[] b, final int offset, final int length, final long count, final String page,
               final Checker checker, final ValueFaults faults) throws MalformedParquetException {
        if (count == 0) {
            return;
        }
        switch (encoding) {
            case PLAIN -> plain(b, offset, length, count, page, checker, faults);
            case DELTA_LENGTH_BYTE_ARRAY -> deltaLengths(b, offset, length, count, page, checker, faults);
            case DELTA_BYTE_ARRAY -> deltaStrings(b, offset, length, count, page, checker, faults);
            default -> throw new IllegalArgumentException(encoding.name());
        }
    }

    private static void plain(final byte[] b, final int offset, final int length, final long count, final String page, final Checker checker,
                              final ValueFaults faults) throws MalformedParquetException {
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
            add(faults, i, 1, checker.check(b, from, from + valueLength));
            values.position(from + valueLength);
        }
    }

    private static void deltaLengths(final byte[] b, final int offset, final int length, final long count, final String page, final Checker checker,
                                     final ValueFaults faults) throws MalformedParquetException {
        final ByteBuffer section = ByteBuffer.wrap(b, offset, length);
        // the values start where the lengths end, which only reading the lengths through tells
        final ByteBuffer afterLengths = section.duplicate();
        final DeltaBinaryPacked skipped = DeltaBinaryPacked.lengths(afterLengths, length, page);
        requireValues(skipped.total(), count, page);
        skipped.skipAll();
        final DeltaBinaryPacked lengths = DeltaBinaryPacked.lengths(section.duplicate(), length, page);
        int from = afterLengths.position();
        final int end = offset + length;
        for (long i = 0; i < count; ) {
            final long valueLength = lengths.value();
            if (valueLength == 0 && lengths.step() == 0) {
                // a stretch of empty values: one check for them all
                final long n = Math.min(lengths.span(), count - i);
                add(faults, i, n, checker.check(b, from, from));
                lengths.advance(n);
                i += n;
                continue;
            }
            if (valueLength > end - from) {
                throw new MalformedParquetException(page + " with a value of " + valueLength + " bytes, where " + (end - from) + " are left");
            }
            add(faults, i, 1, checker.check(b, from, from + (int) valueLength));
            from += (int) valueLength;
            lengths.advance(1);
            i++;
        }
    }

    private void deltaStrings(final byte[] b, final int offset, final int length, final long count, final String page, final Checker checker,
                              final ValueFaults faults) throws MalformedParquetException {
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
        Fault previousFault = null;
        for (long i = 0; i < count; ) {
            final int prefix = (int) prefixes.value();
            final int suffix = (int) suffixes.value();
            if (prefix > previous) {
                throw new MalformedParquetException(page + " whose value " + (i + 1) + " shares " + prefix + " bytes with a value of " + previous);
            }
            if (i > 0 && prefix == previous && suffix == 0 && prefixes.step() == 0 && suffixes.step() == 0) {
                // a stretch of repeats of the value before: its fault is theirs
                final long n = Math.min(Math.min(prefixes.span(), suffixes.span()), count - i);
                add(faults, i, n, previousFault);
                prefixes.advance(n);
                suffixes.advance(n);
                i += n;
                continue;
            }
            if (suffix > end - from) {
                throw new MalformedParquetException(page + " with a value of " + suffix + " bytes, where " + (end - from) + " are left");
            }
            // a value shares at most the one before, which is at most the page's length longer than its own suffix
            final int valueLength = prefix + suffix;
            if (valueLength > rebuilt.length) {
                final byte[] grown = new byte[Math.max(valueLength, Math.min(2 * rebuilt.length, 2 * length))];
                System.arraycopy(rebuilt, 0, grown, 0, previous);
                rebuilt = grown;
            }
            System.arraycopy(b, from, rebuilt, prefix, suffix);
            from += suffix;
            previousFault = checker.check(rebuilt, 0, valueLength);
            add(faults, i, 1, previousFault);
            previous = valueLength;
            prefixes.advance(1);
            suffixes.advance(1);
            i++;
        }
    }

    private static void add(final ValueFaults faults, final long first, final long count, final Fault fault) {
        if (fault != null) {
            faults.add(first, count, fault);
        }
    }

    private static void requireValues(final long total, final long count, final String page) throws MalformedParquetException {
        if (total < count) {
            throw new MalformedParquetException(page + " whose delta-encoded lengths hold " + total + " values, where " + count + " are present");
        }
    }
}
