package io.github.bulkimport.nifi.processors.trigger.request;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.processors.common.InvalidInputException;
import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.testing.FuzzInvariants;
import io.github.bulkimport.nifi.testing.SecretRuns;
import io.github.bulkimport.nifi.testing.Secrets;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any flowfile attributes and property values (see {@link FuzzedSettings}) through ImportRequestReader, as
 * TriggerBulkImport reads a flowfile: the request's files, or an InvalidInputException whose message names the
 * property or attribute to fix; nothing else. No message and no file of a request shows a secret the input did
 * not itself put there, and the access keys of Object URLs written with credentials=on are never shown. Each
 * property is set to an expression that reads an attribute holding the fuzzed value, so the value reaches the
 * reader as it is, never parsed as an expression.
 */
class ObjectUrlsFuzzTest {

    private static final List<PropertyDescriptor> PROPERTIES = List.of(ImportRequestReader.COLLECTION_NAME, ImportRequestReader.PARTITION_NAME,
            ImportRequestReader.DATABASE_NAME, ImportRequestReader.OBJECT_URLS, ImportRequestReader.VOLUME_NAME, ImportRequestReader.DATA_PATHS);
    private static final Map<String, PropertyDescriptor> BY_NAME = PROPERTIES.stream()
            .collect(Collectors.toMap(PropertyDescriptor::getName, Function.identity()));
    /** What a message may name as the thing to fix. */
    private static final List<String> FIXABLE = List.of("Collection Name", "Partition Name", "Database Name", "Object URLs", "Volume Name",
            "Data Paths", "Import option", UploadAttributes.S3_BUCKET, UploadAttributes.S3_KEY, UploadAttributes.GCS_BUCKET, UploadAttributes.GCS_KEY,
            UploadAttributes.AZURE_PRIMARY_URI);
    private static final String ACCESS_KEYS = Secrets.ACCESS_KEY + ":" + Secrets.SECRET_KEY + "@";
    private static final int MOST_CONTEXTS = 64;
    private static final Map<String, ProcessContext> CONTEXTS = new HashMap<>();
    private static final ImportRequestReader READER = new ImportRequestReader();

    /** A request, or the message of the InvalidInputException that refused it. */
    private record Outcome(ImportRequest request, String rejection) {
    }

    @FuzzTest(maxDuration = "5m")
    void importRequest(final byte[] input) throws Exception {
        final String text = new String(input, 0, Math.min(input.length, FuzzInvariants.MAX_INPUT_BYTES), StandardCharsets.UTF_8);
        final FuzzedSettings settings = FuzzedSettings.parse(text, BY_NAME.keySet());
        final Map<String, String> attributes = new LinkedHashMap<>(settings.attributes());
        settings.properties().forEach((name, value) -> attributes.put(attributeOf(name), value));
        settings.options().forEach((name, value) -> attributes.put(attributeOf(FuzzedSettings.OPTION + name), value));
        if (settings.credentials() && settings.properties().containsKey(ImportRequestReader.OBJECT_URLS.getName())) {
            attributes.put(attributeOf(ImportRequestReader.OBJECT_URLS.getName()), "s3://" + ACCESS_KEYS + settings.properties().get(
                    ImportRequestReader.OBJECT_URLS.getName()));
        }
        final ProcessContext context = context(settings);
        final List<PropertyDescriptor> options = ImportRequestReader.optionProperties(context);
        final Outcome outcome = FuzzInvariants.withinBudget(() -> {
            try {
                return new Outcome(READER.read(context, options, attributes, settings.deployment()), null);
            } catch (final InvalidInputException e) {
                return new Outcome(null, e.getMessage());
            }
        });
        // the oracle looks for runs of a secret, so an input holding such a run names a secret itself
        final boolean inputHasSecrets = Secrets.ALL.stream().anyMatch(secret -> java.util.stream.IntStream.rangeClosed(0, secret.length() - SecretRuns.RUN)
                .anyMatch(i -> settings.mentions(secret.substring(i, i + SecretRuns.RUN))));
        if (outcome.rejection() != null) {
            assertFalse(outcome.rejection().isBlank(), "a refusal says why");
            assertTrue(FIXABLE.stream().anyMatch(outcome.rejection()::contains), "names no property or attribute to fix: " + outcome.rejection());
            if (!inputHasSecrets) {
                FuzzInvariants.noSecret("the message refusing the flowfile", outcome.rejection());
            }
            return;
        }
        assertFalse(outcome.request().files().isEmpty(), "a request imports files");
        for (final ImportFile file : outcome.request().files()) {
            for (final String path : file.paths()) {
                assertFalse(path.isBlank() || ObjectUrls.hasControlCharacter(path), "a file of the request: \"" + path + "\"");
                if (!inputHasSecrets) {
                    FuzzInvariants.noSecret("a file of the request", path);
                }
            }
        }
    }

    private static String attributeOf(final String setting) {
        return "fuzz." + setting.toLowerCase(java.util.Locale.ROOT).replace(' ', '.');
    }

    /** TriggerBulkImport's context with the properties and options the settings name, each reading its attribute. */
    private static ProcessContext context(final FuzzedSettings settings) {
        final Set<String> names = new TreeSet<>(settings.properties().keySet());
        names.add(ImportRequestReader.COLLECTION_NAME.getName());
        settings.options().keySet().forEach(option -> names.add(FuzzedSettings.OPTION + option));
        final String key = String.join("\n", names);
        if (CONTEXTS.size() >= MOST_CONTEXTS && !CONTEXTS.containsKey(key)) {
            CONTEXTS.clear();
        }
        return CONTEXTS.computeIfAbsent(key, unused -> {
            final TestRunner runner = TestRunners.newTestRunner(new TriggerBulkImport());
            for (final String name : names) {
                final String expression = "${" + attributeOf(name) + "}";
                if (name.startsWith(FuzzedSettings.OPTION)) {
                    runner.setProperty(name.substring(FuzzedSettings.OPTION.length()), expression);
                } else {
                    runner.setProperty(BY_NAME.get(name), expression);
                }
            }
            return runner.getProcessContext();
        });
    }

}
