package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.service.StandardBulkImportConnectionService;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red team, differential: one run of many flowfiles whose properties are literals, expressions, escapes, parameter-like
 * text, blanks, or expressions that throw or come out empty for some flowfiles. Each flowfile's outcome (relationship,
 * target, files, key, error) and every request sent (key and request) is written as a fingerprint; with RT_FP_DIR set
 * it is saved, so that the same test run on the parent commit (before RunProperties) can be diffed against it.
 * The test itself asserts what must hold whatever the commit: every flowfile comes out once, the invalid ones alone,
 * a rejection names the property at fault, and a literal gives every flowfile the same value.
 */
class RedTeamRunPropertiesDifferentialTest {

    static final int FLOWFILES = 24;
    static final String YEAR = "${d:toDate('yyyy-MM-dd'):format('yyyy')}";

    /** Records what each start request carried. */
    static final class Recording extends StandardBulkImportConnectionService {
        final List<String> starts = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String startJob(final ImportRequest request, final String idempotencyKey, final IntConsumer calls) throws ImportApiException {
            starts.add("key=" + idempotencyKey + " | " + request);
            return super.startJob(request, idempotencyKey, calls);
        }
    }

    /** Attributes of flowfile i: several collections, partitions, databases, years, some missing or bad. */
    static Map<String, String> attributes(final int i) {
        final Map<String, String> a = new LinkedHashMap<>();
        a.put("n", String.format("%02d", i));
        a.put("s3.bucket", "b");
        a.put("s3.key", "dir/part-" + i + ".parquet");
        a.put("s3.etag", "etag-" + i);
        switch (i % 6) {
            case 0 -> a.put("coll", "alpha");
            case 1, 4 -> a.put("coll", "beta");
            case 2 -> a.put("coll", "bad-name");
            case 3 -> a.put("coll", "gamma");
            default -> { }
        }
        if (i % 4 != 0) {
            a.put("part", "p" + (i % 2));
        }
        a.put("db", i % 5 == 0 ? "" : "db" + (i % 2));
        a.put("d", i % 4 == 3 ? "not-a-date" : "202" + (i % 3) + "-01-15");
        a.put("sep", i % 2 == 0 ? "," : "|");
        if (i % 7 != 0) {
            a.put("opt", "v" + (i % 2));
        }
        a.put("u", i % 5 == 1 ? "kl\u00fcssel-" + i : "key-" + i);
        a.put("k", "x" + (i % 3));
        return a;
    }

