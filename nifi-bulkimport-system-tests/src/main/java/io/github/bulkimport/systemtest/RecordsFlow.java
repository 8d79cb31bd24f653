package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The flow of {@code flows/records-to-milvus.json}: records in, files of rows out to the user's upload,
 * and the uploaded files through the chain of {@code flows/bulk-import-after-upload.json}.
 * <pre>
 * [Records] ─▶ MergeRecord (JsonTreeReader → JsonRecordSetWriter) ─merged─▶ Name the file ─▶ [Files to upload]
 *               └─failure─▶ Alert: records not merged ─▶ [Not merged]
 * (PutS3Object, outside the group)
 * [Uploaded files] ─▶ ValidateBulkImportFile ─valid─▶ TriggerBulkImport ─success─▶ GetBulkImportProgress ─success─▶ [Imported] ...
 * </pre>
 * As the tests run it ({@link #create}), PutFile into the emulator's bucket folder and UpdateAttribute
 * stand in for PutS3Object, and GenerateFlowFiles make the records, one per collection.
 */
public record RecordsFlow(String groupId, String definitionGroupId, String mergeId, String readerId, String writerId, String validateId,
                          String triggerId, String done, String notStarted, String failed, String invalid, String notMerged) {

    public static final String MERGE_RECORD_TYPE = "org.apache.nifi.processors.standard.MergeRecord";
    public static final String UPDATE_ATTRIBUTE_TYPE = "org.apache.nifi.processors.attributes.UpdateAttribute";
    public static final String PUT_FILE_TYPE = "org.apache.nifi.processors.standard.PutFile";
    public static final String JSON_READER_TYPE = "org.apache.nifi.json.JsonTreeReader";
    public static final String JSON_WRITER_TYPE = "org.apache.nifi.json.JsonRecordSetWriter";
    public static final String CSV_WRITER_TYPE = "org.apache.nifi.csv.CSVRecordSetWriter";

    /** The parameters that size the files, besides the connection's of {@link FlowDefinition}. */
    public static final String ROWS_PER_FILE = "Rows per File";
    public static final String MAX_FILE_SIZE = "Max File Size";
    public static final String MAX_FILE_WAIT = "Max File Wait";

    static final String RECORDS = "Records";
    static final String FILES_TO_UPLOAD = "Files to upload";
    static final String MERGE = "MergeRecord (files of rows)";
    static final String NAME_THE_FILE = "Name the file (.json or .csv)";
    static final String MERGE_ALERT = "Alert: records not merged";
    static final String NOT_MERGED = "Not merged";
    static final String READER = "Records reader (JSON)";
    static final String WRITER = "Milvus rows writer (JSON array)";

    /** The parameters of the definition's context that size the files, with their defaults. */
    static List<NiFiRestClient.Parameter> fileParameters() {
        return List.of(
                new NiFiRestClient.Parameter(ROWS_PER_FILE, "100000", false, "MergeRecord completes a file at this many rows (Minimum and "
                        + "Maximum Number of Records)"),
                new NiFiRestClient.Parameter(MAX_FILE_SIZE, "512 MB", false, "... or at this size (Maximum Bin Size); Milvus advises files of "
                        + "at most 1 GB"),
                new NiFiRestClient.Parameter(MAX_FILE_WAIT, "5 min", false, "... or once its oldest records waited this long (Max Bin Age), "
                        + "so that a trickle of records still makes files"));
    }

    /** Builds the definition's components in {@code group}: the records part, left of the chain of the after-upload definition. */
    static void buildDefinition(final NiFiRestClient rest, final String group, final String service) throws IOException {
        BulkImportFlow.buildDefinition(rest, group, service);
        final double x = -1000;
        final String reader = rest.createControllerService(group, JSON_READER_TYPE, READER, Map.of("schema-access-strategy", "infer-schema"));
        final String writer = rest.createControllerService(group, JSON_WRITER_TYPE, WRITER, Map.of("output-grouping", "output-array",
                "Pretty Print JSON", "false", "suppress-nulls", "never-suppress"));
        final String records = rest.createPort(group, NiFiRestClient.PortType.INPUT, RECORDS, x + 56, 0);
        final String merge = rest.createProcessor(group, MERGE_RECORD_TYPE, MERGE, x, 160, Map.of(
                        "record-reader", reader, "record-writer", writer, "merge-strategy", "Bin-Packing Algorithm",
                        "min-records", "#{" + ROWS_PER_FILE + "}", "max-records", "#{" + ROWS_PER_FILE + "}",
                        "max-bin-size", "#{" + MAX_FILE_SIZE + "}", "max-bin-age", "#{" + MAX_FILE_WAIT + "}"),
                Map.of(), List.of("original"));
        // Milvus tells a file's format by its extension: the writer's MIME type gives it (application/json, text/csv)
        final String name = rest.createProcessor(group, UPDATE_ATTRIBUTE_TYPE, NAME_THE_FILE, x, 520,
                Map.of("filename", "${uuid}.${mime.type:substringAfter('/')}"), Map.of(), List.of());
        final String upload = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, FILES_TO_UPLOAD, x + 56, 880);
        final String alert = rest.createProcessor(group, BulkImportFlow.LOG_MESSAGE_TYPE, MERGE_ALERT, x - 520, 160,
                BulkImportFlow.alert("Records not merged into a file for #{" + FlowDefinition.COLLECTION + "}: ${filename}"), Map.of(), List.of());
        final String notMerged = rest.createPort(group, NiFiRestClient.PortType.OUTPUT, NOT_MERGED, x - 464, 400);

        rest.connect(group, NiFiRestClient.PortType.INPUT.end(group, records), NiFiRestClient.End.processor(group, merge), List.of(), null);
        rest.connect(group, merge, name, "PROCESSOR", List.of("merged"), null);
        rest.connect(group, merge, alert, "PROCESSOR", List.of("failure"), null);
        rest.connect(group, NiFiRestClient.End.processor(group, name), NiFiRestClient.PortType.OUTPUT.end(group, upload), List.of("success"), null);
        rest.connect(group, NiFiRestClient.End.processor(group, alert), NiFiRestClient.PortType.OUTPUT.end(group, notMerged), List.of("success"), null);
    }

    /**
     * Uploads the definition into a group of its own: its Files to upload go through PutFile into
     * {@code bucketFolder} and UpdateAttribute (PutS3Object's attributes: s3.bucket, s3.key under
     * {@code records/}, s3.etag) back into Uploaded files; its output ports end in funnels. Collection Name
     * of ValidateBulkImportFile and TriggerBulkImport is {@code ${milvus.collection}}, MergeRecord bins by
     * that attribute and completes a file at {@code rowsPerFile} rows or after 10 s, and the reader takes each
     * flowfile's Avro schema from {@code avro.schema}. Everything runs but the sources, which the test adds.
     */
    public static RecordsFlow create(final NiFiRestClient rest, final String parentGroupId, final double x, final double y,
                                     final BulkImportFlow.Settings settings, final Path bucketFolder, final int rowsPerFile) throws IOException {
        final String outer = rest.createProcessGroup(parentGroupId, settings.name(), x, y);
        final FlowDefinition.Installed installed = FlowDefinition.RECORDS.install(rest, outer, settings);
        final String group = installed.groupId();
        final NiFiRestClient.GroupContents inside = installed.contents();
        rest.setParameters(rest.parameterContextOf(group), Map.of(ROWS_PER_FILE, String.valueOf(rowsPerFile), MAX_FILE_WAIT, "10 sec"),
                java.time.Duration.ofSeconds(60));
        final String merge = inside.processor(MERGE);
        rest.updateProcessorProperties(merge, Map.of("correlation-attribute-name", "milvus.collection"));
        final String validate = inside.processor(BulkImportFlow.VALIDATE);
        final String trigger = inside.processor(BulkImportFlow.TRIGGER);
        rest.updateProcessorProperties(validate, Map.of("Collection Name", "${milvus.collection}"));
        rest.updateProcessorProperties(trigger, Map.of("Collection Name", "${milvus.collection}"));
        final String reader = inside.service(READER);
        rest.updateControllerServiceProperties(reader, Map.of("schema-access-strategy", "schema-text-property", "schema-text", "${avro.schema}"));

        final String putFile = rest.createProcessor(outer, PUT_FILE_TYPE, "Upload (PutFile into the bucket folder)", 1100, 40,
                Map.of("Directory", bucketFolder.resolve("records").toAbsolutePath().toString(), "Conflict Resolution Strategy", "fail"),
                Map.of(), List.of("failure"));
        final String asS3 = rest.createProcessor(outer, UPDATE_ATTRIBUTE_TYPE, "As PutS3Object leaves it", 1100, 300,
                Map.of("s3.bucket", settings.bucket(), "s3.key", "records/${filename}", "s3.etag", "${uuid}",
                        "s3.url", "https://" + settings.bucket() + ".s3.amazonaws.com/records/${filename}"), Map.of(), List.of());
        rest.connect(outer, NiFiRestClient.PortType.OUTPUT.end(group, inside.outputPort(FILES_TO_UPLOAD)), NiFiRestClient.End.processor(outer, putFile),
                List.of(), null);
        rest.connect(outer, putFile, asS3, "PROCESSOR", List.of("success"), null);
        rest.connect(outer, NiFiRestClient.End.processor(outer, asS3), NiFiRestClient.PortType.INPUT.end(group, inside.inputPort(BulkImportFlow.UPLOADED)),
                List.of("success"), null);
        final String done = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(BulkImportFlow.IMPORTED), 480 + 156, 560);
        final String notStarted = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(BulkImportFlow.NOT_STARTED), 1700, 360);
        final String failed = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(BulkImportFlow.FAILED), 1700, 460);
        final String invalid = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(BulkImportFlow.INVALID), 1700, 260);
        final String notMerged = BulkImportFlow.toFunnel(rest, outer, group, inside.outputPort(NOT_MERGED), 1700, 560);
        rest.setProcessorState(putFile, "RUNNING");
        rest.setProcessorState(asS3, "RUNNING");
        return new RecordsFlow(outer, group, merge, reader, inside.service(WRITER), validate, trigger, done, notStarted, failed, invalid, notMerged);
    }

    /**
     * Writes the files with NiFi's CSVRecordSetWriter instead of the definition's JSON writer: CSV Format RFC 4180, which
     * doubles a quote inside a value as Milvus's CSV reader (Go's encoding/csv) expects; the writer's default custom format
     * escapes it with a backslash, which that reader refuses. A header, and nulls as empty cells (Milvus's default null key).
     */
    public void writeCsv(final NiFiRestClient rest) throws IOException {
        final String csv = rest.createControllerService(definitionGroupId, CSV_WRITER_TYPE, "Milvus rows writer (CSV)", Map.of("CSV Format", "rfc-4180"));
        rest.enableControllerService(csv, java.time.Duration.ofSeconds(30));
        rest.updateProcessorProperties(mergeId, Map.of("record-writer", csv));
    }

    /** Enables the reader and writer, then starts the whole definition. */
    public void start(final NiFiRestClient rest) throws IOException {
        rest.enableControllerService(readerId, java.time.Duration.ofSeconds(30));
        rest.enableControllerService(writerId, java.time.Duration.ofSeconds(30));
        for (final String processor : rest.contents(definitionGroupId).processors().values()) {
            final List<String> problems = rest.validationErrors(processor);
            if (!problems.isEmpty()) {
                throw new IOException("the records flow is not valid: processor " + processor + ": " + problems);
            }
        }
        rest.setGroupState(definitionGroupId, "RUNNING");
    }

    /**
     * Adds a source of records for one collection: a GenerateFlowFile whose content is {@code rows} (a JSON
     * array, its IDs drawn with Expression Language), with {@code milvus.collection} and the records' Avro schema
     * in {@code avro.schema}; returns its ID, to be run with {@link NiFiRestClient#runOnce}.
     */
    public String addSource(final NiFiRestClient rest, final String collection, final String avroSchema, final String rows, final double y)
            throws IOException {
        final String source = rest.createProcessor(groupId, BulkImportFlow.GENERATE_TYPE, "Records for " + collection, 0, y,
                Map.of("generate-ff-custom-text", rows, "Batch Size", "1", "milvus.collection", collection, "avro.schema", avroSchema,
                        "mime.type", "application/json"),
                Map.of("schedulingPeriod", "1 min"), List.of());
        final NiFiRestClient.GroupContents inside = rest.contents(definitionGroupId);
        rest.connect(groupId, NiFiRestClient.End.processor(groupId, source),
                NiFiRestClient.PortType.INPUT.end(definitionGroupId, inside.inputPort(RECORDS)), List.of("success"), null);
        return source;
    }
}
