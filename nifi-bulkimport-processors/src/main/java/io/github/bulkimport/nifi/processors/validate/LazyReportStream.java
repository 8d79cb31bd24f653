package io.github.bulkimport.nifi.processors.validate;

import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessSession;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The report's bytes, going into a child of the original that is created at the first byte: a file with no bad row,
 * nearly every file checked, makes no flowfile and no content claim at all. Closed, it closes the child's stream, which
 * NiFi requires before the child is routed or removed.
 */
final class LazyReportStream extends OutputStream {

    private final ProcessSession session;
    private final FlowFile original;
    private FlowFile report;
    private OutputStream out;
    private boolean closed;

    LazyReportStream(final ProcessSession session, final FlowFile original) {
        this.session = session;
        this.original = original;
    }

    /** The report's flowfile, or {@code null} when no byte was written. */
    FlowFile report() {
        return report;
    }

    @Override
    public void write(final int b) throws IOException {
        open().write(b);
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length) throws IOException {
        if (length > 0) {
            open().write(bytes, offset, length);
        }
    }

    @Override
    public void flush() throws IOException {
        if (out != null && !closed) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null && !closed) {
            closed = true;
            out.close();
        }
    }

    private OutputStream open() throws IOException {
        if (closed) {
            throw new IOException("the report was closed");
        }
        if (out == null) {
            report = session.create(original);
            out = session.write(report);
        }
        return out;
    }
}
