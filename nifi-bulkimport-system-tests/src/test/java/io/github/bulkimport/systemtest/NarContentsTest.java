package io.github.bulkimport.systemtest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two NARs users install: their parents, what each bundles and what each leaves to NiFi or to
 * its parent, and which components each declares.
 */
class NarContentsTest {

    private static final Nar SERVICE_API = Nar.open("target/bundle/nifi-bulkimport-service-api-nar.nar");
    private static final Nar BUNDLE = Nar.open("target/bundle/nifi-bulkimport-nar.nar");
    /** What NiFi itself or nifi-standard-services-api-nar provides: bundling a copy breaks the service lookups. */
    private static final List<String> PROVIDED = List.of("nifi-api-", "slf4j-api-", "nifi-ssl-context-service-api-", "nifi-proxy-configuration-api-",
            "nifi-record-serialization-service-api-", "nifi-record-", "nifi-standard-services-api-", "nifi-security-utils-api-", "nifi-framework-api-");

    /** Our own jars, under the NAR's own license; every other bundled jar is a third party's and is named in the NOTICE. */
    private static final String OWN_JARS = "nifi-bulkimport-";

    /** One NAR file: its manifest, its bundled jars, its extension manifest, the components with additional details, its licensing. */
    private record Nar(Manifest manifest, List<String> bundled, String extensions, List<String> documented, String license, String notice) {

