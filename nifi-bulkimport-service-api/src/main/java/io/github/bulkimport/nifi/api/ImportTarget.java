package io.github.bulkimport.nifi.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where an import lands and how: collection, optional partition and database, and the
 * {@code options} map. Two flowfiles may share one job only when their targets are equal.
 *
 * @param collection collection name, never blank
 * @param partition  partition name or {@code null}
 * @param database   database name or {@code null}
 * @param options    option name to string value, sorted so that equal maps compare and hash equal
 */
public record ImportTarget(String collection, String partition, String database, SortedMap<String, String> options) {

    public ImportTarget {
        Objects.requireNonNull(collection, "collection");
        options = Collections.unmodifiableSortedMap(options == null ? new TreeMap<>() : new TreeMap<>(options));
    }

    public static ImportTarget of(final String collection, final String partition, final String database, final Map<String, String> options) {
        // the constructor copies into its own sorted map, so a sorted map need not be copied here too
        final SortedMap<String, String> sorted;
        if (options == null) {
            sorted = null;
        } else if (options instanceof SortedMap<String, String> alreadySorted) {
            sorted = alreadySorted;
        } else {
            sorted = new TreeMap<>(options);
        }
        return new ImportTarget(collection, partition, database, sorted);
    }
}
