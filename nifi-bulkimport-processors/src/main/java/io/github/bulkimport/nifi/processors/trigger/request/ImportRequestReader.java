package io.github.bulkimport.nifi.processors.trigger.request;

import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.processor.ProcessContext;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Evaluates TriggerBulkImport's properties against one flowfile's attributes into the request for
 * that flowfile's files, checked, so that bad input is rejected with a precise message before
 * anything is sent.
 */
public final class ImportRequestReader {

    /** Milvus and Zilliz Cloud name rules for collections, partitions and databases. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    private static final Pattern VOLUME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,254}");

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
                    + "gcs.key (PutGCSObject), or azure.primaryUri (PutAzureBlobStorage_v12). To put several files in one file of the job "
                    + "(a set of NumPy files, one per field), write a JSON array of arrays instead: [[\"s3://b/1/id.npy\", \"s3://b/1/vector.npy\"], ...].")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor VOLUME_NAME = new PropertyDescriptor.Builder()
            .name("Volume Name")
            .description("Zilliz Cloud only: import from this volume (Zilliz Cloud's managed storage) instead of an object store. Set Data Paths "
                    + "with it, and leave Object URLs unset.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor DATA_PATHS = new PropertyDescriptor.Builder()
            .name("Data Paths")
            .description("With Volume Name: the files to import, as paths inside the volume, written like Object URLs (separated by commas or "
                    + "line breaks, or as a JSON array whose inner arrays are sets of NumPy files).")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    /** What a configuration of these properties gets wrong on its own: a volume needs its paths, and excludes object URLs. */
    public static Collection<ValidationResult> validate(final ValidationContext context) {
        final boolean volume = context.getProperty(VOLUME_NAME).isSet();
        final List<ValidationResult> problems = new ArrayList<>();
        if (volume != context.getProperty(DATA_PATHS).isSet()) {
            problems.add(invalid(DATA_PATHS, "Volume Name and Data Paths go together: set both to import from a Zilliz Cloud volume, or neither"));
        }
        if (volume && context.getProperty(OBJECT_URLS).isSet()) {
            problems.add(invalid(OBJECT_URLS, "an import reads either a volume (Volume Name, Data Paths) or an object store (Object URLs), not both"));
        }
        return problems;
    }

    private static ValidationResult invalid(final PropertyDescriptor property, final String explanation) {
        return new ValidationResult.Builder().subject(property.getName()).valid(false).explanation(explanation).build();
    }

    /** A dynamic property: one import option, sent in the request's options object. */
    public static PropertyDescriptor optionProperty(final String name) {
        return new PropertyDescriptor.Builder()
                .name(name)
                .description("Import option '" + name + "', sent in the request's options object")
                .dynamic(true)
                .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
                .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
                .build();
    }

    /** The dynamic properties of a context, each one an import option. */
    public static List<PropertyDescriptor> optionProperties(final ProcessContext context) {
        return context.getProperties().keySet().stream().filter(PropertyDescriptor::isDynamic).toList();
    }

    /**
     * @param optionProperties the context's dynamic properties (see {@link #optionProperties}), looked up once
     *                         per schedule rather than per flowfile
     */
    public ImportRequest read(final ProcessContext context, final List<PropertyDescriptor> optionProperties, final Map<String, String> attributes,
                       final Deployment deployment) throws InvalidInputException {
        return read(new RunProperties(context), optionProperties, attributes, deployment);
    }

    /** As {@link #read(ProcessContext, List, Map, Deployment)}, with the properties of one run. */
    public ImportRequest read(final RunProperties properties, final List<PropertyDescriptor> optionProperties, final Map<String, String> attributes,
                       final Deployment deployment) throws InvalidInputException {
        final Names names = names(properties, attributes);
        final ImportTarget target = ImportTarget.of(names.collection(), names.partition(), names.database(), options(properties, optionProperties, attributes));
        if (properties.isSet(VOLUME_NAME)) {
            return new ImportRequest(target, volume(properties, attributes, deployment), volumeFiles(properties, attributes, deployment));
        }
        return new ImportRequest(target, files(properties, attributes, deployment));
    }

