package io.github.bulkimport.benchmark;

/**
 * Requests per second and bytes allocated per request of one run, counting only the timed parts.
 */
record Measurement(String name, long requests, long nanos, long allocatedBytes) {

    double perSecond() {
        return requests * 1e9 / nanos;
    }

    double bytesPerRequest() {
        return (double) allocatedBytes / requests;
    }

    /** Accumulates time and allocation (of the whole JVM, see {@link AllocationMeter}) over the timed sections of a run. */
    static final class Stopwatch {
        private long nanos;
        private long allocated;
        private long startNanos;
        private long startAllocated;

        void start() {
            startAllocated = AllocationMeter.allocatedSoFar();
            startNanos = System.nanoTime();
        }

        void stop() {
            nanos += System.nanoTime() - startNanos;
            allocated += AllocationMeter.allocatedSoFar() - startAllocated;
        }

        Measurement result(final String name, final long requests) {
            return new Measurement(name, requests, nanos, allocated);
        }
    }
}
