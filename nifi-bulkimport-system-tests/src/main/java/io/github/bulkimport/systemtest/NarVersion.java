package io.github.bulkimport.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The bundle's NARs given another version, the same code: NiFi knows a NAR's coordinates only from its
 * manifest ({@code Nar-Version}, and {@code Nar-Dependency-Version} for a parent of this bundle) and its
 * extension manifest, so a copy with those rewritten is, to NiFi, another release of the bundle. The upgrade
 * test runs a flow on such a copy, then on the build itself, until a released version exists to start from.
 */
public final class NarVersion {

    private static final String GROUP = "io.github.bulkimport";

    private NarVersion() {
    }

    /** Writes a copy of {@code nar} into {@code directory}, its file name and coordinates at {@code version}; returns the copy. */
    public static Path rewrite(final Path nar, final String version, final Path directory) throws IOException {
        Files.createDirectories(directory);
        final String name = nar.getFileName().toString().replaceFirst("\\.nar$", "");
        final Path copy = directory.resolve(name + "-" + version + ".nar");
        String original = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(nar)); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                    final Manifest manifest = new Manifest(new java.io.ByteArrayInputStream(bytes));
                    final Attributes main = manifest.getMainAttributes();
                    original = main.getValue("Nar-Version");
                    main.putValue("Nar-Version", version);
                    if (GROUP.equals(main.getValue("Nar-Dependency-Group"))) {
                        main.putValue("Nar-Dependency-Version", version);
                    }
                    final java.io.ByteArrayOutputStream rewritten = new java.io.ByteArrayOutputStream();
                    manifest.write(rewritten);
                    bytes = rewritten.toByteArray();
                } else if (entry.getName().equals("META-INF/docs/extension-manifest.xml")) {
                    if (original == null) {
                        throw new IOException(nar + ": the extension manifest comes before META-INF/MANIFEST.MF");
                    }
                    bytes = new String(bytes, StandardCharsets.UTF_8).replace("<version>" + original + "</version>", "<version>" + version + "</version>")
                            .getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        if (original == null) {
            throw new IOException(nar + " has no NAR manifest");
        }
        return copy;
    }

    /** The version a NAR's manifest gives it. */
    public static String of(final Path nar) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(nar))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                    return new Manifest(in).getMainAttributes().getValue("Nar-Version");
                }
            }
        }
        throw new IOException(nar + " has no NAR manifest");
    }
}
