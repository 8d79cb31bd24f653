package io.github.bulkimport.nifi.modelcheck;

import io.github.bulkimport.nifi.processors.action.AbortBulkImport;
import io.github.bulkimport.nifi.processors.action.CommitBulkImport;
import io.github.bulkimport.nifi.processors.common.JobInput;
import io.github.bulkimport.nifi.processors.listing.JsonLinesRecordWriter;
import io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.processors.validate.ValidateBulkImportFile;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.emulator.RecordedCall;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one {@link Scenario} against the three processors in nifi-mock runners and an emulator, and
 * checks the invariants after every step:
 * <ul>
 *     <li>every flowfile is in exactly one place (a queue or an outgoing relationship);</li>
 *     <li>no exception leaves {@code onTrigger} (or {@code verify});</li>
 *     <li>while the server honours Idempotency-Key, no object is in more live jobs than flowfiles name
 *     it, and no job lists a file twice (with a server that ignores keys, objects whose request was
 *     answered ambiguously are exempt: no client can tell that job exists);</li>
 *     <li>no run of 8 characters of a secret, in any form, in an attribute, a log message (a bulletin),
 *     a provenance event, a verification result or a processor's state;</li>
 *     <li>every message is at most 1,000 characters, without control characters;</li>
 *     <li>a flowfile TriggerBulkImport routes to success names a job of the collection it asked for, that
 *     holds its object and was started after its upload; never the job of its previous upload, nor
 *     the Failed or aborted job it was sent back from;</li>
 *     <li>GetBulkImportProgress describes a job once per run, and routes to running or uncommitted only
 *     penalized flowfiles whose Maximum Wait Time has not passed; CommitBulkImport and AbortBulkImport
 *     act on a job once per flowfile;</li>
 *     <li>each counter counts a job once by its ID, whatever the flowfiles (a batch, copies, replays);</li>
 *     <li>in Changes Only mode, a job is emitted as new once, and never again in the same state; with
 *     From Now On, no job of the first listing is emitted as new.</li>
 * </ul>
 */
final class World implements AutoCloseable {

    static final String COLLECTION = "docs";
    private static final String SERVICE_ID = "bulkimport-service";
    private static final String CLUSTER_ID = "in01-0123456789abcdef";
    private static final int MAX_MESSAGE = 1_000;
    private static final long IMPORT_MILLIS = 60;
    private static final Pattern OBJECT = Pattern.compile("/(o\\d+)[./-]");
    private static final Pattern JOB_ID_IN_BODY = Pattern.compile("\"jobId\"\\s*:\\s*\"([^\"]+)\"");
    static final String OTHER_COLLECTION = "docs2";
    /** Attributes that list one item per line: each line is held to the rules of a message. */
    private static final Set<String> MULTI_LINE_ATTRIBUTES = Set.of("bulkimport.object.urls", "bulkimport.failed.files");
    /** Flowfiles made by the model get ids far above those a runner hands out itself. */
    private static final AtomicLong IDS = new AtomicLong(1_000_000_000L);

    private final Scenario scenario;
    private final ImportApiEmulator emulator;
    private final SecretRuns secretRuns;
    private final List<String> violations = new ArrayList<>();
    private final Map<MockComponentLog, Integer> logsSeen = new IdentityHashMap<>();
    private final Set<String> everyFlowFile = new HashSet<>();
    private final Map<String, Integer> namers = new HashMap<>();
    private final Set<String> exempt = new HashSet<>();
    private final Map<String, String> lastListed = new HashMap<>();
    /** When each flowfile's upload was made (a copy's is its twin's), by uuid. */
    private final Map<String, Long> uploadedAt = new HashMap<>();
    /** The object each flowfile names, by uuid. */
    private final Map<String, String> objectOf = new HashMap<>();
    /** How many times each object was uploaded: its ETag or generation. */
    private final Map<String, Integer> uploads = new HashMap<>();
    /** The job a flowfile had when it was sent back to TriggerBulkImport, which it must not get again, by uuid. */
    private final Map<String, String> sentBackFrom = new HashMap<>();
    /** Jobs TriggerBulkImport's current runner started (not re-attached), as its counter must count them. */
    private final Set<String> startedByRunner = new HashSet<>();
    private final Set<String> completedJobs = new HashSet<>();
    private long completedRows;
    private final Set<String> failedJobs = new HashSet<>();
    private final Set<String> expiredJobs = new HashSet<>();
    /** Jobs a listing emitted as new. */
    private final Set<String> listedAsNew = new HashSet<>();
    /** The jobs of the first listing (in From Now On mode), when no fault kept it from seeing every job. */
    private Set<String> history;
    private JsonLinesRecordWriter recordWriter;
    private int objects;
    private int step;
    private String currentStep = "setup";

    private TestRunner trigger;
    private boolean triggerScheduled;
    private TestRunner progress;
    private boolean progressScheduled;
    private TestRunner list;
    private boolean listScheduled;
    private TestRunner commit;
    private TestRunner abort;
    private TestRunner validator;
    private boolean validatorScheduled;

    private final List<MockFlowFile> triggerQueue = new ArrayList<>();
    private final List<MockFlowFile> retried = new ArrayList<>();
    private final List<MockFlowFile> failed = new ArrayList<>();
    private final List<MockFlowFile> started = new ArrayList<>();
    private final List<MockFlowFile> progressQueue = new ArrayList<>();
    private final List<MockFlowFile> polling = new ArrayList<>();
    private final List<MockFlowFile> finished = new ArrayList<>();
    private final List<MockFlowFile> uncommitted = new ArrayList<>();
    private final List<MockFlowFile> actionQueue = new ArrayList<>();
    /** Flowfiles AbortBulkImport routed to success: their jobs are aborted. */
    private final List<MockFlowFile> aborted = new ArrayList<>();
    /** Flowfiles waiting for ValidateBulkImportFile, and those it stopped (invalid) or could not check (failure). */
    private final List<MockFlowFile> validateQueue = new ArrayList<>();
    private final List<MockFlowFile> invalid = new ArrayList<>();
    private final List<MockFlowFile> notValidated = new ArrayList<>();
    /** Objects whose content is a hostile file, with its kind. */
    private final Map<String, String> hostileObjects = new HashMap<>();
    /** Objects whose file breaks the collection's schema (the server fails them), and those the validator stopped. */
    private final Set<String> failingObjects = new HashSet<>();
    private final Set<String> invalidObjects = new HashSet<>();

