package io.github.bulkimport.nifi.processors.listing;

import io.github.bulkimport.nifi.api.JobSummary;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A listing as records: every job a run emits, in one flowfile written by the Record Writer, as
 * ListS3 does.
 */
final class ListingRecords {

    public static final PropertyDescriptor RECORD_WRITER = new PropertyDescriptor.Builder()
            .name("Record Writer")
            .description("When set, the jobs a run emits are written as records of one flowfile with this writer, rather than one flowfile "
                    + "per job. Each record holds jobId, collectionName, state, previousState, progress, reason and listedAt.")
            .required(false)
            .identifiesControllerService(RecordSetWriterFactory.class)
            .build();

    private static final JsonFactory JSON = new JsonFactory();

    static final RecordSchema SCHEMA = new SimpleRecordSchema(List.of(
            new RecordField("jobId", RecordFieldType.STRING.getDataType(), false),
            new RecordField("collectionName", RecordFieldType.STRING.getDataType()),
            new RecordField("state", RecordFieldType.STRING.getDataType(), false),
            new RecordField("previousState", RecordFieldType.STRING.getDataType()),
            new RecordField("progress", RecordFieldType.INT.getDataType()),
            new RecordField("reason", RecordFieldType.STRING.getDataType()),
            new RecordField("listedAt", RecordFieldType.STRING.getDataType(), false)));

    /** A listed job as the content of its own flowfile: JSON. */
    static byte[] json(final JobSummary job) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("jobId", job.jobId());
            if (job.collectionName() != null) {
                json.writeStringField("collectionName", job.collectionName());
            }
            json.writeStringField("state", job.state().displayName(job.rawState()));
            if (job.progress() != null) {
                json.writeNumberField("progress", job.progress());
            }
            if (job.reason() != null) {
                json.writeStringField("reason", job.reason());
            }
            json.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write JSON in memory", e);
        }
        return out.toByteArray();
    }

    /** One job as a run emits it: its state now and, in Changes Only mode, the state seen before. */
    record ListedJob(JobSummary job, String state, String previousState) {
    }

    private ListingRecords() {
    }

    /**
     * Writes the jobs into a new flowfile and returns it, with {@code record.count} and the writer's
     * MIME type; removes it again when the writer fails.
     */
    static FlowFile write(final ProcessSession session, final RecordSetWriterFactory writerFactory, final ComponentLog logger,
                          final List<ListedJob> jobs, final String listedAt) throws IOException, SchemaNotFoundException {
        final FlowFile created = session.create();
        final Map<String, String> attributes = new HashMap<>();
        try {
            final RecordSchema schema = writerFactory.getSchema(Map.of(), SCHEMA);
            final FlowFile written = session.write(created, out -> writeRecords(writerFactory, logger, schema, out, jobs, listedAt, attributes));
            return session.putAllAttributes(written, attributes);
        } catch (final ProcessException e) {
            // how session.write reports the writer's IOException
            session.remove(created);
            throw new IOException("the Record Writer failed: " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), e);
        } catch (final IOException | SchemaNotFoundException | RuntimeException e) {
            session.remove(created);
            throw e;
        }
    }

    private static void writeRecords(final RecordSetWriterFactory writerFactory, final ComponentLog logger, final RecordSchema schema,
                                     final OutputStream out, final List<ListedJob> jobs, final String listedAt, final Map<String, String> attributes)
            throws IOException {
        try (RecordSetWriter writer = writerFactory.createWriter(logger, schema, out, Map.of())) {
            writer.beginRecordSet();
            for (final ListedJob listed : jobs) {
                writer.write(new MapRecord(schema, values(listed, listedAt)));
            }
            final WriteResult result = writer.finishRecordSet();
            attributes.putAll(result.getAttributes());
            attributes.put("record.count", String.valueOf(result.getRecordCount()));
            attributes.put(CoreAttributes.MIME_TYPE.key(), writer.getMimeType());
        } catch (final SchemaNotFoundException e) {
            throw new IOException("the Record Writer cannot write the listing's schema: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> values(final ListedJob listed, final String listedAt) {
        final JobSummary job = listed.job();
        final Map<String, Object> values = new LinkedHashMap<>();
        values.put("jobId", job.jobId());
        values.put("collectionName", job.collectionName());
        values.put("state", listed.state());
        values.put("previousState", listed.previousState());
        values.put("progress", job.progress());
        values.put("reason", job.reason());
        values.put("listedAt", listedAt);
        return values;
    }
}
