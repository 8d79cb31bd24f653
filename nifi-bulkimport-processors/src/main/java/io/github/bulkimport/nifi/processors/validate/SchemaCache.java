package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.ImportApiException;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The schemas of the collections files are checked against, described once and kept for a while:
 * a run of a thousand files into one collection makes one call. A failed description is not kept.
 */
final class SchemaCache {

    private record Key(String collection, String database) {
    }

    private record Entry(CollectionSchema schema, long describedAt) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    SchemaCache(final LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * The collection's schema, described again once it is older than {@code maxAgeNanos}.
     *
     * @param database {@code null} for the default
     * @param calling   told before the service is called
     */
    CollectionSchema schema(final BulkImportConnectionService service, final String collection, final String database, final long maxAgeNanos,
                            final Runnable calling) throws ImportApiException {
        final Key key = new Key(collection, database);
        final Entry entry = entries.get(key);
        final long now = nanoTime.getAsLong();
        if (entry != null && now - entry.describedAt() < maxAgeNanos) {
            return entry.schema();
        }
        calling.run();
        final CollectionSchema schema = Objects.requireNonNull(service.describeCollection(collection, database), "schema");
        entries.put(key, new Entry(schema, now));
        return schema;
    }

    /** Forgets every schema: the processor was stopped, the collections may have changed. */
    void clear() {
        entries.clear();
    }
}