    World(final Scenario scenario) {
        this.scenario = scenario;
        this.secretRuns = new SecretRuns(scenario.secrets().all());
        this.emulator = ImportApiEmulator.builder()
                .deployment(io.github.bulkimport.emulator.Deployment.valueOf(scenario.deployment().name()))
                .token(scenario.secrets().apiKey())
                .clusterId(zilliz() ? CLUSTER_ID : null)
                .importDuration(Duration.ofMillis(IMPORT_MILLIS))
                .maxActiveJobs(scenario.options().serverJobLimit() > 0 ? scenario.options().serverJobLimit() : 1_024)
                .idempotency(scenario.serverKeys())
                .strictActions(scenario.options().strictActions())
                .start();
        this.trigger = newTrigger();
    }

    /** Runs every step; returns the violations found (empty when every invariant held). */
    List<String> run() {
        for (final Step next : scenario.steps()) {
            step++;
            currentStep = next.toString();
            apply(next);
            checkInvariants();
            if (!violations.isEmpty()) {
                break;
            }
        }
        return violations;
    }

    int steps() {
        return step;
    }

    private boolean zilliz() {
        return scenario.deployment() == Deployment.ZILLIZ_CLOUD;
    }

    // ---- steps --------------------------------------------------------------------------------------

    private void apply(final Step next) {
        switch (next) {
            case Step.Enqueue enqueue -> enqueue(enqueue);
            case Step.Misbehave misbehave -> emulator.faults().add(fault(misbehave));
            case Step.RunTrigger run -> runTrigger(run.iterations());
            case Step.RunValidate run -> runValidate(run.iterations());
            case Step.Crash crash -> crash(crash.midRequest());
            case Step.Replay replay -> replay(replay.failure() ? failed : retried, replay.everyOther());
            case Step.RunProgress run -> runProgress(run.resendFailed());
            case Step.RunAction action -> runAction(action.commit(), action.everyOther());
            case Step.RunList ignored -> runList();
            case Step.Verify verify -> verify(verify.upload());
            case Step.Copy copy -> copy(copy.place(), copy.pick());
            case Step.SendAgain again -> sendAgain(again.why(), again.pick());
            case Step.BreakWriter ignored -> {
                if (recordWriter != null) {
                    recordWriter.throwAfterTheFirstRecord();
                }
            }
        }
    }

    private static Fault fault(final Step.Misbehave misbehave) {
        final long delay = switch (misbehave.type()) {
            case SLOW -> 450;
            case DRIP -> 40;
            default -> 1_000;
        };
        final int retryAfter = misbehave.type() == FaultType.HTTP_429 ? 0 : -1;
        return new Fault(misbehave.type(), misbehave.times(), misbehave.operation(), retryAfter, delay);
    }

