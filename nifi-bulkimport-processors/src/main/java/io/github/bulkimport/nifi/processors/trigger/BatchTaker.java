package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Takes queued flowfiles for TriggerBulkImport and makes batches of them, one per request: up to
 * Max Flowfiles per Job flowfiles with the same target, or every queued flowfile bound to the same
 * earlier request. Invalid flowfiles are handed to the routing as they are met.
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
                ? BatchWindow.takeable(session, this::share, maxMembers, deployment.maxFilesPerRequest(), maxWaitMillis, System.currentTimeMillis())
                : share -> true;
        int taken = 0;
        while (batches.size() < maxBatches && taken < maxFlowFiles) {
            final List<FlowFileShare> candidates = maxMembers == 1 ? takeOne() : takeMany(maxMembers, takeable);
            if (candidates == null) {
                break;
            }
            final List<FlowFileShare> members = new ArrayList<>(candidates.size());
            for (final FlowFileShare share : candidates) {
                routing.took(share.flowFile());
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
        final FlowFileShare first = share(flowFile);
        if (!first.isBound() || first.boundRequest().equals(first.key())) {
            return List.of(first);
        }
        final BatchCollector mates = BatchCollector.matesOf(this::share, first.boundRequest());
        final List<FlowFileShare> all = new ArrayList<>();
        all.add(first);
        session.get(mates).forEach(mate -> all.add(mates.preparedFor(mate)));
        return all;
    }

    private List<FlowFileShare> takeMany(final int maxMembers, final Predicate<FlowFileShare> takeable) {
        final BatchCollector collector = new BatchCollector(this::share, takeable, maxMembers, deployment.maxFilesPerRequest());
        final List<FlowFile> flowFiles = session.get(collector);
        return flowFiles.isEmpty() ? null : flowFiles.stream().map(collector::preparedFor).toList();
    }

    private FlowFileShare share(final FlowFile flowFile) {
        return shares.read(context, optionProperties, flowFile, deployment, memory);
    }
}
