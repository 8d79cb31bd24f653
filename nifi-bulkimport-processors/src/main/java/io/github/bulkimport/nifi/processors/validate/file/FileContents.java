package io.github.bulkimport.nifi.processors.validate.file;

import java.util.List;
import java.util.Optional;

/**
 * What was read of a file: its columns, how many rows were checked, and why it could not be read
 * at all when it could not.
 *
 * @param unreadable why the file cannot be read as its format ("no PAR1 magic at its end"), or {@code null}
 * @param bytesRead  how many bytes of the file were read to learn this
 */
public record FileContents(FileFormat format, List<FileColumn> columns, int rows, String unreadable, long bytesRead) {

    public FileContents {
        columns = List.copyOf(columns);
    }

    public static FileContents unreadable(final FileFormat format, final String why, final long bytesRead) {
        return new FileContents(format, List.of(), 0, why, bytesRead);
    }

    public Optional<FileColumn> column(final String name) {
        return columns.stream().filter(column -> column.name().equals(name)).findFirst();
    }
}
