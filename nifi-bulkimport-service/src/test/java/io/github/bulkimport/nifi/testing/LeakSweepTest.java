package io.github.bulkimport.nifi.testing;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The sweep that runs after every test does fail when a secret reached what a user sees.
 */
class LeakSweepTest {

    /** A processor that logs what it is told to, as a leaking processor would. */
    public static class Logging extends AbstractProcessor {
        private static final PropertyDescriptor CONNECTION_SERVICE = new PropertyDescriptor.Builder()
                .name("Connection Service")
                .identifiesControllerService(BulkImportConnectionService.class)
                .build();

        private volatile String text = "";

        @Override
        protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
            return List.of(CONNECTION_SERVICE);
        }

        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) {
            getLogger().warn(text);
        }
    }

    @Test
    void aSecretInALogMessageFailsTheSweep() {
        final Logging processor = new Logging();
        processor.text = "calling with key " + Secrets.API_KEY;
        Runners.zilliz(processor, "http://127.0.0.1:9").run();

        assertThrows(AssertionError.class, () -> new LeakSweep().afterEach(null));
    }

    @Test
    void cleanRunnersPassTheSweep() {
        Runners.milvus(new Logging(), "http://127.0.0.1:9").run();
        new LeakSweep().afterEach(null);
    }
}
