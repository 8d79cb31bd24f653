package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.UnaryOperator;

/**
 * Checks every row of a flowfile's file, writing the report of its bad rows as it goes into a new flowfile, a
 * child of the original (whose content stays as it is) created at the first bad row: the report is kept only when a
 * row is bad, and is never left behind unrouted, whatever goes wrong.
 */
final class WholeFileCheck {

    /**
     * What the check came to.
     *
     * @param report the report, a child of the original holding one JSON line per bad row, or {@code null} when no row is bad;
     *               the caller routes it
     */
    record Outcome(WholeFile read, BadRowTally tally, FlowFile report) {
    }

    private WholeFileCheck() {
    }

    /**
     * @throws IOException only when NiFi's content repository failed to give the file or to take the report
     */
    static Outcome run(final ProcessSession session, final FlowFile original, final Content content, final CollectionSchema schema,
                       final FileContents contents, final WholeFileScan.Csv csv, final UnaryOperator<String> visible) throws IOException {
        final LazyReportStream report = new LazyReportStream(session, original);
        boolean kept = false;
        try {
            final BadRowTally tally;
            final WholeFile read;
            try (report) {
                tally = new BadRowTally(new Expectations(schema), visible, report);
                read = WholeFileScan.scan(content, schema, contents, csv, tally);
                tally.finish();
            } catch (final UncheckedIOException e) {
                throw e.getCause();
            }
            kept = tally.anyBad() && report.report() != null;
            return new Outcome(read, tally, kept ? report.report() : null);
        } finally {
            if (!kept && report.report() != null) {
                session.remove(report.report());
            }
        }
    }
}