    static Stream<Arguments> cases() {
        final List<Arguments> cases = new ArrayList<>();
        final Object[][] table = {
                {"literals-all", props("Collection Name", "docs", "Partition Name", "p1", "Database Name", "db1", "timeout", "300s",
                        "Object URLs", "files/a.parquet", "Idempotency Key", "fixed-key")},
                {"literals-default-key", props("Collection Name", "docs", "Partition Name", "p1", "Database Name", "db1", "timeout", "300s")},
                {"expressions-all", props("Collection Name", "${coll}", "Partition Name", "${part}", "Database Name", "${db}", "opt", "${opt}",
                        "sep", "${sep}", "Object URLs", "files/${k}.parquet", "Idempotency Key", "${s3.etag}-${fileSize}")},
                {"escaped-literals", props("Collection Name", "docs", "Object URLs", "files/$${k}.parquet", "opt", "$${v}",
                        "Idempotency Key", "k-$${x}")},
                {"escaped-mixed", props("Collection Name", "docs", "Object URLs", "files/$${k}/${k}.parquet", "opt", "$${v}${sep}",
                        "Idempotency Key", "$${x}${s3.etag}")},
                {"escaped-partition-invalid", props("Collection Name", "docs", "Partition Name", "$${part}")},
                {"params-like", props("Collection Name", "docs", "Object URLs", "files/##{p}.parquet", "nullkey", "###{p}",
                        "Idempotency Key", "##{p}-x")},
                {"params-like-option-empty", props("Collection Name", "docs", "opt", "#{p}")},
                {"blank-partition", props("Collection Name", "docs", "Partition Name", " ")},
                {"blank-database-tab", props("Collection Name", "docs", "Database Name", "\t")},
                {"blank-key", props("Collection Name", "docs", "Idempotency Key", "   ")},
                {"blank-option", props("Collection Name", "docs", "nullkey", " ")},
                {"blank-urls", props("Collection Name", "docs", "Object URLs", " \n ")},
                {"throws-some-collection", props("Collection Name", "c" + YEAR)},
                {"throws-some-partition", props("Collection Name", "docs", "Partition Name", "p" + YEAR)},
                {"throws-some-option", props("Collection Name", "docs", "opt", YEAR)},
                {"throws-some-urls", props("Collection Name", "docs", "Object URLs", "files/" + YEAR + "/${s3.key}")},
                {"throws-some-key", props("Collection Name", "docs", "Idempotency Key", YEAR + "-${s3.etag}")},
                {"empty-some-collection", props("Collection Name", "${coll}")},
                {"empty-some-database", props("Collection Name", "docs", "Database Name", "${db}")},
                {"empty-some-option", props("Collection Name", "docs", "opt", "${opt}")},
                {"nonascii-some-key", props("Collection Name", "docs", "Idempotency Key", "${u}")},
                {"functions-without-attributes", props("Collection Name", "${literal('docs')}", "Partition Name", "${literal('p9')}",
                        "Idempotency Key", "${literal('kk')}${s3.etag}")},
                {"json-urls-expression", props("Collection Name", "docs", "Object URLs", "[[\"files/${k}.parquet\"]]")},
                {"json-urls-literal", props("Collection Name", "docs", "Object URLs", "[[\"files/a.parquet\"],[\"files/b.parquet\"]]")},
                {"key-literal-with-expression-target", props("Collection Name", "${coll}", "Idempotency Key", "same-for-all")},
                {"everything-hostile", props("Collection Name", "c" + YEAR, "Partition Name", "${part}", "Database Name", "db1",
                        "opt", "${opt}", "nullkey", " ", "escaped", "$${v}", "Object URLs", "files/${k}/$${k}.parquet",
                        "Idempotency Key", "${u}-${fileSize}")},
        };
        for (final Object[] row : table) {
            cases.add(Arguments.of(row[0] + "-one-per-job", row[1], "1"));
            cases.add(Arguments.of(row[0] + "-batched", row[1], null));
        }
        return cases.stream();
    }

