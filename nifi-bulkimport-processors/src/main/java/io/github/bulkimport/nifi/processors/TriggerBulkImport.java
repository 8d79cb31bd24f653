package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.client.ImportApiClient;
import io.github.bulkimport.nifi.client.ImportApiException;
import io.github.bulkimport.nifi.model.Deployment;
import io.github.bulkimport.nifi.model.ImportRequest;
import io.github.bulkimport.nifi.model.InvalidInputException;
import io.github.bulkimport.nifi.service.BulkImportConnectionService;
import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.MultiProcessorUseCase;
import org.apache.nifi.annotation.documentation.ProcessorConfiguration;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Tags({"milvus", "zilliz", "vector", "bulk import", "import", "embeddings", "s3", "gcs", "azure"})
@CapabilityDescription("Starts a Milvus or Zilliz Cloud bulk-import job for the files a flowfile points at, and routes the flowfile to success "
        + "with the job ID in bulkimport.job.id. Right after PutS3Object, PutGCSObject or PutAzureBlobStorage_v12 it needs no Object URLs: "
        + "the URL is built from the upload processor's attributes. The job runs asynchronously on the server; follow it with "
        + "GetBulkImportProgress. Transient errors and throttling go to retry, everything else to failure; no flowfile content is read.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@ReadsAttributes({
        @ReadsAttribute(attribute = "s3.bucket, s3.key", description = "Written by PutS3Object; become s3://bucket/key when Object URLs is not set."),
        @ReadsAttribute(attribute = "gcs.bucket, gcs.key", description = "Written by PutGCSObject; become gs://bucket/key when Object URLs is not set."),
        @ReadsAttribute(attribute = "azure.primaryUri", description = "Written by PutAzureBlobStorage_v12; used as is when Object URLs is not set.")
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
        @WritesAttribute(attribute = BulkImportAttributes.OBJECT_COUNT, description = "How many files were sent (success)."),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_CODE, description = "On retry and failure: the server's error code, or this "
                + "bundle's classification (INVALID_INPUT, TIMEOUT, CONNECT_FAILED, IO_ERROR, NOT_JSON, HTTP_503, ...)."),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_MESSAGE, description = "On retry and failure: what went wrong and what to fix."),
        @WritesAttribute(attribute = BulkImportAttributes.HTTP_STATUS, description = "On retry and failure: the HTTP status, when an answer arrived.")
})
@DynamicProperty(name = "An import option, such as timeout, sep or skip_disk_quota_check",
        value = "The option's value, sent as a JSON string",
        expressionLanguageScope = ExpressionLanguageScope.FLOWFILE_ATTRIBUTES,
        description = "Each dynamic property becomes one entry of the request's options object, for example timeout = 300s.")
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

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("The job was started; bulkimport.job.id holds its ID.")
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

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME, OBJECT_URLS);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_RETRY, REL_FAILURE);

    private final ImportRequestReader requestReader = new ImportRequestReader(COLLECTION_NAME, PARTITION_NAME, DATABASE_NAME, OBJECT_URLS);

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

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        if (throttleGate.isClosed()) {
            context.yield();
            return;
        }
        final FlowFile flowFile = session.get();
        if (flowFile == null) {
            return;
        }
        final BulkImportConnectionService service = connectionService(context);
        final ImportApiClient client = service.getClient();
        final Deployment deployment = service.getDeployment();

        final ImportRequestReader.FlowFileImport input;
        try {
            input = requestReader.read(context, flowFile.getAttributes(), deployment);
        } catch (final InvalidInputException e) {
            routeInvalidInput(session, flowFile, client.redactor().redact(e.getMessage()), REL_FAILURE);
            return;
        }

        final ImportRequest request = new ImportRequest(input.target(), input.files());
        final String jobId;
        try {
            jobId = client.createJob(request, null);
        } catch (final ImportApiException e) {
            routeFailedCall(context, session, flowFile, e, REL_RETRY, REL_FAILURE, "Starting a bulk import");
            return;
        }

        FlowFile started = session.removeAllAttributes(flowFile, ErrorAttributes.NAMES);
        started = session.putAllAttributes(started, successAttributes(jobId, request));
        session.getProvenanceReporter().invokeRemoteProcess(started, client.uriOf(ImportApiClient.CREATE_PATH),
                "Started bulk-import job " + jobId + " into collection " + request.target().collection() + " with " + request.files().size() + " file(s)");
        session.transfer(started, REL_SUCCESS);
    }

    private static Map<String, String> successAttributes(final String jobId, final ImportRequest request) {
        final Map<String, String> attributes = new HashMap<>(12);
        attributes.put(BulkImportAttributes.JOB_ID, jobId);
        attributes.put(BulkImportAttributes.COLLECTION, request.target().collection());
        putIfPresent(attributes, BulkImportAttributes.PARTITION, request.target().partition());
        putIfPresent(attributes, BulkImportAttributes.DATABASE, request.target().database());
        attributes.put(BulkImportAttributes.SUBMITTED_AT, now());
        attributes.put(BulkImportAttributes.OBJECT_URLS, String.join("\n", request.files()));
        attributes.put(BulkImportAttributes.OBJECT_COUNT, String.valueOf(request.files().size()));
        return attributes;
    }

    private static void putIfPresent(final Map<String, String> attributes, final String name, final String value) {
        if (value != null) {
            attributes.put(name, value);
        }
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
            input = requestReader.read(context, attributes, deployment);
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
