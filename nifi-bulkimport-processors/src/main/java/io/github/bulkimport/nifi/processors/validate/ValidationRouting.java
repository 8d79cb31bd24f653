package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.Routing;
import io.github.bulkimport.nifi.processors.common.ThrottleGate;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Routes the files of one run of ValidateBulkImportFile by what the check found. */
final class ValidationRouting extends Routing {

    static final Relationship REL_VALID = new Relationship.Builder()
            .name("valid")
            .description("The file holds what the collection expects in every respect checked: it can go on to the upload or to TriggerBulkImport.")
            .build();

    static final Relationship REL_INVALID = new Relationship.Builder()
            .name("invalid")
            .description("The file would fail the import: bulkimport.validation.errors lists every problem, one per line. No job was started.")
            .build();

    static final Relationship REL_REPORT = new Relationship.Builder()
            .name("report")
            .description("With Validation Depth Whole File, for a file with bad rows: a new flowfile, a child of the checked one, listing every bad "
                    + "row, one JSON line each ({\"row\": 2000001, \"column\": \"vector\", \"problem\": \"expected ..., found NaN\"}; rows count from "
                    + "1), at most 100,000 lines and then one counting the rest. The checked flowfile goes to invalid with its content as it was. "
                    + "Terminated unless connected.")
            .autoTerminateDefault(true)
            .build();

    static final Relationship REL_RETRY = new Relationship.Builder()
            .name("retry")
            .description("The collection's schema could not be fetched for a transient reason (I/O, timeout, HTTP 429 or 5xx), or was not asked "
                    + "for because the server refused an earlier call of the same run for now. Penalized.")
            .build();

    static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("The collection's schema could not be fetched (no such collection, no Cluster Endpoint on Zilliz Cloud, rejected key), "
                    + "the flowfile's attributes do not name a valid collection, or NiFi's content repository could not give the flowfile's "
                    + "content (bulkimport.error.code CONTENT_UNREADABLE) or take the report of a Whole File check (REPORT_UNWRITABLE). "
                    + "A file whose bytes are broken is invalid, not a failure.")
            .build();

    /** NiFi's content repository could not give a flowfile's content: the repository's trouble, not the file's. */
    static final String CONTENT_UNREADABLE = "CONTENT_UNREADABLE";
    /** NiFi's content repository did not take the report of bad rows: the repository's trouble; the file's content was read fine. */
    static final String REPORT_UNWRITABLE = "REPORT_UNWRITABLE";

    static final Set<Relationship> RELATIONSHIPS = Set.of(REL_VALID, REL_INVALID, REL_REPORT, REL_RETRY, REL_FAILURE);

    /** Whether the last report handed over was routed. */
    private boolean reportRouted;

    /** The most problems a run logs of one file; the attribute holds them all. */
    private static final int LOGGED_PROBLEMS = 3;

    ValidationRouting(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service, final ComponentLog log,
                      final ThrottleGate throttleGate) {
        super(context, session, service, log, throttleGate, REL_FAILURE, "checking a file against its collection");
    }

    void valid(final FlowFile flowFile, final FileFormat format) {
        valid(flowFile, format, null);
    }

    /** @param tally what a Whole File check found (no bad row), or {@code null} after a First Pages check */
    void valid(final FlowFile flowFile, final FileFormat format, final BadRowTally tally) {
        FlowFile checked = session.removeAllAttributes(session.putAttribute(flowFile, BulkImportAttributes.FILE_FORMAT, format.displayName()),
                Set.of(BulkImportAttributes.VALIDATION_ERRORS, BulkImportAttributes.VALIDATION_BAD_ROWS, BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS));
        if (tally != null) {
            checked = session.putAttribute(checked, BulkImportAttributes.VALIDATION_BAD_ROWS, "0");
        }
        session.adjustCounter(Counters.FILES_VALID, 1, false);
        transfer(withErrors(checked, Map.of()), REL_VALID);
    }

    void invalid(final FlowFile flowFile, final FileFormat format, final String collection, final List<String> problems) {
        invalid(flowFile, format, collection, problems, null, null);
    }

    /**
     * @param tally  what a Whole File check found, or {@code null} after a First Pages check (or none that could run)
     * @param report the report of the bad rows, a child of {@code flowFile}, or {@code null}: routed to report, before its parent
     */
    void invalid(final FlowFile flowFile, final FileFormat format, final String collection, final List<String> problems, final BadRowTally tally,
                 final FlowFile report) {
        reportRouted = false;
        final String lines = lines(problems);
        FlowFile checked = session.removeAllAttributes(flowFile, Set.of(BulkImportAttributes.VALIDATION_BAD_ROWS,
                BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS));
        checked = session.putAttribute(checked, BulkImportAttributes.VALIDATION_ERRORS, lines);
        final Map<String, String> rows = tally == null ? Map.of() : badRows(tally);
        checked = session.putAllAttributes(checked, rows);
        if (format != null) {
            checked = session.putAttribute(checked, BulkImportAttributes.FILE_FORMAT, format.displayName());
        }
        session.adjustCounter(Counters.FILES_INVALID, 1, false);
        warn("File " + flowFile.getAttribute("filename") + " would fail its import into " + collection + ": "
                + String.join("; ", problems.subList(0, Math.min(LOGGED_PROBLEMS, problems.size())))
                + (problems.size() > LOGGED_PROBLEMS ? "; and " + (problems.size() - LOGGED_PROBLEMS) + " more" : ""));
        // the report first: should routing it fail, the original is still unrouted, and its guard fails it alone
        if (report != null) {
            report(checked, report, rows);
        }
        transfer(withErrors(checked, Map.of()), REL_INVALID);
    }

    private Map<String, String> badRows(final BadRowTally tally) {
        final Map<String, String> attributes = new java.util.HashMap<>(4);
        attributes.put(BulkImportAttributes.VALIDATION_BAD_ROWS, String.valueOf(tally.badRows()));
        final List<String> first = tally.firstBadRows();
        if (!first.isEmpty()) {
            attributes.put(BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS, lines(first));
        }
        return attributes;
    }

    /**
     * The report of a file's bad rows: a child of the checked flowfile, its bad rows' count on it. NiFi records its FORK from the
     * checked flowfile (and drops it for a report removed because no row was bad).
     */
    private void report(final FlowFile checked, final FlowFile report, final Map<String, String> rows) {
        final String name = checked.getAttribute(CoreAttributes.FILENAME.key());
        FlowFile named = session.putAllAttributes(report, rows);
        named = session.putAttribute(named, CoreAttributes.FILENAME.key(), visible((name == null ? "file" : name) + ".bad-rows.jsonl"));
        named = session.putAttribute(named, CoreAttributes.MIME_TYPE.key(), "application/x-ndjson");
        session.transfer(named, REL_REPORT);
        reportRouted = true;
    }

    /** Whether the report handed to the last {@link #invalid} was routed, and so is the session's no more to remove. */
    boolean routedReport() {
        return reportRouted;
    }

    /** Each problem cleaned on its own, so that the lines stay lines, as many as fit in the bound of a message. */
    private String lines(final List<String> problems) {
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < problems.size(); i++) {
            final String line = visible(problems.get(i));
            final String more = "\nand " + (problems.size() - i) + " more";
            if (!lines.isEmpty() && lines.length() + 1 + line.length() + more.length() > VisibleText.MAX_LENGTH) {
                return lines.append(more).toString();
            }
            lines.append(lines.isEmpty() ? "" : "\n").append(line);
        }
        return lines.toString();
    }
}
