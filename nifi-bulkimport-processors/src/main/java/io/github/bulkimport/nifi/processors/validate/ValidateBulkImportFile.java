package io.github.bulkimport.nifi.processors.validate;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.processors.common.AbstractBulkImportProcessor;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.processors.common.JobInput;
import io.github.bulkimport.nifi.processors.common.RunCalls;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.validate.rows.CsvRows;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.file.FileFormat;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import io.github.bulkimport.nifi.processors.validate.rows.JsonRows;
import io.github.bulkimport.nifi.processors.validate.rows.NumpyHeader;
import io.github.bulkimport.nifi.processors.validate.parquet.ParquetFile;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.SupportsBatching;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.FILE_FORMAT;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.FILE_FORMAT_DESC;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.VALIDATION_ERRORS;
import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.VALIDATION_ERRORS_DESC;

@Tags({"milvus", "zilliz", "vector", "bulk import", "validate", "schema", "parquet", "json", "csv", "numpy"})
@CapabilityDescription("Checks a file against the collection it is meant for before any import starts: every required field present, none "
        + "the server generates, types that convert, vectors of the collection's dimension, text within its maximum length, arrays within "
        + "their capacity, dynamic fields where the server reads them, the file within the server's size limit. Reads the flowfile's content "
        + "as Parquet (the footer and the first page of the columns whose values matter, never the whole file), JSON rows, CSV or NumPy "
        + "(the header), and the collection's schema through the connection service, described once a minute. Routes to valid, or to "
        + "invalid with every problem in bulkimport.validation.errors.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@SupportsBatching
@ReadsAttributes({
        @ReadsAttribute(attribute = "filename", description = "The file's name: its format (.parquet, .json, .jsonl, .csv, .npy), and for "
                + "NumPy, the field it holds.")})
@WritesAttributes({
        @WritesAttribute(attribute = VALIDATION_ERRORS, description = VALIDATION_ERRORS_DESC),
        @WritesAttribute(attribute = BulkImportAttributes.VALIDATION_BAD_ROWS, description = BulkImportAttributes.VALIDATION_BAD_ROWS_DESC),
        @WritesAttribute(attribute = BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS, description = BulkImportAttributes.VALIDATION_FIRST_BAD_ROWS_DESC),
        @WritesAttribute(attribute = FILE_FORMAT, description = FILE_FORMAT_DESC),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_CODE, description = "On retry and failure: why the schema could not be fetched."),
        @WritesAttribute(attribute = BulkImportAttributes.ERROR_MESSAGE, description = "On retry and failure: what went wrong and what to fix.")})
@SeeAlso(classNames = {"io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
        "io.github.bulkimport.nifi.service.StandardBulkImportConnectionService"})
@UseCase(description = "Stop a file that would fail its import before it is uploaded or imported.",
        configuration = """
                Place ValidateBulkImportFile where the flowfile's content is the file: before PutS3Object (PutS3Object passes the content \
                through, so after it works too). Set Connection Service and Collection Name as on TriggerBulkImport. Route valid on to the \
                upload or to TriggerBulkImport, invalid to an alert (bulkimport.validation.errors says what to fix), retry back to the \
                processor. On Zilliz Cloud, set Cluster Endpoint on the connection service: collections are described there.""")
public class ValidateBulkImportFile extends AbstractBulkImportProcessor<ValidationRouting> {

    static final AllowableValue DETECT = new AllowableValue("Detect", "Detect",
            "From the file's name (.parquet, .json, .jsonl, .csv, .npy), else from its first bytes.");

    static final PropertyDescriptor FILE_FORMAT_PROPERTY = new PropertyDescriptor.Builder()
            .name("File Format")
            .description("The format the file is read as.")
            .required(true)
            .allowableValues(formats())
            .defaultValue(DETECT)
            .build();

