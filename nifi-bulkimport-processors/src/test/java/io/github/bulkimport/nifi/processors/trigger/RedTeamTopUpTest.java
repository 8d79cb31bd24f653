package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.FlowFileFilter.FlowFileFilterResult;
import org.apache.nifi.util.MockFlowFile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red-team attacks on BatchTaker.takeMany's top-up loop, driven the way takeMany drives it:
 * {@code while (!more.isEmpty() && collector.wantsMore()) more = session.get(collector)}, against a queue that
 * hands out its flowfiles in parts (rejected ones go back to the active part and are shown again next call).
 */
class RedTeamTopUpTest {

    private final Map<Long, FlowFileShare> shares = new HashMap<>();
    private long next;

    private MockFlowFile valid(final String collection, final Long bytes) {
        final MockFlowFile flowFile = new MockFlowFile(next++);
        final ImportRequest request = new ImportRequest(ImportTarget.of(collection, null, null, Map.of()), null,
                List.of(ImportFile.of("part-" + flowFile.getId() + ".parquet")));
        final String key = "key-" + flowFile.getId();
        shares.put(flowFile.getId(), new FlowFileShare(flowFile, request, key, key, null, null, null, null, bytes));
        return flowFile;
    }

    private MockFlowFile invalid() {
        final MockFlowFile flowFile = new MockFlowFile(next++);
        shares.put(flowFile.getId(), FlowFileShare.rejected(flowFile, "no object URL"));
        return flowFile;
    }

    /** A queue of parts: each get() sees the active part (rejected ones stay there) plus the next part moved in. */
    private static final class PartedQueue {
        final List<FlowFile> active = new ArrayList<>();
        final List<List<FlowFile>> parts = new ArrayList<>();
        int calls;

        List<FlowFile> get(final BatchCollector filter) {
            calls++;
            if (!parts.isEmpty()) {
                active.addAll(parts.removeFirst());
            }
            final List<FlowFile> accepted = new ArrayList<>();
            final List<FlowFile> kept = new ArrayList<>();
            boolean terminated = false;
            for (final FlowFile flowFile : active) {
                if (terminated) {
                    kept.add(flowFile);
                    continue;
                }
                final FlowFileFilterResult result = filter.filter(flowFile);
                if (result.isAccept()) {
                    accepted.add(flowFile);
                } else {
                    kept.add(flowFile);
                }
                terminated = !result.isContinue();
            }
            active.clear();
            active.addAll(kept);
            return accepted;
        }

        /** takeMany's loop, with a guard. */
        List<FlowFile> takeMany(final BatchCollector collector, final int guard) {
            final List<FlowFile> flowFiles = new ArrayList<>(get(collector));
            List<FlowFile> more = flowFiles;
            while (!more.isEmpty() && collector.wantsMore()) {
                if (calls > guard) {
                    throw new AssertionError("top-up loop still going after " + calls + " calls, " + flowFiles.size() + " taken");
                }
                more = get(collector);
                flowFiles.addAll(more);
            }
            return flowFiles;
        }
    }

    private BatchCollector collector(final int maxMembers, final long maxBytes) {
        return new BatchCollector(flowFile -> shares.get(flowFile.getId()), share -> true, maxMembers, 1_000, maxBytes);
    }

    /**
     * FINDING (LOW): invalid flowfiles are accepted without counting as members, so one batch's top-up keeps
     * taking part after part of invalid flowfiles: one takeMany call takes far more than Max Flowfiles per
     * Job and than the run's MAX_FLOWFILES_PER_TRIGGER (20,000), as long as the queue keeps bringing parts.
     */
    @Test
    void invalidFlowFilesDoNotKeepOneBatchTakingPartAfterPart() {
        final PartedQueue queue = new PartedQueue();
        final List<FlowFile> first = new ArrayList<>();
        first.add(valid("docs", 10L));
        queue.active.addAll(first);
        for (int p = 0; p < 30; p++) {
            final List<FlowFile> part = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                part.add(invalid());
            }
            queue.parts.add(part);
        }
        final List<FlowFile> taken = queue.takeMany(collector(5, 0), 1_000);
        assertTrue(taken.size() <= TriggerBulkImport.MAX_FLOWFILES_PER_TRIGGER,
                "one batch's top-up took " + taken.size() + " flowfiles in " + queue.calls + " calls");
    }

    /** HELD: Max Bytes per Job closing the batch, maxMembers of 1, a share of unknown size: no top-up. */
    @Test
    void aClosedBatchWantsNoMore() {
        final PartedQueue queue = new PartedQueue();
        queue.active.add(valid("docs", 100L));
        queue.parts.add(List.of(valid("docs", 10L)));
        assertEquals(1, queue.takeMany(collector(5, 100), 10).size());
        assertEquals(1, queue.calls);

        final PartedQueue unknown = new PartedQueue();
        unknown.active.add(valid("docs", null));
        unknown.parts.add(List.of(valid("docs", 10L)));
        assertEquals(1, unknown.takeMany(collector(5, 100), 10).size());

        final PartedQueue one = new PartedQueue();
        one.active.add(valid("docs", 1L));
        one.parts.add(List.of(valid("docs", 1L)));
        assertEquals(1, one.takeMany(collector(1, 0), 10).size());
        assertEquals(1, one.calls);
    }

    /** HELD: a queue where only other targets follow: the loop ends (each call must take something). */
    @Test
    void onlyOtherTargetsQueuedEndsTheLoop() {
        final PartedQueue queue = new PartedQueue();
        queue.active.add(valid("docs", 1L));
        for (int p = 0; p < 100; p++) {
            final List<FlowFile> part = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                part.add(valid("other", 1L));
            }
            queue.parts.add(part);
        }
        assertEquals(1, queue.takeMany(collector(50, 0), 5).size());
    }

    /**
     * FINDING (LOW, efficiency): a top-up shows the filter again the other-target flowfiles it already rejected
     * (they stay in the active part), and each is counted again towards LOOK_AHEAD: with 600 of another target
     * ahead, the second call gives up before it reaches the next part's flowfiles of the batch's own target, and
     * the batch stays short (the 65th-job case the top-up was made for, with a mixed queue).
     */
    @Test
    void rejectedFlowFilesSeenAgainAreNotCountedTwice() {
        final PartedQueue queue = new PartedQueue();
        queue.active.add(valid("docs", 1L));
        for (int i = 0; i < 600; i++) {
            queue.active.add(valid("other", 1L));
        }
        final List<FlowFile> part = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            part.add(valid("docs", 1L));
        }
        queue.parts.add(List.of());
        queue.parts.add(part);
        // first call: active part only (the parts list's first entry is moved in on the first call: empty)
        final BatchCollector collector = collector(10, 0);
        final List<FlowFile> taken = queue.takeMany(collector, 10);
        assertEquals(10, taken.size(), "the batch stayed short: " + taken.size() + " after " + queue.calls + " calls");
        assertFalse(collector.wantsMore());
    }
}
