package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.client.ImportApiClient;
import io.github.bulkimport.nifi.client.ImportApiException;
import io.github.bulkimport.nifi.idempotency.IdempotencyKeys;
import io.github.bulkimport.nifi.idempotency.JobMemory;
import io.github.bulkimport.nifi.model.Deployment;
import io.github.bulkimport.nifi.model.ImportRequest;
import io.github.bulkimport.nifi.model.InvalidInputException;
import io.github.bulkimport.nifi.model.JobState;
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
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_CODE, description = "On retry and failure: the server's error code, or this "
                + "bundle's classification (INVALID_INPUT, TIMEOUT, CONNECT_FAILED, IO_ERROR, NOT_JSON, HTTP_503, ...)."),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_MESSAGE, description = "On retry and failure: what went wrong and what to fix."),
        @WritesAttribute(attribute = BulkImportAttributes.HTTP_STATUS, description = "On retry and failure: the HTTP status, when an answer arrived.")
})
@DynamicProperty(name = "An import option, such as timeout, sep or skip_disk_quota_check",
        value = "The option's value, sent as a JSON string",
        expressionLanguageScope = ExpressionLanguageScope.FLOWFILE_ATTRIBUTES,
        description = "Each dynamic property becomes one entry of the request's options object, for example timeout = 300s.")