    /** The collection, partition and database a flowfile names; partition and database {@code null} for the defaults. */
    public record Names(String collection, String partition, String database) {
    }

    /** Reads Collection Name, Partition Name and Database Name for a flowfile, each checked as the servers check names. */
    public static Names names(final ProcessContext context, final Map<String, String> attributes) throws InvalidInputException {
        return names(new RunProperties(context), attributes);
    }

    private static Names names(final RunProperties properties, final Map<String, String> attributes) throws InvalidInputException {
        return new Names(requiredName(properties, COLLECTION_NAME, attributes), optionalName(properties, PARTITION_NAME, attributes),
                optionalName(properties, DATABASE_NAME, attributes));
    }

    private static String volume(final RunProperties properties, final Map<String, String> attributes, final Deployment deployment)
            throws InvalidInputException {
        if (deployment != Deployment.ZILLIZ_CLOUD) {
            throw new InvalidInputException("Volume Name is set, but volumes are Zilliz Cloud's and the connection service speaks to "
                    + deployment.getDisplayName() + "; leave Volume Name unset");
        }
        final String volume = evaluate(properties, VOLUME_NAME, attributes);
        if (volume == null || !VOLUME.matcher(volume).matches()) {
            throw new InvalidInputException("Volume Name evaluated to \"" + (volume == null ? "" : printable(volume)) + "\", which is not a volume "
                    + "name: use letters, digits, underscores and hyphens (at most 255 characters)");
        }
        return volume;
    }

    private static List<ImportFile> volumeFiles(final RunProperties properties, final Map<String, String> attributes, final Deployment deployment)
            throws InvalidInputException {
        final String value = evaluate(properties, DATA_PATHS, attributes);
        if (value == null) {
            throw new InvalidInputException("Data Paths evaluated to an empty value for this flowfile; with Volume Name, give the paths of the files "
                    + "inside the volume");
        }
        final List<ImportFile> files = new ArrayList<>();
        for (final List<String> group : ObjectUrls.groups(value, DATA_PATHS.getName())) {
            final List<String> paths = new ArrayList<>(group.size());
            for (final String path : group) {
                paths.add(ObjectUrls.toVolumePath(path, DATA_PATHS.getName()));
            }
            files.add(new ImportFile(paths));
        }
        return withinLimit(files, DATA_PATHS.getName(), deployment);
    }

    private static String requiredName(final RunProperties properties, final PropertyDescriptor property, final Map<String, String> attributes)
            throws InvalidInputException {
        final String value = evaluate(properties, property, attributes);
        if (value == null) {
            throw new InvalidInputException(property.getName() + " evaluated to an empty value for this flowfile; "
                    + "set it, or add the attribute its expression reads");
        }
        return checkName(property, value);
    }

    /**
     * A name that may be left unset for the default. Set but evaluating to nothing is an error, not the
     * default: an attribute the expression reads is missing, and the import would silently go elsewhere.
     */
    private static String optionalName(final RunProperties properties, final PropertyDescriptor property, final Map<String, String> attributes)
            throws InvalidInputException {
        if (!properties.isSet(property)) {
            return null;
        }
        final String value = evaluate(properties, property, attributes);
        if (value == null) {
            throw new InvalidInputException(property.getName() + " evaluated to an empty value for this flowfile; add the attribute its expression "
                    + "reads, or leave the property unset to use the default");
        }
        return checkName(property, value);
    }

    private static String checkName(final PropertyDescriptor property, final String value) throws InvalidInputException {
        if (!NAME.matcher(value).matches()) {
            throw new InvalidInputException(property.getName() + " evaluated to \"" + printable(value) + "\", which is not a valid name: "
                    + "use letters, digits and underscores, starting with a letter or an underscore (at most 255 characters)");
        }
        return value;
    }

