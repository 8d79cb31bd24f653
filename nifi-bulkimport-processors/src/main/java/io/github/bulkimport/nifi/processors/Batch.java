package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.idempotency.IdempotencyKeys;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The flowfiles that share one {@code create} request. The request is a function of the set of
 * shares alone: they are ordered by key, and a file named by several of them is sent once. So the
 * same shares always make the same request with the same Idempotency-Key, whatever order the queue
 * gave them in.
 */
final class Batch {

    private final List<FlowFileShare> members;
    private final ImportRequest request;
    private final String key;

    private Batch(final List<FlowFileShare> members) {
        final List<FlowFileShare> ordered = new ArrayList<>(members);
        ordered.sort(Comparator.comparing(FlowFileShare::key));
        this.members = List.copyOf(ordered);
        final Set<ImportFile> files = new LinkedHashSet<>();
        final List<String> keys = new ArrayList<>(ordered.size());
        for (final FlowFileShare member : ordered) {
            files.addAll(member.files());
            keys.add(member.key());
        }
        this.request = new ImportRequest(ordered.getFirst().target(), ordered.getFirst().volume(), List.copyOf(files));
        this.key = IdempotencyKeys.forBatch(keys);
    }

    static Batch of(final List<FlowFileShare> members) {
        return new Batch(members);
    }

    List<FlowFileShare> members() {
        return members;
    }

    ImportRequest request() {
        return request;
    }

    /** The Idempotency-Key of the request. */
    String key() {
        return key;
    }

    boolean isBound() {
        return members.getFirst().isBound();
    }

    /** For a bound batch: whether every flowfile of the earlier request is here, so that it is the same request again. */
    boolean isComplete() {
        return !isBound() || key.equals(members.getFirst().boundRequest());
    }

    /** The position of a member in the request, from 0. */
    int indexOf(final FlowFileShare member) {
        return members.indexOf(member);
    }

    int size() {
        return members.size();
    }
}
