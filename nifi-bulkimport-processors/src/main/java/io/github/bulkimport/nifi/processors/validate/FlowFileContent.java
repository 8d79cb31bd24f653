package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.processors.validate.file.Content;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.processor.ProcessSession;

import java.io.IOException;
import java.io.InputStream;

/**
 * A flowfile's content, read from any offset: each read opens the content and skips to the offset,
 * which NiFi's content repository does without reading what it skips.
 */
final class FlowFileContent implements Content {

    private final ProcessSession session;
    private final FlowFile flowFile;

    FlowFileContent(final ProcessSession session, final FlowFile flowFile) {
        this.session = session;
        this.flowFile = flowFile;
    }

    @Override
    public String fileName() {
        return flowFile.getAttribute(CoreAttributes.FILENAME.key());
    }

    @Override
    public long size() {
        return flowFile.getSize();
    }

    @Override
    public InputStream openAt(final long offset) throws IOException {
        final InputStream in = session.read(flowFile);
        try {
            in.skipNBytes(offset);
            return in;
        } catch (final IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The first bytes, to tell the format by. */
    byte[] head(final int length) throws IOException {
        try (InputStream in = openAt(0)) {
            return in.readNBytes(length);
        }
    }
}
