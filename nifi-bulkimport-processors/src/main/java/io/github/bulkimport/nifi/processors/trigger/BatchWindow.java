package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.FlowFileFilter;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Max Batch Wait, as MergeContent's Max Bin Age: a job is started for a target once a full job's worth
 * of flowfiles is queued for it, or once its oldest flowfile has waited Max Batch Wait in the queue.
 * Decided from the queue alone, looked at without taking anything (so the flowfiles keep their queue
 * dates and nothing is written): a crash or a restart changes nothing. Flowfiles bound to an earlier
 * request, and flowfiles that cannot make a request, never wait.
 */
final class BatchWindow implements FlowFileFilter {

    static final PropertyDescriptor MAX_BATCH_WAIT = new PropertyDescriptor.Builder()
            .name("Max Batch Wait")
            .description("With Max Flowfiles per Job above 1: how long a flowfile may wait in the incoming queue for others of the same target "
                    + "(collection, partition, database, options) to fill a job. A job starts as soon as Max Flowfiles per Job of them are "
                    + "queued, or once the oldest has waited this long; so a trickle of uploads makes few full jobs rather than one small job "
                    + "per trigger. 0 sec starts a job with whatever is queued. Counted from each flowfile's queue date: it survives restarts.")
            .required(true)
            .defaultValue("0 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    /** How many queued flowfiles are looked at. */
    private static final int LOOK_AHEAD = 1_000;

    private record Group(ImportTarget target, String volume) {
        static Group of(final FlowFileShare share) {
            return new Group(share.target(), share.volume());
        }
    }

    private final Function<FlowFile, FlowFileShare> prepare;
    private final int maxMembers;
    private final int maxFiles;
    private final long maxWaitMillis;
    private final long nowMillis;
    private final Map<Group, Queued> queued = new HashMap<>();
    private int seen;

    private BatchWindow(final Function<FlowFile, FlowFileShare> prepare, final int maxMembers, final int maxFiles, final long maxWaitMillis,
                        final long nowMillis) {
        this.prepare = prepare;
        this.maxMembers = maxMembers;
        this.maxFiles = maxFiles;
        this.maxWaitMillis = maxWaitMillis;
        this.nowMillis = nowMillis;
    }

    /**
     * Which flowfiles may start a batch now: one batch per full job's worth queued for their target, and
     * one more for what is left once the oldest has waited Max Batch Wait; bound and invalid ones always.
     * Each {@code true} answer for a waiting target uses up one of its batches.
     */
    static Predicate<FlowFileShare> takeable(final ProcessSession session, final Function<FlowFile, FlowFileShare> prepare, final int maxMembers,
                                             final int maxFiles, final long maxWaitMillis, final long nowMillis) {
        final BatchWindow window = new BatchWindow(prepare, maxMembers, maxFiles, maxWaitMillis, nowMillis);
        // every flowfile is rejected: the queue is only looked at
        session.get(window);
        return window::startsBatch;
    }

    private boolean startsBatch(final FlowFileShare share) {
        if (share.isRejected() || share.isBound()) {
            return true;
        }
        final Queued group = queued.get(Group.of(share));
        if (group == null || group.batches(maxMembers, maxFiles) <= group.started) {
            return false;
        }
        group.started++;
        return true;
    }

    /** What is queued for one target. */
    private static final class Queued {
        private int flowFiles;
        private int files;
        private boolean aged;
        private int started;

        /** How many batches may start: one per full job, and one for the rest once the oldest has waited long enough. */
        int batches(final int maxMembers, final int maxFiles) {
            final int full = Math.max(flowFiles / maxMembers, files / maxFiles);
            return aged && flowFiles > full * maxMembers ? full + 1 : full;
        }
    }

    @Override
    public FlowFileFilterResult filter(final FlowFile flowFile) {
        final FlowFileShare share = prepare.apply(flowFile);
        if (!share.isRejected() && !share.isBound()) {
            final Queued group = queued.computeIfAbsent(Group.of(share), g -> new Queued());
            group.flowFiles++;
            group.files += share.files().size();
            final Long queuedAt = flowFile.getLastQueueDate();
            group.aged |= queuedAt == null || nowMillis - queuedAt >= maxWaitMillis;
        }
        return ++seen >= LOOK_AHEAD ? FlowFileFilterResult.REJECT_AND_TERMINATE : FlowFileFilterResult.REJECT_AND_CONTINUE;
    }
}
