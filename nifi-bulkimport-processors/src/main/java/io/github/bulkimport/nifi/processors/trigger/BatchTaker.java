package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.FlowFileFilter;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Takes queued flowfiles for TriggerBulkImport and makes batches of them, one per request: up to
 * Max Flowfiles per Job flowfiles with the same target, or every queued flowfile bound to the same
 * earlier request; with Max Batch Wait, only for a target whose job is full or has waited long enough.
 * Invalid flowfiles are handed to the routing as they are met.
 */
final class BatchTaker {

    static final PropertyDescriptor MAX_FLOWFILES_PER_JOB = new PropertyDescriptor.Builder()
            .name("Max Flowfiles per Job")
            .description("How many queued flowfiles may share one import job. Only flowfiles with the same collection, partition, database "
                    + "and options are combined, and never more files than the deployment accepts per job (1,000 Zilliz Cloud, 1,024 Milvus). "
                    + "Every flowfile of a job gets the same bulkimport.job.id, and a job that cannot start fails all of them alike.")
            .required(true)
            .defaultValue("1")
            .addValidator(StandardValidators.createLongValidator(1, 1_024, true))
            .build();

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

    /**
     * How many flowfiles a job takes in this run: Max Flowfiles per Job, or, when the connection service
     * knows how many more jobs the node may start (Max Active Jobs), the queue spread over those free
     * slots, so that a burst keeps every slot busy at once rather than filling a few jobs while slots idle.
     */
    static int perJob(final int maxMembers, final OptionalInt freeSlots, final int queued) {
        if (maxMembers == 1 || freeSlots.isEmpty() || freeSlots.getAsInt() == 0) {
            return maxMembers;
        }
        final int spread = (queued + freeSlots.getAsInt() - 1) / freeSlots.getAsInt();
        return Math.max(1, Math.min(maxMembers, spread));
    }

    private final FlowFileShares shares;
    private final ProcessContext context;
    private final ProcessSession session;
    private final List<PropertyDescriptor> optionProperties;
    private final Deployment deployment;
    private final JobMemory.Snapshot memory;
    private final TriggerRouting routing;

    BatchTaker(final FlowFileShares shares, final ProcessContext context, final ProcessSession session, final List<PropertyDescriptor> optionProperties,
               final Deployment deployment, final JobMemory.Snapshot memory, final TriggerRouting routing) {
        this.shares = shares;
        this.context = context;
        this.session = session;
        this.optionProperties = optionProperties;
        this.deployment = deployment;
        this.memory = memory;
        this.routing = routing;
    }

    /**
     * Takes the flowfiles of at most {@code maxBatches} requests and {@code maxFlowFiles} flowfiles; with
     * {@code maxWaitMillis} above 0, only of the targets whose job is full or has waited long enough.
     */
    List<Batch> take(final int maxMembers, final int maxBatches, final int maxFlowFiles, final long maxWaitMillis) {
        final List<Batch> batches = new ArrayList<>();
        final Predicate<FlowFileShare> takeable = maxMembers > 1 && maxWaitMillis > 0
                ? Window.takeable(session, this::share, maxMembers, deployment.maxFilesPerRequest(), maxWaitMillis, System.currentTimeMillis())
                : share -> true;
        int taken = 0;
        while (batches.size() < maxBatches && taken < maxFlowFiles) {
            final List<FlowFileShare> candidates = maxMembers == 1 ? takeOne() : takeMany(maxMembers, takeable);
            if (candidates == null) {
                break;
            }
            final List<FlowFileShare> members = new ArrayList<>(candidates.size());
            for (final FlowFileShare share : candidates) {
                if (share.isRejected()) {
                    routing.invalidInput(share.flowFile(), share.rejection());
                } else {
                    members.add(share);
                }
            }
            taken += candidates.size();
            if (!members.isEmpty()) {
                batches.add(Batch.of(members));
            }
        }
        return batches;
    }

    /** The next flowfile, with the others bound to the same request if it was made for several; {@code null} when none is queued. */
    private List<FlowFileShare> takeOne() {
        final FlowFile flowFile = session.get();
        if (flowFile == null) {
            return null;
        }
        routing.took(flowFile);
        final FlowFileShare first = share(flowFile);
        if (!first.isBound() || first.boundRequest().equals(first.key())) {
            return List.of(first);
        }
        final BatchCollector mates = BatchCollector.matesOf(this::share, first.boundRequest());
        final List<FlowFileShare> all = new ArrayList<>();
        all.add(first);
        final List<FlowFile> taken = session.get(mates);
        routing.took(taken);
        taken.forEach(mate -> all.add(mates.preparedFor(mate)));
        return all;
    }

    private List<FlowFileShare> takeMany(final int maxMembers, final Predicate<FlowFileShare> takeable) {
        final BatchCollector collector = new BatchCollector(this::share, takeable, maxMembers, deployment.maxFilesPerRequest());
        final List<FlowFile> flowFiles = session.get(collector);
        routing.took(flowFiles);
        return flowFiles.isEmpty() ? null : flowFiles.stream().map(collector::preparedFor).toList();
    }

    private FlowFileShare share(final FlowFile flowFile) {
        return shares.read(context, optionProperties, flowFile, deployment, memory);
    }

    /**
     * Max Batch Wait, as MergeContent's Max Bin Age: a job is started for a target once a full job's worth
     * of flowfiles is queued for it, or once its oldest flowfile has waited Max Batch Wait in the queue.
     * Decided from the queue alone, looked at without taking anything (so the flowfiles keep their queue
     * dates and nothing is written): a crash or a restart changes nothing. Flowfiles bound to an earlier
     * request, and flowfiles that cannot make a request, never wait.
     */
    private static final class Window implements FlowFileFilter {

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

        private Window(final Function<FlowFile, FlowFileShare> prepare, final int maxMembers, final int maxFiles, final long maxWaitMillis,
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
            final Window window = new Window(prepare, maxMembers, maxFiles, maxWaitMillis, nowMillis);
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
}
