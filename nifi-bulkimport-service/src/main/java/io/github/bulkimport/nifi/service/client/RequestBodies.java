package io.github.bulkimport.nifi.service.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.api.PageRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes the JSON bodies of the import API for one deployment, as described in
 * {@code import-api.md}: unused fields are left out rather than sent empty.
 */
final class RequestBodies {

    private static final JsonFactory JSON = new JsonFactory();

    private final Deployment deployment;
    private final CloudLocation location;
    private final StorageCredentials storage;

    RequestBodies(final Deployment deployment, final CloudLocation location, final StorageCredentials storage) {
        this.deployment = deployment;
        this.location = location;
        this.storage = storage;
    }

    byte[] create(final ImportRequest request) {
        return write(json -> {
            final ImportTarget target = request.target();
            writeLocation(json);
            json.writeStringField("collectionName", target.collection());
            writeIfPresent(json, "partitionName", target.partition());
            writeIfPresent(json, "dbName", target.database());
            if (request.volume() != null) {
                json.writeStringField("volumeName", request.volume());
            }
            json.writeArrayFieldStart(filesField(request));
            for (final ImportFile file : request.files()) {
                json.writeStartArray();
                for (final String path : file.paths()) {
                    json.writeString(path);
                }
                json.writeEndArray();
            }
            json.writeEndArray();
            // a volume is Zilliz Cloud's own storage: no bucket keys
            if (deployment == Deployment.ZILLIZ_CLOUD && request.volume() == null) {
                writeIfPresent(json, "accessKey", storage.accessKey());
                writeIfPresent(json, "secretKey", storage.secretKey());
                writeIfPresent(json, "token", storage.sessionToken());
            }
            if (!target.options().isEmpty()) {
                json.writeObjectFieldStart("options");
                for (final Map.Entry<String, String> option : target.options().entrySet()) {
                    json.writeStringField(option.getKey(), option.getValue());
                }
                json.writeEndObject();
            }
        });
    }

    /** pymilvus's names: {@code dataPaths} inside a volume, else {@code files} for Milvus and {@code objectUrls} for Zilliz Cloud. */
    private String filesField(final ImportRequest request) {
        if (request.volume() != null) {
            return "dataPaths";
        }
        return deployment == Deployment.MILVUS ? "files" : "objectUrls";
    }

    /** The body of describe, commit and abort: which job. */
    byte[] aboutJob(final String jobId, final String database) {
        return write(json -> {
            writeLocation(json);
            json.writeStringField("jobId", jobId);
            writeIfPresent(json, "dbName", database);
        });
    }

    /** The body of {@code collections/describe} and {@code collections/list}, sent to the cluster itself: no location. */
    byte[] aboutCollection(final String collection, final String database) {
        return write(json -> {
            writeIfPresent(json, "collectionName", collection);
            writeIfPresent(json, "dbName", database);
        });
    }

    byte[] list(final PageRequest page) {
        return write(json -> {
            writeLocation(json);
            writeIfPresent(json, "collectionName", page.collection());
            writeIfPresent(json, "dbName", page.database());
            if (deployment == Deployment.ZILLIZ_CLOUD) {
                json.writeNumberField("pageSize", page.pageSize());
                json.writeNumberField("currentPage", page.page());
            }
        });
    }

    private void writeLocation(final JsonGenerator json) throws IOException {
        if (deployment != Deployment.ZILLIZ_CLOUD) {
            return;
        }
        writeIfPresent(json, "clusterId", location.clusterId());
        writeIfPresent(json, "projectId", location.projectId());
        writeIfPresent(json, "regionId", location.regionId());
    }

    private static void writeIfPresent(final JsonGenerator json, final String field, final String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            json.writeStringField(field, value);
        }
    }

    private static byte[] write(final Fields fields) {
        try (ByteArrayBuilder buffer = new ByteArrayBuilder(512); JsonGenerator json = JSON.createGenerator(buffer)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
            json.flush();
            return buffer.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write a request body in memory", e);
        }
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }
}
