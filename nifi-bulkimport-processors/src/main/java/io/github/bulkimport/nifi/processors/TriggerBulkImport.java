package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.client.ImportApiClient;
import io.github.bulkimport.nifi.client.ImportApiException;
import io.github.bulkimport.nifi.idempotency.JobMemory;
import io.github.bulkimport.nifi.idempotency.RememberedJob;
import io.github.bulkimport.nifi.model.Deployment;
import io.github.bulkimport.nifi.model.InvalidInputException;
import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
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
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.processor.util.StandardValidators;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
        @ReadsAttribute(attribute = "uuid", description = "Part of the default idempotency key, so that a replayed flowfile re-attaches to its job."),
        @ReadsAttribute(attribute = "bulkimport.state, bulkimport.job.id", description = "When bulkimport.state is Failed, the failed job's ID "
                + "becomes part of the default idempotency key, so that sending the flowfile back starts a new job.")
})
@WritesAttributes({
        @WritesAttribute(attribute = BulkImportAttributes.JOB_ID, description = "The ID of the import job started (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.COLLECTION, description = "The collection imported into (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.PARTITION, description = "The partition imported into, when set (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.DATABASE, description = "The database, when set (success); GetBulkImportProgress reads it."),
        @WritesAttribute(attribute = BulkImportAttributes.SUBMITTED_AT, description = "When the job was started, ISO-8601 UTC (success); "
                + "GetBulkImportProgress measures Maximum Wait Time from it."),
        @WritesAttribute(attribute = BulkImportAttributes.OBJECT_URLS, description = "The files sent, one per line: object URLs for Zilliz Cloud, "
                + "paths inside the bucket for Milvus (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.OBJECT_COUNT, description = "How many files this flowfile contributed (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.BATCH_SIZE, description = "How many flowfiles share the job (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.BATCH_INDEX, description = "This flowfile's position in the job, from 0 (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.IDEMPOTENCY_KEY, description = "The Idempotency-Key sent with the request (success, "
                + "when a request was sent)."),
        @WritesAttribute(attribute = BulkImportAttributes.REATTACHED, description = "true when the flowfile was re-attached to a job it had "
                + "already started (a replay after a crash or rollback) instead of starting another."),
        @WritesAttribute(attribute = BulkImportAttributes.REPLACES_JOB_ID, description = "The Failed job whose files this flowfile's job imports "
                + "again, when it was sent back after GetBulkImportProgress reported the failure (success); part of the default idempotency key."),
        @WritesAttribute(attribute = BulkImportAttributes.REQUEST_KEY, description = "On retry and failure, when the server may have acted on the "
                + "request although no valid answer came back: its Idempotency-Key. The flowfile is then sent again only in that same request, "
                + "together with the other flowfiles that shared it."),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_CODE, description = "On retry and failure: the server's error code, or this "
                + "bundle's classification (INVALID_INPUT, TIMEOUT, CONNECT_FAILED, IO_ERROR, NOT_JSON, HTTP_503, INCOMPLETE_REQUEST, UNEXPECTED, ...)."),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_MESSAGE, description = "On retry and failure: what went wrong and what to fix."),
        @WritesAttribute(attribute = BulkImportAttributes.HTTP_STATUS, description = "On retry and failure: the HTTP status, when an answer arrived.")
})
@DynamicProperty(name = "An import option, such as timeout, sep or skip_disk_quota_check",
        value = "The option's value, sent as a JSON string",
        expressionLanguageScope = ExpressionLanguageScope.FLOWFILE_ATTRIBUTES,
        description = "Each dynamic property becomes one entry of the request's options object, for example timeout = 300s.")
@Stateful(scopes = Scope.CLUSTER, description = "Per flowfile share, by a digest of its idempotency key (key k.<digest>): which job it "
        + "started (job ID, submit time, batch position), for at most Job Memory Size entries and Job Memory Age, so that flowfiles replayed "
        + "after a crash re-attach to their job even on servers that ignore Idempotency-Key; and, from just before a request leaves until the "
        + "next write after its session commits, which request it is part of, so that a replay after a crash sends that same request.")
@SeeAlso(value = {GetBulkImportProgress.class, ListBulkImportJobs.class},
        classNames = {
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
                @ProcessorConfiguration(processorClass = TriggerBulkImport.class,
                        configuration = """
                                Set Connection Service to a StandardBulkImportConnectionService with the API key and Cluster ID.
                                Set Collection Name. Leave Object URLs unset: s3.bucket and s3.key become s3://bucket/key.
                                Connect success to GetBulkImportProgress, retry back to TriggerBulkImport, failure to an alert.
                                """),
                @ProcessorConfiguration(processorClass = GetBulkImportProgress.class,
                        configuration = """
                                Leave Job ID at ${bulkimport.job.id}. Connect running back to GetBulkImportProgress,
                                success onwards, failure and expired to an alert.
                                """)
        })
public class TriggerBulkImport extends AbstractBulkImportProcessor implements VerifiableProcessor {

    public static final PropertyDescriptor COLLECTION_NAME = new PropertyDescriptor.Builder()
            .name("Collection Name")
            .description("The collection to import into.")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor PARTITION_NAME = new PropertyDescriptor.Builder()
            .name("Partition Name")
            .description("The partition to import into. Leave empty for the default partition, and always when the collection has a partition key.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor DATABASE_NAME = new PropertyDescriptor.Builder()
            .name("Database Name")
            .description("The database holding the collection; empty means the default database. Sent as dbName and, for Milvus "
                    + "permission checks, as the DB-Name header. On Zilliz Cloud only dedicated clusters have databases.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor OBJECT_URLS = new PropertyDescriptor.Builder()
            .name("Object URLs")
            .description("The files to import, separated by commas or line breaks (use line breaks when keys hold commas); each becomes one "
                    + "file of the job, and a URL ending in / names a folder. Zilliz Cloud takes s3://, gs:// and https:// URLs; Milvus "
                    + "takes the same forms, or plain paths, and imports the path inside its own bucket. When not set, the URL is built "
                    + "from the attributes of the upload processor before this one: s3.bucket and s3.key (PutS3Object), gcs.bucket and "
                    + "gcs.key (PutGCSObject), or azure.primaryUri (PutAzureBlobStorage_v12).")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_FLOWFILES_PER_JOB = new PropertyDescriptor.Builder()
            .name("Max Flowfiles per Job")
            .description("How many queued flowfiles may share one import job. Only flowfiles with the same collection, partition, database "
                    + "and options are combined, and never more files than the deployment accepts per job (1,000 Zilliz Cloud, 1,024 Milvus). "
                    + "Every flowfile of a job gets the same bulkimport.job.id, and a job that cannot start fails all of them alike.")
            .required(true)
            .defaultValue("1")
            .addValidator(StandardValidators.createLongValidator(1, 1_024, true))
            .build();

    public static final PropertyDescriptor MAX_REQUESTS_IN_FLIGHT = new PropertyDescriptor.Builder()
            .name("Max Requests in Flight")
            .description("How many create requests one task keeps waiting for answers at once. Above 1, requests for the next jobs go out "
                    + "while earlier ones are answered, which hides network latency; the connection service's Max Connections is shared "
                    + "by all tasks. 1 sends one request at a time. Mind Zilliz Cloud's limit of 20 requests per second.")
            .required(true)
            .defaultValue("4")
            .addValidator(StandardValidators.createLongValidator(1, 64, true))
            .build();

    public static final PropertyDescriptor IDEMPOTENCY_KEY = new PropertyDescriptor.Builder()
            .name("Idempotency Key")
            .description("The Idempotency-Key sent with each request (printable ASCII, at most 256 characters). Leave empty to derive it from "
                    + "the flowfile's uuid and the request, so that a flowfile replayed after a crash or rollback gets back the job it "
                    + "already started, while a flowfile whose job Failed (bulkimport.state = Failed) starts a new one. When set, it must "
                    + "change whenever a new job is wanted, for example ${s3.etag}-${bulkimport.job.id}.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor JOB_MEMORY_SIZE = new PropertyDescriptor.Builder()
            .name("Job Memory Size")
            .description("How many started jobs to remember in cluster state, by idempotency key, so that a replayed flowfile re-attaches to "
                    + "its job even when the server ignores Idempotency-Key (Milvus before 2.6.24). 0 turns the memory off.")
            .required(true)
            .defaultValue("1000")
            .addValidator(StandardValidators.createLongValidator(0, 20_000, true))
            .build();

    public static final PropertyDescriptor JOB_MEMORY_AGE = new PropertyDescriptor.Builder()
            .name("Job Memory Age")
            .description("How long a started job is remembered. Milvus keeps idempotency keys for about 24 hours.")
            .required(true)
            .defaultValue("24 hours")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("The job was started (or had been, for a replayed flowfile); bulkimport.job.id holds its ID.")
            .build();

    public static final Relationship REL_RETRY = new Relationship.Builder()
            .name("retry")
            .description("A transient problem (I/O error, timeout, HTTP 408, 429 or 5xx, the server's job limit): try again later, "
                    + "for example by looping back to this processor. Flowfiles are penalized.")
            .build();

    public static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("The import cannot start as configured: bad input, rejected credentials, unknown collection, refused request. "
                    + "bulkimport.error.message says what to fix. Flowfiles are penalized.")
            .build();

    /**
     * One onTrigger starts at most this many jobs, takes no more flowfiles once it holds
     * {@link #MAX_FLOWFILES_PER_TRIGGER}, and sends nothing new after {@link #TRIGGER_TIME_BUDGET}.
     */
    static final int MAX_JOBS_PER_TRIGGER = 100;
    static final int MAX_FLOWFILES_PER_TRIGGER = 1_000;
    static final Duration TRIGGER_TIME_BUDGET = Duration.ofMillis(500);
    static final String INCOMPLETE_REQUEST = "INCOMPLETE_REQUEST";

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME,
            OBJECT_URLS, MAX_FLOWFILES_PER_JOB, MAX_REQUESTS_IN_FLIGHT, IDEMPOTENCY_KEY, JOB_MEMORY_SIZE, JOB_MEMORY_AGE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_RETRY, REL_FAILURE);
    /** What a flowfile that starts (or re-attaches to) a job no longer needs: the outcome of earlier passes and of earlier jobs. */
    private static final Set<String> STALE_ON_START = Stream.of(ErrorAttributes.NAMES, BulkImportAttributes.PROGRESS_REPORT, Set.of(
                    BulkImportAttributes.REATTACHED, BulkImportAttributes.IDEMPOTENCY_KEY, BulkImportAttributes.PARTITION, BulkImportAttributes.DATABASE,
                    BulkImportAttributes.REQUEST_KEY, BulkImportAttributes.REPLACES_JOB_ID))
            .flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

    private final FlowFileShares shares = new FlowFileShares(
            new ImportRequestReader(COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME, OBJECT_URLS), IDEMPOTENCY_KEY);
    private final WaitingRequests waiting = new WaitingRequests();
    /** Pending marks whose session has committed, forgotten by the next state write rather than by a write of their own. */
    private final Queue<String> committedMarks = new ConcurrentLinkedQueue<>();
    private volatile JobMemory jobMemory;
    private volatile List<PropertyDescriptor> optionProperties = List.of();
    private volatile RequestsInFlight requestsInFlight;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(final String propertyDescriptorName) {
        return new PropertyDescriptor.Builder()
                .name(propertyDescriptorName)
                .description("Import option '" + propertyDescriptorName + "', sent in the request's options object")
                .dynamic(true)
                .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
                .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
                .build();
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @OnScheduled
    public void setUp(final ProcessContext context) {
        optionProperties = ImportRequestReader.optionProperties(context);
        requestsInFlight = new RequestsInFlight(context.getProperty(MAX_REQUESTS_IN_FLIGHT).asInteger(), "TriggerBulkImport[" + getIdentifier() + "]-request-");
        jobMemory = new JobMemory(context.getStateManager(), Scope.CLUSTER, context.getProperty(JOB_MEMORY_SIZE).asInteger(),
                Duration.ofMillis(context.getProperty(JOB_MEMORY_AGE).asTimePeriod(TimeUnit.MILLISECONDS)), Clock.systemUTC());
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
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        if (throttleGate.isClosed()) {
            context.yield();
            return;
        }
        final ImportApiClient client = connectionService(context).getClient();
        final Run run = new Run(context, session, client);
        try {
            final List<Batch> toSend = new ArrayList<>();
            for (final Batch batch : takeBatches(run)) {
                final Batch rest = reattachStarted(run, batch);
                if (rest == null) {
                    continue;
                }
                if (rest.isComplete()) {
                    waiting.settled(rest.key());
                    toSend.add(rest);
                } else {
                    waitForTheOthers(run, rest);
                }
            }
            markPending(run, toSend);
            final List<Batch> unsent = requestsInFlight.sendAll(toSend, batch -> client.createJob(batch.request(), batch.key()),
                    answer -> route(run, answer), run.startedAt + TRIGGER_TIME_BUDGET.toNanos());
            // after a transient error, or once the time is up, the rest wait in the queue, untouched
            unsent.forEach(batch -> batch.members().forEach(member -> run.backToQueue(member.flowFile())));
            if (run.onlyWaited()) {
                context.yield();
            }
        } catch (final RuntimeException unexpected) {
            if (Thread.currentThread().isInterrupted()) {
                throw unexpected;
            }
            run.failUnrouted(unexpected);
        } finally {
            // before the session commits: a crash from here on replays flowfiles that will find their job
            remember(run);
        }
        if (!run.pending.isEmpty()) {
            // once committed, the flowfiles' own attributes say which request each belongs to: the next write forgets the marks
            session.commitAsync(() -> committedMarks.addAll(run.pending.keySet()));
        }
    }

    /** What one onTrigger holds: the flowfiles taken and not yet routed, the jobs started, the shares marked pending. */
    private final class Run {
        final ProcessContext context;
        final ProcessSession session;
        final ImportApiClient client;
        final long startedAt = System.nanoTime();
        final Map<Long, FlowFile> unrouted = new LinkedHashMap<>();
        final Map<String, RememberedJob> started = new HashMap<>();
        final Map<String, String> pending = new HashMap<>();
        JobMemory.Snapshot memory;
        int routed;
        int waited;

        Run(final ProcessContext context, final ProcessSession session, final ImportApiClient client) {
            this.context = context;
            this.session = session;
            this.client = client;
        }

        void took(final FlowFile flowFile) {
            unrouted.put(flowFile.getId(), flowFile);
        }

        void transfer(final FlowFile flowFile, final Relationship relationship) {
            unrouted.remove(flowFile.getId());
            routed++;
            session.transfer(flowFile, relationship);
        }

        void backToQueue(final FlowFile flowFile) {
            unrouted.remove(flowFile.getId());
            session.transfer(flowFile);
        }

        boolean onlyWaited() {
            return waited > 0 && routed == 0;
        }

        /** The one guard of this processor: a flowfile never stays behind because of an exception. */
        void failUnrouted(final RuntimeException e) {
            final String message = client.visibleText("Unexpected error while starting a bulk import (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); the flowfile was not sent, or its outcome is unknown");
            getLogger().error(message);
            for (final FlowFile flowFile : List.copyOf(unrouted.values())) {
                unrouted.remove(flowFile.getId());
                routeWithError(session, flowFile, ErrorAttributes.of(ErrorAttributes.UNEXPECTED, message), REL_FAILURE);
            }
        }
    }

    /**
     * Takes the flowfiles of up to {@link #MAX_JOBS_PER_TRIGGER} requests and routes the invalid ones to
     * failure. The job memory is read once, and only when it may hold an answer.
     */
    private List<Batch> takeBatches(final Run run) {
        final int maxMembers = run.context.getProperty(MAX_FLOWFILES_PER_JOB).asInteger();
        final Deployment deployment = run.client.deployment();
        if (jobMemory.remembersJobs() || maxMembers > 1) {
            run.memory = readMemory();
        }
        final List<Batch> batches = new ArrayList<>();
        int taken = 0;
        while (batches.size() < MAX_JOBS_PER_TRIGGER && taken < MAX_FLOWFILES_PER_TRIGGER) {
            final List<FlowFileShare> members = new ArrayList<>();
            final List<FlowFileShare> candidates;
            if (maxMembers == 1) {
                final FlowFile flowFile = run.session.get();
                if (flowFile == null) {
                    break;
                }
                final FlowFileShare first = share(run, flowFile, deployment);
                // a request made for this flowfile alone needs no others
                candidates = first.isBound() && !first.boundRequest().equals(first.key()) ? withMates(run, first, deployment) : List.of(first);
            } else {
                final BatchCollector collector = new BatchCollector(flowFile -> share(run, flowFile, deployment), maxMembers, deployment.maxFilesPerRequest());
                final List<FlowFile> flowFiles = run.session.get(collector);
                if (flowFiles.isEmpty()) {
                    break;
                }
                candidates = flowFiles.stream().map(collector::preparedFor).toList();
            }
            collect(run, candidates, members);
            taken += members.size();
            if (!members.isEmpty()) {
                batches.add(Batch.of(members));
            }
        }
        return batches;
    }

    /** A bound flowfile and the queued flowfiles bound to the same request: its request was made for several. */
    private List<FlowFileShare> withMates(final Run run, final FlowFileShare first, final Deployment deployment) {
        final BatchCollector mates = BatchCollector.matesOf(flowFile -> share(run, flowFile, deployment), first.boundRequest());
        final List<FlowFileShare> all = new ArrayList<>();
        all.add(first);
        run.session.get(mates).forEach(flowFile -> all.add(mates.preparedFor(flowFile)));
        return all;
    }

    private void collect(final Run run, final List<FlowFileShare> taken, final List<FlowFileShare> members) {
        for (final FlowFileShare share : taken) {
            run.took(share.flowFile());
            if (share.isRejected()) {
                routeInvalidInput(run, share.flowFile(), share.rejection());
            } else {
                members.add(share);
            }
        }
    }

    private FlowFileShare share(final Run run, final FlowFile flowFile, final Deployment deployment) {
        return shares.read(run.context, optionProperties, flowFile, deployment, run.memory);
    }

    /** Routes the members whose job is already known to success; returns the batch of the others, or {@code null}. */
    private Batch reattachStarted(final Run run, final Batch batch) {
        final List<FlowFileShare> rest = new ArrayList<>(batch.size());
        for (final FlowFileShare member : batch.members()) {
            final RememberedJob known = member.started() != null ? member.started()
                    : run.memory == null ? null : run.memory.recall(member.memoryKey()).orElse(null);
            if (known == null) {
                rest.add(member);
            } else {
                reattach(run, member, known);
            }
        }
        if (rest.isEmpty()) {
            return null;
        }
        return rest.size() == batch.size() ? batch : Batch.of(rest);
    }

    /**
     * The flowfiles of a bound request came back without all of the others: they go back to the queue
     * to meet them, until {@link WaitingRequests#PATIENCE} has passed; then they go to failure, still bound.
     */
    private void waitForTheOthers(final Run run, final Batch batch) {
        final String requestKey = batch.members().getFirst().boundRequest();
        if (!waiting.overdue(requestKey)) {
            run.waited++;
            batch.members().forEach(member -> run.backToQueue(member.flowFile()));
            return;
        }
        waiting.settled(requestKey);
        final String message = "This flowfile was sent with other flowfiles in one request (Idempotency-Key " + requestKey + ") whose outcome is "
                + "unknown, so it is only sent again in that same request; " + batch.size() + " of them came back within "
                + WaitingRequests.PATIENCE.toMinutes() + " minutes, not all. Bring the others back together, or, after checking that the server "
                + "has no job for these files, remove attribute " + BulkImportAttributes.REQUEST_KEY + " to start a new job.";
        getLogger().error(run.client.visibleText(message));
        for (final FlowFileShare member : batch.members()) {
            run.pending.put(member.memoryKey(), requestKey);
            FlowFile flowFile = run.session.putAttribute(member.flowFile(), BulkImportAttributes.REQUEST_KEY, requestKey);
            flowFile = withErrors(run.session, flowFile, ErrorAttributes.of(INCOMPLETE_REQUEST, run.client.visibleText(message)));
            run.transfer(run.session.penalize(flowFile), REL_FAILURE);
        }
    }

    /**
     * Writes, before requests leave, which request each flowfile is part of, wherever a replay could
     * otherwise combine it differently: with Max Flowfiles per Job above 1, or in a request for several.
     */
    private void markPending(final Run run, final List<Batch> toSend) {
        final boolean batching = run.context.getProperty(MAX_FLOWFILES_PER_JOB).asInteger() > 1;
        final Map<String, String> marks = new HashMap<>();
        for (final Batch batch : toSend) {
            if (batching || batch.size() > 1) {
                batch.members().forEach(member -> marks.put(member.memoryKey(), batch.key()));
            }
        }
        if (marks.isEmpty()) {
            return;
        }
        run.pending.putAll(marks);
        try {
            jobMemory.markPending(marks, drainCommittedMarks());
        } catch (final IOException | RuntimeException e) {
            getLogger().warn(run.client.visibleText("Cannot note " + marks.size() + " flowfile(s) as part of requests about to leave; a replay after "
                    + "a crash may then make other requests of them: " + e.getMessage()));
        }
    }

    /** Routes the flowfiles of one answer. Returns whether this trigger should send more requests. */
    private boolean route(final Run run, final RequestsInFlight.Answer answer) {
        if (answer.failure() != null) {
            routeFailed(run, answer.batch(), answer.failure());
            return !answer.failure().getKind().isRetryable();
        }
        final Batch batch = answer.batch();
        final long submittedAt = Instant.now().toEpochMilli();
        final String submittedAtText = Instant.ofEpochMilli(submittedAt).toString();
        final String transitUri = run.client.uriOf(ImportApiClient.CREATE_PATH);
        final String details = run.client.visibleText("Started bulk-import job " + answer.jobId() + " into collection "
                + batch.request().target().collection() + " with " + batch.request().files().size() + " file(s) for " + batch.size() + " flowfile(s)");
        for (final FlowFileShare member : batch.members()) {
            final RememberedJob job = new RememberedJob(answer.jobId(), submittedAt, batch.indexOf(member), batch.size());
            run.started.put(member.memoryKey(), job);
            final Map<String, String> attributes = successAttributes(member, job, submittedAtText);
            attributes.put(BulkImportAttributes.IDEMPOTENCY_KEY, batch.key());
            final FlowFile flowFile = run.session.putAllAttributes(withoutStale(run.session, member.flowFile()), attributes);
            run.session.getProvenanceReporter().invokeRemoteProcess(flowFile, transitUri, details);
            run.transfer(flowFile, REL_SUCCESS);
        }
        return true;
    }

    /**
     * Routes the flowfiles of a failed request alike. When the server may have acted on a request for
     * several flowfiles, each is bound to it: it will only be sent again in that very request.
     */
    private void routeFailed(final Run run, final Batch batch, final ImportApiException e) {
        slowDown(run.context, e);
        final boolean retryable = e.getKind().isRetryable();
        final String message = "Starting a bulk import for " + batch.size() + " flowfile(s) " + (retryable ? "will be retried: " : "failed: ") + e.getMessage();
        if (retryable) {
            getLogger().warn(run.client.visibleText(message));
        } else {
            getLogger().error(run.client.visibleText(message));
        }
        final boolean bind = batch.isBound() || e.isOutcomeUnknown();
        final Map<String, String> errors = ErrorAttributes.of(e);
        for (final FlowFileShare member : batch.members()) {
            FlowFile flowFile = member.flowFile();
            if (bind) {
                flowFile = run.session.putAllAttributes(flowFile, Map.of(BulkImportAttributes.REQUEST_KEY, batch.key(),
                        BulkImportAttributes.BATCH_SIZE, String.valueOf(batch.size()), BulkImportAttributes.BATCH_INDEX, String.valueOf(batch.indexOf(member))));
            } else if (flowFile.getAttribute(BulkImportAttributes.REQUEST_KEY) != null) {
                flowFile = run.session.removeAttribute(flowFile, BulkImportAttributes.REQUEST_KEY);
            }
            run.transfer(run.session.penalize(withErrors(run.session, flowFile, errors)), retryable ? REL_RETRY : REL_FAILURE);
        }
    }

    private void routeInvalidInput(final Run run, final FlowFile flowFile, final String reason) {
        final String message = run.client.visibleText(reason);
        getLogger().error(run.client.visibleText("Routing flowfile " + flowFile.getAttribute("uuid") + " to failure: " + message));
        run.transfer(run.session.penalize(withErrors(run.session, flowFile, ErrorAttributes.of(ErrorAttributes.INVALID_INPUT, message))), REL_FAILURE);
    }

    private void reattach(final Run run, final FlowFileShare member, final RememberedJob job) {
        final Map<String, String> attributes = successAttributes(member, job, Instant.ofEpochMilli(job.submittedAtMillis()).toString());
        attributes.put(BulkImportAttributes.REATTACHED, "true");
        final String keySent = member.flowFile().getAttribute(BulkImportAttributes.IDEMPOTENCY_KEY);
        if (member.started() != null && keySent != null) {
            attributes.put(BulkImportAttributes.IDEMPOTENCY_KEY, keySent);
        }
        final FlowFile flowFile = run.session.putAllAttributes(withoutStale(run.session, member.flowFile()), attributes);
        run.session.getProvenanceReporter().modifyAttributes(flowFile, "Re-attached to bulk-import job " + job.jobId()
                + " that this flowfile had already started");
        getLogger().info("Re-attached flowfile {} to job {} it had already started, instead of starting another", flowFile.getAttribute("uuid"), job.jobId());
        run.transfer(flowFile, REL_SUCCESS);
    }

    /** Removes what earlier passes and earlier jobs wrote, touching the session only when needed. */
    private static FlowFile withoutStale(final ProcessSession session, final FlowFile flowFile) {
        for (final String name : STALE_ON_START) {
            if (flowFile.getAttribute(name) != null) {
                return session.removeAllAttributes(flowFile, STALE_ON_START);
            }
        }
        return flowFile;
    }

    private JobMemory.Snapshot readMemory() {
        try {
            return jobMemory.snapshot();
        } catch (final IOException | RuntimeException e) {
            getLogger().warn("Cannot read the job memory from state; relying on the server's Idempotency-Key support: {}", e.getMessage());
            return null;
        }
    }

    private void remember(final Run run) {
        if (run.started.isEmpty()) {
            return;
        }
        try {
            jobMemory.remember(run.started, drainCommittedMarks());
        } catch (final IOException | RuntimeException e) {
            getLogger().warn(run.client.visibleText("Cannot remember " + run.started.size() + " started job(s) in state; a replay after a crash "
                    + "relies on the server's Idempotency-Key support: " + e.getMessage()));
        }
    }

    /** The pending marks to forget with the next write; should that write fail, they expire after Job Memory Age. */
    private List<String> drainCommittedMarks() {
        final List<String> drained = new ArrayList<>();
        for (String memoryKey = committedMarks.poll(); memoryKey != null; memoryKey = committedMarks.poll()) {
            drained.add(memoryKey);
        }
        return drained;
    }

    private static Map<String, String> successAttributes(final FlowFileShare member, final RememberedJob job, final String submittedAt) {
        final Map<String, String> attributes = new HashMap<>(16);
        attributes.put(BulkImportAttributes.JOB_ID, job.jobId());
        attributes.put(BulkImportAttributes.COLLECTION, member.target().collection());
        putIfPresent(attributes, BulkImportAttributes.PARTITION, member.target().partition());
        putIfPresent(attributes, BulkImportAttributes.DATABASE, member.target().database());
        putIfPresent(attributes, BulkImportAttributes.REPLACES_JOB_ID, member.replacesJob());
        attributes.put(BulkImportAttributes.SUBMITTED_AT, submittedAt);
        attributes.put(BulkImportAttributes.OBJECT_URLS, String.join("\n", member.files()));
        attributes.put(BulkImportAttributes.OBJECT_COUNT, String.valueOf(member.files().size()));
        attributes.put(BulkImportAttributes.BATCH_SIZE, String.valueOf(job.batchSize()));
        attributes.put(BulkImportAttributes.BATCH_INDEX, String.valueOf(job.batchIndex()));
        return attributes;
    }

    @Override
    public List<ConfigVerificationResult> verify(final ProcessContext context, final ComponentLog verificationLogger, final Map<String, String> attributes) {
        final List<ConfigVerificationResult> results = new ArrayList<>();
        final ImportApiClient client = clientForVerification(context, results);
        if (client == null) {
            return results;
        }
        final ImportRequestReader.FlowFileImport input;
        try {
            input = new ImportRequestReader(COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME, OBJECT_URLS)
                    .read(context, ImportRequestReader.optionProperties(context), attributes, client.deployment());
        } catch (final InvalidInputException e) {
            results.add(verification("Build Import Request", Outcome.FAILED, client.visibleText(e.getMessage())));
            return results;
        } catch (final RuntimeException e) {
            results.add(verification("Build Import Request", Outcome.FAILED,
                    client.visibleText("A property's expression could not be evaluated with these attributes: " + e.getMessage())));
            return results;
        }
        results.add(verification("Build Import Request", Outcome.SUCCESSFUL, client.visibleText("Would import " + input.files().size()
                + " file(s) into collection " + input.target().collection() + ": " + String.join(", ", input.files()))));

        try {
            client.listJobs(input.target().collection(), input.target().database(), 1, 1);
            results.add(verification("Check Collection", Outcome.SUCCESSFUL, "The server accepted the credentials and lists import jobs of collection "
                    + input.target().collection()));
        } catch (final ImportApiException e) {
            verificationLogger.warn(e.getMessage());
            results.add(verification("Check Collection", Outcome.FAILED, e.getMessage()));
        }
        return results;
    }
}
