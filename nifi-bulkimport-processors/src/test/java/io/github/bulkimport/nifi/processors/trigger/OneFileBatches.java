package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import org.apache.nifi.util.MockFlowFile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Batches of one flowfile each, numbered from 0 by their flowfile's id, for tests of how requests are sent. */
final class OneFileBatches {

    private OneFileBatches() {
    }

    static List<Batch> of(final int count) {
        final List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final ImportRequest request = new ImportRequest(ImportTarget.of("documents", null, null, Map.of()), null,
                    List.of(ImportFile.of("part-" + i + ".parquet")));
            batches.add(Batch.of(List.of(new FlowFileShare(new MockFlowFile(i), request, "key-" + i, "key-" + i, null, null, null, null, 0L))));
        }
        return batches;
    }

    static int number(final Batch batch) {
        return (int) batch.members().getFirst().flowFile().getId();
    }
}
