package io.github.bulkimport.nifi.service.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This bundle's version, read from a resource the build fills in.
 */
public final class BundleVersion {

    private static final String VERSION = load();

    private BundleVersion() {
    }

    /** The {@code User-Agent} every request carries. */
    public static String userAgent() {
        return "nifi-bulkimport/" + VERSION + " (Apache NiFi; Java " + Runtime.version().feature() + ")";
    }

    private static String load() {
        try (InputStream in = BundleVersion.class.getResourceAsStream("bundle.properties")) {
            if (in == null) {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
