package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.processors.common.AbstractBulkImportProcessor;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.processors.common.JobTally;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.trigger.memory.RememberedJob;
import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSettings;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.MultiProcessorUseCase;
import org.apache.nifi.annotation.documentation.ProcessorConfiguration;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.DataUnit;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "embeddings", "s3", "gcs", "azure"})
@CapabilityDescription("Starts a Milvus or Zilliz Cloud bulk-import job for the files a flowfile points at, and routes the flowfile to success "
        + "with the job ID in bulkimport.job.id. Right after PutS3Object, PutGCSObject or PutAzureBlobStorage_v12 it needs no Object URLs: "
        + "the URL is built from the upload processor's attributes. The job runs asynchronously on the server; follow it with "
        + "GetBulkImportProgress. Transient errors and throttling go to retry, everything else to failure; no flowfile content is read.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@ReadsAttributes({
        @ReadsAttribute(attribute = "s3.bucket, s3.key", description = "Written by PutS3Object; become s3://bucket/key when Object URLs is not set."),
        @ReadsAttribute(attribute = "gcs.bucket, gcs.key", description = "Written by PutGCSObject; become gs://bucket/key when Object URLs is not set."),
        @ReadsAttribute(attribute = "azure.primaryUri", description = "Written by PutAzureBlobStorage_v12; used as is when Object URLs is not set."),
        @ReadsAttribute(attribute = "s3.etag, s3.version, gcs.etag, gcs.generation, azure.etag", description = "What identifies the upload: part of "
                + "the default idempotency key, so that a copy of the flowfile gets its twin's job and a new upload of the object starts a new one."),
        @ReadsAttribute(attribute = "uuid", description = "Part of the default idempotency key when the flowfile has no upload identity, so that "
                + "a replayed flowfile re-attaches to its job."),
        @ReadsAttribute(attribute = FLOWFILE_KEY, description = "Written on an earlier pass: the job and request the flowfile's attributes name "
                + "are its own only while its key is the same."),
        @ReadsAttribute(attribute = STATE + ", " + JOB_ID + ", " + REPLACES_JOB_ID, description = "When bulkimport.state is Failed, the failed "
                + "job's ID becomes part of the default idempotency key, so that sending the flowfile back starts a new job."),
        @ReadsAttribute(attribute = REQUEST_KEY, description = REQUEST_KEY_DESC)
})
@WritesAttributes({
        @WritesAttribute(attribute = JOB_ID, description = JOB_ID_DESC),
        @WritesAttribute(attribute = COLLECTION, description = COLLECTION_DESC),
        @WritesAttribute(attribute = PARTITION, description = PARTITION_DESC),
        @WritesAttribute(attribute = DATABASE, description = DATABASE_DESC),
        @WritesAttribute(attribute = SUBMITTED_AT, description = SUBMITTED_AT_DESC),
        @WritesAttribute(attribute = OBJECT_URLS, description = OBJECT_URLS_DESC),
        @WritesAttribute(attribute = OBJECT_SETS, description = OBJECT_SETS_DESC),
        @WritesAttribute(attribute = OBJECT_COUNT, description = OBJECT_COUNT_DESC),
        @WritesAttribute(attribute = BATCH_SIZE, description = BATCH_SIZE_DESC),
        @WritesAttribute(attribute = BATCH_INDEX, description = BATCH_INDEX_DESC),
        @WritesAttribute(attribute = IDEMPOTENCY_KEY, description = IDEMPOTENCY_KEY_DESC),
        @WritesAttribute(attribute = FLOWFILE_KEY, description = FLOWFILE_KEY_DESC),
        @WritesAttribute(attribute = REATTACHED, description = REATTACHED_DESC),
        @WritesAttribute(attribute = REPLACES_JOB_ID, description = REPLACES_JOB_ID_DESC),
        @WritesAttribute(attribute = REQUEST_KEY, description = REQUEST_KEY_DESC),
        @WritesAttribute(attribute = ERROR_CODE, description = ERROR_CODE_DESC),
        @WritesAttribute(attribute = ERROR_MESSAGE, description = ERROR_MESSAGE_DESC),
        @WritesAttribute(attribute = HTTP_STATUS, description = HTTP_STATUS_DESC)
})
@DynamicProperty(name = "An import option, such as timeout, sep or skip_disk_quota_check",
        value = "The option's value, sent as a JSON string",
        expressionLanguageScope = ExpressionLanguageScope.FLOWFILE_ATTRIBUTES,
        description = "Each dynamic property becomes one entry of the request's options object, for example timeout = 300s.")
