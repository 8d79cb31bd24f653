package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import io.github.bulkimport.nifi.testing.Secrets;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input, against the emulator: each case goes to failure, penalized, with a message naming
 * what to fix, and no HTTP request is made.
 */
class BadInputBatteryTest {

    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger HTTP_CALLS = new AtomicInteger();

    private static Arguments bad(final String name, final Deployment deployment, final Map<String, String> properties, final Map<String, String> attributes,
                                 final String expected) {
        return Arguments.of(name, deployment, properties, attributes, expected);
    }

    static Stream<Arguments> cases() {
        final String urls1025 = IntStream.range(0, 1_025).mapToObj(i -> "s3://b/" + i + ".parquet").collect(Collectors.joining(","));
        final String urls1001 = IntStream.range(0, 1_001).mapToObj(i -> "s3://b/" + i + ".parquet").collect(Collectors.joining(","));
        final List<Arguments> cases = new ArrayList<>();
        for (final Deployment deployment : Deployment.values()) {
            cases.add(bad("no upload attributes", deployment, Map.of(), Map.of("filename", "a.parquet"), "s3.bucket and s3.key"));
            cases.add(bad("s3.key missing", deployment, Map.of(), Map.of("s3.bucket", "b"), "only one of s3.bucket and s3.key"));
            cases.add(bad("gcs.bucket missing", deployment, Map.of(), Map.of("gcs.key", "k"), "only one of gcs.bucket and gcs.key"));
            cases.add(bad("blank collection", deployment, Map.of("Collection Name", "${c}"), Map.of("c", "   ", "s3.bucket", "b", "s3.key", "k"),
                    "Collection Name evaluated to an empty value"));
            cases.add(bad("missing collection attribute", deployment, Map.of("Collection Name", "${c}"), Map.of("s3.bucket", "b", "s3.key", "k"),
                    "Collection Name evaluated to an empty value"));
            cases.add(bad("blank object urls", deployment, Map.of("Object URLs", "${u}"), Map.of("u", " "), "Object URLs evaluated to an empty value"));
            cases.add(bad("blank partition", deployment, Map.of("Partition Name", "${p}"), Map.of("p", "bad partition", "s3.bucket", "b", "s3.key", "k"),
                    "Partition Name"));
            cases.add(bad("blank option", deployment, Map.of("timeout", "${t}"), Map.of("s3.bucket", "b", "s3.key", "k"), "Import option 'timeout'"));
            cases.add(bad("two Parquet files in one group", deployment, Map.of("Object URLs", "${u}"),
                    Map.of("u", "[[\"s3://b/1.parquet\", \"s3://b/2.parquet\"]]"), "Milvus imports one Parquet file per group"));
            cases.add(bad("ftp scheme", deployment, Map.of("Object URLs", "ftp://files.example.com/a.parquet"), Map.of(), "ftp://"));
            cases.add(bad("hdfs scheme", deployment, Map.of("Object URLs", "hdfs://namenode/a.parquet"), Map.of(), "hdfs://"));
            cases.add(bad("file scheme", deployment, Map.of("Object URLs", "file:///tmp/a.parquet"), Map.of(), "file://"));
            cases.add(bad("two JSON arrays one after the other", deployment, Map.of("Object URLs", "${u}"),
                    Map.of("u", "[[\"s3://b/1/id.npy\", \"s3://b/1/v.npy\"]] [[\"s3://b/2/id.npy\", \"s3://b/2/v.npy\"]]"),
                    "holds more after its JSON array"));
            cases.add(bad("a JSON array and trailing text", deployment, Map.of("Object URLs", "${u}"), Map.of("u", "[\"s3://b/a.parquet\"], s3://b/c.parquet"),
                    "holds more after its JSON array"));
            cases.add(bad("credentials in url", deployment, Map.of("Object URLs", "s3://" + Secrets.ACCESS_KEY + ":" + Secrets.SECRET_KEY + "@b/a.parquet"),
                    Map.of(), "credentials embedded"));
            cases.add(bad("user in https url", deployment, Map.of("Object URLs", "https://user:" + Secrets.SECRET_KEY + "@acct.blob.core.windows.net/c/a.parquet"),
                    Map.of(), "credentials embedded"));
            cases.add(bad("signed url", deployment, Map.of("Object URLs", "https://acct.blob.core.windows.net/c/a.parquet?sv=1&sig=" + Secrets.SECRET_KEY),
                    Map.of(), "query string"));
            cases.add(bad("json-breaking collection", deployment, Map.of("Collection Name", "${c}"),
                    Map.of("c", "docs\",\"files\":[[\"x\"]],\"a\":\"", "s3.bucket", "b", "s3.key", "k"), "not a valid name"));
            cases.add(bad("collection with newline", deployment, Map.of("Collection Name", "${c}"), Map.of("c", "docs\nother", "s3.bucket", "b", "s3.key", "k"),
                    "not a valid name"));
            cases.add(bad("control character in key", deployment, Map.of(), Map.of("s3.bucket", "b", "s3.key", "a\u0007.parquet"), "control character"));
            cases.add(bad("1,025 urls", deployment, Map.of("Object URLs", urls1025), Map.of(), "1025 files"));
            cases.add(bad("non-ascii idempotency key", deployment, Map.of("Idempotency Key", "clé"), Map.of("s3.bucket", "b", "s3.key", "k"), "printable ASCII"));
            cases.add(bad("separators only", deployment, Map.of("Object URLs", "${u}"), Map.of("u", " , ,"), "separators only"));
            cases.add(bad("bucket without key", deployment, Map.of("Object URLs", "s3://bucket"), Map.of(), "no object"));
            cases.add(bad("partition expression evaluating to nothing", deployment, Map.of("Partition Name", "${p}"),
                    Map.of("s3.bucket", "b", "s3.key", "k"), "Partition Name evaluated to an empty value"));
            cases.add(bad("database expression evaluating to nothing", deployment, Map.of("Database Name", "${d}"),
                    Map.of("s3.bucket", "b", "s3.key", "k"), "Database Name evaluated to an empty value"));
            cases.add(bad("100 KB url", deployment, Map.of("Object URLs", "${u}"), Map.of("u", "ftp://host/" + "x".repeat(100_000)), "ftp://"));
            cases.add(bad("expression failing at run time", deployment, Map.of("Collection Name", "${c:toDate('yyyy-MM-dd'):format('yyyy')}"),
                    Map.of("c", "x", "s3.bucket", "b", "s3.key", "k"), "could not be evaluated"));
        }
        cases.add(bad("1,001 urls on Zilliz Cloud", Deployment.ZILLIZ_CLOUD, Map.of("Object URLs", urls1001), Map.of(), "at most 1,000"));
        cases.add(bad("relative path on Zilliz Cloud", Deployment.ZILLIZ_CLOUD, Map.of("Object URLs", "data/a.parquet"), Map.of(), "not a URL"));
        cases.add(bad("http scheme on Zilliz Cloud", Deployment.ZILLIZ_CLOUD, Map.of("Object URLs", "http://b.example.com/a.parquet"), Map.of(), "http://"));
        cases.add(bad("unknown https host on Milvus", Deployment.MILVUS, Map.of("Object URLs", "https://example.com/b/a.parquet"), Map.of(), "cannot be told apart"));
        return cases.stream();
    }

