package io.github.bulkimport.nifi.processors.listing;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.processors.common.AbstractBulkImportProcessor;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.listing.ListingRecords.ListedJob;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.scheduling.SchedulingStrategy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.*;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "list", "jobs", "monitor", "alert"})
@CapabilityDescription("Lists the bulk-import jobs of a Zilliz Cloud cluster or a Milvus instance, optionally of one collection, and emits one "
        + "flowfile per job with its ID, collection, state and progress as attributes and the job as JSON content. In Changes Only mode it "
        + "remembers each job's last state and emits a flowfile only for new jobs and jobs whose state changed, so a flow can alert on "
        + "failed imports with no input. With a Record Writer, the jobs a run emits are records of one flowfile instead. Runs on the "
        + "primary node only.")
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@PrimaryNodeOnly
@TriggerSerially
@DefaultSchedule(strategy = SchedulingStrategy.TIMER_DRIVEN, period = "1 min")
@Stateful(scopes = Scope.CLUSTER, description = "In Changes Only mode: the last state seen of every unfinished job (key job.<jobId>), kept "
        + "for 48 hours once listings stop showing it (pages that shift while they are read hide a job now and then); a 48-bit digest of every "
        + "finished job, kept until no listing has shown it for a day or two (keys finished.*, finished-before.*); and when the last listing ran "
        + "(listed.at). At most 900 KB, about 100,000 finished jobs. Clearing the state makes the next listing a first listing again (see Initial "
        + "Listing).")
@WritesAttributes({
        @WritesAttribute(attribute = JOB_ID, description = JOB_ID_DESC),
        @WritesAttribute(attribute = COLLECTION, description = COLLECTION_DESC),
        @WritesAttribute(attribute = STATE, description = STATE_DESC),
        @WritesAttribute(attribute = PREVIOUS_STATE, description = PREVIOUS_STATE_DESC + " In Changes Only mode only."),
        @WritesAttribute(attribute = PROGRESS, description = PROGRESS_DESC),
        @WritesAttribute(attribute = REASON, description = REASON_DESC),
        @WritesAttribute(attribute = CHECKED_AT, description = CHECKED_AT_DESC),
        @WritesAttribute(attribute = "mime.type", description = "application/json, or with a Record Writer the writer's MIME type."),
        @WritesAttribute(attribute = "record.count", description = "With a Record Writer: how many jobs the listing's flowfile holds.")
})
@SeeAlso(classNames = {
        "io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
        "io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
        "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService"})
@UseCase(description = "Alert when any bulk import on a cluster fails, whoever started it.",
        configuration = """
                Set Output Mode to Changes Only. Schedule the processor every minute or so.
                Route success through RouteOnAttribute with failed = ${bulkimport.state:equals('Failed')} to an alert.
                """)
public class ListBulkImportJobs extends AbstractBulkImportProcessor<ListingRouting> {

    /** A listing stops after this many pages even if the server claims more, to bound one run. */
    static final int MAX_PAGES = 1_000;

    static final AllowableValue ALL_JOBS = new AllowableValue("All Jobs", "All Jobs", "Emit a flowfile for every listed job on every run.");
    static final AllowableValue CHANGES_ONLY = new AllowableValue("Changes Only", "Changes Only",
            "Emit a flowfile only for jobs not seen before and jobs whose state changed since the last run.");

