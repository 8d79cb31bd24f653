package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.model.ImportTarget;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.FlowFileFilter;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Picks queued flowfiles that can share one job: the same target (collection, partition,
 * database and options), at most a number of flowfiles and files. Invalid flowfiles are taken
 * too, to be routed to failure. Each flowfile is evaluated once; the result is kept for the caller.
 */
final class BatchCollector implements FlowFileFilter {

    /** How many non-matching flowfiles to look past before giving up on filling the batch. */
    private static final int LOOK_AHEAD = 1_000;

    private final Function<FlowFile, PreparedFlowFile> prepare;
    private final int maxMembers;
    private final int maxFiles;
    private final Map<Long, PreparedFlowFile> prepared = new HashMap<>();
    private ImportTarget target;
    private int members;
    private int files;
    private int skipped;

    BatchCollector(final Function<FlowFile, PreparedFlowFile> prepare, final int maxMembers, final int maxFiles) {
        this.prepare = prepare;
        this.maxMembers = maxMembers;
        this.maxFiles = maxFiles;
    }

    @Override
    public FlowFileFilterResult filter(final FlowFile flowFile) {
        final PreparedFlowFile candidate = prepare.apply(flowFile);
        if (candidate.isRejected()) {
            prepared.put(flowFile.getId(), candidate);
            return FlowFileFilterResult.ACCEPT_AND_CONTINUE;
        }
        final boolean fits = target == null || target.equals(candidate.target()) && files + candidate.files().size() <= maxFiles;
        if (!fits) {
            return ++skipped >= LOOK_AHEAD ? FlowFileFilterResult.REJECT_AND_TERMINATE : FlowFileFilterResult.REJECT_AND_CONTINUE;
        }
        prepared.put(flowFile.getId(), candidate);
        target = candidate.target();
        files += candidate.files().size();
        members++;
        return members >= maxMembers ? FlowFileFilterResult.ACCEPT_AND_TERMINATE : FlowFileFilterResult.ACCEPT_AND_CONTINUE;
    }

    /** The evaluation of a flowfile this filter accepted. */
    PreparedFlowFile preparedFor(final FlowFile flowFile) {
        return prepared.get(flowFile.getId());
    }
}
