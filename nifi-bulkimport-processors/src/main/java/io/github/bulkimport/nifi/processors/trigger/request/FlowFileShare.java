package io.github.bulkimport.nifi.processors.trigger.request;

import io.github.bulkimport.nifi.processors.trigger.memory.RememberedJob;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import org.apache.nifi.flowfile.FlowFile;

import java.util.List;

/**
 * One flowfile's share of an import job, as TriggerBulkImport takes it: the request for its own files,
 * its idempotency key, and the request it is bound to; or why it cannot make a request.
 *
 * @param key          the idempotency key of this share alone
 * @param memoryKey    a digest of {@code key}, under which the job memory keeps what it knows of this share
 * @param replacesJob  the Failed job whose files this share imports again, or {@code null}
 * @param boundRequest the Idempotency-Key of an earlier request for several flowfiles whose outcome is
 *                     unknown: this share is sent again only in that request, or {@code null}
 * @param started      the job this very share already started, as the flowfile's own attributes tell
 *                     (it was looped back after success), or {@code null}
 * @param rejection    why the flowfile's input is invalid, or {@code null}
 * @param bytes        the size of the files this share imports, or {@code null} when it is not known (the files are named by Object
 *                     URLs or a volume, not by the upload the flowfile comes from)
 */
public record FlowFileShare(FlowFile flowFile, ImportRequest request, String key, String memoryKey, String replacesJob, String boundRequest,
                     RememberedJob started, String rejection, Long bytes) {

    public static FlowFileShare rejected(final FlowFile flowFile, final String reason) {
        return new FlowFileShare(flowFile, null, null, null, null, null, null, reason, null);
    }

    public ImportTarget target() {
        return request.target();
    }

    public List<ImportFile> files() {
        return request.files();
    }

    public String volume() {
        return request.volume();
    }

    public boolean isRejected() {
        return rejection != null;
    }

    public boolean isBound() {
        return boundRequest != null;
    }
}