    private void enqueue(final Step.Enqueue enqueue) {
        for (final Step.Upload upload : enqueue.uploads()) {
            final String object = "o" + ++objects;
            uploads.put(object, 1);
            final String collection = scenario.options().collections() > 1 && objects % 2 == 0 ? OTHER_COLLECTION : COLLECTION;
            for (int copy = 0; copy < enqueue.copies(); copy++) {
                final Map<String, String> attributes = attributes(upload, object, collection, (enqueue.order() >> copy & 1) == 1);
                final MockFlowFile flowFile = new MockFlowFile(IDS.incrementAndGet());
                flowFile.putAttributes(attributes);
                everyFlowFile.add(uuid(flowFile));
                uploadedAt.put(uuid(flowFile), System.currentTimeMillis());
                objectOf.put(uuid(flowFile), object);
                namers.merge(object, 1, Integer::sum);
                if (upload.fails()) {
                    failingObjects.add(object);
                }
                if (scenario.options().validate() && upload == Step.Upload.HOSTILE_FILE) {
                    final HostileFiles.File hostile = HostileFiles.pick(objects);
                    flowFile.putAttributes(Map.of("filename", object + hostile.extension()));
                    flowFile.setData(hostile.bytes());
                    hostileObjects.put(object, hostile.name());
                    toValidate(flowFile);
                } else if (scenario.options().validate()) {
                    // the file itself: rows of the emulator's default schema, with a vector of the wrong dimension when it fails
                    flowFile.putAttributes(Map.of("filename", object + ".json"));
                    flowFile.setData(("[{\"vector\": [" + (upload.fails() ? "1, 2, 3" : "1, 2, 3, 4, 5, 6, 7, 8") + "]}]")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    toValidate(flowFile);
                } else {
                    toTrigger(flowFile);
                }
            }
        }
    }

    /**
     * The attributes of one upload, as the upload processors write them, with the identity of its
     * {@link #uploads}-th upload; with NumPy sets, {@code import.urls} names the set, its files in
     * reverse order when {@code reversed}.
     */
    private Map<String, String> attributes(final Step.Upload upload, final String object, final String collection, final boolean reversed) {
        final Map<String, String> attributes = new HashMap<>();
        attributes.put("filename", object + ".parquet");
        attributes.put("target.collection", collection);
        final String generation = String.valueOf(uploads.getOrDefault(object, 1));
        final String stem = upload.fails() ? object + "-bad-schema" : object;
        switch (upload) {
            case S3, BAD_EXPRESSION, FAILING_FILE, HOSTILE_FILE -> {
                attributes.put("s3.bucket", "bkt");
                attributes.put("s3.key", "dir/" + stem + ".parquet");
                attributes.put("s3.etag", "etag-" + object + "-" + generation);
                if (upload == Step.Upload.BAD_EXPRESSION) {
                    attributes.put("import.timeout", "no date");
                }
            }
            case GCS -> {
                attributes.put("gcs.bucket", "bkt");
                attributes.put("gcs.key", "dir/" + object + ".json");
                // a generation is unique to one version of one object
                attributes.put("gcs.generation", String.valueOf(1_700_000_000_000_000L + Long.parseLong(object.substring(1)) * 1_000 + Long.parseLong(generation)));
            }
            case AZURE -> {
                attributes.put("azure.primaryUri", "https://acct.blob.core.windows.net/bkt/dir/" + object + ".parquet");
                attributes.put("azure.etag", "0x8D-" + object + "-" + generation);
            }
            case HALF_S3 -> attributes.put("s3.bucket", "bkt");
        }
        if (scenario.options().numpy() && upload != Step.Upload.HALF_S3) {
            final List<String> set = new ArrayList<>(List.of("s3://bkt/dir/" + stem + "/id.npy", "s3://bkt/dir/" + stem + "/vector.npy"));
            if (reversed) {
                java.util.Collections.reverse(set);
            }
            attributes.put("import.urls", "[[\"" + String.join("\", \"", set) + "\"]]");
        }
        return attributes;
    }

    /** A load-balanced connection delivers a flowfile twice: the copy has a new uuid, and is the same upload. */
    private void copy(final Step.Place place, final int pick) {
        final List<MockFlowFile> from = switch (place) {
            case TRIGGER_QUEUE -> triggerQueue;
            case RETRIED -> retried;
            case STARTED -> started;
        };
        if (from.isEmpty()) {
            return;
        }
        final MockFlowFile twin = from.get(pick % from.size());
        final MockFlowFile copy = new MockFlowFile(IDS.incrementAndGet(), twin);
        copy.putAttributes(Map.of("uuid", java.util.UUID.randomUUID().toString()));
        everyFlowFile.add(uuid(copy));
        uploadedAt.put(uuid(copy), uploadedAt.get(uuid(twin)));
        objectOf.put(uuid(copy), objectOf.get(uuid(twin)));
        if (sentBackFrom.containsKey(uuid(twin))) {
            sentBackFrom.put(uuid(copy), sentBackFrom.get(uuid(twin)));
        }
        if (scenario.jobMemorySize() == 0 && (scenario.maxFlowFilesPerJob() != 1 || !scenario.serverKeys())) {
            // with no job memory, a copy that comes after its twin's request is only known to a server that honours the key of that
            // very request: its twin's own, unless the twin was sent in a request for several
            exempt.add(objectOf.get(uuid(twin)));
        }
        if (place == Step.Place.TRIGGER_QUEUE) {
            toTrigger(copy);
        } else {
            from.add(copy);
        }
    }

    /** A flowfile whose job is done comes back to TriggerBulkImport: a new upload, another collection, or after its job was aborted. */
    private void sendAgain(final Step.Again why, final int pick) {
        // a job done, or still running: what the flowfile's attributes say of it must not stick to a new import
        final List<MockFlowFile> candidates = why == Step.Again.ABORTED ? aborted : Stream.of(finished, started, polling).flatMap(List::stream)
                .filter(f -> f.getAttribute("bulkimport.job.id") != null && !"Failed".equals(f.getAttribute("bulkimport.state"))).toList();
        if (candidates.isEmpty() || why == Step.Again.OTHER_COLLECTION && scenario.options().collections() < 2) {
            return;
        }
        final MockFlowFile flowFile = candidates.get(pick % candidates.size());
        final String object = objectOf.get(uuid(flowFile));
        switch (why) {
            case REUPLOAD -> {
                uploads.merge(object, 1, Integer::sum);
                final Map<String, String> upload = attributes(uploadOf(flowFile), object, flowFile.getAttribute("target.collection"), false);
                flowFile.putAttributes(Map.of("s3.etag", upload.getOrDefault("s3.etag", ""), "gcs.generation", upload.getOrDefault("gcs.generation", ""),
                        "azure.etag", upload.getOrDefault("azure.etag", "")));
                uploadedAt.put(uuid(flowFile), System.currentTimeMillis());
                namers.merge(object, 1, Integer::sum);
            }
            case OTHER_COLLECTION -> {
                flowFile.putAttributes(Map.of("target.collection", COLLECTION.equals(flowFile.getAttribute("target.collection")) ? OTHER_COLLECTION : COLLECTION));
                namers.merge(object, 1, Integer::sum);
            }
            case ABORTED -> { }
        }
        if (why != Step.Again.OTHER_COLLECTION) {
            sentBackFrom.put(uuid(flowFile), flowFile.getAttribute("bulkimport.job.id"));
        }
        Stream.of(finished, started, polling, aborted).forEach(place -> place.remove(flowFile));
        toTrigger(flowFile);
    }

    /** Which kind of upload a flowfile carries, read back from its attributes. */
    private static Step.Upload uploadOf(final MockFlowFile flowFile) {
        if (flowFile.getAttribute("gcs.key") != null) {
            return Step.Upload.GCS;
        }
        if (flowFile.getAttribute("azure.primaryUri") != null) {
            return Step.Upload.AZURE;
        }
        return String.valueOf(flowFile.getAttribute("s3.key")).contains("bad-schema") ? Step.Upload.FAILING_FILE : Step.Upload.S3;
    }

    private void runTrigger(final int iterations) {
        try {
            trigger.run(iterations, false, !triggerScheduled);
        } catch (final Throwable e) {
            violation("an exception left TriggerBulkImport.onTrigger: " + e);
        }
        triggerScheduled = true;
        collectTriggerOutputs();
    }

    private void collectTriggerOutputs() {
        final List<MockFlowFile> out = takeOutputs(trigger, triggerQueue, "TriggerBulkImport");
        for (final MockFlowFile flowFile : out) {
            final String relationship = flowFile.getAttribute(RELATIONSHIP);
            flowFile.removeAttributes(Set.of(RELATIONSHIP));
            switch (relationship) {
                case "success" -> {
                    checkStartedJob(flowFile);
                    started.add(flowFile);
                }
                case "retry" -> retried.add(flowFile);
                default -> failed.add(flowFile);
            }
        }
        exemptAmbiguousCreates();
        checkCounter(trigger, "Bulk-import jobs started", startedByRunner.size());
        checkState(trigger, "TriggerBulkImport");
    }

    /** A flowfile TriggerBulkImport routed to success names the right job. */
    private void checkStartedJob(final MockFlowFile flowFile) {
        final String jobId = flowFile.getAttribute("bulkimport.job.id");
        final Job job = jobId == null ? null : emulator.job(jobId).orElse(null);
        if (job == null) {
            violation("TriggerBulkImport routed flowfile " + uuid(flowFile) + " to success with job " + jobId + ", which the server does not know");
            return;
        }
        if (!"true".equals(flowFile.getAttribute("bulkimport.reattached"))) {
            startedByRunner.add(jobId);
        }
        final String object = objectOf.get(uuid(flowFile));
        if (!job.collection().equals(flowFile.getAttribute("target.collection"))) {
            violation("TriggerBulkImport gave flowfile " + uuid(flowFile) + " for collection " + flowFile.getAttribute("target.collection")
                    + " job " + jobId + " of collection " + job.collection());
        } else if (!objectsOf(job).contains(object)) {
            violation("TriggerBulkImport gave flowfile " + uuid(flowFile) + " of " + object + " job " + jobId + ", which imports " + objectsOf(job));
        } else if (job.createdAt() < uploadedAt.getOrDefault(uuid(flowFile), 0L)) {
            violation("TriggerBulkImport gave flowfile " + uuid(flowFile) + " job " + jobId + ", started before its upload: a new upload is a new import");
        } else if (jobId.equals(sentBackFrom.get(uuid(flowFile)))) {
            violation("TriggerBulkImport gave flowfile " + uuid(flowFile) + " back job " + jobId + ", which it was sent back from (" + (job.aborted()
                    ? "aborted" : job.snapshot(System.currentTimeMillis()).state()) + ")");
        }
        sentBackFrom.remove(uuid(flowFile));
    }

    /**
     * NiFi dies during one run of TriggerBulkImport: its session is never committed, so the flowfiles
     * it took are back in the queue as they were, and the state is whatever had been stored by then.
     */
    private void crash(final boolean midRequest) {
        final List<MockFlowFile> before = new ArrayList<>(triggerQueue);
        final TestRunner crashing = trigger;
        final AtomicReference<Map<String, String>> atFirstRequest = new AtomicReference<>();
        emulator.onRequest(operation -> {
            if ("create".equals(operation)) {
                atFirstRequest.compareAndSet(null, stateOf(crashing));
            }
        });
        final int jobsBefore = emulator.jobCount();
        try {
            crashing.run(1, false, !triggerScheduled);
        } catch (final Throwable e) {
            violation("an exception left TriggerBulkImport.onTrigger: " + e);
        }
        emulator.onRequest(null);
        // what was logged before the crash did reach the log
        checkLogs(crashing.getLogger());
        checkLogs(crashing.getControllerServiceLogger(SERVICE_ID));
        checkProvenance(crashing);
        final Map<String, String> state = midRequest && atFirstRequest.get() != null ? atFirstRequest.get() : stateOf(crashing);
        final boolean replayCovered = scenario.serverKeys() || !midRequest && scenario.jobMemorySize() > 0;
        if (!replayCovered) {
            emulator.jobs().stream().skip(jobsBefore).forEach(job -> exempt.addAll(objectsOf(job)));
        }
        exemptAmbiguousCreates();
        stop(crashing);

        trigger = newTrigger();
        triggerScheduled = false;
        startedByRunner.clear();
        setState(trigger, state);
        triggerQueue.clear();
        before.forEach(this::toTrigger);
    }

    private void replay(final List<MockFlowFile> from, final boolean everyOther) {
        final List<MockFlowFile> chosen = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            if (!everyOther || i % 2 == 0) {
                chosen.add(from.get(i));
            }
        }
        from.removeAll(chosen);
        chosen.forEach(this::toTrigger);
    }