@Stateful(scopes = Scope.LOCAL, description = "Per flowfile share, by a digest of its idempotency key (key k.<digest>): which job it "
        + "started (job ID, submit time, batch position), for at most Job Memory Size entries and Job Memory Age, so that flowfiles replayed "
        + "after a crash re-attach to their job even on servers that ignore Idempotency-Key; and, from just before a request leaves until the "
        + "next write after its session commits, which request it is part of, so that a replay after a crash sends that same request. Local "
        + "to each node: a crash replays a flowfile on the node whose repository holds it.")
@SeeAlso(classNames = {
        "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
        "io.github.bulkimport.nifi.processors.action.CommitBulkImport",
        "io.github.bulkimport.nifi.processors.action.AbortBulkImport",
        "io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs",
        "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService",
        "org.apache.nifi.processors.aws.s3.PutS3Object",
        "org.apache.nifi.processors.gcp.storage.PutGCSObject",
        "org.apache.nifi.processors.azure.storage.PutAzureBlobStorage_v12"})
@UseCase(description = "Start a bulk import for files whose URLs are listed in an attribute.",
        configuration = """
                Set Object URLs to ${import.urls} (comma or newline separated; folders end with /).
                Set Collection Name to the target collection.
                Add dynamic properties for import options, for example timeout = 300s.
                Route success to GetBulkImportProgress, retry back to this processor, failure to an alert.
                """)
@MultiProcessorUseCase(
        description = "Load Parquet, JSON, NumPy or CSV files into Milvus or Zilliz Cloud right after uploading them to Amazon S3.",
        keywords = {"s3", "parquet", "vectors", "load", "ingest"},
        configurations = {
                @ProcessorConfiguration(processorClassName = "org.apache.nifi.processors.aws.s3.PutS3Object",
                        configuration = """
                                Set Bucket and Object Key as usual; the bucket must be on the same cloud as the Zilliz Cloud cluster
                                (for Milvus: the bucket Milvus itself uses).
                                Connect success to TriggerBulkImport.
                                """),
                @ProcessorConfiguration(processorClassName = "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
                        configuration = """
                                Set Connection Service to a StandardBulkImportConnectionService with the API key and Cluster ID.
                                Set Collection Name. Leave Object URLs unset: s3.bucket and s3.key become s3://bucket/key.
                                Connect success to GetBulkImportProgress, retry back to TriggerBulkImport, failure to an alert.
                                """),
                @ProcessorConfiguration(processorClassName = "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
                        configuration = """
                                Leave Job ID at ${bulkimport.job.id}. Connect running and retry back to GetBulkImportProgress,
                                success onwards, failure, expired and uncommitted to an alert.
                                """)
        })
@DefaultSettings(yieldDuration = "100 ms")
public class TriggerBulkImport extends AbstractBulkImportProcessor<TriggerRouting> {