    private static List<ImportFile> files(final RunProperties properties, final Map<String, String> attributes, final Deployment deployment)
            throws InvalidInputException {
        final List<List<String>> groups;
        final String source;
        if (properties.isSet(OBJECT_URLS)) {
            source = OBJECT_URLS.getName();
            final String value = evaluate(properties, OBJECT_URLS, attributes);
            if (value == null) {
                throw new InvalidInputException(source + " evaluated to an empty value for this flowfile; "
                        + "check the attributes its expression reads");
            }
            groups = ObjectUrls.groups(value, source);
        } else {
            final Optional<UploadAttributes.Source> upload = UploadAttributes.objectUrl(attributes);
            if (upload.isEmpty()) {
                throw new InvalidInputException("Object URLs is not set and " + UploadAttributes.describeMissing(attributes)
                        + "; place this processor after an upload processor or set Object URLs");
            }
            source = "The URL built from " + upload.get().attributes();
            groups = List.of(List.of(upload.get().url()));
        }
        final List<ImportFile> files = new ArrayList<>(groups.size());
        for (final List<String> group : groups) {
            final List<String> paths = new ArrayList<>(group.size());
            for (final String url : group) {
                paths.add(ObjectUrls.toFileEntry(url, deployment, source));
            }
            files.add(onePerParquetGroup(new ImportFile(paths), source));
        }
        return withinLimit(files, source, deployment);
    }

    /** The files, each once (a file, or a set in any order, named twice is one file of the job), within the deployment's limit. */
    /** Milvus reads one Parquet file per group and refuses a group of more (error 2100, after the job was created). */
    private static ImportFile onePerParquetGroup(final ImportFile file, final String source) throws InvalidInputException {
        final long parquet = file.paths().stream().filter(path -> path.toLowerCase(Locale.ROOT).endsWith(".parquet")).count();
        if (parquet > 1) {
            throw new InvalidInputException(source + " puts " + parquet + " Parquet files in one group (" + printable(String.join(", ", file.paths()))
                    + "); Milvus imports one Parquet file per group: list them as separate groups");
        }
        return file;
    }

    private static List<ImportFile> withinLimit(final List<ImportFile> named, final String source, final Deployment deployment)
            throws InvalidInputException {
        final List<ImportFile> files = List.copyOf(new LinkedHashSet<>(named));
        final int limit = deployment.maxFilesPerRequest();
        if (files.size() > limit) {
            throw new InvalidInputException(source + " lists " + files.size() + " files, but " + deployment.getDisplayName()
                    + " accepts at most " + String.format(Locale.ROOT, "%,d", limit) + " per job; split the list across flowfiles");
        }
        return files;
    }

    private static Map<String, String> options(final RunProperties properties, final List<PropertyDescriptor> optionProperties,
                                               final Map<String, String> attributes) throws InvalidInputException {
        final Map<String, String> options = new TreeMap<>();
        for (final PropertyDescriptor property : optionProperties) {
            // sent exactly as evaluated: a tab is a separator, not nothing
            final String value = properties.evaluate(property, attributes);
            if (value == null || value.isEmpty()) {
                throw new InvalidInputException("Import option '" + property.getName() + "' (a dynamic property) evaluated to an empty value "
                        + "for this flowfile; give it a value or remove the property");
            }
            options.put(property.getName(), value);
        }
        return options;
    }

    /** Returns the trimmed value, or {@code null} when the property is unset or evaluates to blank. */
    private static String evaluate(final RunProperties properties, final PropertyDescriptor property, final Map<String, String> attributes) {
        final String value = properties.evaluate(property, attributes);
        if (value == null) {
            return null;
        }
        final String trimmed = value.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static String printable(final String value) {
        return VisibleText.bound(VisibleText.clean(value), 80);
    }
}
