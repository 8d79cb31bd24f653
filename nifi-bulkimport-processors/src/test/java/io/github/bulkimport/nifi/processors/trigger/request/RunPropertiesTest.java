package io.github.bulkimport.nifi.processors.trigger.request;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.PropertyValue;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.util.MockFlowFile;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One run looks each property up once and evaluates a value that reads no attribute once; an expression still per flowfile. */
class RunPropertiesTest {

    private static final PropertyDescriptor COLLECTION = ImportRequestReader.COLLECTION_NAME;
    private static final PropertyDescriptor PARTITION = ImportRequestReader.PARTITION_NAME;

    /** What the context was asked: property lookups and evaluations, by property name. */
    private final List<String> calls = new ArrayList<>();

    @Test
    void aLiteralIsLookedUpAndEvaluatedOnceForAllFlowFiles() {
        final RunProperties properties = new RunProperties(context(Map.of(COLLECTION, "vectors")));
        for (int i = 0; i < 3; i++) {
            assertTrue(properties.isSet(COLLECTION));
            assertEquals("vectors", properties.evaluate(COLLECTION, Map.of("n", String.valueOf(i))));
        }
        assertEquals(List.of("get " + COLLECTION.getName(), "evaluate " + COLLECTION.getName()), calls);
    }

    @Test
    void anExpressionIsEvaluatedForEachFlowFile() {
        final RunProperties properties = new RunProperties(context(Map.of(COLLECTION, "${n}")));
        assertEquals("c0", properties.evaluate(COLLECTION, Map.of("n", "c0")));
        assertEquals("c1", properties.evaluate(COLLECTION, Map.of("n", "c1")));
        assertEquals(List.of("get " + COLLECTION.getName(), "evaluate " + COLLECTION.getName(), "evaluate " + COLLECTION.getName()), calls);
    }

    @Test
    void anExpressionEvaluatedForAFlowFileSeesTheFlowFileNotOnlyItsAttributes() {
        final RunProperties properties = new RunProperties(context(Map.of(COLLECTION, "${fileSize}")));
        final MockFlowFile flowFile = new MockFlowFile(7);
        flowFile.setData(new byte[12]);
        assertEquals("size 12", properties.evaluate(COLLECTION, flowFile));
    }

    @Test
    void anUnsetPropertyIsUnsetAndEvaluatesToNothing() {
        final RunProperties properties = new RunProperties(context(Map.of()));
        assertFalse(properties.isSet(PARTITION));
        assertNull(properties.evaluate(PARTITION, Map.of()));
        assertNull(properties.evaluate(PARTITION, Map.of("n", "1")));
        assertEquals(List.of("get " + PARTITION.getName(), "evaluate " + PARTITION.getName()), calls);
    }

    @Test
    void anEvaluationThatFailsNamesItsPropertyAndALiteralIsEvaluatedAgainNextTime() {
        final RunProperties properties = new RunProperties(context(Map.of(COLLECTION, "fails once")));
        final RunProperties.NotEvaluated failed = assertThrows(RunProperties.NotEvaluated.class, () -> properties.evaluate(COLLECTION, Map.of()));
        assertEquals("Collection Name's expression could not be evaluated for this flowfile: first evaluation fails", failed.getMessage());
        assertEquals("fails once", properties.evaluate(COLLECTION, Map.of()));
    }

    /**
     * A context whose values are literals, or a single {@code ${attribute}} expression; {@code ${fileSize}} reads a
     * flowfile's size; the literal "fails once" throws on its first evaluation.
     */
    private ProcessContext context(final Map<PropertyDescriptor, String> values) {
        final boolean[] failed = {false};
        return (ProcessContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ProcessContext.class}, (proxy, method, args) -> {
            if (!method.getName().equals("getProperty") || !(args[0] instanceof PropertyDescriptor property)) {
                throw new UnsupportedOperationException(method.getName());
            }
            calls.add("get " + property.getName());
            final String raw = values.get(property);
            return (PropertyValue) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{PropertyValue.class}, (value, call, callArgs) -> {
                switch (call.getName()) {
                    case "isSet":
                        return raw != null;
                    case "isExpressionLanguagePresent":
                        return raw != null && raw.startsWith("${");
                    case "evaluateAttributeExpressions":
                        calls.add("evaluate " + property.getName());
                        if ("fails once".equals(raw) && !failed[0]) {
                            failed[0] = true;
                            throw new IllegalStateException("first evaluation fails");
                        }
                        final String evaluated = evaluated(raw, callArgs == null ? null : callArgs[0]);
                        return (PropertyValue) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{PropertyValue.class},
                                (result, resultCall, resultArgs) -> {
                                    if (resultCall.getName().equals("getValue")) {
                                        return evaluated;
                                    }
                                    throw new UnsupportedOperationException(resultCall.getName());
                                });
                    default:
                        throw new UnsupportedOperationException(call.getName());
                }
            });
        });
    }

    private static String evaluated(final String raw, final Object against) {
        if (raw == null || !raw.startsWith("${")) {
            return raw;
        }
        final String name = raw.substring(2, raw.length() - 1);
        if (against instanceof FlowFile flowFile) {
            return name.equals("fileSize") ? "size " + flowFile.getSize() : flowFile.getAttribute(name);
        }
        @SuppressWarnings("unchecked")
        final Map<String, String> attributes = (Map<String, String>) against;
        return attributes.get(name);
    }
}
