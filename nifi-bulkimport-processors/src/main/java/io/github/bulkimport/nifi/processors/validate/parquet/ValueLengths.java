package io.github.bulkimport.nifi.processors.validate.parquet;

import org.apache.parquet.format.Encoding;

import java.nio.ByteBuffer;

/**
 * The longest of a page's byte-array values, read from the lengths alone, in the encodings Parquet
 * writers use for text: PLAIN (each value after its 4-byte length), DELTA_LENGTH_BYTE_ARRAY (the
 * lengths delta-encoded first) and DELTA_BYTE_ARRAY (prefix lengths shared with the previous value,
 * then the suffixes' lengths). Dictionary-encoded pages hold indexes; their text is in the
 * dictionary page, which is PLAIN. No value is longer than the page that holds it (a value shares
 * its prefix with the one before it, itself in the page): a length that says otherwise is a broken page.
 */
final class ValueLengths {

    private ValueLengths() {
    }

    /**
     * The longest of the first {@code count} values, or {@code null} when there are none or the encoding does not tell.
     *
     * @param page how messages name the page ("a data page of column title")
     */
    static Integer longest(final ByteBuffer values, final Encoding encoding, final long count, final String page) throws MalformedParquetException {
        if (count <= 0) {
            return null;
        }
        return switch (encoding) {
            case PLAIN -> plain(values, count, page);
            case DELTA_LENGTH_BYTE_ARRAY -> deltaLengths(values, count, page);
            case DELTA_BYTE_ARRAY -> deltaStrings(values, count, page);
            default -> null;
        };
    }

    private static Integer plain(final ByteBuffer values, final long count, final String page) throws MalformedParquetException {
        int longest = 0;
        for (long i = 0; i < count; i++) {
            if (values.remaining() < 4) {
                throw new MalformedParquetException(page + " whose values end before its " + count + " values");
            }
            final int length = values.getInt();
            if (length < 0 || length > values.remaining()) {
                throw new MalformedParquetException(page + " with a value of " + length + " bytes, where " + values.remaining() + " are left");
            }
            values.position(values.position() + length);
            longest = Math.max(longest, length);
        }
        return longest;
    }

    private static Integer deltaLengths(final ByteBuffer values, final long count, final String page) throws MalformedParquetException {
        final DeltaBinaryPacked lengths = DeltaBinaryPacked.lengths(values, values.remaining(), page);
        final long n = Math.min(count, lengths.total());
        long longest = 0;
        for (long taken = 0; taken < n; ) {
            final long k = Math.min(lengths.span(), n - taken);
            longest = Math.max(longest, Math.max(lengths.value(), lengths.value() + lengths.step() * (k - 1)));
            lengths.advance(k);
            taken += k;
        }
        return n == 0 ? null : (int) longest;
    }

    /** Each value is a prefix of the one before and a suffix: the prefixes' lengths come first, then the suffixes'. */
    private static Integer deltaStrings(final ByteBuffer values, final long count, final String page) throws MalformedParquetException {
        final int pageBytes = values.remaining();
        final DeltaBinaryPacked prefixes = DeltaBinaryPacked.lengths(values.duplicate(), pageBytes, page);
        // the suffixes' lengths start where the prefixes' end, which only reading them through tells
        final ByteBuffer afterPrefixes = values.duplicate();
        DeltaBinaryPacked.lengths(afterPrefixes, pageBytes, page).skipAll();
        final DeltaBinaryPacked suffixes = DeltaBinaryPacked.lengths(afterPrefixes, pageBytes, page);
        final long n = Math.min(count, Math.min(prefixes.total(), suffixes.total()));
        long longest = 0;
        for (long taken = 0; taken < n; ) {
            final long k = Math.min(Math.min(prefixes.span(), suffixes.span()), n - taken);
            final long first = prefixes.value() + suffixes.value();
            final long last = first + (prefixes.step() + suffixes.step()) * (k - 1);
            if (Math.max(first, last) > pageBytes) {
                throw new MalformedParquetException(page + " with a value of " + Math.max(first, last) + " bytes, longer than the page ("
                        + pageBytes + " bytes)");
            }
            longest = Math.max(longest, Math.max(first, last));
            prefixes.advance(k);
            suffixes.advance(k);
            taken += k;
        }
        return n == 0 ? null : (int) longest;
    }
}
