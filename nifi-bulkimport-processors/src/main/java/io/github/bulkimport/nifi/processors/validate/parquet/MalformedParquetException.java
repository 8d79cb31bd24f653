package io.github.bulkimport.nifi.processors.validate.parquet;

/**
 * What the bytes of a Parquet file hold is broken: the message says what and where, for the user
 * ("a page header of column vector that ends past the end of the file"). Never thrown for a failure to
 * read the content itself, which stays an {@link java.io.IOException}.
 */
final class MalformedParquetException extends Exception {

    private static final long serialVersionUID = 1L;

    MalformedParquetException(final String message) {
        // an answer about the file, not a fault of the program: no stack trace to fill
        super(message, null, false, false);
    }
}
