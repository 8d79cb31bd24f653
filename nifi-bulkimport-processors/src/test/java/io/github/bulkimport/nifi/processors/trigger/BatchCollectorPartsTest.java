package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShare;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.FlowFileFilter.FlowFileFilterResult;
import org.apache.nifi.util.MockFlowFile;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue hands out its flowfiles in parts (NiFi's swap queue is moved into the active queue between
 * polls), so one pass of a filter can end a batch short with more of its target still queued: 20,000
 * queued made 65 jobs where 64 were sized, and the 65th waited a whole wave at a limit of 64. The
 * collector says when its batch wants the next part.
 */
class BatchCollectorPartsTest {

    private final Map<Long, FlowFileShare> shares = new HashMap<>();
    private long next;

    private FlowFile queued(final String collection, final String boundRequest) {
        final MockFlowFile flowFile = new MockFlowFile(next++);
        final ImportRequest request = new ImportRequest(ImportTarget.of(collection, null, null, Map.of()), null,
                List.of(ImportFile.of("part-" + flowFile.getId() + ".parquet")));
        final String key = "key-" + flowFile.getId();
        shares.put(flowFile.getId(), new FlowFileShare(flowFile, request, key, key, null, boundRequest, null, null, 10L));
        return flowFile;
    }

    private BatchCollector collector(final int maxMembers) {
        return new BatchCollector(flowFile -> shares.get(flowFile.getId()), share -> true, maxMembers, 1_024, 0);
    }

    @Test
    void aBatchEndedShortByTheEndOfAPartWantsTheNextPartUntilItIsFull() {
        final BatchCollector collector = collector(5);
        assertFalse(collector.wantsMore(), "nothing taken yet: no batch to fill");
        for (int i = 0; i < 3; i++) {
            assertEquals(FlowFileFilterResult.ACCEPT_AND_CONTINUE, collector.filter(queued("docs", null)));
        }
        assertTrue(collector.wantsMore(), "3 of 5: the next part may hold more of its target");
        assertEquals(FlowFileFilterResult.ACCEPT_AND_CONTINUE, collector.filter(queued("docs", null)));
        assertEquals(FlowFileFilterResult.ACCEPT_AND_TERMINATE, collector.filter(queued("docs", null)));
        assertFalse(collector.wantsMore(), "full");
    }

    @Test
    void aBatchThatGaveUpLookingPastOtherTargetsWantsNoMore() {
        final BatchCollector collector = collector(5);
        collector.filter(queued("docs", null));
        FlowFileFilterResult result = FlowFileFilterResult.REJECT_AND_CONTINUE;
        while (result == FlowFileFilterResult.REJECT_AND_CONTINUE) {
            result = collector.filter(queued("other", null));
        }
        assertEquals(FlowFileFilterResult.REJECT_AND_TERMINATE, result);
        assertFalse(collector.wantsMore(), "it looked past as many as it looks past in one batch");
    }

    @Test
    void aBatchOfABoundRequestWantsNoMoreParts() {
        final BatchCollector collector = collector(5);
        collector.filter(queued("docs", "request-1"));
        assertFalse(collector.wantsMore(), "a bound request's mates are taken by their own filter, over the whole queue");
    }
}
