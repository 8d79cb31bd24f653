package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import io.github.bulkimport.nifi.api.ImportTarget;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.FlowFileFilter;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Picks queued flowfiles that make one request. A flowfile bound to an earlier request takes along
 * every queued flowfile bound to the same one, whatever the limits, and no other. Otherwise, the
 * flowfiles must have the same target (collection, partition, database and options), the same volume
 * and no binding, up to a number of flowfiles and files. Invalid flowfiles are taken too, to be routed to failure.
 * Each flowfile is evaluated once; the result is kept for the caller.
 */
final class BatchCollector implements FlowFileFilter {

    /** How many non-matching flowfiles to look past before giving up on filling a new batch. */
    private static final int LOOK_AHEAD = 1_000;
    /** How far to look for the other flowfiles of a bound request. */
    private static final int BOUND_LOOK_AHEAD = 10_000;

    private final Function<FlowFile, FlowFileShare> prepare;
    private final Predicate<FlowFileShare> takeable;
    private final int maxMembers;
    private final int maxFiles;
    /** The most bytes of a batch, 0 for no bound: a share of unknown size, or one larger, goes alone. */
    private final long maxBytes;
    private final Map<Long, FlowFileShare> prepared = new HashMap<>();
    /** Whether only the flowfiles bound to {@link #boundRequest} are wanted, valid or not. */
    private final boolean matesOnly;
    private ImportTarget target;
    private String volume;
    private String boundRequest;
    private int members;
    private int files;
    private long bytes;
    private boolean closed;
    private int skipped;
    /** The flowfiles looked past, each counted once however many parts of the queue show it again. */
    private final Set<Long> lookedPast = new HashSet<>();
    private int membersWhenAsked;

    /**
     * @param takeable which flowfiles may start a batch now (Max Batch Wait)
     * @param maxBytes the most bytes of files in the batch, 0 for no bound (Max Bytes per Job)
     */
    BatchCollector(final Function<FlowFile, FlowFileShare> prepare, final Predicate<FlowFileShare> takeable, final int maxMembers, final int maxFiles,
                   final long maxBytes) {
        this.prepare = prepare;
        this.takeable = takeable;
        this.maxMembers = maxMembers;
        this.maxFiles = maxFiles;
        this.maxBytes = maxBytes;
        this.matesOnly = false;
    }

    private BatchCollector(final Function<FlowFile, FlowFileShare> prepare, final String boundRequest) {
        this.prepare = prepare;
        this.takeable = share -> true;
        this.maxMembers = Integer.MAX_VALUE;
        this.maxFiles = Integer.MAX_VALUE;
        this.maxBytes = 0;
        this.matesOnly = true;
        this.boundRequest = boundRequest;
        this.members = 1;
    }

    /** Takes the queued flowfiles bound to the same request as one already taken, and nothing else. */
    static BatchCollector matesOf(final Function<FlowFile, FlowFileShare> prepare, final String boundRequest) {
        return new BatchCollector(prepare, boundRequest);
    }

    @Override
    public FlowFileFilterResult filter(final FlowFile flowFile) {
        final FlowFileShare candidate = prepare.apply(flowFile);
        if (candidate.isRejected() && !matesOnly) {
            prepared.put(flowFile.getId(), candidate);
            return FlowFileFilterResult.ACCEPT_AND_CONTINUE;
        }
        if (members == 0 && !takeable.test(candidate)) {
            // its target waits for more flowfiles (Max Batch Wait)
            return lookPast(flowFile) >= LOOK_AHEAD ? FlowFileFilterResult.REJECT_AND_TERMINATE : FlowFileFilterResult.REJECT_AND_CONTINUE;
        }
        if (members == 0) {
            target = candidate.target();
            volume = candidate.volume();
            boundRequest = candidate.boundRequest();
        } else if (!fits(candidate)) {
            final int lookAhead = boundRequest == null ? LOOK_AHEAD : BOUND_LOOK_AHEAD;
            return lookPast(flowFile) >= lookAhead ? FlowFileFilterResult.REJECT_AND_TERMINATE : FlowFileFilterResult.REJECT_AND_CONTINUE;
        }
        prepared.put(flowFile.getId(), candidate);
        files += candidate.files().size();
        members++;
        if (maxBytes > 0 && boundRequest == null) {
            // a share of unknown size, or larger than the bound, is a job of its own
            closed = candidate.bytes() == null || candidate.bytes() >= maxBytes;
            bytes += closed ? maxBytes : candidate.bytes();
        }
        final boolean full = boundRequest == null && (members >= maxMembers || closed);
        return full ? FlowFileFilterResult.ACCEPT_AND_TERMINATE : FlowFileFilterResult.ACCEPT_AND_CONTINUE;
    }

    private int lookPast(final FlowFile flowFile) {
        if (lookedPast.add(flowFile.getId())) {
            skipped++;
        }
        return skipped;
    }

    private boolean fits(final FlowFileShare candidate) {
        if (candidate.isRejected()) {
            return false;
        }
        if (boundRequest != null || candidate.isBound()) {
            return Objects.equals(boundRequest, candidate.boundRequest());
        }
        return target.equals(candidate.target()) && Objects.equals(volume, candidate.volume()) && files + candidate.files().size() <= maxFiles
                && (maxBytes == 0 || candidate.bytes() != null && bytes + candidate.bytes() <= maxBytes);
    }

    /**
     * Whether the batch has room for more, the last part of the queue added to it, and this filter has not
     * given up looking: a queue hands out its flowfiles in parts (those swapped in, or waiting to be, come
     * later), so a batch can end short with more of its target still queued.
     */
    boolean wantsMore() {
        final boolean grew = members > membersWhenAsked;
        membersWhenAsked = members;
        return grew && !matesOnly && members < maxMembers && !closed && files < maxFiles && boundRequest == null && skipped < LOOK_AHEAD;
    }

    /** The evaluation of a flowfile this filter accepted. */
    FlowFileShare preparedFor(final FlowFile flowFile) {
        return prepared.get(flowFile.getId());
    }
}
