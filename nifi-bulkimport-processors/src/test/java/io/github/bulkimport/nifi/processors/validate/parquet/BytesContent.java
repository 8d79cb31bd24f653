package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.Content;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** A file's bytes in memory, as a flowfile's content. */
public record BytesContent(String fileName, byte[] bytes) implements Content {

    public BytesContent(final byte[] bytes) {
        this("file.parquet", bytes);
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public InputStream openAt(final long offset) {
        final int from = (int) Math.min(bytes.length, Math.max(0, offset));
        return new ByteArrayInputStream(bytes, from, bytes.length - from);
    }
}