    private static TestRunner runner(final Deployment deployment, final ImportApiEmulator emulator) {
        final TestRunner runner = deployment == Deployment.MILVUS ? Runners.milvus(new TriggerBulkImport(), emulator.url())
                : Runners.zilliz(new TriggerBulkImport(), emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        return runner;
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("cases")
    void badInputFailsWithoutAnyRequest(final String name, final Deployment deployment, final Map<String, String> properties,
                                        final Map<String, String> attributes, final String expected) {
        CASES.incrementAndGet();
        try (ImportApiEmulator emulator = (deployment == Deployment.MILVUS ? Emulators.milvus() : Emulators.zilliz()).start()) {
            final TestRunner runner = runner(deployment, emulator);
            properties.forEach(runner::setProperty);
            runner.enqueue(new byte[0], attributes);
            runner.run();

            HTTP_CALLS.addAndGet(emulator.requests().size());
            assertEquals(0, emulator.requests().size(), "no HTTP call for bad input");
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_FAILURE, 1);
            runner.assertPenalizeCount(1);
            final MockFlowFile out = runner.getFlowFilesForRelationship(TriggerRouting.REL_FAILURE).getFirst();
            out.assertAttributeEquals(BulkImportAttributes.ERROR_CODE, "INVALID_INPUT");
            final String message = out.getAttribute(BulkImportAttributes.ERROR_MESSAGE);
            assertTrue(message.contains(expected), () -> "'" + expected + "' missing from: " + message);
            assertTrue(message.length() <= 1_000, "a bounded message, whatever the input: " + message.length());
            runner.getLogger().getErrorMessages().forEach(logged -> assertTrue(logged.getMsg().length() <= 1_200, "a bounded bulletin"));
        }
    }

    @Test
    void spacesAndUnicodeInKeysAreValidAndSentVerbatim() {
        try (ImportApiEmulator emulator = Emulators.zilliz().start()) {
            final TestRunner runner = runner(Deployment.ZILLIZ_CLOUD, emulator);
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "folder with spaces/データ ü.parquet"));
            runner.run();
            runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 1);
            assertEquals(List.of(List.of("s3://b/folder with spaces/データ ü.parquet")), emulator.jobs().getFirst().files());
        }
    }

    @AfterAll
    static void summary() {
        System.out.printf("BAD INPUT BATTERY: cases=%d httpCallsMade=%d%n", CASES.get(), HTTP_CALLS.get());
    }
}
