package io.github.bulkimport.benchmark;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes allocated by every thread of this JVM, including threads that have ended (TestRunner
 * starts threads for each run, and per-thread counters vanish with their threads): new objects
 * go to the young generation's eden, so allocation is what eden gained, counting what each
 * collection emptied out of it.
 */
final class AllocationMeter {

    private static final AtomicLong EMPTIED_BY_COLLECTIONS = new AtomicLong();
    /** The id of the last collection notified, per collector. */
    private static final Map<String, Long> LAST_NOTIFIED = new ConcurrentHashMap<>();
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
    private static final List<MemoryPoolMXBean> EDEN = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getName().contains("Eden")).toList();

    static {
        for (final GarbageCollectorMXBean collector : COLLECTORS) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    return;
                }
                final GarbageCollectionNotificationInfo gc = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                final GcInfo info = gc.getGcInfo();
                EMPTIED_BY_COLLECTIONS.addAndGet(edenOf(info.getMemoryUsageBeforeGc()) - edenOf(info.getMemoryUsageAfterGc()));
                LAST_NOTIFIED.merge(gc.getGcName(), info.getId(), Math::max);
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

    /**
     * Collection notifications arrive shortly after the collections: wait (briefly) until every
     * collector's latest collection has been notified. Collectors that never notify (G1's
     * concurrent cycles) are skipped.
     */
    private static void awaitNotifications() {
        final long deadline = System.nanoTime() + 200_000_000L;
        for (final GarbageCollectorMXBean collector : COLLECTORS) {
            final GcInfo last = ((com.sun.management.GarbageCollectorMXBean) collector).getLastGcInfo();
            if (last == null || !LAST_NOTIFIED.containsKey(collector.getName()) && collector.getName().contains("Concurrent")) {
                continue;
            }
            while (LAST_NOTIFIED.getOrDefault(collector.getName(), 0L) < last.getId() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
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
