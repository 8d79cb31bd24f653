package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.trigger.request.FlowFileShares;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import org.apache.nifi.attribute.expression.language.Query;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.PropertyValue;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red team: RunProperties evaluates a value once a run when {@code PropertyValue.isExpressionLanguagePresent()} is false.
 * That is only sound when such a value evaluates the same for every flowfile. Checked over a corpus of hostile raw values
 * (escapes, odd dollars, unclosed braces, parameter-like text, functions that read no attribute), both with the mock's
 * PropertyValue (what the TestRunner hands the processor) and with the framework's own test, Query.prepare (a compiled
 * expression present), so the mock does not hide a difference NiFi would show.
 */
class RedTeamRunPropertiesElInvariantTest {

    static final List<String> HOSTILE = List.of(
            "docs", "", " ", "\t", "$", "$$", "${", "}", "${}", "${ }", "${x", "x}", "${x}}", "{${x}",
            "$${x}", "$$${x}", "$$$${x}", "$$$$${x}", "a$${x}b", "$${x}${y}", "${x}$${y}", "\\${x}", "\\\\${x}",
            "#{p}", "##{p}", "###{p}", "files/##{p}.parquet", "a#{p}b", "#{p}${x}", "${#{p}}", "$#{p}", "#${x}",
            "${literal('a')}", "${'a'}", "${\"a\"}", "${literal('}')}", "${literal('${x}')}", "${x:append('$${y}')}",
            "${UUID()}", "${now()}", "${nextInt()}", "${random()}", "${hostname()}", "${thread()}",
            "${fileSize}", "${entryDate}", "${lineageStartDate}", "${filename}", "${uuid}",
            "${x:toDate('yyyy'):format('yyyy')}", "${x # a comment\n}", "${\nx\n}", "${allAttributes('x','y'):join(',')}",
            "${anyAttribute('x','y'):isEmpty()}", "${x:isEmpty():ifElse('a','b')}", "pre${x}post", "${${x}}",
            "s3://b/${x}.parquet", "[[\"${x}\"]]", "line1\n${x}", "${x}\u0000", "$\u0000{x}", "${x\u0000}",
            "\u00e9${x}", "${x:substring(0,1)}", "${x:length()}", "${x:toNumber():plus(1)}", "${x:jsonPath('$.a')}");

    private static final List<Map<String, String>> ATTRIBUTES = List.of(
            Map.of("x", "2024", "y", "one", "filename", "f1"),
            Map.of("x", "abc", "y", "two", "filename", "f2"),
            Map.of("x", "", "filename", "f3"),
            Map.of("filename", "f4"),
            Map.of("x", "{\"a\":\"b\"}", "y", "${x}", "filename", "f5"));

    private static String outcome(final Function<Map<String, String>, String> evaluation, final Map<String, String> attributes) {
        try {
            return "=" + evaluation.apply(attributes);
        } catch (final RuntimeException e) {
            return "!" + e.getClass().getSimpleName();
        }
    }

    /** A value the mock says holds no expression evaluates alike against every attribute map and every flowfile. */
    @Test
    void aValueWithoutExpressionLanguageEvaluatesAlikeForEveryFlowFile() {
        final List<String> broken = new ArrayList<>();
        final StringBuilder table = new StringBuilder();
        for (final PropertyDescriptor property : List.of(ImportRequestReader.COLLECTION_NAME, FlowFileShares.IDEMPOTENCY_KEY)) {
            for (final String raw : HOSTILE) {
                final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
                runner.setValidateExpressionUsage(false);
                runner.setProperty(property, raw);
                final boolean mockSays = runner.getProcessContext().getProperty(property).isExpressionLanguagePresent();
                final boolean frameworkSays = frameworkSaysPresent(raw);
                final List<String> byMap = new ArrayList<>();
                final List<String> byFlowFile = new ArrayList<>();
                int size = 0;
                for (final Map<String, String> attributes : ATTRIBUTES) {
                    // a fresh PropertyValue each time, as the code before RunProperties had
                    byMap.add(outcome(a -> runner.getProcessContext().getProperty(property).evaluateAttributeExpressions(a).getValue(), attributes));
                    final MockFlowFile flowFile = new MockFlowFile(++size);
                    flowFile.putAttributes(attributes);
                    flowFile.setData(new byte[size * 3]);
                    byFlowFile.add(outcome(a -> runner.getProcessContext().getProperty(property).evaluateAttributeExpressions(flowFile).getValue(),
                            attributes));
                }
                table.append(property.getName()).append(" | ").append(printable(raw)).append(" | mock ").append(mockSays)
                        .append(" | framework ").append(frameworkSays).append(" | ").append(byMap).append('\n');
                final boolean constant = byMap.stream().distinct().count() == 1 && byFlowFile.stream().distinct().count() == 1;
                if (!mockSays && !constant) {
                    broken.add("mock says no EL in " + printable(raw) + " but it evaluates " + byMap + " / " + byFlowFile);
                }
                if (!frameworkSays && !constant) {
                    broken.add("NiFi says no EL in " + printable(raw) + " but it evaluates " + byMap + " / " + byFlowFile);
                }
            }
        }
        System.out.println("[red-team EL invariant]\n" + table);
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    /**
     * Where the mock and the framework disagree about a value ("${}", "${ }": the mock sees an expression, NiFi an invalid
     * one it calls none), the value evaluates alike for every flowfile (it always throws), so either answer is safe.
     */
    @Test
    void whereTheMockAndTheFrameworkDisagreeEitherAnswerIsSafe() {
        final List<String> disagreements = new ArrayList<>();
        for (final String raw : HOSTILE) {
            final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
            runner.setValidateExpressionUsage(false);
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, raw);
            final PropertyValue value = runner.getProcessContext().getProperty(ImportRequestReader.COLLECTION_NAME);
            if (value.isExpressionLanguagePresent() != frameworkSaysPresent(raw)) {
                disagreements.add(printable(raw));
                final List<String> outcomes = ATTRIBUTES.stream()
                        .map(a -> outcome(m -> runner.getProcessContext().getProperty(ImportRequestReader.COLLECTION_NAME)
                                .evaluateAttributeExpressions(m).getValue(), a))
                        .distinct().toList();
                assertEquals(1, outcomes.size(), printable(raw) + " " + outcomes);
            }
        }
        System.out.println("[red-team EL invariant] mock vs framework disagreements: " + disagreements);
    }

    private static boolean frameworkSaysPresent(final String raw) {
        try {
            return Query.prepare(raw).isExpressionLanguagePresent();
        } catch (final RuntimeException e) {
            return false;
        }
    }

    static String printable(final String raw) {
        final StringBuilder out = new StringBuilder("\"");
        for (final char c : raw.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append('"').toString();
    }
}
