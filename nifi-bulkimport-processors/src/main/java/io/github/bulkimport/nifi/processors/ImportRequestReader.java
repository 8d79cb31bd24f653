package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.VisibleText;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.ProcessContext;

import java.util.ArrayList;
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
final class ImportRequestReader {

    /** Milvus and Zilliz Cloud name rules for collections, partitions and databases. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    static final PropertyDescriptor COLLECTION_NAME = new PropertyDescriptor.Builder()
            .name("Collection Name")
            .description("The collection to import into.")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor PARTITION_NAME = new PropertyDescriptor.Builder()
            .name("Partition Name")
            .description("The partition to import into. Leave empty for the default partition, and always when the collection has a partition key.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    static final PropertyDescriptor DATABASE_NAME = new PropertyDescriptor.Builder()
            .name("Database Name")
            .description("The database holding the collection; empty means the default database. Sent as dbName and, for Milvus "
                    + "permission checks, as the DB-Name header. On Zilliz Cloud only dedicated clusters have databases.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    static final PropertyDescriptor OBJECT_URLS = new PropertyDescriptor.Builder()
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

    /** A dynamic property: one import option, sent in the request's options object. */
    static PropertyDescriptor optionProperty(final String name) {
        return new PropertyDescriptor.Builder()
                .name(name)
                .description("Import option '" + name + "', sent in the request's options object")
                .dynamic(true)
                .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
                .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
                .build();
    }

    /** The dynamic properties of a context, each one an import option. */
    static List<PropertyDescriptor> optionProperties(final ProcessContext context) {
        return context.getProperties().keySet().stream().filter(PropertyDescriptor::isDynamic).toList();
    }

    /**
     * @param optionProperties the context's dynamic properties (see {@link #optionProperties}), looked up once
     *                         per schedule rather than per flowfile
     */
    ImportRequest read(final ProcessContext context, final List<PropertyDescriptor> optionProperties, final Map<String, String> attributes,
                       final Deployment deployment) throws InvalidInputException {
        final String collection = requiredName(context, COLLECTION_NAME, attributes);
        final String partition = optionalName(context, PARTITION_NAME, attributes);
        final String database = optionalName(context, DATABASE_NAME, attributes);
        final List<String> files = files(context, attributes, deployment);
        return new ImportRequest(ImportTarget.of(collection, partition, database, options(context, optionProperties, attributes)), files);
    }

    private String requiredName(final ProcessContext context, final PropertyDescriptor property, final Map<String, String> attributes)
            throws InvalidInputException {
        final String value = evaluate(context, property, attributes);
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
    private String optionalName(final ProcessContext context, final PropertyDescriptor property, final Map<String, String> attributes)
            throws InvalidInputException {
        if (!context.getProperty(property).isSet()) {
            return null;
        }
        final String value = evaluate(context, property, attributes);
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

    private List<String> files(final ProcessContext context, final Map<String, String> attributes, final Deployment deployment)
            throws InvalidInputException {
        final List<String> urls;
        final String source;
        if (context.getProperty(OBJECT_URLS).isSet()) {
            source = OBJECT_URLS.getName();
            final String value = evaluate(context, OBJECT_URLS, attributes);
            if (value == null) {
                throw new InvalidInputException(source + " evaluated to an empty value for this flowfile; "
                        + "check the attributes its expression reads");
            }
            urls = ObjectUrls.split(value);
            if (urls.isEmpty()) {
                throw new InvalidInputException(source + " evaluated to separators only; give at least one object URL");
            }
        } else {
            final Optional<UploadAttributes.Source> upload = UploadAttributes.objectUrl(attributes);
            if (upload.isEmpty()) {
                throw new InvalidInputException("Object URLs is not set and " + UploadAttributes.describeMissing(attributes)
                        + "; place this processor after an upload processor or set Object URLs");
            }
            source = "The URL built from " + upload.get().attributes();
            urls = List.of(upload.get().url());
        }
        final int limit = deployment.maxFilesPerRequest();
        if (urls.size() > limit) {
            throw new InvalidInputException(source + " lists " + urls.size() + " files, but " + deployment.getDisplayName()
                    + " accepts at most " + String.format(Locale.ROOT, "%,d", limit) + " per job; split the list across flowfiles");
        }
        final List<String> files = new ArrayList<>(urls.size());
        for (final String url : urls) {
            files.add(ObjectUrls.toFileEntry(url, deployment, source));
        }
        return files;
    }

    private static Map<String, String> options(final ProcessContext context, final List<PropertyDescriptor> optionProperties,
                                               final Map<String, String> attributes) throws InvalidInputException {
        final Map<String, String> options = new TreeMap<>();
        for (final PropertyDescriptor property : optionProperties) {
            final String value = evaluate(context, property, attributes);
            if (value == null) {
                throw new InvalidInputException("Import option '" + property.getName() + "' (a dynamic property) evaluated to an empty value "
                        + "for this flowfile; give it a value or remove the property");
            }
            options.put(property.getName(), value);
        }
        return options;
    }

    /** Returns the trimmed value, or {@code null} when the property is unset or evaluates to blank. */
    private static String evaluate(final ProcessContext context, final PropertyDescriptor property, final Map<String, String> attributes) {
        final String value = context.getProperty(property).evaluateAttributeExpressions(attributes).getValue();
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
