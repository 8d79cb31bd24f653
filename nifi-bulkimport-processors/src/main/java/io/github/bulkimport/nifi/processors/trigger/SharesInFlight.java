package io.github.bulkimport.nifi.processors.trigger;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shares (by memory key) in requests that one node's TriggerBulkImport tasks are sending, so that
 * two concurrent tasks never send the same share in two requests: a flowfile and its copy (a
 * load-balanced connection delivers at least once) taken by two tasks at the same moment would
 * otherwise start two jobs, since each request's Idempotency-Key is its own. The task that finds a
 * share claimed puts the flowfile back; once the other request is answered, the job memory gives the
 * flowfile that job. A task that read the job memory before another released its shares may claim one
 * of them with a memory that does not know its job yet: {@link #releases()} tells it to read again.
 */
final class SharesInFlight {

    private final Set<String> claimed = ConcurrentHashMap.newKeySet();
    private final AtomicLong releases = new AtomicLong();

    /** Claims a share for a request of the calling task; {@code false} when another task's request holds it. */
    boolean claim(final String memoryKey) {
        return claimed.add(memoryKey);
    }

    /** The calling task's requests are answered and remembered: their shares are free. */
    void release(final Collection<String> memoryKeys) {
        if (claimed.removeAll(memoryKeys)) {
            releases.incrementAndGet();
        }
    }

    /** How many times shares were released, each after their jobs were remembered: read before the job memory, compared after claiming. */
    long releases() {
        return releases.get();
    }
}
