package io.github.bulkimport.nifi.testing;

import java.lang.management.ManagementFactory;

/**
 * How many bytes the current thread allocated, as HotSpot counts them: what a reader allocates for an input, garbage
 * included, is an upper bound of the memory it may hold, and unlike the heap in use it does not depend on when the
 * collector ran. A test bounds it as a multiple of the input's bytes plus a constant.
 */
public final class Allocations {

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    /** Bytes the current thread allocated so far. */
    public static long ofThisThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Runs the target and returns how many bytes it allocated, on this thread. */
    public static long by(final FuzzInvariants.Target<?> target) throws Exception {
        final long before = ofThisThread();
        target.run();
        return ofThisThread() - before;
    }
}