    private void runProgress(final boolean resendFailed) {
        if (progress == null) {
            progress = newRunner(new TracedProgress());
            progress.setProperty(JobInput.DATABASE_NAME,
                    "${bulkimport.database:replaceEmpty(${db.hint:toDate('yyyy'):format('yyyy')})}");
            progress.setProperty("Maximum Wait Time", scenario.options().maxWaitMillis() + " ms");
        }
        final List<MockFlowFile> waiting = new ArrayList<>(started);
        waiting.addAll(polling);
        started.clear();
        polling.clear();
        for (final MockFlowFile flowFile : waiting) {
            final MockFlowFile copy = copyOf(flowFile);
            progress.enqueue(copy);
            progressQueue.add(copy);
        }
        if (progressQueue.isEmpty()) {
            return;
        }
        final long runStart = System.currentTimeMillis();
        try {
            progress.run(Math.min(progressQueue.size(), 60), false, !progressScheduled);
        } catch (final Throwable e) {
            violation("an exception left GetBulkImportProgress.onTrigger: " + e);
        }
        progressScheduled = true;
        for (final MockFlowFile flowFile : takeOutputs(progress, progressQueue, "GetBulkImportProgress")) {
            final String relationship = flowFile.getAttribute(RELATIONSHIP);
            flowFile.removeAttributes(Set.of(RELATIONSHIP));
            checkProgressRouting(flowFile, relationship, runStart);
            switch (relationship) {
                case "running", "retry" -> polling.add(flowFile);
                case "uncommitted" -> uncommitted.add(flowFile);
                case "resubmit" -> {
                    // the relationship is made to loop back to TriggerBulkImport
                    sentBackFrom.put(uuid(flowFile), flowFile.getAttribute("bulkimport.job.id"));
                    toTrigger(flowFile);
                }
                case "failure" -> {
                    if (resendFailed && "Failed".equals(flowFile.getAttribute("bulkimport.state"))) {
                        sentBackFrom.put(uuid(flowFile), flowFile.getAttribute("bulkimport.job.id"));
                        toTrigger(flowFile);
                    } else {
                        finished.add(flowFile);
                    }
                }
                default -> finished.add(flowFile);
            }
        }
        // what is still queued at GetBulkImportProgress polls again next time
        polling.addAll(progressQueue);
        progressQueue.clear();
        progress.clearQueue();
        checkCounter(progress, "Bulk-import jobs completed", completedJobs.size());
        checkCounter(progress, "Bulk-import rows imported", completedRows);
        checkCounter(progress, "Bulk-import jobs failed", failedJobs.size());
        checkCounter(progress, "Bulk-import jobs expired", expiredJobs.size());
    }

    /** Where GetBulkImportProgress routes a flowfile: penalized when it loops, never past its deadline; each job counted once. */
    private void checkProgressRouting(final MockFlowFile flowFile, final String relationship, final long runStart) {
        final String jobId = flowFile.getAttribute("bulkimport.job.id");
        switch (relationship) {
            case "running", "uncommitted" -> {
                if (!flowFile.isPenalized()) {
                    violation("GetBulkImportProgress routed flowfile " + uuid(flowFile) + " to " + relationship + " unpenalized: its loop would spin");
                }
                final String submittedAt = flowFile.getAttribute("bulkimport.submitted.at");
                if (submittedAt != null && java.time.Instant.parse(submittedAt).toEpochMilli() + scenario.options().maxWaitMillis() < runStart) {
                    violation("GetBulkImportProgress routed flowfile " + uuid(flowFile) + " to " + relationship + " after its Maximum Wait Time");
                }
            }
            case "success" -> {
                if (completedJobs.add(jobId)) {
                    completedRows += Long.parseLong(java.util.Objects.requireNonNullElse(flowFile.getAttribute("bulkimport.imported.rows"), "0"));
                }
            }
            case "failure" -> {
                if ("JOB_FAILED".equals(flowFile.getAttribute("bulkimport.error.code"))) {
                    failedJobs.add(jobId);
                }
            }
            case "resubmit" -> {
                failedJobs.add(jobId);
                checkInnocent(flowFile, jobId);
            }
            case "expired" -> expiredJobs.add(jobId);
            default -> { }
        }
    }

