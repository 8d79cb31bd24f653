package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.processors.common.RunCalls;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The schemas of the collections files are checked against, described once and kept for a while:
 * a run of a thousand files into one collection makes one call. A failed description is kept for the
 * rest of the run (the run's {@link RunCalls}), and beyond it until the server's Retry-After.
 */
final class SchemaCache {

    private record Key(String collection, String database) {
    }

    /** A schema and when it was described, or a failed description and until when it stands. */
    private record Entry(CollectionSchema schema, long describedAt, ImportApiException failure, long failureUntil) {

        static Entry described(final CollectionSchema schema, final long at) {
            return new Entry(schema, at, null, 0);
        }

        static Entry failed(final ImportApiException failure, final long until) {
            return new Entry(null, 0, failure, until);
        }
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    SchemaCache(final LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * The collection's schema, described again once it is older than {@code maxAgeNanos}; a description
     * that failed with a Retry-After fails again without a call until then.
     *
     * @param database {@code null} for the default
     * @param run      the calls of this run: a failed description, or the server's refusal, is not asked again
     * @param calling  told before the service is called
     */
    CollectionSchema schema(final BulkImportConnectionService service, final String collection, final String database, final long maxAgeNanos,
                            final RunCalls run, final Runnable calling) throws ImportApiException {
        final Key key = new Key(collection, database);
        final Entry entry = entries.get(key);
        final long now = nanoTime.getAsLong();
        if (entry != null && entry.failure() != null && now - entry.failureUntil() < 0) {
            throw entry.failure();
        }
        if (entry != null && entry.schema() != null && now - entry.describedAt() < maxAgeNanos) {
            return entry.schema();
        }
        return run.call(key, () -> {
            calling.run();
            try {
                final CollectionSchema schema = Objects.requireNonNull(service.describeCollection(collection, database), "schema");
                entries.put(key, Entry.described(schema, now));
                return schema;
            } catch (final ImportApiException e) {
                e.getRetryAfter().ifPresent(wait -> entries.put(key, Entry.failed(e, now + wait.toNanos())));
                throw e;
            }
        });
    }

    /** Forgets every schema: the processor was stopped, the collections may have changed. */
    void clear() {
        entries.clear();
    }
}
