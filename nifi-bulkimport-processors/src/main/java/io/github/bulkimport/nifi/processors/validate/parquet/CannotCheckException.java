package io.github.bulkimport.nifi.processors.validate.parquet;

/**
 * A sound file that a whole-file check cannot read through (a codec or an encoding it does not decode, a page
 * larger than it reads): the message says what, for the user ("pages compressed with BROTLI").
 */
final class CannotCheckException extends Exception {

    private static final long serialVersionUID = 1L;

    CannotCheckException(final String message) {
        super(message, null, false, false);
    }
}
