package io.github.bulkimport.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The queue of misbehaviours, consumed in order by matching requests. Safe to change while the
 * emulator serves.
 */
public final class Faults {

    private final ConcurrentLinkedQueue<Fault> queue = new ConcurrentLinkedQueue<>();

    public Faults add(final Fault fault) {
        queue.add(fault);
        return this;
    }

    public Faults add(final FaultType type, final int times) {
        return add(Fault.of(type, times));
    }

    public void clear() {
        queue.clear();
    }

    public List<Fault> pending() {
        return new ArrayList<>(queue);
    }

    /** The fault to apply to a request for this operation, or {@code null}. */
    Fault next(final String operation) {
        for (final Fault fault : queue) {
            if (!fault.matches(operation)) {
                continue;
            }
            if (fault.claim()) {
                if (fault.remaining() == 0) {
                    queue.remove(fault);
                }
                return fault;
            }
            queue.remove(fault);
        }
        return null;
    }
}