    /**
     * One run starts at most this many jobs, takes no more flowfiles once it holds
     * {@link #MAX_FLOWFILES_PER_TRIGGER}, and sends nothing new once {@link #TRIGGER_TIME_BUDGET} has passed since its first request.
     * Flowfiles a run has taken are cheaper sent than put back: with 500 ms and 10,000 a run, a burst of 20,000 took
     * three runs, each putting back what it had no time to send (taken again, and swapped, in up to 2 s) and
     * committing 10,000 flowfiles (about 1 s), so the last jobs were created 4 to 7 s after the first.
     */
    static final int MAX_JOBS_PER_TRIGGER = 100;
    static final int MAX_FLOWFILES_PER_TRIGGER = 20_000;
    static final Duration TRIGGER_TIME_BUDGET = Duration.ofSeconds(2);

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, ImportRequestReader.COLLECTION_NAME,
            ImportRequestReader.PARTITION_NAME, ImportRequestReader.DATABASE_NAME, ImportRequestReader.OBJECT_URLS, ImportRequestReader.VOLUME_NAME,
            ImportRequestReader.DATA_PATHS, BatchTaker.MAX_FLOWFILES_PER_JOB, BatchTaker.MAX_BATCH_WAIT, BatchTaker.MAX_BYTES_PER_JOB,
            RequestsInFlight.MAX_REQUESTS_IN_FLIGHT,
            FlowFileShares.IDEMPOTENCY_KEY, JobMemory.SIZE, JobMemory.AGE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(TriggerRouting.REL_SUCCESS, TriggerRouting.REL_RETRY, TriggerRouting.REL_FAILURE);
    /** The keys of its job memory (local state): part of the bundle's compatibility contract, carried over an upgrade. */
    public static final List<String> STATE_KEYS = JobMemory.STATE_KEYS;

    private final ImportRequestReader reader = new ImportRequestReader();
    private final FlowFileShares shares = new FlowFileShares(reader);
    private final WaitingRequests waiting = new WaitingRequests(this::nanoTime);
    private final JobTally jobsStarted = new JobTally();
    private final SharesInFlight sharesInFlight = new SharesInFlight();
    private volatile JobMemory jobMemory;
    private volatile List<PropertyDescriptor> optionProperties = List.of();
    private volatile RequestsInFlight requestsInFlight;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(final String propertyDescriptorName) {
        return ImportRequestReader.optionProperty(propertyDescriptorName);
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        return ImportRequestReader.validate(context);
    }

