package io.github.bulkimport.nifi.processors.trigger.request;

import io.github.bulkimport.nifi.processors.trigger.memory.IdempotencyKeys;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.memory.RememberedJob;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.JobState;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.util.StandardValidators;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.github.bulkimport.nifi.processors.common.BulkImportAttributes.blankToNull;

/**
 * Turns a flowfile into its share of a job: evaluates TriggerBulkImport's properties against it,
 * derives its idempotency key, and finds the earlier request it is bound to, if any.
 */
public final class FlowFileShares {

    /** The longest Idempotency-Key servers accept. */
    private static final int MAX_KEY_LENGTH = 256;

    public static final PropertyDescriptor IDEMPOTENCY_KEY = new PropertyDescriptor.Builder()
            .name("Idempotency Key")
            .description("The Idempotency-Key sent with each request (printable ASCII, at most 256 characters). Leave empty to derive it from "
                    + "the upload (s3.etag, s3.version, gcs.etag, gcs.generation, azure.etag; else the flowfile's uuid) and the request, so that "
                    + "a flowfile replayed after a crash or rollback, or copied by a load-balanced connection, gets back the job it already "
                    + "started, while a new upload, or a flowfile whose job Failed or was aborted (bulkimport.state = Failed), starts a new one. "
                    + "When set, it must change whenever a new upload is to be imported, for example ${s3.etag}; servers scope keys to the "
                    + "collection, and so does this processor. A flowfile whose job Failed sends a key derived from this one and the failed job.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    private final ImportRequestReader reader;

    public FlowFileShares(final ImportRequestReader reader) {
        this.reader = reader;
    }

    /**
     * @param memory what the job memory holds, or {@code null} when it is not consulted
     */
    public FlowFileShare read(final RunProperties properties, final List<PropertyDescriptor> optionProperties, final FlowFile flowFile,
                       final Deployment deployment, final JobMemory.Snapshot memory) {
        try {
            final Map<String, String> attributes = flowFile.getAttributes();
            final ImportRequest input = reader.read(properties, optionProperties, attributes, deployment);
            final String replacesJob = JobState.FAILED.apiName().equals(attributes.get(BulkImportAttributes.STATE))
                    ? attributes.get(BulkImportAttributes.JOB_ID)
                    : attributes.get(BulkImportAttributes.REPLACES_JOB_ID);
            final String key = properties.isSet(IDEMPOTENCY_KEY)
                    ? IdempotencyKeys.forCustomKey(customKey(properties, flowFile), replacesJob)
                    : IdempotencyKeys.forFlowFile(attributes.get("uuid"), UploadAttributes.uploadIdentity(attributes), input.target(), input.volume(),
                    input.files(), replacesJob);
            final String memoryKey = IdempotencyKeys.memoryKey(input.target(), key);
            // what the flowfile's attributes say of earlier passes holds only for the same import: not after a new upload or another target
            final String keyBefore = attributes.get(BulkImportAttributes.FLOWFILE_KEY);
            String boundRequest = keyBefore == null || keyBefore.equals(memoryKey) ? attributes.get(BulkImportAttributes.REQUEST_KEY) : null;
            if (boundRequest == null && memory != null && !memoryKey.equals(keyBefore)) {
                // the attributes know nothing of this import (a replay after a crash, a copy made before its twin was bound): the memory
                // does; a flowfile that says it is this import and bound to nothing is free (bulkimport.request.key removed on purpose)
                boundRequest = memory.pendingRequest(memoryKey).orElse(null);
            }
            // a flowfile bound to a request has no job yet: the job its attributes name is an earlier one
            final RememberedJob started = memoryKey.equals(keyBefore) && attributes.get(BulkImportAttributes.REQUEST_KEY) == null
                    ? startedBefore(attributes) : null;
            return new FlowFileShare(flowFile, input, key, memoryKey, replacesJob, boundRequest, started, null, bytes(properties, flowFile, input));
        } catch (final InvalidInputException e) {
            return FlowFileShare.rejected(flowFile, e.getMessage());
        } catch (final RunProperties.NotEvaluated e) {
            // an expression that fails at run time (for example toDate() on text that is no date) is bad input too
            return FlowFileShare.rejected(flowFile, e.getMessage());
        } catch (final RuntimeException e) {
            return FlowFileShare.rejected(flowFile, "A property's expression could not be evaluated for this flowfile: " + e.getMessage());
        }
    }

    /**
     * The size of the files a flowfile imports: the one its upload processor wrote, else the flowfile's own content's (PutS3Object
     * passes the uploaded file on as the content); not known when Object URLs or a volume name the files.
     */
    private static Long bytes(final RunProperties properties, final FlowFile flowFile, final ImportRequest input) {
        if (input.volume() != null || properties.isSet(ImportRequestReader.OBJECT_URLS)) {
            return null;
        }
        return UploadAttributes.size(flowFile.getAttributes()).orElse(flowFile.getSize());
    }

    /**
     * The job this processor already started for the same import, when the flowfile comes back after
     * success (looped back for another reason) with the key it had then and bound to no request: its
     * attributes name the job, and the job has not Failed.
     */
    private static RememberedJob startedBefore(final Map<String, String> attributes) {
        final String jobId = attributes.get(BulkImportAttributes.JOB_ID);
        if (jobId == null || JobState.FAILED.apiName().equals(attributes.get(BulkImportAttributes.STATE))) {
            return null;
        }
        try {
            return new RememberedJob(jobId, Instant.parse(attributes.get(BulkImportAttributes.SUBMITTED_AT)).toEpochMilli(),
                    Integer.parseInt(attributes.get(BulkImportAttributes.BATCH_INDEX)), Integer.parseInt(attributes.get(BulkImportAttributes.BATCH_SIZE)));
        } catch (final RuntimeException unreadable) {
            return null;
        }
    }

    /** A key given through the Idempotency Key property, checked against what servers accept: printable ASCII, at most 256 characters. */
    private String customKey(final RunProperties properties, final FlowFile flowFile) throws InvalidInputException {
        final String name = IDEMPOTENCY_KEY.getName();
        final String evaluated = blankToNull(properties.evaluate(IDEMPOTENCY_KEY, flowFile));
        if (evaluated == null) {
            throw new InvalidInputException(name + " evaluated to an empty value for this flowfile");
        }
        final String custom = evaluated.strip();
        if (custom.length() > MAX_KEY_LENGTH) {
            throw new InvalidInputException(name + " evaluated to " + custom.length() + " characters; keys may have at most " + MAX_KEY_LENGTH);
        }
        for (int i = 0; i < custom.length(); i++) {
            final char c = custom.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new InvalidInputException(name + " evaluated to a value with a character that is not printable ASCII (position "
                        + (i + 1) + "); keys may hold only printable ASCII");
            }
        }
        return custom;
    }
}
