package io.github.bulkimport.nifi.processors.common;

import io.github.bulkimport.nifi.api.BulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guards of a run: each flowfile's work under its own (one flowfile that breaks goes to failure alone,
 * the others are handled), and the run's, which routes every flowfile taken, however many were taken at once.
 */
class FlowFileGuardTest {

    private static final String BREAKS = "breaks";

    /** Handles each flowfile by its attribute {@code breaks}: nothing (success), or the error it names. */
    static final class Breakable extends AbstractBulkImportProcessor<Routing> {

        static final Relationship SUCCESS = new Relationship.Builder().name("success").build();
        static final Relationship FAILURE = new Relationship.Builder().name("failure").build();

        @Override
        protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
            return List.of(CONNECTION_SERVICE);
        }

        @Override
        public Set<Relationship> getRelationships() {
            return Set.of(SUCCESS, FAILURE);
        }

        @Override
        protected Routing routing(final ProcessContext context, final ProcessSession session, final BulkImportConnectionService service) {
            return new Routing(context, session, service, getLogger(), throttleGate, FAILURE, "testing the guards");
        }

        @Override
        protected void trigger(final ProcessContext context, final ProcessSession session, final Routing routing) {
            final List<FlowFile> flowFiles = session.get(50);
            routing.took(flowFiles);
            for (final FlowFile flowFile : flowFiles) {
                if ("the run".equals(flowFile.getAttribute(BREAKS))) {
                    throw new IllegalStateException("broken outside any flowfile's work");
                }
                routing.guarded(flowFile, () -> {
                    switch (String.valueOf(flowFile.getAttribute(BREAKS))) {
                        case "stack" -> recurse(0);
                        case "heap" -> allocate();
                        case "runtime" -> throw new IllegalArgumentException("a defect");
                        default -> routing.transfer(flowFile, SUCCESS);
                    }
                });
            }
        }

        private static int recurse(final int depth) {
            return recurse(depth + 1) + 1;
        }

        private static void allocate() {
            // an allocation no heap holds, as a declared count once made
            final long[][] arrays = new long[Integer.MAX_VALUE - 8][];
            arrays[0] = new long[1];
        }

        @Override
        protected void verify(final ProcessContext context, final BulkImportConnectionService service, final ComponentLog log,
                              final Map<String, String> attributes, final List<ConfigVerificationResult> results) {
        }
    }

    private static TestRunner runner() {
        return Runners.milvus(new Breakable(), "http://127.0.0.1:9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stack", "heap", "runtime"})
    void oneFlowFileThatBreaksAmongFiftyGoesToFailureAloneAndTheOthersAreHandled(final String how) {
        final TestRunner runner = runner();
        for (int i = 0; i < 50; i++) {
            runner.enqueue("", i == 17 ? Map.of(BREAKS, how) : Map.of());
        }
        runner.run();

        runner.assertQueueEmpty();
        runner.assertTransferCount(Breakable.SUCCESS, 49);
        runner.assertTransferCount(Breakable.FAILURE, 1);
        final MockFlowFile failed = runner.getFlowFilesForRelationship(Breakable.FAILURE).getFirst();
        failed.assertAttributeEquals(BREAKS, how);
        failed.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, Routing.UNEXPECTED);
        assertTrue(failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE).startsWith("Unexpected error while testing the guards"),
                failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE));
        assertTrue(failed.isPenalized());
    }

    @Test
    void aRunThatBreaksOutsideAnyFlowFilesWorkRoutesEveryFlowFileItTookNotOnlyThoseItReached() {
        final TestRunner runner = runner();
        for (int i = 0; i < 50; i++) {
            runner.enqueue("", i == 10 ? Map.of(BREAKS, "the run") : Map.of());
        }
        runner.run();

        runner.assertQueueEmpty();
        runner.assertTransferCount(Breakable.SUCCESS, 10);
        runner.assertTransferCount(Breakable.FAILURE, 40);
        assertEquals(40, runner.getFlowFilesForRelationship(Breakable.FAILURE).stream()
                .filter(f -> Routing.UNEXPECTED.equals(f.getAttribute(BulkImportAttributes.ERROR_CODE))).count());
    }
}
