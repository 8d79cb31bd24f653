package io.github.bulkimport.nifi.processors.validate.rows;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.github.bulkimport.nifi.api.VisibleText;

import java.io.IOException;

/** What a JSON or CSV parser threw, as the one line a user reads: what is broken and where, in the user's terms. */
final class ReadProblem {

    private static final int MESSAGE = 200;

    private ReadProblem() {
    }

    /**
     * @param format the format the text was read as ("JSON", "CSV")
     * @param row    the row being read, from 1
     */
    static String describe(final String format, final IOException e, final long row) {
        if (e instanceof RowSource.LimitReached limit) {
            return limit.perRow() ? "row " + row + " of more than " + RowLimits.mebibytes(RowLimits.MAX_BYTES) + ", which is as much of one row as "
                    + "the validator reads" : "row " + row + " does not end within the first " + RowLimits.mebibytes(RowLimits.MAX_BYTES)
                    + " of the file, which is as much of it as the validator reads";
        }
        if (e instanceof GoCsvReader.Refused refused) {
            return "text that is not CSV at line " + refused.line() + ", column " + refused.column() + ": " + refused.getMessage();
        }
        if (e instanceof StreamConstraintsException limit) {
            return format + " beyond what the validator reads" + where(limit) + " (" + jacksonMessage(limit) + ")";
        }
        if (e instanceof JsonProcessingException parsing) {
            return "text that is not " + format + where(parsing) + " (" + jacksonMessage(parsing) + ")";
        }
        return "text that cannot be read as " + format + " (" + shown(String.valueOf(e.getMessage())) + ")";
    }

    private static String where(final JsonProcessingException e) {
        final JsonLocation location = e.getLocation();
        return location == null || location.getLineNr() <= 0 ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Jackson's message without what names its own code or source ({@code from `StreamReadConstraints...`}, {@code [Source: ...]}). */
    private static String jacksonMessage(final JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        final int from = message.indexOf(", from `");
        if (from >= 0) {
            message = message.substring(0, from) + ")";
        }
        final int marker = message.indexOf(" (start marker at ");
        if (marker >= 0) {
            message = message.substring(0, marker);
        }
        return shown(message);
    }

    private static String shown(final String message) {
        return VisibleText.bound(VisibleText.clean(VisibleText.bound(message, 4 * MESSAGE)), MESSAGE);
    }
}