        static Nar open(final String file) {
            try (JarFile nar = new JarFile(Path.of(file).toFile())) {
                final List<String> bundled = nar.stream().map(entry -> entry.getName())
                        .filter(name -> name.startsWith("META-INF/bundled-dependencies/") && name.endsWith(".jar"))
                        .map(name -> name.substring("META-INF/bundled-dependencies/".length()))
                        .toList();
                final String details = "META-INF/docs/additional-details/";
                final List<String> documented = nar.stream().map(entry -> entry.getName())
                        .filter(name -> name.startsWith(details) && name.endsWith("/additionalDetails.md"))
                        .map(name -> name.substring(details.length(), name.length() - "/additionalDetails.md".length()))
                        .sorted().toList();
                return new Nar(nar.getManifest(), bundled, text(nar, "META-INF/docs/extension-manifest.xml"), documented,
                        text(nar, "META-INF/LICENSE"), text(nar, "META-INF/NOTICE"));
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String text(final JarFile nar, final String entry) throws IOException {
            final ZipEntry found = nar.getEntry(entry);
            assertNotNull(found, entry + " missing from " + nar.getName());
            return new String(nar.getInputStream(found).readAllBytes(), StandardCharsets.UTF_8);
        }

        /** A bundled jar's artifact ID: its file name without the version. */
        static String artifactId(final String jar) {
            return jar.replaceFirst("-\\d[^-]*(-SNAPSHOT)?\\.jar$", "");
        }

        String attribute(final String name) {
            return manifest.getMainAttributes().getValue(name);
        }

        List<String> components() {
            return Pattern.compile("<extension><name>([^<]+)</name><type>([^<]+)</type>").matcher(extensions).results()
                    .map(m -> m.group(2) + " " + m.group(1)).sorted().toList();
        }

        void assertBundles(final List<String> expected) {
            for (final String jar : expected) {
                assertTrue(bundled.stream().anyMatch(name -> name.startsWith(jar)), jar + " missing from " + bundled);
            }
        }

        void assertBundlesNone(final List<String> forbidden) {
            for (final String jar : forbidden) {
                assertTrue(bundled.stream().noneMatch(name -> name.startsWith(jar)), jar + " must not be bundled: " + bundled);
            }
        }
    }

    @Test
    void theParentChainIsBundleThenServiceApiThenStandardServicesApi() {
        assertEquals("io.github.bulkimport", BUNDLE.attribute("Nar-Group"));
        assertEquals("io.github.bulkimport", BUNDLE.attribute("Nar-Dependency-Group"));
        assertEquals("nifi-bulkimport-service-api-nar", BUNDLE.attribute("Nar-Dependency-Id"));
        assertEquals("org.apache.nifi", SERVICE_API.attribute("Nar-Dependency-Group"));
        assertEquals("nifi-standard-services-api-nar", SERVICE_API.attribute("Nar-Dependency-Id"));
    }

    @Test
    void theServiceApiNarHoldsTheApiAndNothingElse() {
        assertEquals(1, SERVICE_API.bundled().size(), SERVICE_API.bundled().toString());
        SERVICE_API.assertBundles(List.of("nifi-bulkimport-service-api-"));
        assertEquals(List.of(), SERVICE_API.components(), "the API declares no component");
    }

    @Test
    void theBundleHoldsTheProcessorsTheServiceAndTheirLibrariesButNotTheApi() {
        BUNDLE.assertBundles(List.of("nifi-bulkimport-processors-", "nifi-bulkimport-service-", "httpclient5-", "httpcore5-", "jackson-databind-",
                "jackson-core-", "nifi-utils-", "parquet-format-structures-", "aircompressor-"));
        // the Parquet footer is read without Hadoop: neither it nor Parquet's full reader is bundled
        BUNDLE.assertBundlesNone(List.of("nifi-bulkimport-service-api-", "hadoop-", "parquet-hadoop-", "parquet-column-", "snappy-java-", "zstd-jni-",
                "jackson-dataformat-csv-"));
    }

    @Test
    void neitherBundlesWhatNiFiProvides() {
        SERVICE_API.assertBundlesNone(PROVIDED);
        BUNDLE.assertBundlesNone(PROVIDED);
    }

    @Test
    void everyComponentIsDeclaredInTheBundle() {
        assertEquals(List.of(
                "CONTROLLER_SERVICE io.github.bulkimport.nifi.service.StandardBulkImportConnectionService",
                "PROCESSOR io.github.bulkimport.nifi.processors.action.AbortBulkImport",
                "PROCESSOR io.github.bulkimport.nifi.processors.action.CommitBulkImport",
                "PROCESSOR io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs",
                "PROCESSOR io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress",
                "PROCESSOR io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport",
                "PROCESSOR io.github.bulkimport.nifi.processors.validate.ValidateBulkImportFile"), BUNDLE.components());
        assertEquals(BUNDLE.components().stream().map(component -> component.substring(component.indexOf(' ') + 1)).sorted().toList(),
                BUNDLE.documented(), "every component has its additionalDetails.md");
        assertTrue(BUNDLE.extensions().contains("<systemApiVersion>2.0.0</systemApiVersion>"), "built against nifi-api 2.0.0");
        assertTrue(BUNDLE.extensions().contains("<providedServiceAPI><className>io.github.bulkimport.nifi.api.BulkImportConnectionService</className>"
                + "<groupId>io.github.bulkimport</groupId><artifactId>nifi-bulkimport-service-api-nar</artifactId>"),
                "the service implements the API of the parent NAR");
    }

    @Test
    void eachNarCarriesTheApacheLicenseAndANoticeNamingEveryThirdPartyJarItBundles() {
        for (final Nar nar : List.of(SERVICE_API, BUNDLE)) {
            assertTrue(nar.license().contains("Apache License") && nar.license().contains("Version 2.0, January 2004"), "Apache-2.0 text in LICENSE");
            assertTrue(nar.notice().startsWith(nar.attribute("Nar-Id") + "\n"), "NOTICE names its NAR first: " + nar.notice().lines().findFirst());
            for (final String jar : nar.bundled()) {
                final String artifactId = Nar.artifactId(jar);
                assertTrue(jar.startsWith(OWN_JARS) || nar.notice().contains(artifactId), artifactId + " is bundled but not named in the NOTICE");
            }
        }
        assertEquals("jackson-core", Nar.artifactId("jackson-core-2.20.1.jar"));
        assertEquals("httpcore5-h2", Nar.artifactId("httpcore5-h2-5.4.4.jar"));
        assertTrue(BUNDLE.bundled().stream().noneMatch(jar -> jar.startsWith("jackson-core-")) || BUNDLE.license().contains("FastDoubleParser"),
                "jackson-core shades FastDoubleParser (MIT): its license belongs in the LICENSE's subcomponents");
    }
}
