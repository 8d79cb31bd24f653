package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.client.VisibleText;
import io.github.bulkimport.nifi.model.Deployment;
import io.github.bulkimport.nifi.model.ImportTarget;
import io.github.bulkimport.nifi.model.InvalidInputException;
import io.github.bulkimport.nifi.url.ObjectUrls;
import io.github.bulkimport.nifi.url.UploadAttributes;
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
 * Evaluates TriggerBulkImport's properties against one flowfile's attributes and checks the
 * result, so that bad input is rejected with a precise message before anything is sent.
 */
final class ImportRequestReader {

    /** Milvus and Zilliz Cloud name rules for collections, partitions and databases. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    private final PropertyDescriptor collectionProperty;
    private final PropertyDescriptor partitionProperty;
    private final PropertyDescriptor databaseProperty;
    private final PropertyDescriptor objectUrlsProperty;

    ImportRequestReader(final PropertyDescriptor collectionProperty, final PropertyDescriptor partitionProperty,
                        final PropertyDescriptor databaseProperty, final PropertyDescriptor objectUrlsProperty) {
        this.collectionProperty = collectionProperty;
        this.partitionProperty = partitionProperty;
        this.databaseProperty = databaseProperty;
        this.objectUrlsProperty = objectUrlsProperty;
    }

    /** One flowfile's share of a job: where it goes and the file entries it contributes. */
    record FlowFileImport(ImportTarget target, List<String> files) {
    }

    /** The dynamic properties of a context, each one an import option. */
    static List<PropertyDescriptor> optionProperties(final ProcessContext context) {
        return context.getProperties().keySet().stream().filter(PropertyDescriptor::isDynamic).toList();
    }

    /**
     * @param optionProperties the context's dynamic properties (see {@link #optionProperties}), looked up once
     *                         per schedule rather than per flowfile
     */
    FlowFileImport read(final ProcessContext context, final List<PropertyDescriptor> optionProperties, final Map<String, String> attributes,
                        final Deployment deployment) throws InvalidInputException {
        final String collection = requiredName(context, collectionProperty, attributes);
        final String partition = optionalName(context, partitionProperty, attributes);
        final String database = optionalName(context, databaseProperty, attributes);
        final List<String> files = files(context, attributes, deployment);
        return new FlowFileImport(ImportTarget.of(collection, partition, database, options(context, optionProperties, attributes)), files);
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
        if (context.getProperty(objectUrlsProperty).isSet()) {
            source = objectUrlsProperty.getName();
            final String value = evaluate(context, objectUrlsProperty, attributes);
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
