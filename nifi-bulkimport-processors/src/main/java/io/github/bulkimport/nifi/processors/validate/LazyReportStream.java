package io.github.bulkimport.nifi.processors.validate;

import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessSession;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The report's bytes, going into a child of the original that is created at the first byte: a file with no bad row,
 * nearly every file checked, makes no flowfile and no content claim at all. Closed, it closes the child's stream, which
 * NiFi requires before the child is routed or removed. Whatever fails in writing the report is thrown as {@link NotWritten}:
 * the original's content was read fine, and is not to be told unreadable.
 */
final class LazyReportStream extends OutputStream {

    /** NiFi's content repository did not take the report. */
    static final class NotWritten extends IOException {
        NotWritten(final Exception cause) {
            super("Cannot write the report of bad rows to NiFi's content repository: "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
        }
    }

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
        told(() -> open().write(b));
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length) throws IOException {
        if (length > 0) {
            told(() -> open().write(bytes, offset, length));
        }
    }

    @Override
    public void flush() throws IOException {
        if (out != null && !closed) {
            told(out::flush);
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null && !closed) {
            closed = true;
            told(out::close);
        }
    }

    /** A step of writing the report. */
    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }

    /** Runs a step; whatever it fails with is told as the report not written. */
    private static void told(final Step step) throws NotWritten {
        try {
            step.run();
        } catch (final NotWritten e) {
            throw e;
        } catch (final IOException | RuntimeException e) {
            throw new NotWritten(e);
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