    @OnScheduled
    public void setUp(final ProcessContext context) {
        optionProperties = ImportRequestReader.optionProperties(context);
        requestsInFlight = new RequestsInFlight(context.getProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT).asInteger(),
                "TriggerBulkImport[" + getIdentifier() + "]-request-");
        jobMemory = JobMemory.of(context, Scope.LOCAL);
    }

    @OnStopped
    public void tearDown() {
        final RequestsInFlight current = requestsInFlight;
        requestsInFlight = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    protected TriggerRouting routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service) {
        return new TriggerRouting(context, session, service, getLogger(), throttleGate, jobsStarted);
    }

    @Override
    protected void trigger(final ProcessContext context, final ProcessSession session, final TriggerRouting routing) {
        final BulkImportConnectionService service = connectionService(context);
        try {
            final Integer maxMembers = context.getProperty(BatchTaker.MAX_FLOWFILES_PER_JOB).asInteger();
            final boolean batching = maxMembers == null || maxMembers > 1;
            final long releasesSeen = sharesInFlight.releases();
            final JobMemory.Snapshot memory = jobMemory.remembersJobs() || batching ? readMemory(routing) : null;
            final int queued = session.getQueueSize().getObjectCount();
            final OptionalInt freeSlots = service.freeJobSlots(JobSizing.slotsWanted(maxMembers, queued),
                    calls -> session.adjustCounter(Counters.HTTP_CALLS, calls, false));
            final JobSizing sizing = JobSizing.of(maxMembers, freeSlots, queued, service.getDeployment().maxFilesPerRequest());
            final long maxBytes = context.getProperty(BatchTaker.MAX_BYTES_PER_JOB).asDataSize(DataUnit.B).longValue();
            final List<Batch> taken = new BatchTaker(shares, context, session, optionProperties, service.getDeployment(), memory, routing)
                    .take(sizing, maxBytes, MAX_JOBS_PER_TRIGGER, sizedFor(queued, sizing),
                            batchWait(context, service));
            if (taken.isEmpty() && routing.routed() == 0) {
                // what is queued waits for its job to fill (Max Batch Wait): nothing to do for a moment
                context.yield();
            }
            List<Batch> toSend = routing.toSend(taken, memory, waiting, sharesInFlight);
            if (memory != null && !toSend.isEmpty() && sharesInFlight.releases() != releasesSeen) {
                // another task remembered jobs and released their shares since this one read the memory: a share just claimed may have its job
                toSend = routing.reattachRemembered(toSend, memory, readMemory(routing));
            }
            // until this session commits, the re-attached flowfiles' job is known to the memory alone
            jobMemory.keepUntilCommitted(routing.reattachedFromMemory());
            markPending(session, routing, toSend, batching);
            // the service tells every call a start makes, admission's too, on the threads requests are sent from: summed, counted here
            final AtomicInteger calls = new AtomicInteger();
            try {
                // after a transient error, or once the time is up, the rest wait in the queue, untouched
                final List<Batch> unsent;
                try {
                    unsent = requestsInFlight.sendAll(toSend, batch -> service.startJob(batch.request(), batch.key(), calls::addAndGet),
                            answer -> {
                                if (answer.failure() == null) {
                                    routing.started(answer.batch(), answer.jobId());
                                } else {
                                    routing.failed(answer.batch(), answer.failure());
                                }
                            },
                            TRIGGER_TIME_BUDGET);
                } catch (final RequestsInFlight.Stopped e) {
                    // what never left goes back untouched: the error is for the flowfiles it met
                    e.unsent().forEach(routing::backToQueue);
                    throw e.failure();
                }
                unsent.forEach(routing::backToQueue);
            } finally {
                if (calls.get() > 0) {
                    session.adjustCounter(Counters.HTTP_CALLS, calls.get(), false);
                }
            }
            routing.settleAdmission();
            if (routing.onlyWaited()) {
                context.yield();
            }
        } finally {
            // before the session commits: a crash from here on replays flowfiles that will find their job
            remember(session, routing);
            sharesInFlight.release(routing.claims());
        }
    }

    @Override
    protected void committing(final ProcessSession session, final TriggerRouting routing) {
        if (!routing.pending().isEmpty() || !routing.started().isEmpty() || !routing.reattachedFromMemory().isEmpty()) {
            // once committed, the flowfiles' own attributes say which request and job each belongs to
            final JobMemory memory = jobMemory;
            final Set<String> relied = new HashSet<>(routing.started().keySet());
            relied.addAll(routing.reattachedFromMemory());
            session.commitAsync(() -> memory.sessionCommitted(routing.pending().keySet(), relied));
        }
    }

    /**
     * The most flowfiles a run takes: those its jobs were sized for, whole jobs of them. What arrives while it takes is
     * sized by the next run; a cold first run sized for 2 queued uploads took 30 more that arrived meanwhile in 15 jobs
     * of 2, reached a job limit of 16, and every later job of the trickle was sized from a limit learned that way.
     */
    private static int sizedFor(final int queued, final JobSizing sizing) {
        return Math.min(MAX_FLOWFILES_PER_TRIGGER, Math.max(queued, sizing.perJob()));
    }

    /** Max Batch Wait, unless no job of the node runs: a lone upload to an idle server starts at once, and those after it gather. */
    private static long batchWait(final ProcessContext context, final BulkImportConnectionService service) {
        return service.unfinishedJobs() == 0 ? 0 : context.getProperty(BatchTaker.MAX_BATCH_WAIT).asTimePeriod(TimeUnit.MILLISECONDS);
    }

    /**
     * Writes, before requests leave, which request each flowfile is part of, wherever a replay could
     * otherwise combine it differently: with Max Flowfiles per Job above 1, or in a request for several.
     */
    private void markPending(final ProcessSession session, final TriggerRouting routing, final List<Batch> toSend, final boolean batching) {
        final Map<String, String> marks = new HashMap<>();
        for (final Batch batch : toSend) {
            if (batching || batch.size() > 1) {
                batch.members().forEach(member -> marks.put(member.memoryKey(), batch.key()));
            }
        }
        if (marks.isEmpty()) {
            return;
        }
        routing.pending().putAll(marks);
        try {
            countWrite(session, jobMemory.markPending(marks));
        } catch (final IOException | RuntimeException e) {
            routing.warn("Cannot note " + marks.size() + " flowfile(s) as part of requests about to leave; a replay after a crash may then make "
                    + "other requests of them: " + e.getMessage());
        }
    }

    private static void countWrite(final ProcessSession session, final boolean wrote) {
        if (wrote) {
            session.adjustCounter(Counters.JOB_MEMORY_WRITES, 1, false);
        }
    }

    private JobMemory.Snapshot readMemory(final TriggerRouting routing) {
        try {
            return jobMemory.snapshot();
        } catch (final IOException | RuntimeException e) {
            routing.warn("Cannot read the job memory from state; relying on the server's Idempotency-Key support: " + e.getMessage());
            return null;
        }
    }

    private void remember(final ProcessSession session, final TriggerRouting routing) {
        final Map<String, RememberedJob> started = routing.started();
        if (started.isEmpty()) {
            return;
        }
        try {
            countWrite(session, jobMemory.remember(started));
        } catch (final IOException | RuntimeException e) {
            routing.warn("Cannot remember " + started.size() + " started job(s) in state; a replay after a crash relies on the server's "
                    + "Idempotency-Key support: " + e.getMessage());
        }
    }

    @Override
    protected void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog verificationLogger,
                          final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        final ImportRequest request;
        try {
            request = reader.read(context, ImportRequestReader.optionProperties(context), attributes, service.getDeployment());
        } catch (final InvalidInputException | RuntimeException e) {
            final String what = e instanceof InvalidInputException ? "" : "A property's expression could not be evaluated with these attributes: ";
            results.add(verification(service, "Build Import Request", Outcome.FAILED, what + e.getMessage()));
            return;
        }
        results.add(verification(service, "Build Import Request", Outcome.SUCCESSFUL, "Would import " + request.files().size()
                + " file(s) into collection " + request.target().collection() + (request.volume() == null ? "" : " from volume " + request.volume())
                + ": " + TriggerRouting.objectUrls(request.files()).replace("\n", ", ")));
        try {
            service.listJobs(new PageRequest(request.target().collection(), request.target().database(), 1, 1));
            results.add(verification(service, "Check Collection", Outcome.SUCCESSFUL, "The server accepted the credentials and lists import jobs of collection "
                    + request.target().collection()));
        } catch (final ImportApiException e) {
            verificationLogger.warn(e.getMessage());
            results.add(verification(service, "Check Collection", Outcome.FAILED, e.getMessage()));
        }
        results.add(partitionCheck(service, request.target()));
    }

    /** A partition name on a collection with a partition key makes the server refuse the job: say so before any job. */
    private static ConfigVerificationResult partitionCheck(final BulkImportConnectionService service, final ImportTarget target) {
        final String step = "Check Partition Name";
        if (target.partition() == null) {
            return verification(service, step, Outcome.SUCCESSFUL, "No Partition Name: the collection's default partition, or its partition key");
        }
        try {
            final CollectionSchema schema = service.describeCollection(target.collection(), target.database());
            return schema.partitionKey()
                    .map(key -> verification(service, step, Outcome.FAILED, "Partition Name is " + target.partition() + ", but collection "
                            + target.collection() + " has the partition key " + key.name() + ": the server refuses a partition name for it; "
                            + "leave Partition Name unset"))
                    .orElseGet(() -> verification(service, step, Outcome.SUCCESSFUL, "Collection " + target.collection() + " has no partition key"));
        } catch (final ImportApiException e) {
            return verification(service, step, Outcome.SKIPPED, "Cannot describe the collection to check it: " + e.getMessage());
        }
    }
}
