package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.trigger.request.RunProperties;
import org.apache.nifi.attribute.expression.language.Query;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.PropertyValue;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red team, RunProperties on its own (this file needs the commit under review): over a corpus of hostile values, one
 * RunProperties read for a sequence of flowfiles gives each flowfile exactly what a fresh evaluation (the code before)
 * gives it; with the mock's idea of "expression present" and with NiFi's own (Query.prepare), since the two differ.
 */
class RedTeamRunPropertiesUnitTest {

    private static final List<PropertyDescriptor> PROPERTIES = List.of(ImportRequestReader.COLLECTION_NAME, ImportRequestReader.OBJECT_URLS,
            FlowFileShares.IDEMPOTENCY_KEY, ImportRequestReader.optionProperty("opt"));

    private static List<Map<String, String>> attributeSequence() {
        final List<Map<String, String>> sequence = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            final Map<String, String> a = new HashMap<>();
            if (i % 3 != 0) {
                a.put("x", i % 4 == 1 ? "abc" : "2024");
            }
            a.put("y", "y" + i);
            a.put("filename", "f" + i);
            sequence.add(a);
        }
        return sequence;
    }

    private static String outcome(final ThrowingSupplier evaluation) {
        try {
            return "=" + evaluation.get();
        } catch (final RunProperties.NotEvaluated e) {
            // the run names the property; what failed is the cause
            return "!" + e.getCause().getClass().getSimpleName();
        } catch (final RuntimeException e) {
            return "!" + e.getClass().getSimpleName();
        }
    }

    private interface ThrowingSupplier {
        String get();
    }

    /** A context that hands out the runner's values, but says "expression present" as NiFi's framework would. */
    private static ProcessContext frameworkFaithful(final ProcessContext mock) {
        return answering(mock, raw -> raw != null && Query.prepare(raw).isExpressionLanguagePresent());
    }

    /** A context that says "expression present" as the given answer says. */
    private static ProcessContext answering(final ProcessContext mock, final java.util.function.Predicate<String> present) {
        return (ProcessContext) Proxy.newProxyInstance(RedTeamRunPropertiesUnitTest.class.getClassLoader(), new Class<?>[]{ProcessContext.class},
                (proxy, method, args) -> {
                    final Object result;
                    try {
                        result = method.invoke(mock, args);
                    } catch (final InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (!(result instanceof PropertyValue value) || !method.getName().equals("getProperty")) {
                        return result;
                    }
                    final String raw = rawOf(mock, (PropertyDescriptor) args[0]);
                    return Proxy.newProxyInstance(RedTeamRunPropertiesUnitTest.class.getClassLoader(), new Class<?>[]{PropertyValue.class},
                            (p, m, a) -> {
                                if (m.getName().equals("isExpressionLanguagePresent")) {
                                    return present.test(raw);
                                }
                                try {
                                    return m.invoke(value, a);
                                } catch (final InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                });
    }

    private static String rawOf(final ProcessContext context, final PropertyDescriptor property) {
        return context.getAllProperties().get(property.getName());
    }

    @Test
    void oneRunGivesEachFlowFileWhatAFreshEvaluationGivesIt() {
        final List<String> differences = new ArrayList<>();
        assertTrue(compare(differences, false) + compare(differences, true) > 1_000);
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }

    /** The comparison above catches a cache that is wrong: a context claiming no value ever holds an expression. */
    @Test
    void theComparisonCatchesAWrongCache() {
        final List<String> differences = new ArrayList<>();
        compareWith(differences, "liar", context -> answering(context, raw -> false));
        assertTrue(differences.stream().anyMatch(d -> d.contains("\"${x}\"")), String.join("\n", differences));
        assertTrue(differences.stream().anyMatch(d -> d.contains("\"${fileSize}\"")), String.join("\n", differences));
    }

    private static int compare(final List<String> differences, final boolean faithful) {
        return compareWith(differences, faithful ? "framework" : "mock",
                context -> faithful ? frameworkFaithful(context) : context);
    }

    private static int compareWith(final List<String> differences, final String mode,
                                   final java.util.function.UnaryOperator<ProcessContext> wrap) {
        int compared = 0;
        for (final PropertyDescriptor property : PROPERTIES) {
            for (final String raw : RedTeamRunPropertiesElInvariantTest.HOSTILE) {
                if (raw.isEmpty()) {
                    continue;
                }
                final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
                runner.setValidateExpressionUsage(false);
                runner.setProperty(property, raw);
                final ProcessContext context = wrap.apply(runner.getProcessContext());
                final RunProperties run = new RunProperties(context);
                int size = 0;
                for (final Map<String, String> attributes : attributeSequence()) {
                    final MockFlowFile flowFile = new MockFlowFile(++size);
                    flowFile.putAttributes(attributes);
                    flowFile.setData(new byte[size]);
                    final boolean byFlowFile = property == FlowFileShares.IDEMPOTENCY_KEY;
                    final String fresh = outcome(() -> byFlowFile
                            ? runner.getProcessContext().getProperty(property).evaluateAttributeExpressions(flowFile).getValue()
                            : runner.getProcessContext().getProperty(property).evaluateAttributeExpressions(attributes).getValue());
                    final String once = outcome(() -> byFlowFile ? run.evaluate(property, flowFile) : run.evaluate(property, attributes));
                    compared++;
                    // random and time functions differ between any two evaluations: compare their shape only
                    if (!fresh.equals(once) && !raw.matches(".*(UUID|now|nextInt|random|thread)\\(\\).*")) {
                        differences.add(mode + " " + property.getName() + " "
                                + RedTeamRunPropertiesElInvariantTest.printable(raw) + " " + attributes + ": fresh " + fresh + ", run " + once);
                    }
                }
            }
        }
        return compared;
    }

    /** Functions that read no attribute are expressions all the same: a new value each flowfile. */
    @Test
    void randomFunctionsAreEvaluatedEachTime() {
        final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
        runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "${UUID()}");
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "c${nextInt()}");
        for (final ProcessContext context : List.of(runner.getProcessContext(), frameworkFaithful(runner.getProcessContext()))) {
            final RunProperties run = new RunProperties(context);
            final java.util.Set<String> keys = new java.util.HashSet<>();
            final java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < 10; i++) {
                keys.add(run.evaluate(FlowFileShares.IDEMPOTENCY_KEY, new MockFlowFile(i)));
                names.add(run.evaluate(ImportRequestReader.COLLECTION_NAME, Map.of()));
            }
            assertEquals(10, keys.size());
            assertEquals(10, names.size());
        }
    }

    /** A literal read through the attribute map and then through a flowfile (or the other way) is the same literal. */
    @Test
    void aLiteralReadBothWaysIsTheSame() {
        final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
        runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "k-$${fileSize}");
        final RunProperties run = new RunProperties(runner.getProcessContext());
        final MockFlowFile flowFile = new MockFlowFile(1);
        flowFile.setData(new byte[7]);
        assertEquals("k-${fileSize}", run.evaluate(FlowFileShares.IDEMPOTENCY_KEY, Map.of()));
        assertEquals("k-${fileSize}", run.evaluate(FlowFileShares.IDEMPOTENCY_KEY, flowFile));
    }

    /** ${fileSize} against the attribute map is nothing, against the flowfile its size; never the one for the other. */
    @Test
    void aFlowFileFieldIsReadFromEachFlowFile() {
        final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
        runner.setProperty(FlowFileShares.IDEMPOTENCY_KEY, "${fileSize}");
        final RunProperties run = new RunProperties(runner.getProcessContext());
        for (int size = 1; size < 6; size++) {
            final MockFlowFile flowFile = new MockFlowFile(size);
            flowFile.setData(new byte[size]);
            assertEquals(String.valueOf(size), run.evaluate(FlowFileShares.IDEMPOTENCY_KEY, flowFile));
        }
    }

    /** A run's properties are the run's: a new run (a new RunProperties) sees a value changed since. */
    @Test
    void aNewRunSeesAChangedValue() {
        final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "alpha");
        final RunProperties first = new RunProperties(runner.getProcessContext());
        assertEquals("alpha", first.evaluate(ImportRequestReader.COLLECTION_NAME, Map.of()));
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "beta");
        assertEquals("beta", new RunProperties(runner.getProcessContext()).evaluate(ImportRequestReader.COLLECTION_NAME, Map.of()));
        runner.removeProperty(ImportRequestReader.COLLECTION_NAME);
        assertFalse(new RunProperties(runner.getProcessContext()).isSet(ImportRequestReader.COLLECTION_NAME));
    }

    /** Nothing keeps a RunProperties beyond a trigger: neither the processor nor anything it holds has a field of that type. */
    @Test
    void noRunPropertiesOutlivesATrigger() throws Exception {
        for (Class<?> type = TriggerBulkImport.class; type != null && type != Object.class; type = type.getSuperclass()) {
            for (final Field field : type.getDeclaredFields()) {
                assertFalse(RunProperties.class.isAssignableFrom(field.getType()), type.getSimpleName() + "." + field.getName());
            }
        }
        final Field shares = TriggerBulkImport.class.getDeclaredField("shares");
        for (final Field field : shares.getType().getDeclaredFields()) {
            assertFalse(RunProperties.class.isAssignableFrom(field.getType()), "FlowFileShares." + field.getName());
        }
        for (final Field field : ImportRequestReader.class.getDeclaredFields()) {
            assertFalse(RunProperties.class.isAssignableFrom(field.getType()), "ImportRequestReader." + field.getName());
        }
        // BatchTaker holds one, and a BatchTaker is made in each trigger
        assertTrue(java.util.Arrays.stream(BatchTaker.class.getDeclaredFields()).anyMatch(f -> f.getType() == RunProperties.class));
    }
}
