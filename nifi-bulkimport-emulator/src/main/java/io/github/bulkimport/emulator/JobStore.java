package io.github.bulkimport.emulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs the emulator knows, in creation order, with the idempotency keys that map to them.
 */
final class JobStore {

    /** Milvus job IDs are int64 values; start them where real ones look alike. */
    private static final long FIRST_MILVUS_ID = 455_000_000_000_000_000L;

    private final Deployment deployment;
    private final Map<String, Job> byId = new ConcurrentHashMap<>();
    private final List<Job> ordered = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, KeyEntry> idempotencyKeys = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    JobStore(final Deployment deployment) {
        this.deployment = deployment;
    }

    private record KeyEntry(String jobId, long expiresAt) {
    }

    String nextId() {
        final long n = sequence.incrementAndGet();
        return deployment == Deployment.MILVUS ? Long.toString(FIRST_MILVUS_ID + n) : String.format("job-%020x", n * 0x9E3779B97F4A7C15L >>> 4);
    }

    void add(final Job job) {
        byId.put(job.id(), job);
        ordered.add(job);
    }

    Job get(final String id) {
        return byId.get(id);
    }

    int size() {
        return byId.size();
    }

    List<Job> all() {
        synchronized (ordered) {
            return new ArrayList<>(ordered);
        }
    }

    /** How many jobs are still Pending or Importing at {@code now}. */
    int active(final long now) {
        int count = 0;
        synchronized (ordered) {
            for (int i = ordered.size() - 1; i >= 0; i--) {
                final Job job = ordered.get(i);
                if (job.finishesAt() > now) {
                    count++;
                } else if (job.surelyFinishedBy(now)) {
                    // every older job started earlier and takes the same time
                    break;
                }
            }
        }
        return count;
    }

    /** The job an unexpired key points to, or {@code null}. */
    String jobForKey(final String scopedKey, final long now) {
        final KeyEntry entry = idempotencyKeys.get(scopedKey);
        if (entry == null) {
            return null;
        }
        if (entry.expiresAt() <= now) {
            idempotencyKeys.remove(scopedKey, entry);
            return null;
        }
        return entry.jobId();
    }

    void rememberKey(final String scopedKey, final String jobId, final long expiresAt) {
        idempotencyKeys.put(scopedKey, new KeyEntry(jobId, expiresAt));
    }

    void clear() {
        byId.clear();
        ordered.clear();
        idempotencyKeys.clear();
    }
}