    /** A flowfile resubmitted after its job failed holds none of the files that failed the job. */
    private void checkInnocent(final MockFlowFile flowFile, final String jobId) {
        final Set<String> files = new HashSet<>();
        for (final String line : java.util.Objects.requireNonNullElse(flowFile.getAttribute("bulkimport.object.urls"), "").split("\n")) {
            files.addAll(List.of(line.split(" \\+ ")));
        }
        for (final Job job : emulator.jobs()) {
            if (job.id().equals(jobId) && job.failingFile() >= 0 && !job.aborted()
                    && job.files().get(job.failingFile()).stream().anyMatch(files::contains)) {
                violation("GetBulkImportProgress resubmitted flowfile " + uuid(flowFile) + " although its file " + files
                        + " is the one that failed job " + jobId);
            }
        }
    }

    /** GetBulkImportProgress, watched: within one run, no job is described twice. */
    private final class TracedProgress extends GetBulkImportProgress {
        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) {
            final long before = emulator.requestCount();
            super.onTrigger(context, session);
            noJobTwice("describe", before, "GetBulkImportProgress described");
            nothingAfterARefusal(before, Set.of("describe", "list"), "GetBulkImportProgress");
        }
    }

    /** CommitBulkImport, watched: within one run, no job is committed twice. */
    private final class TracedCommit extends CommitBulkImport {
        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) {
            final long before = emulator.requestCount();
            super.onTrigger(context, session);
            noJobTwice("commit", before, "CommitBulkImport committed");
        }
    }

    /** AbortBulkImport, watched: within one run, no job is aborted twice. */
    private final class TracedAbort extends AbortBulkImport {
        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) {
            final long before = emulator.requestCount();
            super.onTrigger(context, session);
            noJobTwice("abort", before, "AbortBulkImport aborted");
        }
    }

    /** Of the requests since {@code before} (one run's, on a single task), none of {@code operations} follows one the server refused for now. */
    private void nothingAfterARefusal(final long before, final Set<String> operations, final String processor) {
        final List<RecordedCall> all = emulator.requests();
        final int since = (int) Math.min(all.size(), emulator.requestCount() - before);
        RecordedCall refused = null;
        for (final RecordedCall call : all.subList(all.size() - since, all.size())) {
            if (!operations.contains(call.operation())) {
                continue;
            }
            if (refused != null) {
                violation("a run of " + processor + " called " + call.operation() + " after the server refused its " + refused.operation()
                        + " for now (HTTP " + refused.status() + ", " + refused.fault() + ")");
                return;
            }
            if (refusedForNow(call)) {
                refused = call;
            }
        }
    }

    /** Of the requests since {@code before} (one run's, on a single task), none of {@code operation} names a job twice. */
    private void noJobTwice(final String operation, final long before, final String what) {
        final List<RecordedCall> all = emulator.requests();
        final int since = (int) Math.min(all.size(), emulator.requestCount() - before);
        final Set<String> jobs = new HashSet<>();
        for (final RecordedCall call : all.subList(all.size() - since, all.size())) {
            if (operation.equals(call.operation())) {
                final Matcher jobId = JOB_ID_IN_BODY.matcher(call.body());
                if (jobId.find() && !jobs.add(jobId.group(1))) {
                    violation(what + " job " + jobId.group(1) + " twice in one run");
                }
            }
        }
    }

    /**
     * Lets the started jobs finish importing and GetBulkImportProgress check them, then commits or
     * aborts the Uncommitted ones; each flowfile a processor calls done must find its job so on the server.
     */
    private void runAction(final boolean committing, final boolean everyOther) {
        if (!started.isEmpty() || !polling.isEmpty()) {
            try {
                Thread.sleep(IMPORT_MILLIS + 10);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            runProgress(false);
        }
        if (commit == null) {
            commit = newRunner(new TracedCommit());
            abort = newRunner(new TracedAbort());
        }
        final TestRunner runner = committing ? commit : abort;
        final String processor = committing ? "CommitBulkImport" : "AbortBulkImport";
        final List<MockFlowFile> chosen = new ArrayList<>();
        for (int i = 0; i < uncommitted.size(); i++) {
            if (!everyOther || i % 2 == 0) {
                chosen.add(uncommitted.get(i));
            }
        }
        uncommitted.removeAll(chosen);
        for (final MockFlowFile flowFile : chosen) {
            final MockFlowFile copy = copyOf(flowFile);
            runner.enqueue(copy);
            actionQueue.add(copy);
        }
        if (actionQueue.isEmpty()) {
            return;
        }
        try {
            runner.run(actionQueue.size(), false, true);
        } catch (final Throwable e) {
            violation("an exception left " + processor + ".onTrigger: " + e);
        }
        final long now = System.currentTimeMillis();
        for (final MockFlowFile flowFile : takeOutputs(runner, actionQueue, processor)) {
            final String relationship = flowFile.getAttribute(RELATIONSHIP);
            flowFile.removeAttributes(Set.of(RELATIONSHIP));
            if ("retry".equals(relationship)) {
                uncommitted.add(flowFile);
                continue;
            }
            final String jobId = flowFile.getAttribute("bulkimport.job.id");
            final Job job = emulator.job(jobId).orElse(null);
            (!committing && "success".equals(relationship) ? aborted : finished).add(flowFile);
            if ("success".equals(relationship) && job == null) {
                violation(processor + " routed flowfile " + uuid(flowFile) + " to success for job " + jobId + ", which the server does not know");
            } else if ("success".equals(relationship) && committing && (job.committedAt() < 0 || job.aborted())) {
                violation("CommitBulkImport routed flowfile " + uuid(flowFile) + " to success, but job " + jobId + " is not committed");
            } else if ("success".equals(relationship) && !committing && !"Failed".equals(job.snapshot(now).state())) {
                violation("AbortBulkImport routed flowfile " + uuid(flowFile) + " to success, but job " + jobId + " is " + job.snapshot(now).state());
            }
        }
        // what is still queued waits for the next commit or abort
        uncommitted.addAll(actionQueue);
        actionQueue.clear();
        runner.clearQueue();
    }

    private void runList() {
        if (list == null) {
            list = newRunner(new ListBulkImportJobs());
            list.setProperty(ListBulkImportJobs.OUTPUT_MODE, scenario.changesOnly() ? "Changes Only" : "All Jobs");
            list.setProperty(ListBulkImportJobs.PAGE_SIZE, String.valueOf(scenario.options().pageSize()));
            if (scenario.options().fromNowOn()) {
                list.setProperty(ListBulkImportJobs.INITIAL_LISTING, "From Now On");
            }
            if (scenario.options().recordWriter()) {
                recordWriter = new JsonLinesRecordWriter();
                try {
                    list.addControllerService("writer", recordWriter);
                } catch (final InitializationException e) {
                    throw new IllegalStateException(e);
                }
                list.enableControllerService(recordWriter);
                list.setProperty("Record Writer", "writer");
            }
        }
        final boolean first = !stateOf(list).containsKey("listed.at");
        final long before = emulator.requestCount();
        final Set<String> existing = new HashSet<>(statesNow().keySet());
        try {
            list.run(1, false, !listScheduled);
        } catch (final Throwable e) {
            violation("an exception left ListBulkImportJobs.onTrigger: " + e);
        }
        listScheduled = true;
        if (recordWriter != null) {
            recordWriter.heal();
        }
        final boolean sawEveryJob = emulator.requests().stream().skip(Math.max(0, emulator.requests().size() - (emulator.requestCount() - before)))
                .noneMatch(call -> call.fault() != null);
        if (first && stateOf(list).containsKey("listed.at") && scenario.changesOnly() && scenario.options().fromNowOn() && sawEveryJob) {
            history = existing;
        }
        for (final MockFlowFile flowFile : list.getFlowFilesForRelationship(ListBulkImportJobs.REL_SUCCESS)) {
            checkAttributes(flowFile, "ListBulkImportJobs success");
            // one job per flowfile, or one record per line
            flowFile.getContent().lines().forEach(line -> checkText("content of a listed job", line));
            if (recordWriter == null) {
                checkListed(flowFile.getAttribute("bulkimport.job.id"), flowFile.getAttribute("bulkimport.state"), flowFile.getAttribute("bulkimport.previous.state"));
            } else {
                flowFile.getContent().lines().map(io.github.bulkimport.nifi.testing.Json::parse).forEach(record -> checkListed(record.path("jobId").asText(),
                        record.path("state").asText(), record.hasNonNull("previousState") ? record.path("previousState").asText() : null));
            }
        }
        checkLogs(list.getLogger());
        checkLogs(list.getControllerServiceLogger(SERVICE_ID));
        checkProvenance(list);
        checkState(list, "ListBulkImportJobs");
        list.clearTransferState();
    }

    /** One job a listing emitted: in Changes Only mode, new once and never again in the same state; never a job of the first listing as new. */
    private void checkListed(final String jobId, final String state, final String previousState) {
        if (!scenario.changesOnly()) {
            return;
        }
        if (state != null && state.equals(lastListed.get(jobId))) {
            violation("ListBulkImportJobs emitted job " + jobId + " again in state " + state + " in Changes Only mode");
        }
        lastListed.put(jobId, state);
        if (previousState == null && !listedAsNew.add(jobId)) {
            violation("ListBulkImportJobs emitted job " + jobId + " as new a second time (state " + state + ")");
        }
        if (previousState == null && history != null && history.contains(jobId)) {
            violation("ListBulkImportJobs emitted job " + jobId + " of its first listing as new, with Initial Listing = From Now On");
        }
    }

    /** Every job the server holds, with its state now. */
    private Map<String, String> statesNow() {
        final long now = System.currentTimeMillis();
        final Map<String, String> states = new HashMap<>();
        emulator.jobs().forEach(job -> states.put(job.id(), job.snapshot(now).state()));
        return states;
    }

    private void verify(final Step.Upload upload) {
        final Map<String, String> attributes = attributes(upload, "o" + ++objects, COLLECTION, false);
        final List<ConfigVerificationResult> results;
        try {
            results = ((VerifiableProcessor) trigger.getProcessor()).verify(trigger.getProcessContext(), trigger.getLogger(), attributes);
        } catch (final Throwable e) {
            violation("an exception left TriggerBulkImport.verify: " + e);
            return;
        }
        for (final ConfigVerificationResult result : results) {
            checkText("verification step " + result.getVerificationStepName(), result.getExplanation());
        }
    }

    // ---- runners and flowfiles ------------------------------------------------------------------------

    private TestRunner newTrigger() {
        final TestRunner runner = newRunner(new TriggerBulkImport());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "${target.collection}");
        if (scenario.options().customKey()) {
            runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "${s3.etag:replaceEmpty(${gcs.generation}):replaceEmpty(${azure.etag})}");
        }
        if (scenario.options().numpy()) {
            runner.setProperty(ImportRequestReader.OBJECT_URLS, "${import.urls}");
        }
        if (scenario.maxFlowFilesPerJob() > 0) {
            runner.setProperty("Max Flowfiles per Job", String.valueOf(scenario.maxFlowFilesPerJob()));
        }
        runner.setProperty("Max Batch Wait", scenario.options().batchWaitMillis() + " ms");
        runner.setProperty("Max Requests in Flight", String.valueOf(scenario.maxInFlight()));
        runner.setProperty(JobMemory.SIZE, String.valueOf(scenario.jobMemorySize()));
        runner.setProperty("timeout", "${import.timeout:toDate('yyyy'):format('yyyy'):replaceEmpty('300')}s");
        if (scenario.twoPhase()) {
            runner.setProperty("auto_commit", "false");
        }
        runner.setThreadCount(scenario.threads());
        return runner;
    }

    private TestRunner newRunner(final Processor processor) {
        final TestRunner runner = TestRunners.newTestRunner(processor);
        final StandardBulkImportConnectionService service = new StandardBulkImportConnectionService();
        try {
            runner.addControllerService(SERVICE_ID, service);
        } catch (final InitializationException e) {
            throw new IllegalStateException(e);
        }
        runner.setProperty(service, StandardBulkImportConnectionService.DEPLOYMENT, scenario.deployment());
        runner.setProperty(service, StandardBulkImportConnectionService.ENDPOINT_URL, emulator.url());
        runner.setProperty(service, StandardBulkImportConnectionService.API_KEY, scenario.secrets().apiKey());
        runner.setProperty(service, StandardBulkImportConnectionService.RESPONSE_TIMEOUT, "300 ms");
        runner.setProperty(service, StandardBulkImportConnectionService.CONNECT_TIMEOUT, "1 sec");
        if (zilliz()) {
            runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ID, CLUSTER_ID);
            // collections are described by the cluster itself: the emulator answers for both
            runner.setProperty(service, StandardBulkImportConnectionService.CLUSTER_ENDPOINT, emulator.url());
            runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_ACCESS_KEY, scenario.secrets().accessKey());
            runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_SECRET_KEY, scenario.secrets().secretKey());
            runner.setProperty(service, StandardBulkImportConnectionService.STORAGE_SESSION_TOKEN, scenario.secrets().sessionToken());
        }
        runner.enableControllerService(service);
        runner.setProperty("Connection Service", SERVICE_ID);
        runner.setValidateExpressionUsage(true);
        return runner;
    }

    private void toValidate(final MockFlowFile flowFile) {
        final MockFlowFile copy = copyOf(flowFile);
        validator().enqueue(copy);
        validateQueue.add(copy);
    }

    private TestRunner validator() {
        if (validator == null) {
            validator = newRunner(new ValidateBulkImportFile());
            validator.setProperty(ImportRequestReader.COLLECTION_NAME, "${target.collection}");
        }
        return validator;
    }

    /**
     * ValidateBulkImportFile runs: a valid file goes on to TriggerBulkImport and must be one the server
     * imports; an invalid one is stopped and must be one the server fails (its object then never in a job);
     * retried ones come back.
     */
    private void runValidate(final int iterations) {
        if (!scenario.options().validate()) {
            return;
        }
        for (int i = 0; i < iterations; i++) {
            final long before = emulator.requestCount();
            try {
                validator().run(1, false, !validatorScheduled);
            } catch (final Throwable e) {
                violation("an exception left ValidateBulkImportFile.onTrigger: " + e);
            }
            validatorScheduled = true;
            nothingAfterARefusal(before, Set.of("collections/describe"), "ValidateBulkImportFile");
        }
        for (final MockFlowFile flowFile : takeOutputs(validator, validateQueue, "ValidateBulkImportFile")) {
            final String relationship = flowFile.getAttribute(RELATIONSHIP);
            flowFile.removeAttributes(Set.of(RELATIONSHIP));
            final String object = objectOf.get(uuid(flowFile));
            switch (relationship) {
                case "valid" -> {
                    if (failingObjects.contains(object)) {
                        violation("ValidateBulkImportFile passed the file of " + object + ", which the server fails");
                    }
                    toTrigger(flowFile);
                }
                case "invalid" -> {
                    if (!failingObjects.contains(object)) {
                        violation("ValidateBulkImportFile stopped the file of " + object + ", which the server imports: "
                                + flowFile.getAttribute("bulkimport.validation.errors"));
                    }
                    invalidObjects.add(object);
                    invalid.add(flowFile);
                }
                case "retry" -> toValidate(flowFile);
                default -> {
                    final String code = flowFile.getAttribute("bulkimport.error.code");
                    if ("UNEXPECTED".equals(code) || "CONTENT_UNREADABLE".equals(code)) {
                        violation("ValidateBulkImportFile sent the file of " + object + (hostileObjects.containsKey(object) ? " (" + hostileObjects.get(object)
                                + ")" : "") + " to failure as " + code + ": " + flowFile.getAttribute("bulkimport.error.message"));
                    }
                    notValidated.add(flowFile);
                }
            }
        }
    }

    /** A call the server refused for now, after which the client asks no more in that run. */
    private static boolean refusedForNow(final RecordedCall call) {
        return call.status() == 429 || call.status() == 502 || call.status() == 503 || call.status() == 500 || call.fault() == FaultType.RATE_LIMIT;
    }

    private void toTrigger(final MockFlowFile flowFile) {
        final MockFlowFile copy = copyOf(flowFile);
        trigger.enqueue(copy);
        triggerQueue.add(copy);
    }

    /** A flowfile moved to another runner gets an id no runner hands out, as ids key a session's flowfiles. */
    private static MockFlowFile copyOf(final MockFlowFile flowFile) {
        return new MockFlowFile(IDS.incrementAndGet(), flowFile);
    }

    private static final String RELATIONSHIP = "modelcheck.relationship";

    /**
     * Takes what a runner routed, checking that each flowfile came from its queue exactly once and
     * that the queue holds exactly the others. Each flowfile is labelled with its relationship.
     */
    private List<MockFlowFile> takeOutputs(final TestRunner runner, final List<MockFlowFile> queue, final String processor) {
        final List<MockFlowFile> out = new ArrayList<>();
        for (final Relationship relationship : runner.getProcessor().getRelationships()) {
            for (final MockFlowFile flowFile : runner.getFlowFilesForRelationship(relationship)) {
                checkAttributes(flowFile, processor + " " + relationship.getName());
                flowFile.putAttributes(Map.of(RELATIONSHIP, relationship.getName()));
                out.add(flowFile);
            }
        }
        final Set<String> queued = new HashSet<>();
        queue.forEach(flowFile -> queued.add(uuid(flowFile)));
        final Set<String> seen = new HashSet<>();
        for (final MockFlowFile flowFile : out) {
            if (!seen.add(uuid(flowFile))) {
                violation(processor + " routed flowfile " + uuid(flowFile) + " twice");
            }
            if (!queued.contains(uuid(flowFile))) {
                violation(processor + " routed flowfile " + uuid(flowFile) + ", which was not in its queue");
            }
        }
        queue.removeIf(flowFile -> seen.contains(uuid(flowFile)));
        if (runner.getQueueSize().getObjectCount() != queue.size()) {
            violation(processor + "'s queue holds " + runner.getQueueSize().getObjectCount() + " flowfiles where " + queue.size()
                    + " are left: a flowfile was lost or duplicated");
        }
        checkLogs(runner.getLogger());
        checkLogs(runner.getControllerServiceLogger(SERVICE_ID));
        checkProvenance(runner);
        runner.clearTransferState();
        return out;
    }

    private static String uuid(final MockFlowFile flowFile) {
        return flowFile.getAttribute("uuid");
    }

    private static Map<String, String> stateOf(final TestRunner runner) {
        try {
            return runner.getStateManager().getState(stateScope(runner)).toMap();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setState(final TestRunner runner, final Map<String, String> state) {
        try {
            runner.getStateManager().setState(state, stateScope(runner));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Scope stateScope(final TestRunner runner) {
        final Stateful stateful = runner.getProcessor().getClass().getAnnotation(Stateful.class);
        return stateful == null ? Scope.LOCAL : stateful.scopes()[0];
    }

    private static void stop(final TestRunner runner) {
        try {
            runner.stop();
        } catch (final Throwable ignored) {
            // a runner that never ran has nothing to stop
        }
        runner.disableControllerService(runner.getControllerService(SERVICE_ID));
    }

    // ---- invariants ---------------------------------------------------------------------------------

    private void checkInvariants() {
        checkEveryFlowFileInOnePlace();
        checkNoDoubleImport();
        checkNoJobBothCommittedAndAborted();
        checkNoJobForAStoppedFile();
    }

    /** A file ValidateBulkImportFile stopped is in no job: it was stopped before any. */
    private void checkNoJobForAStoppedFile() {
        for (final Job job : emulator.jobs()) {
            for (final String object : objectsOf(job)) {
                if (invalidObjects.contains(object)) {
                    violation("job " + job.id() + " imports " + object + ", whose file ValidateBulkImportFile stopped");
                }
            }
        }
    }

    /** A counter of a runner holds {@code expected}: each job counted once, by its ID. */
    private void checkCounter(final TestRunner runner, final String counter, final long expected) {
        final Long value = runner.getCounterValue(counter);
        if ((value == null ? 0 : value) != expected) {
            violation("counter '" + counter + "' holds " + value + " where the flowfiles name " + expected + " distinct jobs (or their rows)");
        }
    }

    /** No secret in what a processor keeps in state, keys or values. */
    private void checkState(final TestRunner runner, final String processor) {
        stateOf(runner).forEach((key, value) -> {
            checkSecrets(processor + " state key", key);
            checkSecrets(processor + " state value", value);
        });
    }

    private void checkNoJobBothCommittedAndAborted() {
        for (final Job job : emulator.jobs()) {
            if (job.committedAt() >= 0 && job.aborted()) {
                violation("job " + job.id() + " was committed and aborted");
            }
        }
    }

    private void checkEveryFlowFileInOnePlace() {
        final Map<String, Integer> places = new HashMap<>();
        Stream.of(triggerQueue, retried, failed, started, progressQueue, polling, finished, uncommitted, actionQueue, aborted, validateQueue, invalid,
                        notValidated).flatMap(List::stream)
                .forEach(flowFile -> places.merge(uuid(flowFile), 1, Integer::sum));
        places.forEach((uuid, count) -> {
            if (count > 1) {
                violation("flowfile " + uuid + " is in " + count + " places");
            }
        });
        for (final String uuid : everyFlowFile) {
            if (!places.containsKey(uuid)) {
                violation("flowfile " + uuid + " is nowhere: it was lost");
            }
        }
    }

    private void exemptAmbiguousCreates() {
        if (scenario.serverKeys()) {
            return;
        }
        // a server that ignores Idempotency-Key and whose answer never arrived intact: no client can tell the job exists
        for (final RecordedCall call : emulator.requests("create")) {
            if (call.jobId() != null && call.fault() != null && call.fault().processes()) {
                emulator.job(call.jobId()).ifPresent(job -> exempt.addAll(objectsOf(job)));
            }
        }
    }

    private void checkNoDoubleImport() {
        final long now = System.currentTimeMillis();
        final Map<String, Integer> liveJobs = new HashMap<>();
        for (final Job job : emulator.jobs()) {
            final Set<String> files = new HashSet<>();
            for (final List<String> group : job.files()) {
                for (final String file : group) {
                    if (!files.add(file)) {
                        violation("job " + job.id() + " lists " + file + " twice");
                    }
                }
            }
            if (!"Failed".equals(job.snapshot(now).state())) {
                objectsOf(job).forEach(object -> liveJobs.merge(object, 1, Integer::sum));
            }
        }
        liveJobs.forEach((object, jobs) -> {
            if (jobs > namers.getOrDefault(object, 0) && !exempt.contains(object)) {
                violation("object " + object + " is in " + jobs + " live jobs but only " + namers.get(object) + " flowfile(s) name it");
            }
        });
    }

    private static Set<String> objectsOf(final Job job) {
        final Set<String> found = new HashSet<>();
        for (final List<String> group : job.files()) {
            for (final String file : group) {
                final Matcher matcher = OBJECT.matcher(file);
                while (matcher.find()) {
                    found.add(matcher.group(1));
                }
            }
        }
        return found;
    }

    private void checkAttributes(final MockFlowFile flowFile, final String where) {
        for (final Map.Entry<String, String> attribute : flowFile.getAttributes().entrySet()) {
            final String place = "attribute " + attribute.getKey() + " on " + where;
            checkSecrets(place, attribute.getValue());
            if (MULTI_LINE_ATTRIBUTES.contains(attribute.getKey())) {
                attribute.getValue().lines().forEach(line -> checkText(place, line));
            } else if (attribute.getKey().startsWith("bulkimport.")) {
                checkText(place, attribute.getValue());
            }
        }
    }

    private void checkLogs(final MockComponentLog log) {
        final List<LogMessage> messages = Stream.of(log.getDebugMessages(), log.getInfoMessages(), log.getWarnMessages(), log.getErrorMessages())
                .flatMap(List::stream).toList();
        final int seen = logsSeen.getOrDefault(log, 0);
        if (messages.size() == seen) {
            return;
        }
        logsSeen.put(log, messages.size());
        // the lists are per level: look at all of them again, they are short
        for (final LogMessage message : messages) {
            final String text = withoutComponent(message.getMsg());
            checkText("log message", text);
            for (Throwable t = message.getThrowable(); t != null; t = t.getCause()) {
                checkSecrets("logged exception", t.toString());
            }
        }
    }

    /** nifi-mock puts the component's name in front of every message; NiFi shows it apart from the message. */
    private static String withoutComponent(final String message) {
        final int end = message == null ? -1 : message.indexOf("] ");
        return end < 0 || end > 120 ? message : message.substring(end + 2);
    }

    private void checkProvenance(final TestRunner runner) {
        for (final ProvenanceEventRecord event : runner.getProvenanceEvents()) {
            if (event == null) {
                // nifi-mock collects the events of concurrent tasks in a plain ArrayList, which can hold a null after a race
                continue;
            }
            checkText("provenance details", event.getDetails());
            checkSecrets("provenance transit URI", event.getTransitUri());
            for (final Map.Entry<String, String> attribute : event.getUpdatedAttributes().entrySet()) {
                checkSecrets("provenance attribute " + attribute.getKey(), attribute.getValue());
            }
        }
        runner.clearProvenanceEvents();
    }

    /** A message a user reads: no secret, at most 1,000 characters, no control characters. */
    private void checkText(final String place, final String text) {
        if (text == null) {
            return;
        }
        checkSecrets(place, text);
        if (text.length() > MAX_MESSAGE) {
            violation(place + " has " + text.length() + " characters: " + text.substring(0, 200) + "...");
        }
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                violation(place + " holds control character U+" + String.format("%04X", (int) c) + ": "
                        + text.substring(0, Math.min(200, text.length())));
                return;
            }
        }
    }

    private void checkSecrets(final String place, final String text) {
        final String run = secretRuns.find(text);
        if (run != null) {
            violation("a secret's characters '" + run + "' reached " + place + ": " + text.substring(0, Math.min(300, text.length())));
        }
    }

    private void violation(final String what) {
        violations.add("step " + step + " (" + currentStep + "): " + what);
    }

    @Override
    public void close() {
        Stream.of(trigger, progress, list, commit, abort).filter(java.util.Objects::nonNull).forEach(World::stop);
        emulator.close();
    }
}