    static final PropertyDescriptor CSV_SEPARATOR = new PropertyDescriptor.Builder()
            .name("CSV Separator")
            .description("The character between the cells of a CSV file: set it as TriggerBulkImport's import option sep is set (a tab is "
                    + "${literal('\\t')}).")
            .required(true)
            .defaultValue(",")
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    static final PropertyDescriptor CSV_NULL_KEY = new PropertyDescriptor.Builder()
            .name("CSV Null Key")
            .description("The text of a CSV cell that stands for null, as TriggerBulkImport's import option nullkey says; unset, an empty cell "
                    + "is null, as on the server.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    static final PropertyDescriptor NUMPY_FIELD = new PropertyDescriptor.Builder()
            .name("NumPy Field")
            .description("The field a NumPy file holds: Milvus matches a .npy file to its field by the file's name.")
            .required(true)
            .defaultValue("${filename:substringBeforeLast('.')}")
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    static final AllowableValue FIRST_PAGES = new AllowableValue("First Pages", "First Pages",
            "The file's declarations and its first rows: a Parquet footer and the first page of the columns whose values matter, the first "
                    + "Rows to Check rows of JSON and CSV, a NumPy header. The cost does not grow with the file.");
    static final AllowableValue WHOLE_FILE = new AllowableValue("Whole File", "Whole File",
            "Every row: every row group and page of the Parquet columns whose values matter, every row of JSON and CSV, every value of NumPy; each "
                    + "bad row is named, and listed on the report relationship. The cost follows the file's size, the memory a page and a row.");

    static final PropertyDescriptor VALIDATION_DEPTH = new PropertyDescriptor.Builder()
            .name("Validation Depth")
            .description("How much of the file is read. First Pages finds what the file declares wrong (a field missing, a wrong type, a vector of "
                    + "the wrong dimension in the first rows) in milliseconds whatever its size. Whole File also finds a bad value anywhere (NaN in "
                    + "a vector, text over its maximum length, a null where the field is not nullable, invalid JSON, a malformed sparse vector), "
                    + "reading the file to its end.")
            .required(true)
            .allowableValues(FIRST_PAGES, WHOLE_FILE)
            .defaultValue(FIRST_PAGES)
            .build();

    static final PropertyDescriptor ROWS_TO_CHECK = new PropertyDescriptor.Builder()
            .name("Rows to Check")
            .description("With First Pages: how many of the first rows are read for values: vector dimensions, text lengths, array lengths and, "
                    + "in JSON and CSV, every value's type. Parquet reads no more than the first page of a column holds. Whole File reads every row.")
            .required(true)
            .defaultValue("100")
            .addValidator(StandardValidators.createLongValidator(1, 100_000, true))
            .build();

    static final PropertyDescriptor SCHEMA_CACHE_DURATION = new PropertyDescriptor.Builder()
            .name("Schema Cache Duration")
            .description("How long a collection's schema is kept before it is described again.")
            .required(true)
            .defaultValue("1 min")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(CONNECTION_SERVICE, ImportRequestReader.COLLECTION_NAME,
            ImportRequestReader.DATABASE_NAME, ImportRequestReader.PARTITION_NAME, FILE_FORMAT_PROPERTY, CSV_SEPARATOR, CSV_NULL_KEY, NUMPY_FIELD,
            VALIDATION_DEPTH, ROWS_TO_CHECK, SCHEMA_CACHE_DURATION);
    /** Files checked in one run: each costs a few reads of its content, no call unless its schema is not cached. */
    private static final int FILES_PER_RUN = 50;
    private static final int HEAD_BYTES = 8;

    private final SchemaCache schemas = new SchemaCache(this::nanoTime);

    private static AllowableValue[] formats() {
        final AllowableValue[] values = new AllowableValue[FileFormat.values().length + 1];
        values[0] = DETECT;
        for (final FileFormat format : FileFormat.values()) {
            values[format.ordinal() + 1] = new AllowableValue(format.name(), format.displayName());
        }
        return values;
    }

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return ValidationRouting.RELATIONSHIPS;
    }

    @OnStopped
    public void forgetSchemas() {
        schemas.clear();
    }

