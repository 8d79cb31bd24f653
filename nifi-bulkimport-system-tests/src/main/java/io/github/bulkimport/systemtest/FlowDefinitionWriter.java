package io.github.bulkimport.systemtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Writes {@code flows/}: builds each {@link FlowDefinition} in a real NiFi through the REST API,
 * downloads it as the UI's "Download flow definition" does, and names NiFi's standard NAR where the
 * tests' NiFi has its stand-in. Run by hand after changing a definition:
 * <pre>
 * mvn -B -DskipTests package
 * java -cp "nifi-bulkimport-system-tests/target/classes:nifi-bulkimport-system-tests/target/lib/*" \
 *     io.github.bulkimport.systemtest.FlowDefinitionWriter .
 * </pre>
 */
public final class FlowDefinitionWriter {

    private FlowDefinitionWriter() {
    }

    public static void main(final String[] args) throws Exception {
        final Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        final Path work = root.resolve("target/flow-definitions");
        NiFiInstance.delete(work);
        final List<Path> nars = List.of(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")).getFirst(),
                NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")).getFirst());
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), work.resolve("nifi"), nars, "flow-definitions");
        nifi.start(Duration.ofMinutes(4));
        try {
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
            Files.createDirectories(root.resolve("flows"));
            double y = 0;
            for (final FlowDefinition definition : FlowDefinition.values()) {
                final String group = definition.build(rest, rest.rootGroupId(), 0, y);
                y += 300;
                final Path file = definition.file(root.resolve("flows"));
                Files.writeString(file, withNiFisStandardBundle(rest.downloadFlowDefinition(group)) + "\n");
                System.out.println("wrote " + root.relativize(file));
            }
        } finally {
            nifi.stop();
        }
    }

    private static String withNiFisStandardBundle(final String definition) {
        return definition.replaceAll("\"group\" : \"io\\.github\\.bulkimport\",(\\s+)\"artifact\" : \"test-runtime-standard-nar\",(\\s+)\"version\" : \"[^\"]+\"",
                "\"group\" : \"org.apache.nifi\",$1\"artifact\" : \"nifi-standard-nar\",$2\"version\" : \"2.3.0\"");
    }
}
