package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.model.ImportTarget;
import org.apache.nifi.flowfile.FlowFile;

import java.util.List;

/**
 * A flowfile taken by TriggerBulkImport, with its share of the request and its idempotency key,
 * or with the reason it cannot make a request.
 *
 * @param memberKey the idempotency key of this flowfile's share
 * @param memoryKey a digest of {@code memberKey} under which the started job is remembered
 * @param rejection why the flowfile's input is invalid, or {@code null}
 */
record PreparedFlowFile(FlowFile flowFile, ImportTarget target, List<String> files, String memberKey, String memoryKey, String rejection) {

    static PreparedFlowFile rejected(final FlowFile flowFile, final String reason) {
        return new PreparedFlowFile(flowFile, null, List.of(), null, null, reason);
    }

    boolean isRejected() {
        return rejection != null;
    }
}
