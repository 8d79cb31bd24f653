package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.VisibleText;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the processors that act on started jobs read from a flowfile: job IDs, the database and the
 * submit time, each a precise {@link InvalidInputException} when it cannot be read, so that a
 * flowfile with bad input is routed rather than rolled back.
 */
public final class JobInput {

    public static final PropertyDescriptor DATABASE_NAME = new PropertyDescriptor.Builder()
            .name("Database Name")
            .description("The database of the job's collection, for Milvus permission checks; empty means the default database.")
            .required(false)
            .defaultValue("${" + BulkImportAttributes.DATABASE + "}")
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");

    private JobInput() {
    }

    /** A property's value for the flowfile; an expression that throws is bad input. */
    public static String evaluate(final ProcessContext context, final PropertyDescriptor property, final FlowFile flowFile) throws InvalidInputException {
        try {
            return context.getProperty(property).evaluateAttributeExpressions(flowFile).getValue();
        } catch (final RuntimeException e) {
            throw new InvalidInputException(property.getName() + "'s expression could not be evaluated for this flowfile: " + e.getMessage());
        }
    }

    /** The job IDs a property names: one, or several separated by commas, spaces or line breaks. */
    public static List<String> jobIds(final ProcessContext context, final PropertyDescriptor property, final FlowFile flowFile) throws InvalidInputException {
        final String value = evaluate(context, property, flowFile);
        final List<String> ids = new ArrayList<>();
        if (value != null) {
            for (final String id : SEPARATORS.split(value.strip())) {
                if (!id.isEmpty()) {
                    ids.add(id);
                }
            }
        }
        if (ids.isEmpty()) {
            throw new InvalidInputException(property.getName() + " evaluated to an empty value; the flowfile has no " + BulkImportAttributes.JOB_ID
                    + " attribute (was it routed from TriggerBulkImport's success?) or " + property.getName() + " reads another attribute");
        }
        return ids;
    }

    /** The database the flowfile names, or {@code null} for the default. */
    public static String database(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
        final String database = evaluate(context, DATABASE_NAME, flowFile);
        return database == null || database.isBlank() ? null : database.strip();
    }

    /** When the job was started ({@code bulkimport.submitted.at}, else when the flowfile entered the flow) plus {@code waitMillis}. */
    public static Instant deadline(final FlowFile flowFile, final long waitMillis) throws InvalidInputException {
        final String submittedAt = flowFile.getAttribute(BulkImportAttributes.SUBMITTED_AT);
        try {
            final Instant start = submittedAt == null || submittedAt.isBlank()
                    ? Instant.ofEpochMilli(flowFile.getLineageStartDate())
                    : Instant.parse(submittedAt.trim());
            return start.plusMillis(waitMillis);
        } catch (final DateTimeException | ArithmeticException e) {
            throw new InvalidInputException("Attribute " + BulkImportAttributes.SUBMITTED_AT + " holds \"" + VisibleText.bound(submittedAt, 80)
                    + "\", which is not an ISO-8601 instant such as 2026-11-28T17:23:14Z that a deadline can be counted from; fix or remove it");
        }
    }
}