@Stateful(scopes = Scope.CLUSTER, description = "Which job each idempotency key started (key k.<digest>, value job ID, submit time, "
        + "batch position), for at most Job Memory Size entries and Job Memory Age, so that flowfiles replayed after a crash re-attach to "
        + "their job even on servers that ignore Idempotency-Key.")
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
     * {@link #MAX_FLOWFILES_PER_TRIGGER}, and starts nothing new after {@link #TRIGGER_TIME_BUDGET}.
     */
    static final int MAX_JOBS_PER_TRIGGER = 100;
    static final int MAX_FLOWFILES_PER_TRIGGER = 1_000;
    static final Duration TRIGGER_TIME_BUDGET = Duration.ofMillis(500);

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME,
            OBJECT_URLS, MAX_FLOWFILES_PER_JOB, MAX_REQUESTS_IN_FLIGHT, IDEMPOTENCY_KEY, JOB_MEMORY_SIZE, JOB_MEMORY_AGE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_RETRY, REL_FAILURE);
    private static final Set<String> OUTCOME_ATTRIBUTES = Set.of(BulkImportAttributes.ERROR_CODE, BulkImportAttributes.ERROR_MESSAGE,
            BulkImportAttributes.HTTP_STATUS, BulkImportAttributes.REATTACHED, BulkImportAttributes.IDEMPOTENCY_KEY, BulkImportAttributes.PARTITION,
            BulkImportAttributes.DATABASE);

    private final ImportRequestReader requestReader = new ImportRequestReader(COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME, OBJECT_URLS);
    private volatile JobMemory jobMemory;
    private volatile List<PropertyDescriptor> optionProperties = List.of();
    private volatile int maxRequestsInFlight = 1;
    /** Sends requests when several may be in flight; {@code null} when one at a time. */
    private volatile ExecutorService requestExecutor;

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
        maxRequestsInFlight = context.getProperty(MAX_REQUESTS_IN_FLIGHT).asInteger();
        requestExecutor = maxRequestsInFlight > 1 ? Executors.newFixedThreadPool(maxRequestsInFlight, requestThreads()) : null;
        final int size = context.getProperty(JOB_MEMORY_SIZE).asInteger();
        jobMemory = size == 0 ? null : new JobMemory(context.getStateManager(), size,
                Duration.ofMillis(context.getProperty(JOB_MEMORY_AGE).asTimePeriod(TimeUnit.MILLISECONDS)), Clock.systemUTC());
    }

    /** Daemon threads named after this processor, so that thread dumps say whose requests they carry. */
    private ThreadFactory requestThreads() {
        final AtomicInteger number = new AtomicInteger();
        final String prefix = "TriggerBulkImport[" + getIdentifier() + "]-request-";
        return runnable -> {
            final Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @OnStopped
    public void tearDown() {
        final ExecutorService executor = requestExecutor;
        requestExecutor = null;
        if (executor != null) {
            executor.shutdown();
        }
    }

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        if (throttleGate.isClosed()) {
            context.yield();
            return;
        }
        final ImportApiClient client = connectionService(context).getClient();
        final JobMemory.Snapshot remembered = rememberedJobs();
        final Map<String, JobMemory.Entry> started = new HashMap<>();
        final List<PendingJob> inFlight = new ArrayList<>(maxRequestsInFlight);
        final long deadline = System.nanoTime() + TRIGGER_TIME_BUDGET.toNanos();
        boolean goOn = true;
        int taken = 0;
        try {
            for (int jobs = 0; goOn && jobs < MAX_JOBS_PER_TRIGGER && taken < MAX_FLOWFILES_PER_TRIGGER && System.nanoTime() - deadline < 0; jobs++) {
                final List<PreparedFlowFile> batch = takeBatch(context, session, client);
                if (batch == null) {
                    break;
                }
                taken += batch.size();
                final List<PreparedFlowFile> fresh = reattachRemembered(session, client, batch, remembered);
                if (!fresh.isEmpty()) {
                    inFlight.add(send(client, fresh));
                }
                if (inFlight.size() >= maxRequestsInFlight) {
                    goOn = completeAnswered(context, session, client, inFlight, started);
                }
            }
            for (final PendingJob pending : inFlight) {
                complete(context, session, client, pending, started);
            }
        } finally {
            // before the session commits: a crash from here on replays flowfiles that will find their job
            remember(started);
        }
    }

    /**
     * Takes the flowfiles for one job and routes the invalid ones to failure. Returns {@code null}
     * when the queue is empty, and an empty list when every flowfile taken was invalid.
     */
    private List<PreparedFlowFile> takeBatch(final ProcessContext context, final ProcessSession session, final ImportApiClient client) {
        final Deployment deployment = client.deployment();
        final int maxMembers = context.getProperty(MAX_FLOWFILES_PER_JOB).asInteger();
        final List<PreparedFlowFile> taken = new ArrayList<>();
        if (maxMembers == 1) {
            final FlowFile flowFile = session.get();
            if (flowFile == null) {
                return null;
            }
            taken.add(prepare(context, flowFile, deployment));
        } else {
            final BatchCollector collector = new BatchCollector(flowFile -> prepare(context, flowFile, deployment), maxMembers, deployment.maxFilesPerRequest());
            final List<FlowFile> flowFiles = session.get(collector);
            if (flowFiles.isEmpty()) {
                return null;
            }
            flowFiles.forEach(flowFile -> taken.add(collector.preparedFor(flowFile)));
        }
        final List<PreparedFlowFile> valid = new ArrayList<>(taken.size());
        for (final PreparedFlowFile candidate : taken) {
            if (candidate.isRejected()) {
                routeInvalidInput(session, candidate.flowFile(), client.redactor().redact(candidate.rejection()), REL_FAILURE);
            } else {
                valid.add(candidate);
            }
        }
        return valid;
    }

    private PreparedFlowFile prepare(final ProcessContext context, final FlowFile flowFile, final Deployment deployment) {
        try {
            final Map<String, String> attributes = flowFile.getAttributes();
            final ImportRequestReader.FlowFileImport input = requestReader.read(context, optionProperties, attributes, deployment);
            final String memberKey = memberKey(context, flowFile, input);
            return new PreparedFlowFile(flowFile, input.target(), input.files(), memberKey, IdempotencyKeys.memoryKey(memberKey), null);
        } catch (final InvalidInputException e) {
            return PreparedFlowFile.rejected(flowFile, e.getMessage());
        } catch (final RuntimeException e) {
            // an expression that fails at run time (for example toDate() on text that is no date) is bad input too
            return PreparedFlowFile.rejected(flowFile, "A property's expression could not be evaluated for this flowfile: " + e.getMessage());
        }
    }

    private static String memberKey(final ProcessContext context, final FlowFile flowFile, final ImportRequestReader.FlowFileImport input)
            throws InvalidInputException {
        if (context.getProperty(IDEMPOTENCY_KEY).isSet()) {
            final String custom = context.getProperty(IDEMPOTENCY_KEY).evaluateAttributeExpressions(flowFile).getValue();
            if (custom == null || custom.isBlank()) {
                throw new InvalidInputException(IDEMPOTENCY_KEY.getName() + " evaluated to an empty value for this flowfile");
            }
            return IdempotencyKeys.checkCustom(custom.strip(), IDEMPOTENCY_KEY.getName());
        }
        final String previousFailedJob = JobState.FAILED.apiName().equals(flowFile.getAttribute(BulkImportAttributes.STATE))
                ? flowFile.getAttribute(BulkImportAttributes.JOB_ID) : null;
        return IdempotencyKeys.forFlowFile(flowFile.getAttribute("uuid"), input.target(), input.files(), previousFailedJob);
    }

    /** A {@code create} sent (or, with one request in flight, already answered) for some flowfiles. */
    private record PendingJob(List<PreparedFlowFile> members, ImportRequest request, String idempotencyKey, CompletableFuture<String> jobId) {
    }

    /** Re-attaches the flowfiles whose job is remembered; returns the others. */
    private List<PreparedFlowFile> reattachRemembered(final ProcessSession session, final ImportApiClient client, final List<PreparedFlowFile> batch,
                                                      final JobMemory.Snapshot remembered) {
        if (remembered == null) {
            return batch;
        }
        final List<PreparedFlowFile> fresh = new ArrayList<>(batch.size());
        for (final PreparedFlowFile member : batch) {
            final Optional<JobMemory.Entry> earlier = remembered.recall(member.memoryKey());
            if (earlier.isPresent()) {
                reattach(session, member, earlier.get(), client);
            } else {
                fresh.add(member);
            }
        }
        return fresh;
    }

    /** Sends one {@code create} for the flowfiles, on another thread when several requests may be in flight. */
    private PendingJob send(final ImportApiClient client, final List<PreparedFlowFile> members) {
        final List<String> files = new ArrayList<>();
        final List<String> memberKeys = new ArrayList<>(members.size());
        for (final PreparedFlowFile member : members) {
            files.addAll(member.files());
            memberKeys.add(member.memberKey());
        }
        final ImportRequest request = new ImportRequest(members.getFirst().target(), files);
        final String idempotencyKey = IdempotencyKeys.forBatch(memberKeys);
        final ExecutorService executor = requestExecutor;
        final CompletableFuture<String> jobId;
        if (executor == null) {
            jobId = new CompletableFuture<>();
            try {
                jobId.complete(client.createJob(request, idempotencyKey));
            } catch (final ImportApiException e) {
                jobId.completeExceptionally(e);
            }
        } else {
            jobId = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.createJob(request, idempotencyKey);
                } catch (final ImportApiException e) {
                    throw new CompletionException(e);
                }
            }, executor);
        }
        return new PendingJob(members, request, idempotencyKey, jobId);
    }

    /**
     * Waits until at least one request is answered, then routes every answered one, so that a slow
     * answer does not hold back the others. Returns whether to start more jobs.
     */
    private boolean completeAnswered(final ProcessContext context, final ProcessSession session, final ImportApiClient client,
                                     final List<PendingJob> inFlight, final Map<String, JobMemory.Entry> started) {
        try {
            CompletableFuture.anyOf(inFlight.stream().map(PendingJob::jobId).toArray(CompletableFuture[]::new)).get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessException("Interrupted while waiting for the server to start a job; the flowfiles will be processed again", e);
        } catch (final ExecutionException failed) {
            // routed below with the other answers
        }
        boolean goOn = true;
        for (final Iterator<PendingJob> pending = inFlight.iterator(); pending.hasNext(); ) {
            final PendingJob job = pending.next();
            if (job.jobId().isDone()) {
                pending.remove();
                goOn &= complete(context, session, client, job, started);
            }
        }
        return goOn;
    }

    /**
     * Waits for a request's answer and routes its flowfiles. Returns whether this trigger should
     * start more jobs: not after a transient error, as the next request would most likely fail too.
     */
    private boolean complete(final ProcessContext context, final ProcessSession session, final ImportApiClient client, final PendingJob pending,
                             final Map<String, JobMemory.Entry> started) {
        final String jobId;
        try {
            jobId = pending.jobId().get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessException("Interrupted while waiting for the server to start a job; the flowfiles will be processed again", e);
        } catch (final ExecutionException e) {
            if (e.getCause() instanceof ImportApiException failure) {
                routeFailedBatch(context, session, pending.members(), failure);
                return !failure.getKind().isRetryable();
            }
            if (e.getCause() instanceof RuntimeException unexpected) {
                throw unexpected;
            }
            throw new ProcessException(e.getCause());
        }

        final List<PreparedFlowFile> members = pending.members();
        final long submittedAt = Instant.now().toEpochMilli();
        final String submittedAtText = Instant.ofEpochMilli(submittedAt).toString();
        final String transitUri = client.uriOf(ImportApiClient.CREATE_PATH);
        final String details = "Started bulk-import job " + jobId + " into collection " + pending.request().target().collection() + " with "
                + pending.request().files().size() + " file(s) for " + members.size() + " flowfile(s)";
        for (int index = 0; index < members.size(); index++) {
            final PreparedFlowFile member = members.get(index);
            final JobMemory.Entry entry = new JobMemory.Entry(jobId, submittedAt, index, members.size());
            started.put(member.memoryKey(), entry);
            final Map<String, String> attributes = successAttributes(member, entry, submittedAtText);
            attributes.put(BulkImportAttributes.IDEMPOTENCY_KEY, pending.idempotencyKey());
            final FlowFile flowFile = session.putAllAttributes(withoutOutcome(session, member.flowFile()), attributes);
            session.getProvenanceReporter().invokeRemoteProcess(flowFile, transitUri, details);
            session.transfer(flowFile, REL_SUCCESS);
        }
        return true;
    }

    /** Removes what an earlier pass wrote (errors, a partition no longer used...), touching the session only when needed. */
    private static FlowFile withoutOutcome(final ProcessSession session, final FlowFile flowFile) {
        for (final String name : OUTCOME_ATTRIBUTES) {
            if (flowFile.getAttribute(name) != null) {
                return session.removeAllAttributes(flowFile, OUTCOME_ATTRIBUTES);
            }
        }
        return flowFile;
    }

    private void reattach(final ProcessSession session, final PreparedFlowFile member, final JobMemory.Entry entry, final ImportApiClient client) {
        final Map<String, String> attributes = successAttributes(member, entry, Instant.ofEpochMilli(entry.submittedAtMillis()).toString());
        attributes.put(BulkImportAttributes.REATTACHED, "true");
        final FlowFile flowFile = session.putAllAttributes(withoutOutcome(session, member.flowFile()), attributes);
        session.getProvenanceReporter().modifyAttributes(flowFile, "Re-attached to bulk-import job " + entry.jobId()
                + " that this flowfile had already started");
        getLogger().info("Re-attached {} to job {} it had already started, instead of starting another", flowFile, entry.jobId());
        session.transfer(flowFile, REL_SUCCESS);
    }

    /** The jobs remembered in state, or {@code null} when the memory is off or cannot be read. */
    private JobMemory.Snapshot rememberedJobs() {
        final JobMemory memory = jobMemory;
        if (memory == null) {
            return null;
        }
        try {
            return memory.snapshot();
        } catch (final IOException e) {
            getLogger().warn("Cannot read remembered jobs from state; relying on the server's Idempotency-Key support: {}", e.getMessage());
            return null;
        }
    }

    private void remember(final Map<String, JobMemory.Entry> started) {
        final JobMemory memory = jobMemory;
        if (memory == null || started.isEmpty()) {
            return;
        }
        try {
            memory.remember(started);
        } catch (final IOException | RuntimeException e) {
            getLogger().warn("Cannot remember {} started job(s) in state; a replay after a crash relies on the server's Idempotency-Key support: {}",
                    started.size(), e.getMessage());
        }
    }

    private void routeFailedBatch(final ProcessContext context, final ProcessSession session, final List<PreparedFlowFile> members,
                                  final ImportApiException e) {
        slowDownIfThrottled(context, e);
        final boolean retryable = e.getKind().isRetryable();
        if (retryable) {
            getLogger().warn("Starting a bulk import for {} flowfile(s) will be retried: {}", members.size(), e.getMessage());
        } else {
            getLogger().error("Starting a bulk import for {} flowfile(s) failed: {}", members.size(), e.getMessage());
        }
        final Map<String, String> errors = ErrorAttributes.of(e);
        for (final PreparedFlowFile member : members) {
            routeWithError(session, member.flowFile(), errors, retryable ? REL_RETRY : REL_FAILURE);
        }
    }

    private static Map<String, String> successAttributes(final PreparedFlowFile member, final JobMemory.Entry entry, final String submittedAt) {
        final Map<String, String> attributes = new HashMap<>(16);
        attributes.put(BulkImportAttributes.JOB_ID, entry.jobId());
        attributes.put(BulkImportAttributes.COLLECTION, member.target().collection());
        putIfPresent(attributes, BulkImportAttributes.PARTITION, member.target().partition());
        putIfPresent(attributes, BulkImportAttributes.DATABASE, member.target().database());
        attributes.put(BulkImportAttributes.SUBMITTED_AT, submittedAt);
        attributes.put(BulkImportAttributes.OBJECT_URLS, String.join("\n", member.files()));
        attributes.put(BulkImportAttributes.OBJECT_COUNT, String.valueOf(member.files().size()));
        attributes.put(BulkImportAttributes.BATCH_SIZE, String.valueOf(entry.batchSize()));
        attributes.put(BulkImportAttributes.BATCH_INDEX, String.valueOf(entry.batchIndex()));
        return attributes;
    }

    @Override
    public List<ConfigVerificationResult> verify(final ProcessContext context, final ComponentLog verificationLogger, final Map<String, String> attributes) {
        final List<ConfigVerificationResult> results = new ArrayList<>();
        final ImportApiClient client = clientForVerification(context, results);
        if (client == null) {
            return results;
        }
        final Deployment deployment = client.deployment();

        final ImportRequestReader.FlowFileImport input;
        try {
            input = requestReader.read(context, ImportRequestReader.optionProperties(context), attributes, deployment);
        } catch (final InvalidInputException e) {
            results.add(verification("Build Import Request", Outcome.FAILED, client.redactor().redact(e.getMessage())));
            return results;
        }
        results.add(verification("Build Import Request", Outcome.SUCCESSFUL, "Would import " + input.files().size() + " file(s) into collection "
                + input.target().collection() + ": " + client.redactor().redact(String.join(", ", input.files()))));

        try {
            client.listJobs(input.target().collection(), input.target().database(), 1, 1);
            results.add(verification("Check Collection", Outcome.SUCCESSFUL, "The server accepted the credentials and lists import jobs of collection "
                    + input.target().collection()));
        } catch (final ImportApiException e) {
            verificationLogger.warn("Listing import jobs of {} failed: {}", input.target().collection(), e.getMessage());
            results.add(verification("Check Collection", Outcome.FAILED, e.getMessage()));
        }
        return results;
    }
}
