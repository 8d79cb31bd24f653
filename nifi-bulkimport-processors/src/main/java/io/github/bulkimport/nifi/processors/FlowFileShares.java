package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.idempotency.IdempotencyKeys;
import io.github.bulkimport.nifi.idempotency.JobMemory;
import io.github.bulkimport.nifi.idempotency.RememberedJob;
import io.github.bulkimport.nifi.model.Deployment;
import io.github.bulkimport.nifi.model.InvalidInputException;
import io.github.bulkimport.nifi.model.JobState;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a flowfile into its share of a job: evaluates TriggerBulkImport's properties against it,
 * derives its idempotency key, and finds the earlier request it is bound to, if any.
 */
final class FlowFileShares {

    private final ImportRequestReader reader;
    private final PropertyDescriptor idempotencyKeyProperty;

    FlowFileShares(final ImportRequestReader reader, final PropertyDescriptor idempotencyKeyProperty) {
        this.reader = reader;
        this.idempotencyKeyProperty = idempotencyKeyProperty;
    }

    /**
     * @param memory what the job memory holds, or {@code null} when it is not consulted
     */
    FlowFileShare read(final ProcessContext context, final List<PropertyDescriptor> optionProperties, final FlowFile flowFile,
                       final Deployment deployment, final JobMemory.Snapshot memory) {
        try {
            final Map<String, String> attributes = flowFile.getAttributes();
            final ImportRequestReader.FlowFileImport input = reader.read(context, optionProperties, attributes, deployment);
            final String replacesJob = JobState.FAILED.apiName().equals(attributes.get(BulkImportAttributes.STATE))
                    ? attributes.get(BulkImportAttributes.JOB_ID)
                    : attributes.get(BulkImportAttributes.REPLACES_JOB_ID);
            final String key = context.getProperty(idempotencyKeyProperty).isSet()
                    ? customKey(context, flowFile)
                    : IdempotencyKeys.forFlowFile(attributes.get("uuid"), input.target(), input.files(), replacesJob);
            final String memoryKey = IdempotencyKeys.memoryKey(key);
            String boundRequest = attributes.get(BulkImportAttributes.REQUEST_KEY);
            if (boundRequest == null && memory != null) {
                boundRequest = memory.pendingRequest(memoryKey).orElse(null);
            }
            return new FlowFileShare(flowFile, input.target(), input.files(), key, memoryKey, replacesJob, boundRequest,
                    startedBefore(attributes, input), null);
        } catch (final InvalidInputException e) {
            return FlowFileShare.rejected(flowFile, e.getMessage());
        } catch (final RuntimeException e) {
            // an expression that fails at run time (for example toDate() on text that is no date) is bad input too
            return FlowFileShare.rejected(flowFile, "A property's expression could not be evaluated for this flowfile: " + e.getMessage());
        }
    }

    /**
     * The job this processor already started for the same share, when the flowfile comes back after
     * success (looped back for another reason): its attributes name the job, the same target and the
     * same files, and its job has not Failed.
     */
    private static RememberedJob startedBefore(final Map<String, String> attributes, final ImportRequestReader.FlowFileImport input) {
        final String jobId = attributes.get(BulkImportAttributes.JOB_ID);
        if (jobId == null || attributes.get(BulkImportAttributes.IDEMPOTENCY_KEY) == null
                || JobState.FAILED.apiName().equals(attributes.get(BulkImportAttributes.STATE))) {
            return null;
        }
        final boolean sameShare = input.target().collection().equals(attributes.get(BulkImportAttributes.COLLECTION))
                && Objects.equals(input.target().partition(), attributes.get(BulkImportAttributes.PARTITION))
                && Objects.equals(input.target().database(), attributes.get(BulkImportAttributes.DATABASE))
                && String.join("\n", input.files()).equals(attributes.get(BulkImportAttributes.OBJECT_URLS));
        if (!sameShare) {
            return null;
        }
        try {
            return new RememberedJob(jobId, Instant.parse(attributes.get(BulkImportAttributes.SUBMITTED_AT)).toEpochMilli(),
                    Integer.parseInt(attributes.get(BulkImportAttributes.BATCH_INDEX)), Integer.parseInt(attributes.get(BulkImportAttributes.BATCH_SIZE)));
        } catch (final RuntimeException unreadable) {
            return null;
        }
    }

    private String customKey(final ProcessContext context, final FlowFile flowFile) throws InvalidInputException {
        final String custom = context.getProperty(idempotencyKeyProperty).evaluateAttributeExpressions(flowFile).getValue();
        if (custom == null || custom.isBlank()) {
            throw new InvalidInputException(idempotencyKeyProperty.getName() + " evaluated to an empty value for this flowfile");
        }
        return IdempotencyKeys.checkCustom(custom.strip(), idempotencyKeyProperty.getName());
    }
}
