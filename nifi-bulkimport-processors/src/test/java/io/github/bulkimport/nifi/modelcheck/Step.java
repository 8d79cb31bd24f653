package io.github.bulkimport.nifi.modelcheck;

import io.github.bulkimport.nifi.processors.action.AbortBulkImport;
import io.github.bulkimport.nifi.processors.action.CommitBulkImport;
import io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.emulator.FaultType;

import java.util.List;

/**
 * One step of a model-check sequence. Each prints as a line a regression test can be written from.
 */
sealed interface Step {

    /**
     * Where an uploaded object's attributes come from, or what is wrong with them. A failing file's job fails on the
     * server; a hostile one fails it too, and in validated sequences its content is a file that lies about itself
     * (see {@link HostileFiles}).
     */
    enum Upload {
        S3, GCS, AZURE, HALF_S3, BAD_EXPRESSION, FAILING_FILE, HOSTILE_FILE;

        boolean fails() {
            return this == FAILING_FILE || this == HOSTILE_FILE;
        }
    }

    /**
     * New flowfiles for TriggerBulkImport. Each object is named by {@code copies} flowfiles at once
     * (more than one: a forked flowfile, or a GenerateFlowFile batch sharing attributes); with NumPy
     * sets, the bits of {@code order} say which copies name the set's files in reverse order.
     */
    record Enqueue(List<Upload> uploads, int copies, int order) implements Step {
    }

    /** Where a flowfile waits: before TriggerBulkImport, in its retry loop, or on its way to GetBulkImportProgress. */
    enum Place { TRIGGER_QUEUE, RETRIED, STARTED }

    /**
     * A load-balanced connection delivers a flowfile twice: a copy with a new uuid and the same
     * attributes (the same upload) next to the {@code pick}-th flowfile waiting at {@code place}.
     */
    record Copy(Place place, int pick) implements Step {
    }

    /** Why a flowfile whose job is done comes back to TriggerBulkImport. */
    enum Again {
        /** Uploaded again (a new ETag or generation): a new import. */
        REUPLOAD,
        /** Sent to the other collection, with the same upload (and so, with a custom key, the same key). */
        OTHER_COLLECTION,
        /** AbortBulkImport aborted its job. */
        ABORTED
    }

    /** The {@code pick}-th flowfile whose job Completed (or, for {@link Again#ABORTED}, was aborted) comes back to TriggerBulkImport. */
    record SendAgain(Again why, int pick) implements Step {
    }

    /** ListBulkImportJobs' Record Writer throws during the next listing, as a defective writer would. */
    record BreakWriter() implements Step {
    }

    /** The emulator misbehaves on the next {@code times} calls of {@code operation}. */
    record Misbehave(FaultType type, String operation, int times) implements Step {
    }

    /**
     * ValidateBulkImportFile, in a sequence that checks files before importing them, runs
     * {@code iterations} times: valid files go on to TriggerBulkImport, retried ones back.
     */
    record RunValidate(int iterations) implements Step {
    }

    /** TriggerBulkImport runs {@code iterations} times on the sequence's concurrent tasks. */
    record RunTrigger(int iterations) implements Step {
    }

    /**
     * TriggerBulkImport runs once and NiFi dies before the session commits: a new runner starts with
     * the state as it was when the first request reached the server ({@code midRequest}) or at the end
     * of the run, and the flowfiles of the run are back in the queue as they were.
     */
    record Crash(boolean midRequest) implements Step {
    }

    /** Flowfiles routed to retry (or failure) are looped back; {@code everyOther} takes only half of them. */
    record Replay(boolean failure, boolean everyOther) implements Step {
    }

    /**
     * GetBulkImportProgress checks every started job; running jobs loop back, and with
     * {@code resendFailed} flowfiles whose job Failed are sent back to TriggerBulkImport.
     */
    record RunProgress(int iterations, boolean resendFailed) implements Step {
    }

    /**
     * CommitBulkImport (or AbortBulkImport) takes every flowfile (or {@code everyOther} one) whose
     * two-phase job GetBulkImportProgress found Uncommitted; those routed to retry wait for the next
     * such step. Flowfiles sharing a job may so meet both processors.
     */
    record RunAction(boolean commit, boolean everyOther) implements Step {
    }

    /** ListBulkImportJobs lists once. */
    record RunList() implements Step {
    }

    /** Verify is pressed on TriggerBulkImport with the attributes of the next upload. */
    record Verify(Upload upload) implements Step {
    }
}