    static Map<String, String> props(final String... pairs) {
        final Map<String, String> props = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            props.put(pairs[i], pairs[i + 1]);
        }
        return props;
    }

    static TestRunner runner(final Recording service, final String url) throws Exception {
        return runner(service, url, new TriggerBulkImport());
    }

    static TestRunner runner(final Recording service, final String url, final TriggerBulkImport processor) throws Exception {
        final TestRunner runner = Runners.milvus(processor, url, service);
        runner.setProperty(BatchTaker.MAX_BATCH_WAIT, "0 sec");
        return runner;
    }

    /** Runs until the queue is empty; the runner is stopped afterwards. */
    static void drain(final TestRunner runner) {
        runner.run(1, false, true);
        for (int more = 0; more < 50 && !runner.isQueueEmpty(); more++) {
            runner.run(1, false, false);
        }
        runner.stop();
    }

    /** One line per flowfile, sorted by n: what it got. */
    static List<String> outcomes(final TestRunner runner) {
        final List<String> lines = new ArrayList<>();
        for (final Relationship relationship : runner.getProcessor().getRelationships()) {
            for (final MockFlowFile f : runner.getFlowFilesForRelationship(relationship)) {
                lines.add("n=" + f.getAttribute("n") + " rel=" + relationship.getName()
                        + " coll=" + f.getAttribute(BulkImportAttributes.COLLECTION)
                        + " part=" + f.getAttribute(BulkImportAttributes.PARTITION)
                        + " db=" + f.getAttribute(BulkImportAttributes.DATABASE)
                        + " urls=" + esc(f.getAttribute(BulkImportAttributes.OBJECT_URLS))
                        + " key=" + f.getAttribute(BulkImportAttributes.IDEMPOTENCY_KEY)
                        + " batch=" + f.getAttribute(BulkImportAttributes.BATCH_SIZE) + "/" + f.getAttribute(BulkImportAttributes.BATCH_INDEX)
                        + " error=" + f.getAttribute(BulkImportAttributes.ERROR_CODE) + ":" + esc(f.getAttribute(BulkImportAttributes.ERROR_MESSAGE)));
            }
        }
        Collections.sort(lines);
        return lines;
    }

    static String esc(final String s) {
        return s == null ? null : s.replace("\n", "\\n").replace("\t", "\\t");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachFlowFileGetsWhatItsOwnAttributesSay(final String name, final Map<String, String> props, final String maxPerJob) throws Exception {
        try (ImportApiEmulator emulator = Emulators.milvus().start()) {
            final Recording service = new Recording();
            final TestRunner runner = runner(service, emulator.url());
            if (maxPerJob != null) {
                runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, maxPerJob);
            }
            props.forEach(runner::setProperty);
            for (int i = 0; i < FLOWFILES; i++) {
                runner.enqueue(new byte[i], attributes(i));
            }
            drain(runner);

            final List<String> outcomes = outcomes(runner);
            final List<String> starts = new ArrayList<>(service.starts);
            Collections.sort(starts);
            save(name, outcomes, starts);

            // every flowfile out once
            assertEquals(FLOWFILES, outcomes.size(), String.join("\n", outcomes));
            for (int i = 0; i < FLOWFILES; i++) {
                final String n = "n=" + String.format("%02d", i) + " ";
                assertEquals(1, outcomes.stream().filter(line -> line.startsWith(n)).count(), n);
            }
            // a rejected flowfile names the property that is wrong (an import option by its name)
            for (final MockFlowFile failed : runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE)) {
                final String message = failed.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
                assertTrue(message != null && names(message),
                        name + ": " + message);
            }
            // a property set to a literal gives every successful flowfile the same value
            final List<MockFlowFile> success = runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS);
            for (final String property : props.keySet()) {
                final var descriptor = runner.getProcessor().getPropertyDescriptor(property);
                if (runner.getProcessContext().getProperty(descriptor).isExpressionLanguagePresent()) {
                    continue;
                }
                final String attribute = switch (property) {
                    case "Collection Name" -> BulkImportAttributes.COLLECTION;
                    case "Partition Name" -> BulkImportAttributes.PARTITION;
                    case "Database Name" -> BulkImportAttributes.DATABASE;
                    case "Idempotency Key" -> BulkImportAttributes.IDEMPOTENCY_KEY;
                    case "Object URLs" -> BulkImportAttributes.OBJECT_URLS;
                    default -> null;
                };
                if (attribute != null) {
                    // a flowfile given back a job another started (the same key) carries no key of its own: left out
                    assertTrue(success.stream().map(f -> f.getAttribute(attribute)).filter(java.util.Objects::nonNull).distinct().count() <= 1,
                            name + ": literal " + property + " gave " + success.stream().map(f -> f.getAttribute(attribute)).distinct().toList());
                }
            }
        }
    }

    private static boolean names(final String message) {
        return Stream.of("Collection Name", "Partition Name", "Database Name", "Object URLs", "Idempotency Key", "Import option",
                "opt's expression").anyMatch(message::contains);
    }

    private static void save(final String name, final List<String> outcomes, final List<String> starts) throws IOException {
        final String dir = System.getenv("RT_FP_DIR");
        if (dir == null) {
            return;
        }
        final Path path = Path.of(dir);
        Files.createDirectories(path);
        final List<String> lines = new ArrayList<>(outcomes);
        lines.add("--- starts");
        lines.addAll(starts);
        Files.write(path.resolve(name + ".txt"), lines, StandardCharsets.UTF_8);
    }
}
