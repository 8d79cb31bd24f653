package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.ColumnKind;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Fault;
import io.github.bulkimport.nifi.processors.validate.file.TextValue;
import org.apache.parquet.format.Encoding;

/**
 * Checks the values of one column's pages against its rules, straight from the pages' bytes: floats and
 * doubles for being finite, byte arrays for their length, UTF-8, JSON or sparse vector. A dictionary page's
 * entries are checked once; a page of indexes into it is read only when an entry is faulty, to find the
 * values that point at it.
 */
final class ColumnValues {

    /** What is read of the values. */
    private enum Mode {
        NONE,
        FLOATS,
        DOUBLES,
        TEXT
    }

    private final ColumnRules rules;
    private final Mode mode;
    private final ByteArrays byteArrays = new ByteArrays();
    private final ByteArrays.Checker textChecker = this::text;
    /** The faults of the current dictionary's entries, allocated when the first is found; {@code null} while none is. */
    private Fault[] entryFaults;
    private int entries;

    ColumnValues(final ParquetColumn column, final ColumnRules rules) {
        this.rules = rules;
        final ColumnKind leaf = column.maxRepetition() > 0 ? column.elementKind() : column.kind();
        if (rules.finite() != ColumnRules.Finite.NONE && leaf == ColumnKind.FLOAT) {
            mode = Mode.FLOATS;
        } else if (rules.finite() != ColumnRules.Finite.NONE && leaf == ColumnKind.DOUBLE) {
            mode = Mode.DOUBLES;
        } else if (column.binaryValues() && (rules.maxBytes() != null || rules.utf8() || rules.json() != ColumnRules.Json.NONE || rules.sparse())) {
            mode = Mode.TEXT;
        } else {
            mode = Mode.NONE;
        }
    }

    /** Whether the values of data pages are read at all: else only the levels are. */
    boolean readsValues() {
        return mode != Mode.NONE;
    }

    /** A dictionary page's {@code count} entries, PLAIN encoded: each checked once. */
    void dictionary(final byte[] b, final int offset, final int length, final int count, final String page)
            throws MalformedParquetException {
        entryFaults = null;
        entries = count;
        if (mode == Mode.NONE || count == 0) {
            return;
        }
        final ValueFaults found = new ValueFaults();
        switch (mode) {
            case FLOATS -> {
                requireBytes(length, 4L * count, page);
                FloatChecks.plainFloats(b, offset, count, found);
            }
            case DOUBLES -> {
                requireBytes(length, 8L * count, page);
                FloatChecks.plainDoubles(b, offset, count, rules.finite() == ColumnRules.Finite.FLOAT32, found);
            }
            default -> byteArrays.check(Encoding.PLAIN, b, offset, length, count, page, textChecker, found);
        }
        while (found.anyBefore(count)) {
            if (entryFaults == null) {
                entryFaults = new Fault[count];
            }
            for (long e = found.start(); e < found.end(); e++) {
                entryFaults[(int) e] = found.fault();
            }
            found.placedUpTo(found.end());
        }
    }

    /** The {@code present} values of a data page, in {@code encoding}: their faults, by ordinal, into {@code faults}. */
    void values(final Encoding encoding, final byte[] b, final int offset, final int length, final long present, final String page,
                final ValueFaults faults) throws MalformedParquetException, CannotCheckException {
        if (mode == Mode.NONE || present == 0) {
            return;
        }
        if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
            if (entryFaults != null) {
                DictionaryIndexes.faults(b, offset, length, present, entryFaults, entries, page, faults);
            }
            return;
        }
        switch (mode) {
            case FLOATS -> {
                if (encoding == Encoding.PLAIN) {
                    requireBytes(length, 4 * present, page);
                    FloatChecks.plainFloats(b, offset, present, faults);
                } else if (encoding == Encoding.BYTE_STREAM_SPLIT) {
                    requireBytes(length, 4 * present, page);
                    FloatChecks.streamSplit(b, offset, (int) present, 4, true, faults);
                } else {
                    throw unreadable(encoding, page);
                }
            }
            case DOUBLES -> {
                final boolean asFloat = rules.finite() == ColumnRules.Finite.FLOAT32;
                if (encoding == Encoding.PLAIN) {
                    requireBytes(length, 8 * present, page);
                    FloatChecks.plainDoubles(b, offset, present, asFloat, faults);
                } else if (encoding == Encoding.BYTE_STREAM_SPLIT) {
                    requireBytes(length, 8 * present, page);
                    FloatChecks.streamSplit(b, offset, (int) present, 8, asFloat, faults);
                } else {
                    throw unreadable(encoding, page);
                }
            }
            default -> {
                if (!ByteArrays.readable(encoding)) {
                    throw unreadable(encoding, page);
                }
                byteArrays.check(encoding, b, offset, length, present, page, textChecker, faults);
            }
        }
    }

    /** Whether a data page's values in {@code encoding} are PLAIN floats to check: {@link SnappyFloats} can read such a page. */
    boolean plainFloats(final Encoding encoding) {
        return mode == Mode.FLOATS && encoding == Encoding.PLAIN;
    }

    /** As {@link #values}, for a page of PLAIN floats that {@link SnappyFloats} read: the values from output byte {@code offset}. */
    void plainFloats(final SnappyFloats page, final int offset, final int length, final long present, final String pageName,
                     final ValueFaults faults) throws MalformedParquetException {
        if (present == 0) {
            return;
        }
        requireBytes(length, 4 * present, pageName);
        page.checkFloats(offset, present, faults);
    }

    private Fault text(final byte[] bytes, final int from, final int to) {
        return TextValue.fault(bytes, from, to, rules);
    }

    private static void requireBytes(final int length, final long needed, final String page) throws MalformedParquetException {
        if (needed > length) {
            throw new MalformedParquetException(page + " whose values end early (" + length + " bytes, where its values take " + needed + ")");
        }
    }

    private static CannotCheckException unreadable(final Encoding encoding, final String page) {
        return new CannotCheckException(page + " holds values in the encoding " + encoding + ", which Whole File does not read");
    }
}
