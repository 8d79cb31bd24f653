package io.github.bulkimport.nifi.processors.listing;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.RecordSet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Record Writer for tests: one JSON object per line, fields in schema order, nulls left out. It can
 * be told to fail after its first record, as a writer whose stream breaks would, or to throw as a
 * defective one would.
 */
public class JsonLinesRecordWriter extends AbstractControllerService implements RecordSetWriterFactory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile boolean failing;
    private volatile boolean throwing;

    /** Writes well again. */
    public void heal() {
        failing = false;
        throwing = false;
    }

    public void failAfterTheFirstRecord() {
        failing = true;
    }

    /** As a writer with a defect would: an unchecked exception after the first record. */
    public void throwAfterTheFirstRecord() {
        throwing = true;
    }

    @Override
    public RecordSchema getSchema(final Map<String, String> variables, final RecordSchema readSchema) {
        return readSchema;
    }

    @Override
    public RecordSetWriter createWriter(final ComponentLog logger, final RecordSchema schema, final OutputStream out, final Map<String, String> variables) {
        return new RecordSetWriter() {
            private int count;

            @Override
            public WriteResult write(final RecordSet records) throws IOException {
                for (Record record = records.next(); record != null; record = records.next()) {
                    write(record);
                }
                return WriteResult.of(count, Map.of());
            }

            @Override
            public void beginRecordSet() {
            }

            @Override
            public WriteResult finishRecordSet() {
                return WriteResult.of(count, Map.of());
            }

            @Override
            public WriteResult write(final Record record) throws IOException {
                if (failing && count == 1) {
                    throw new IOException("the stream broke");
                }
                if (throwing && count == 1) {
                    throw new IllegalStateException("a defect in the writer");
                }
                final Map<String, Object> values = new LinkedHashMap<>();
                for (final String field : schema.getFieldNames()) {
                    if (record.getValue(field) != null) {
                        values.put(field, record.getValue(field));
                    }
                }
                out.write((JSON.writeValueAsString(values) + "\n").getBytes(StandardCharsets.UTF_8));
                count++;
                return WriteResult.of(count, Map.of());
            }

            @Override
            public String getMimeType() {
                return "application/x-ndjson";
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() {
            }
        };
    }
}