    @Override
    protected ValidationRouting routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service) {
        return new ValidationRouting(context, session, service, getLogger(), throttleGate);
    }

    @Override
    protected void trigger(final ProcessContext context, final ProcessSession session, final ValidationRouting routing) {
        final List<FlowFile> flowFiles = session.get(FILES_PER_RUN);
        routing.took(flowFiles);
        final BulkImportConnectionService service = connectionService(context);
        final long maxAge = context.getProperty(SCHEMA_CACHE_DURATION).asTimePeriod(TimeUnit.NANOSECONDS);
        final RunCalls calls = new RunCalls();
        for (final FlowFile flowFile : flowFiles) {
            routing.guarded(flowFile, () -> {
                try {
                    check(context, session, routing, service, flowFile, maxAge, calls);
                } catch (final InvalidInputException e) {
                    routing.invalidInput(flowFile, e.getMessage());
                }
            });
        }
    }

    private void check(final ProcessContext context, final ProcessSession session, final ValidationRouting routing,
                       final BulkImportConnectionService service, final FlowFile flowFile, final long maxAge, final RunCalls calls)
            throws InvalidInputException {
        final ImportRequestReader.Names names = ImportRequestReader.names(context, flowFile.getAttributes());
        final CollectionSchema schema;
        try {
            schema = schemas.schema(service, names.collection(), names.database(), maxAge, calls,
                    () -> session.adjustCounter(Counters.HTTP_CALLS, 1, false));
        } catch (final ImportApiException e) {
            routing.failedCall(flowFile, e, ValidationRouting.REL_RETRY, "Describing collection " + names.collection());
            return;
        }
        if (flowFile.getSize() == 0) {
            routing.invalid(flowFile, null, names.collection(), List.of("file: expected the file's bytes as the flowfile's content (place "
                    + "ValidateBulkImportFile before the upload, or after a fetch), found no content"));
            return;
        }
        final FlowFileContent content = new FlowFileContent(session, flowFile);
        final boolean whole = WHOLE_FILE.getValue().equals(context.getProperty(VALIDATION_DEPTH).getValue());
        final FileContents contents;
        try {
            contents = read(context, flowFile, content, schema, whole);
        } catch (final IOException e) {
            contentUnreadable(routing, flowFile, e);
            return;
        }
        final Deployment deployment = service.getDeployment();
        final List<String> problems = new ArrayList<>(SchemaRules.check(new SchemaRules.Target(schema, names.partition(), flowFile.getSize(),
                deployment.maxFileBytes(), deployment.getDisplayName()), contents, whole));
        if (!whole || contents.unreadable() != null) {
            if (problems.isEmpty()) {
                routing.valid(flowFile, contents.format());
            } else {
                routing.invalid(flowFile, contents.format(), names.collection(), problems);
            }
            return;
        }
        final WholeFileCheck.Outcome outcome;
        try {
            outcome = WholeFileCheck.run(session, flowFile, content, schema, contents, contents.format() == FileFormat.CSV
                    ? new WholeFileScan.Csv(separator(context, flowFile), nullKey(context, flowFile)) : null, routing::visible);
        } catch (final LazyReportStream.NotWritten e) {
            routing.fail(flowFile, ValidationRouting.REPORT_UNWRITABLE, e.getMessage(), ValidationRouting.REL_FAILURE);
            return;
        } catch (final IOException e) {
            contentUnreadable(routing, flowFile, e);
            return;
        }
        problems.addAll(outcome.tally().problems());
        final WholeFile read = outcome.read();
        if (read.unreadable() != null) {
            problems.add("file: expected a " + contents.format().displayName() + " file as Milvus reads it, found " + read.unreadable()
                    + " (after " + read.rows() + " rows)");
        }
        if (read.uncheckable() != null) {
            problems.add("file: expected every row read to its end (Validation Depth Whole File), found " + read.uncheckable()
                    + "; check this file with First Pages");
        }
        try {
            if (problems.isEmpty()) {
                routing.valid(flowFile, contents.format(), outcome.tally());
            } else {
                routing.invalid(flowFile, contents.format(), names.collection(), problems, outcome.tally(), outcome.report());
            }
        } catch (final RuntimeException | Error e) {
            // the original goes to failure by its guard; its report, never routed, must not stay behind in the session
            if (outcome.report() != null && !routing.routedReport()) {
                session.remove(outcome.report());
            }
            throw e;
        }
    }

    private static void contentUnreadable(final ValidationRouting routing, final FlowFile flowFile, final IOException e) {
        routing.fail(flowFile, ValidationRouting.CONTENT_UNREADABLE, "Cannot read the content of flowfile " + flowFile.getAttribute("uuid")
                + " from NiFi's content repository: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
                ValidationRouting.REL_FAILURE);
    }

    /** What the file declares and, with First Pages, the values of its first rows; with Whole File the rows are read afterwards. */
    private static FileContents read(final ProcessContext context, final FlowFile flowFile, final FlowFileContent content,
                                     final CollectionSchema schema, final boolean whole) throws IOException, InvalidInputException {
        final String chosen = context.getProperty(FILE_FORMAT_PROPERTY).getValue();
        final FileFormat format = DETECT.getValue().equals(chosen) ? FileFormat.detect(content.fileName(), content.head(HEAD_BYTES))
                : FileFormat.valueOf(chosen);
        final int rows = context.getProperty(ROWS_TO_CHECK).asInteger();
        return switch (format) {
            case PARQUET -> whole ? ParquetFile.read(content, Set.of(), Set.of(), rows)
                    : ParquetFile.read(content, fieldsWith(schema, true), fieldsWith(schema, false), rows);
            case JSON -> JsonRows.read(content, rows);
            case CSV -> CsvRows.read(content, rows, separator(context, flowFile), nullKey(context, flowFile));
            case NUMPY -> NumpyHeader.read(content, JobInput.evaluate(context, NUMPY_FIELD, flowFile));
        };
    }

    /** The fields whose list lengths ({@code lists}) or longest text matter: only their pages are read. */
    private static Set<String> fieldsWith(final CollectionSchema schema, final boolean lists) {
        final Set<String> names = new HashSet<>();
        for (final FieldSchema field : schema.fields()) {
            final boolean isList = field.type().isDenseVector() || field.type() == FieldType.ARRAY;
            final boolean hasText = field.maxLength() != null && (field.type().isText() || field.type() == FieldType.ARRAY);
            if (lists ? isList : hasText) {
                names.add(field.name());
            }
        }
        return names;
    }

    private static char separator(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
        final String value = JobInput.evaluate(context, CSV_SEPARATOR, flowFile);
        if (value == null || value.length() != 1) {
            throw new InvalidInputException("CSV Separator evaluated to \"" + (value == null ? "" : value) + "\"; it must be one character, as "
                    + "import option sep is");
        }
        final char separator = value.charAt(0);
        if (separator == '"' || separator == '\r' || separator == '\n' || separator == 0 || separator == '\uFFFD' || Character.isSurrogate(separator)) {
            throw new InvalidInputException("CSV Separator evaluated to U+" + String.format("%04X", (int) separator) + ", which Milvus's CSV reader "
                    + "refuses as a separator (a quote, a line break, NUL or U+FFFD)");
        }
        return separator;
    }

    private static String nullKey(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
        final String value = JobInput.evaluate(context, CSV_NULL_KEY, flowFile);
        return value == null ? "" : value;
    }

    @Override
    protected void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog verificationLogger,
                          final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        final ImportRequestReader.Names names;
        try {
            names = ImportRequestReader.names(context, attributes);
        } catch (final InvalidInputException e) {
            results.add(verification(service, "Read Collection Name", Outcome.FAILED, e.getMessage()));
            return;
        }
        try {
            final CollectionSchema schema = service.describeCollection(names.collection(), names.database());
            results.add(verification(service, "Describe Collection", Outcome.SUCCESSFUL, "Collection " + schema.name() + ": "
                    + schema.fields().stream().map(field -> field.name() + " " + field.describeType()).collect(Collectors.joining(", "))
                    + (schema.dynamicField() ? "; dynamic field on" : "; dynamic field off")));
            if (names.partition() != null && schema.partitionKey().isPresent()) {
                results.add(verification(service, "Check Partition Name", Outcome.FAILED, "Partition Name is set, but collection " + schema.name()
                        + " has the partition key " + schema.partitionKey().get().name() + ": Milvus refuses a partition name for it"));
            }
        } catch (final ImportApiException e) {
            verificationLogger.warn("Describing the collection failed: {}", service.visibleText(e.getMessage()));
            results.add(verification(service, "Describe Collection", Outcome.FAILED, e.getMessage()));
        }
    }
}