    public static final PropertyDescriptor COLLECTION_NAME = new PropertyDescriptor.Builder()
            .name("Collection Name")
            .description("List only this collection's jobs; empty lists every job the credentials can see.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor DATABASE_NAME = new PropertyDescriptor.Builder()
            .name("Database Name")
            .description("The database to list in (Milvus); empty means the default database.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor OUTPUT_MODE = new PropertyDescriptor.Builder()
            .name("Output Mode")
            .description("Whether to emit every job on every run, or only new jobs and state changes.")
            .required(true)
            .allowableValues(CHANGES_ONLY, ALL_JOBS)
            .defaultValue(CHANGES_ONLY)
            .build();

    public static final PropertyDescriptor PAGE_SIZE = new PropertyDescriptor.Builder()
            .name("Page Size")
            .description("Jobs asked for per request on Zilliz Cloud (Milvus returns all jobs at once).")
            .required(true)
            .defaultValue("100")
            .addValidator(StandardValidators.createLongValidator(1, 100, true))
            .build();

    static final AllowableValue ALL_EXISTING = new AllowableValue("All Existing Jobs", "All Existing Jobs",
            "The first listing emits every job the server knows.");
    static final AllowableValue FROM_NOW_ON = new AllowableValue("From Now On", "From Now On",
            "The first listing emits nothing and records where every job stands; later listings emit the jobs that appear after it and the "
                    + "state changes of every job, older ones included.");

    public static final PropertyDescriptor INITIAL_LISTING = new PropertyDescriptor.Builder()
            .name("Initial Listing")
            .description("What the first listing emits: the first one after the processor is added, or after its state is cleared.")
            .required(true)
            .allowableValues(ALL_EXISTING, FROM_NOW_ON)
            .defaultValue(ALL_EXISTING)
            .dependsOn(OUTPUT_MODE, CHANGES_ONLY)
            .build();

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("One flowfile per listed (or, in Changes Only mode, new or changed) job; with a Record Writer, one flowfile per listing.")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, COLLECTION_NAME, DATABASE_NAME, OUTPUT_MODE, INITIAL_LISTING,
            PAGE_SIZE, ListingRecords.RECORD_WRITER);
    /** A property of earlier versions: the bound of remembered jobs, which is now the state's size alone. */
    private static final String REMOVED_MAXIMUM_REMEMBERED_JOBS = "Maximum Remembered Jobs";
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS);
    /** The keys of its listing memory (cluster state): part of the bundle's compatibility contract, carried over an upgrade. */
    public static final List<String> STATE_KEYS = ListingMemory.STATE_KEYS;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @Override
    public void migrateProperties(final PropertyConfiguration config) {
        config.removeProperty(REMOVED_MAXIMUM_REMEMBERED_JOBS);
    }

