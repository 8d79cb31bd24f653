package io.github.bulkimport.nifi.processors.validate.rows;

import io.github.bulkimport.nifi.processors.validate.file.Content;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file's bytes in memory, under a name. */
public record BytesContent(String fileName, byte[] bytes) implements Content {

    public static BytesContent of(final String fileName, final String text) {
        return new BytesContent(fileName, text.getBytes(StandardCharsets.UTF_8));
    }

    public static BytesContent of(final Path file) {
        try {
            return new BytesContent(file.getFileName().toString(), Files.readAllBytes(file));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public InputStream openAt(final long offset) {
        final int start = (int) Math.min(offset, bytes.length);
        return new ByteArrayInputStream(bytes, start, bytes.length - start);
    }
}
