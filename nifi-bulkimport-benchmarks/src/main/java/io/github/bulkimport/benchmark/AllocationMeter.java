package io.github.bulkimport.benchmark;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes allocated by every thread of this JVM, including threads that have ended (TestRunner
 * starts threads for each run, and per-thread counters vanish with their threads): new objects
 * go to the young generation's eden, so allocation is what eden gained, counting what each
 * collection emptied out of it.
 */
final class AllocationMeter {

    private static final AtomicLong EMPTIED_BY_COLLECTIONS = new AtomicLong();
    private static final AtomicLong COLLECTIONS_SEEN = new AtomicLong();
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
    private static final List<MemoryPoolMXBean> EDEN = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getName().contains("Eden")).toList();

    static {
        for (final GarbageCollectorMXBean collector : COLLECTORS) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    return;
                }
                final var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                EMPTIED_BY_COLLECTIONS.addAndGet(edenOf(info.getMemoryUsageBeforeGc()) - edenOf(info.getMemoryUsageAfterGc()));
                COLLECTIONS_SEEN.incrementAndGet();
            }, null, null);
        }
    }

    private AllocationMeter() {
    }

    /** Bytes allocated since this JVM started watching, up to now. */
    static long allocatedSoFar() {
        awaitNotifications();
        long eden = 0;
        for (final MemoryPoolMXBean pool : EDEN) {
            eden += pool.getUsage().getUsed();
        }
        return EMPTIED_BY_COLLECTIONS.get() + eden;
    }

    /** Collection notifications arrive shortly after the collections: wait for those already counted. */
    private static void awaitNotifications() {
        final long deadline = System.nanoTime() + 1_000_000_000L;
        while (COLLECTIONS_SEEN.get() < collections() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static long collections() {
        long count = 0;
        for (final GarbageCollectorMXBean collector : COLLECTORS) {
            count += Math.max(0, collector.getCollectionCount());
        }
        return count;
    }

    private static long edenOf(final Map<String, MemoryUsage> usage) {
        long eden = 0;
        for (final Map.Entry<String, MemoryUsage> pool : usage.entrySet()) {
            if (pool.getKey().contains("Eden")) {
                eden += pool.getValue().getUsed();
            }
        }
        return eden;
    }
}