    @Override
    protected ListingRouting routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service) {
        return new ListingRouting(context, session, service, getLogger(), throttleGate);
    }

    @Override
    protected void trigger(final ProcessContext context, final ProcessSession session, final ListingRouting routing) {
        final BulkImportConnectionService service = connectionService(context);
        final Collection<JobSummary> jobs;
        try {
            jobs = listAll(context, service, calls -> session.adjustCounter(Counters.HTTP_CALLS, calls, false));
        } catch (final ImportApiException e) {
            throttleGate.slowDown(context, e);
            routing.giveUp("Listing bulk-import jobs failed: " + e.getMessage());
            return;
        }

        final boolean changesOnly = CHANGES_ONLY.getValue().equals(context.getProperty(OUTPUT_MODE).getValue());
        final ListingMemory memory;
        try {
            memory = changesOnly ? ListingMemory.of(session.getState(Scope.CLUSTER).toMap(), System.currentTimeMillis()) : null;
        } catch (final IOException e) {
            routing.giveUp("Cannot read the states of previously listed jobs: " + e.getMessage());
            return;
        }
        // the first listing after the state was cleared: with From Now On, it only records where every job stands
        final boolean silent = changesOnly && memory.isFirstListing() && FROM_NOW_ON.getValue().equals(context.getProperty(INITIAL_LISTING).getValue());
        final String listedAt = now();
        final List<ListedJob> listed = new ArrayList<>();
        for (final JobSummary job : jobs) {
            final String state = job.state().displayName(job.rawState());
            if (!changesOnly) {
                listed.add(new ListedJob(job, state, null));
                continue;
            }
            final ListingMemory.Seen seen = memory.see(job.jobId(), state);
            if (seen.changed() && !silent) {
                listed.add(new ListedJob(job, state, seen.previousState()));
            }
        }
        try {
            emit(context, session, routing, listed, listedAt);
            if (changesOnly) {
                final Map<String, String> state = memory.toState(listedAt, System.currentTimeMillis());
                if (memory.dropped() > 0) {
                    getLogger().warn("The listing holds more jobs than the cluster state keeps (900 KB): {} jobs are not remembered and will be "
                            + "emitted again if a listing shows them; set Collection Name to list fewer jobs", memory.dropped());
                }
                // committed with the session: a crash before commit neither loses nor repeats a change
                session.setState(state, Scope.CLUSTER);
            }
        } catch (final IOException | SchemaNotFoundException e) {
            routing.giveUp("Cannot emit the listing or store the states of listed jobs: " + e.getMessage());
            return;
        }
        getLogger().debug("Listed {} jobs, emitted {}", jobs.size(), listed.size());
        if (listed.isEmpty()) {
            context.yield();
        }
    }

    private void emit(final ProcessContext context, final ProcessSession session, final ListingRouting routing, final List<ListedJob> listed,
                      final String listedAt) throws IOException, SchemaNotFoundException {
        final String transitUri = connectionService(context).addressOf(Operation.LIST);
        if (!context.getProperty(ListingRecords.RECORD_WRITER).isSet()) {
            listed.forEach(job -> emit(session, routing, job, listedAt, transitUri));
        } else if (!listed.isEmpty()) {
            final RecordSetWriterFactory writer = context.getProperty(ListingRecords.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class);
            final FlowFile flowFile = session.putAttribute(ListingRecords.write(session, writer, getLogger(), listed, listedAt), CHECKED_AT, listedAt);
            session.getProvenanceReporter().receive(flowFile, transitUri);
            routing.transfer(flowFile, REL_SUCCESS);
        }
    }

    /**
     * Every job, page after page. A job that new jobs push onto the next page while the listing runs
     * shows up twice: it is kept once.
     */
    private static Collection<JobSummary> listAll(final ProcessContext context, final BulkImportConnectionService service, final IntConsumer calls)
            throws ImportApiException {
        PageRequest page = new PageRequest(context.getProperty(COLLECTION_NAME).evaluateAttributeExpressions().getValue(),
                context.getProperty(DATABASE_NAME).evaluateAttributeExpressions().getValue(), 1, context.getProperty(PAGE_SIZE).asInteger());
        final Map<String, JobSummary> jobs = new LinkedHashMap<>();
        for (int pages = 0; pages < MAX_PAGES; pages++, page = page.next()) {
            calls.accept(1);
            final JobPage result = service.listJobs(page);
            result.jobs().forEach(job -> jobs.putIfAbsent(job.jobId(), job));
            if (!result.hasMore()) {
                break;
            }
        }
        return jobs.values();
    }

    private static void emit(final ProcessSession session, final ListingRouting routing, final ListedJob listed, final String listedAt,
                             final String transitUri) {
        final JobSummary job = listed.job();
        final byte[] content = ListingRecords.json(job);
        FlowFile flowFile = session.write(session.create(), out -> out.write(content));
        final Map<String, String> attributes = new HashMap<>(10);
        attributes.put(JOB_ID, job.jobId());
        putIfPresent(attributes, COLLECTION, job.collectionName());
        attributes.put(STATE, listed.state());
        putIfPresent(attributes, PREVIOUS_STATE, listed.previousState());
        putIfPresent(attributes, PROGRESS, job.progress());
        putIfPresent(attributes, REASON, job.reason());
        attributes.put(CHECKED_AT, listedAt);
        attributes.put(CoreAttributes.MIME_TYPE.key(), "application/json");
        flowFile = session.putAllAttributes(flowFile, attributes);
        session.getProvenanceReporter().receive(flowFile, transitUri);
        routing.transfer(flowFile, REL_SUCCESS);
    }

    @Override
    protected void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog verificationLogger,
                          final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        try {
            final Collection<JobSummary> jobs = listAll(context, service, calls -> { });
            final long failed = jobs.stream().filter(job -> job.state() == JobState.FAILED).count();
            results.add(verification(service, "List Import Jobs", Outcome.SUCCESSFUL, "Listed " + jobs.size() + " jobs, " + failed + " of them Failed"));
        } catch (final ImportApiException e) {
            verificationLogger.warn(e.getMessage());
            results.add(verification(service, "List Import Jobs", Outcome.FAILED, e.getMessage()));
        }
    }
}
