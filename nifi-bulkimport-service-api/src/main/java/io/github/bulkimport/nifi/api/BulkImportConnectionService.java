package io.github.bulkimport.nifi.api;

import org.apache.nifi.controller.ControllerService;

import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * One place where bulk imports run, a Zilliz Cloud cluster or a Milvus instance, and the operations
 * of its import API. Implementations hold the endpoint and the credentials; secrets never leave
 * them except inside requests. Every text they return (in answers and in {@link ImportApiException}
 * messages) is visible text: safe to show users as it is.
 */
public interface BulkImportConnectionService extends ControllerService {

    /**
     * The error code of a start the service refused itself, without a call (THROTTLED): the node's job slots are full, as
     * far as it knows; its Retry-After says when it will know more. Waiting costs nothing, so callers need not back off further.
     */
    String SLOTS_FULL = "JOB_SLOTS_FULL";

    /** What stands for a secret in text the service masks: a value holding it was changed and no longer names what it named. */
    String SECRET_MASK = "********";

    /** Which server answers, and so how files are named and how many a job takes. */
    Deployment getDeployment();

    /**
     * Starts an import job.
     *
     * @param idempotencyKey sent as {@code Idempotency-Key}, or {@code null}
     * @return the job's ID
     */
    default String startJob(ImportRequest request, String idempotencyKey) throws ImportApiException {
        return startJob(request, idempotencyKey, calls -> { });
    }

    /**
     * Starts an import job, and tells {@code calls} of every HTTP call made for it: the create itself, and
     * those Max Active Jobs makes to admit it (its count of the jobs still running, its descriptions of jobs
     * unseen for a while). A start refused without a call tells nothing. {@code calls} is told on the
     * calling thread, before this returns or throws.
     *
     * @param idempotencyKey sent as {@code Idempotency-Key}, or {@code null}
     * @param calls          told how many calls were made, one or more at a time
     * @return the job's ID
     */
    String startJob(ImportRequest request, String idempotencyKey, IntConsumer calls) throws ImportApiException;

    /** Reports one job's progress. */
    JobProgress describeJob(JobReference job) throws ImportApiException;

    /**
     * Reports one job's progress, telling {@code calls} of each HTTP call it makes, on the calling thread (a server that
     * knows only an older route is asked twice, once).
     */
    default JobProgress describeJob(final JobReference job, final IntConsumer calls) throws ImportApiException {
        calls.accept(1);
        return describeJob(job);
    }

    /** Lists one page of jobs. */
    JobPage listJobs(PageRequest page) throws ImportApiException;

    /** Commits a two-phase job (created with {@code auto_commit=false}) that is Uncommitted. */
    void commitJob(JobReference job) throws ImportApiException;

    /** Aborts a two-phase job that is not finished: its rows never become visible. */
    void abortJob(JobReference job) throws ImportApiException;

    /**
     * Reports a collection's schema ({@code collections/describe}). On Zilliz Cloud collections are
     * served by the cluster's own endpoint, which the service must be given.
     *
     * @param database the collection's database, or {@code null} for the default
     */
    CollectionSchema describeCollection(String collection, String database) throws ImportApiException;

    /** Text as a user may see it: control characters out, this service's secrets masked, at most {@link VisibleText#MAX_LENGTH} characters. */
    String visibleText(String text);

    /**
     * Text with this service's secrets masked, and nothing else changed: for values that must stay whole, as the paths of a
     * job's files in attributes. A service that cannot mask without bounding gives {@link #visibleText}.
     */
    default String withoutSecrets(final String text) {
        return visibleText(text);
    }

    /** The address of an operation as users may see it, for provenance. */
    String addressOf(Operation operation);

    /**
     * How many more jobs this node may start now under the service's Max Active Jobs, or empty when the
     * service sets no limit.
     */
    default OptionalInt freeJobSlots() {
        return OptionalInt.empty();
    }

    /**
     * As {@link #freeJobSlots()}, brought up to date first when fewer than {@code wanted} seem free (a listing of
     * the server's jobs, at most twice a second), so that a run sizes its jobs from the slots jobs that finished freed.
     * The first call after the service is enabled that wants more than one slot (a burst) also starts counting, in the
     * background, the jobs still running in the default database, which the first start would otherwise wait for.
     *
     * @param wanted the jobs the caller would start if the slots were free (1 for a trickle)
     * @param calls  told of each call made, on the calling thread
     */
    default OptionalInt freeJobSlots(final int wanted, final IntConsumer calls) {
        return freeJobSlots();
    }

    /**
     * How many jobs this node knows unfinished on the server (those it started and has not seen finish, and
     * those it found running when enabled): 0 when the server is idle as far as this node knows.
     */
    default int unfinishedJobs() {
        return 0;
    }
}
