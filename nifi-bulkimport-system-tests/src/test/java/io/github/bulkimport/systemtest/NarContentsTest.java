package io.github.bulkimport.systemtest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NAR that users install: its parent, what it bundles and what it must leave to NiFi.
 */
class NarContentsTest {

    private static List<String> bundled;
    private static Manifest manifest;
    private static String extensionManifest;

    @BeforeAll
    static void open() throws IOException {
        try (JarFile nar = new JarFile(Path.of("target/bundle/nifi-bulkimport-nar.nar").toFile())) {
            manifest = nar.getManifest();
            bundled = nar.stream().map(entry -> entry.getName())
                    .filter(name -> name.startsWith("META-INF/bundled-dependencies/") && name.endsWith(".jar"))
                    .map(name -> name.substring("META-INF/bundled-dependencies/".length()))
                    .toList();
            extensionManifest = new String(nar.getInputStream(nar.getEntry("META-INF/docs/extension-manifest.xml")).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parentIsTheStandardServicesApiNar() {
        assertEquals("org.apache.nifi", manifest.getMainAttributes().getValue("Nar-Dependency-Group"));
        assertEquals("nifi-standard-services-api-nar", manifest.getMainAttributes().getValue("Nar-Dependency-Id"));
        assertEquals("io.github.bulkimport", manifest.getMainAttributes().getValue("Nar-Group"));
    }

    @Test
    void bundlesTheBundleHttpClientAndJackson() {
        for (final String expected : List.of("nifi-bulkimport-processors-", "httpclient5-", "httpcore5-", "jackson-databind-", "jackson-core-")) {
            assertTrue(bundled.stream().anyMatch(jar -> jar.startsWith(expected)), expected + " missing from " + bundled);
        }
    }

    @Test
    void leavesNiFiAndSharedServiceApisToTheFramework() {
        for (final String forbidden : List.of("nifi-api-", "slf4j-api-", "nifi-ssl-context-service-api-", "nifi-proxy-configuration-api-",
                "nifi-standard-services-api-", "nifi-security-utils-api-", "nifi-framework-api-")) {
            assertTrue(bundled.stream().noneMatch(jar -> jar.startsWith(forbidden)), forbidden + " must not be bundled: " + bundled);
        }
    }

    @Test
    void extensionManifestListsTheProcessorsAndTheService() {
        final Matcher extensions = Pattern.compile("<extension><name>([^<]+)</name><type>([^<]+)</type>").matcher(extensionManifest);
        final List<String> found = extensions.results().map(m -> m.group(2) + " " + m.group(1)).sorted().toList();
        assertEquals(List.of(
                "CONTROLLER_SERVICE io.github.bulkimport.nifi.service.StandardBulkImportConnectionService",
                "PROCESSOR io.github.bulkimport.nifi.processors.GetBulkImportProgress",
                "PROCESSOR io.github.bulkimport.nifi.processors.ListBulkImportJobs",
                "PROCESSOR io.github.bulkimport.nifi.processors.TriggerBulkImport"), found);
        assertTrue(extensionManifest.contains("<systemApiVersion>2.0.0</systemApiVersion>"), "built against nifi-api 2.0.0");
    }
}
