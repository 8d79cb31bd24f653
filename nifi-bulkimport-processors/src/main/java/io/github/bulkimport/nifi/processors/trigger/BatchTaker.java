package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.processors.trigger.request.RunProperties;
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
            .description("How many queued flowfiles may share one import job. Unset (the default), each job is sized from what is queued and the "
                    + "job slots the server has free (the connection service learns the server's job limit from its answers): a burst is "
                    + "spread over the free slots, a trickle gathers into a few jobs (Max Batch Wait). Set, at most this many share a job "
                    + "(1 for one job per flowfile). Only flowfiles with the same collection, partition, database and options are combined, "
                    + "never more files than the deployment accepts per job (1,000 Zilliz Cloud, 1,024 Milvus) nor more bytes than Max Bytes "
                    + "per Job. Every flowfile of a job gets the same bulkimport.job.id; a job that fails on some files sends the others' "
                    + "flowfiles on to a new job through GetBulkImportProgress's resubmit.")
            .required(false)
            .addValidator(StandardValidators.createLongValidator(1, 1_024, true))
            .build();

    static final PropertyDescriptor MAX_BATCH_WAIT = new PropertyDescriptor.Builder()
            .name("Max Batch Wait")
            .description("How long a flowfile may wait in the incoming queue for others of the same target (collection, partition, database, "
                    + "options) to make a job's worth: a job starts as soon as that many are queued (Max Flowfiles per Job when set, else "
                    + JobSizing.WARM_SHARE + " once the server's job limit is known, " + JobSizing.COLD_SHARE + " before), or once the oldest "
                    + "has waited this long; so a trickle of uploads makes a few jobs rather than one per flowfile, and a lone upload still "
                    + "starts within this wait. 0 sec starts a job with whatever is queued. Counted from each flowfile's queue date: it "
                    + "survives restarts.")
            .required(true)
            .defaultValue("300 ms")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_BYTES_PER_JOB = new PropertyDescriptor.Builder()
            .name("Max Bytes per Job")
            .description("The most bytes of files one job may hold when flowfiles are combined: a server's import needs memory for what a job "
                    + "reads (operators see Milvus run out of memory on large jobs), and 16 GB is Milvus's largest file. A file's size is "
                    + "its upload's (gcs.size, azure.length, s3.length), else the flowfile's content's (PutS3Object passes the uploaded file "
                    + "on); a flowfile whose files' size is not known (Object URLs, a volume) counts as a whole job and goes alone, as does "
                    + "one larger than this. 0 B does not bound jobs by size.")
            .required(true)
            .defaultValue("16 GB")
            .addValidator(StandardValidators.DATA_SIZE_VALIDATOR)
            .build();

    private final FlowFileShares shares;
    /** The properties as this run reads them for each flowfile. */
    private final RunProperties properties;
    private final ProcessSession session;
    private final List<PropertyDescriptor> optionProperties;
    private final Deployment deployment;
    private final JobMemory.Snapshot memory;
    private final TriggerRouting routing;
    private final Map<Long, FlowFileShare> read = new HashMap<>();

    BatchTaker(final FlowFileShares shares, final ProcessContext context, final ProcessSession session, final List<PropertyDescriptor> optionProperties,
               final Deployment deployment, final JobMemory.Snapshot memory, final TriggerRouting routing) {
        this.shares = shares;
        this.properties = new RunProperties(context);
        this.session = session;
        this.optionProperties = optionProperties;
        this.deployment = deployment;
        this.memory = memory;
        this.routing = routing;
    }

    /**
     * Takes the flowfiles of at most {@code maxBatches} requests and {@code maxFlowFiles} flowfiles, in jobs as
     * {@code sizing} says and of at most {@code maxBytes} (0 for no bound); with {@code maxWaitMillis} above 0,
     * only of the targets whose job's worth is queued or whose oldest flowfile has waited long enough.
     */
    List<Batch> take(final JobSizing sizing, final long maxBytes, final int maxBatches, final int maxFlowFiles, final long maxWaitMillis) {
        final List<Batch> batches = new ArrayList<>();
        final boolean alone = sizing.perJob() == 1 && !sizing.spreads();
        final Predicate<FlowFileShare> takeable = !alone && maxWaitMillis > 0
                ? Window.takeable(session, this::share, sizing, deployment.maxFilesPerRequest(), maxBytes, maxWaitMillis, System.currentTimeMillis())
                : share -> true;
        int taken = 0;
        while (batches.size() < maxBatches && taken < maxFlowFiles) {
            final List<FlowFileShare> candidates = alone ? takeOne() : takeMany(sizing.perJob(), maxBytes, takeable, maxFlowFiles - taken);
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

    /** A batch of at most {@code allowance} flowfiles taken, invalid ones included. */
    private List<FlowFileShare> takeMany(final int maxMembers, final long maxBytes, final Predicate<FlowFileShare> takeable, final int allowance) {
        final BatchCollector collector = new BatchCollector(this::share, takeable, maxMembers, deployment.maxFilesPerRequest(), maxBytes);
        final List<FlowFile> flowFiles = new ArrayList<>(session.get(collector));
        routing.took(flowFiles);
        while (!flowFiles.isEmpty() && flowFiles.size() < allowance && collector.wantsMore()) {
            // cut short where the queue's next part begins (20,000 queued made 65 batches, not 64): filled from that part
            final List<FlowFile> more = session.get(collector);
            routing.took(more);
            flowFiles.addAll(more);
        }
        return flowFiles.isEmpty() ? null : flowFiles.stream().map(collector::preparedFor).toList();
    }

    /** A flowfile's share, read once a run: Max Batch Wait's look at the queue reads the shares the batches are then made of. */
    private FlowFileShare share(final FlowFile flowFile) {
        return read.computeIfAbsent(flowFile.getId(), id -> shares.read(properties, optionProperties, flowFile, deployment, memory));
    }

    /**
     * Max Batch Wait, as MergeContent's Max Bin Age: a job is started for a target once a job's worth of
     * flowfiles is queued for it (or of bytes, Max Bytes per Job), or once its oldest flowfile has waited Max
     * Batch Wait in the queue. Decided from the queue alone, looked at without taking anything (so the
     * flowfiles keep their queue dates and nothing is written): a crash or a restart changes nothing.
     * Flowfiles bound to an earlier request, and flowfiles that cannot make a request, never wait.
     */
    private static final class Window implements FlowFileFilter {

        /** How many queued flowfiles are looked at. */
        private static final int LOOK_AHEAD = TriggerBulkImport.MAX_FLOWFILES_PER_TRIGGER;

        private record Group(ImportTarget target, String volume) {
            static Group of(final FlowFileShare share) {
                return new Group(share.target(), share.volume());
            }
        }

        private final Function<FlowFile, FlowFileShare> prepare;
        private final JobSizing sizing;
        private final int maxFiles;
        private final long maxBytes;
        private final long maxWaitMillis;
        private final long nowMillis;
        private final Map<Group, Queued> queued = new HashMap<>();
        private int seen;

        private Window(final Function<FlowFile, FlowFileShare> prepare, final JobSizing sizing, final int maxFiles, final long maxBytes,
                       final long maxWaitMillis, final long nowMillis) {
            this.prepare = prepare;
            this.sizing = sizing;
            this.maxFiles = maxFiles;
            this.maxBytes = maxBytes;
            this.maxWaitMillis = maxWaitMillis;
            this.nowMillis = nowMillis;
        }

        /**
         * Which flowfiles may start a batch now: with jobs sized from the queue, every job of a target whose
         * job's worth is queued or whose oldest has waited Max Batch Wait; with a fixed Max Flowfiles per Job,
         * one batch per full job, and one more for what is left once the oldest has waited; bound and invalid
         * ones always. Each {@code true} answer for a waiting target uses up one of its batches.
         */
        static Predicate<FlowFileShare> takeable(final ProcessSession session, final Function<FlowFile, FlowFileShare> prepare, final JobSizing sizing,
                                                 final int maxFiles, final long maxBytes, final long maxWaitMillis, final long nowMillis) {
            final Window window = new Window(prepare, sizing, maxFiles, maxBytes, maxWaitMillis, nowMillis);
            // every flowfile is rejected: the queue is only looked at
            session.get(window);
            return window::startsBatch;
        }

        private boolean startsBatch(final FlowFileShare share) {
            if (share.isRejected() || share.isBound()) {
                return true;
            }
            final Queued group = queued.get(Group.of(share));
            if (group == null || group.batches() <= group.started) {
                return false;
            }
            group.started++;
            return true;
        }

        /** What is queued for one target. */
        private final class Queued {
            private int flowFiles;
            private int files;
            private long bytes;
            private boolean aged;
            private int started;

            /** How many batches may start now. */
            int batches() {
                final boolean worth = flowFiles >= sizing.fullAt() || files >= maxFiles || maxBytes > 0 && bytes >= maxBytes;
                final long byBytes = maxBytes > 0 ? bytes / maxBytes : 0;
                if (sizing.spreads()) {
                    return worth || aged ? (int) Math.max((flowFiles + sizing.perJob() - 1) / sizing.perJob(), byBytes + (bytes % Math.max(1, maxBytes) > 0 ? 1 : 0)) : 0;
                }
                final int full = (int) Math.max(Math.max(flowFiles / sizing.perJob(), files / maxFiles), byBytes);
                return aged && flowFiles > full * sizing.perJob() ? full + 1 : full;
            }
        }

        @Override
        public FlowFileFilterResult filter(final FlowFile flowFile) {
            final FlowFileShare share = prepare.apply(flowFile);
            if (!share.isRejected() && !share.isBound()) {
                final Queued group = queued.computeIfAbsent(Group.of(share), g -> new Queued());
                group.flowFiles++;
                group.files += share.files().size();
                // a share of unknown size is a job of its own
                group.bytes += share.bytes() == null ? maxBytes : share.bytes();
                final Long queuedAt = flowFile.getLastQueueDate();
                group.aged |= queuedAt == null || nowMillis - queuedAt >= maxWaitMillis;
            }
            return ++seen >= LOOK_AHEAD ? FlowFileFilterResult.REJECT_AND_TERMINATE : FlowFileFilterResult.REJECT_AND_CONTINUE;
        }
    }
}
