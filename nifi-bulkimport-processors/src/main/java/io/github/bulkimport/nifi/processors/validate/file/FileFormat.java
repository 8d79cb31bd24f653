package io.github.bulkimport.nifi.processors.validate.file;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The file formats bulk import reads, told apart by the file's name or, failing that, its first bytes. */
public enum FileFormat {
    PARQUET("Parquet"),
    JSON("JSON"),
    CSV("CSV"),
    NUMPY("NumPy");

    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NUMPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private final String displayName;

    FileFormat(final String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * The format a file's name says ({@code .parquet}, {@code .json} or {@code .jsonl}, {@code .csv},
     * {@code .npy}), else the one its first bytes say; CSV when nothing else fits.
     */
    public static FileFormat detect(final String fileName, final byte[] head) {
        final String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            return PARQUET;
        }
        if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            return JSON;
        }
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".npy")) {
            return NUMPY;
        }
        if (startsWith(head, PARQUET_MAGIC)) {
            return PARQUET;
        }
        if (startsWith(head, NUMPY_MAGIC)) {
            return NUMPY;
        }
        for (final byte b : head) {
            if (!Character.isWhitespace(b)) {
                return b == '[' || b == '{' ? JSON : CSV;
            }
        }
        return CSV;
    }

    private static boolean startsWith(final byte[] head, final byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
