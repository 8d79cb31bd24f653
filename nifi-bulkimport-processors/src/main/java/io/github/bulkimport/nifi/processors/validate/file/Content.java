package io.github.bulkimport.nifi.processors.validate.file;

import java.io.IOException;
import java.io.InputStream;

/** A file's bytes, read from any offset: a flowfile's content, or a file in a test. */
public interface Content {

    /** The file's name, for its format and, for NumPy, its field. */
    String fileName();

    long size();

    /** A stream of the bytes from {@code offset} on; the caller closes it. */
    InputStream openAt(long offset) throws IOException;
}
