package io.github.bulkimport.nifi.processors.progress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bulkimport.nifi.api.FileProgress;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.VisibleText;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.*;

/**
 * What GetBulkImportProgress writes about a described job: the attributes of the answer (with the
 * failed files, bounded) and the answer as JSON content. Every text in it came from the service as
 * visible text.
 */
final class JobDescription {

    /** At most this many failed files are named in {@code bulkimport.failed.files}; the count says how many there are. */
    static final int MAX_FAILED_FILES_NAMED = 10;
    private static final int MAX_FAILED_FILE_LINE = 300;
    private static final JsonFactory JSON = new JsonFactory();

    private JobDescription() {
    }

    /** The attributes of a describe answer, as of {@code checkedAt}. */
    static Map<String, String> attributes(final JobProgress progress, final String checkedAt) {
        final Map<String, String> attributes = new HashMap<>(14);
        attributes.put(STATE, progress.state().displayName(progress.rawState()));
        putIfPresent(attributes, PROGRESS, progress.progress());
        putIfPresent(attributes, IMPORTED_ROWS, progress.importedRows());
        putIfPresent(attributes, TOTAL_ROWS, progress.totalRows());
        putIfPresent(attributes, FILE_SIZE, progress.fileSize());
        putIfPresent(attributes, REASON, progress.reason());
        putIfPresent(attributes, COMPLETE_TIME, progress.completeTime());
        attributes.put(CHECKED_AT, checkedAt);
        final List<FileProgress> failed = progress.failedFiles();
        if (!failed.isEmpty()) {
            attributes.put(FAILED_COUNT, String.valueOf(failed.size()));
            attributes.put(FAILED_FILES, failedFiles(failed));
        }
        return attributes;
    }

    /** Why a job failed: its reason, else the first failed file's. */
    static String reason(final JobProgress progress) {
        if (progress.reason() != null) {
            return progress.reason();
        }
        final List<FileProgress> failed = progress.failedFiles();
        return failed.isEmpty() ? "no reason given" : failedFileLine(failed.getFirst());
    }

    /** One line per failed file, "name: reason", at most {@link #MAX_FAILED_FILES_NAMED} of them, within the bound of a message. */
    private static String failedFiles(final List<FileProgress> failed) {
        final StringBuilder lines = new StringBuilder();
        for (final FileProgress file : failed.subList(0, Math.min(failed.size(), MAX_FAILED_FILES_NAMED))) {
            final String line = failedFileLine(file);
            if (lines.length() + line.length() + 1 > VisibleText.MAX_LENGTH) {
                break;
            }
            lines.append(lines.isEmpty() ? "" : "\n").append(line);
        }
        return lines.toString();
    }

    private static String failedFileLine(final FileProgress file) {
        return VisibleText.bound(file.name() + ": " + (file.reason() == null || file.reason().isEmpty() ? "no reason given" : file.reason()), MAX_FAILED_FILE_LINE);
    }

    /** The whole describe answer as JSON, files included. */
    static byte[] json(final JobProgress progress) {
        return write(json -> {
            json.writeStringField("jobId", progress.jobId());
            stringIfPresent(json, "collectionName", progress.collectionName());
            json.writeStringField("state", progress.state().displayName(progress.rawState()));
            figures(json, progress.progress(), progress.importedRows(), progress.totalRows(), progress.fileSize(), progress.reason(),
                    progress.completeTime());
            json.writeArrayFieldStart("files");
            for (final FileProgress file : progress.files()) {
                json.writeStartObject();
                stringIfPresent(json, "name", file.name());
                json.writeStringField("state", file.state().displayName(file.rawState()));
                figures(json, file.progress(), file.importedRows(), file.totalRows(), file.fileSize(), file.reason(), file.completeTime());
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }

    /** What describe reports of a job and of each of its files alike. */
    private static void figures(final JsonGenerator json, final Integer progress, final Long importedRows, final Long totalRows, final Long fileSize,
                                final String reason, final String completeTime) throws IOException {
        numberIfPresent(json, "progress", progress);
        numberIfPresent(json, "importedRows", importedRows);
        numberIfPresent(json, "totalRows", totalRows);
        numberIfPresent(json, "fileSize", fileSize);
        stringIfPresent(json, "reason", reason);
        stringIfPresent(json, "completeTime", completeTime);
    }

    private static byte[] write(final Fields fields) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write JSON in memory", e);
        }
        return out.toByteArray();
    }

    private static void stringIfPresent(final JsonGenerator json, final String field, final String value) throws IOException {
        if (value != null) {
            json.writeStringField(field, value);
        }
    }

    private static void numberIfPresent(final JsonGenerator json, final String field, final Number value) throws IOException {
        if (value != null) {
            json.writeNumberField(field, value.longValue());
        }
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }
}
