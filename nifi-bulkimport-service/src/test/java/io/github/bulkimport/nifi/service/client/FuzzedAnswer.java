package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.testing.FuzzInvariants;
import io.github.bulkimport.nifi.testing.Secrets;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * An HTTP answer written as a fuzz input, so that a corpus entry reads as what it is:
 * <pre>
 * status            (decimal digits; anything else is 200)
 * Content-Type      (empty: none)
 * Retry-After       (empty: none)
 * Location          (empty: none)
 * body...           (the rest, as bytes)
 * </pre>
 */
final class FuzzedAnswer {

    private static final int HEADER_LINES = 4;
    private static final int MAX_STATUS_DIGITS = 9;

    private FuzzedAnswer() {
    }

    static RawResponse read(final byte[] input) {
        final byte[] bounded = input.length > FuzzInvariants.MAX_INPUT_BYTES ? Arrays.copyOf(input, FuzzInvariants.MAX_INPUT_BYTES) : input;
        final String[] headers = new String[HEADER_LINES];
        int at = 0;
        for (int line = 0; line < HEADER_LINES && at <= bounded.length; line++) {
            int end = at;
            while (end < bounded.length && bounded[end] != '\n') {
                end++;
            }
            headers[line] = end > at ? new String(bounded, at, end - at, StandardCharsets.ISO_8859_1) : null;
            at = end + 1;
        }
        final byte[] body = at < bounded.length ? Arrays.copyOfRange(bounded, at, bounded.length) : new byte[0];
        return new RawResponse(status(headers[0]), headers[1], headers[2], headers[3], body);
    }

    /** The text of an input that {@link #read} reads as the given answer. */
    static byte[] write(final int status, final String contentType, final String retryAfter, final String location, final byte[] body) {
        final byte[] head = (status + "\n" + orEmpty(contentType) + "\n" + orEmpty(retryAfter) + "\n" + orEmpty(location) + "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        final byte[] input = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, input, head.length, body.length);
        return input;
    }

    private static String orEmpty(final String value) {
        return value == null ? "" : value;
    }

    private static int status(final String line) {
        if (line == null || line.isEmpty() || line.length() > MAX_STATUS_DIGITS || !line.chars().allMatch(Character::isDigit)) {
            return 200;
        }
        try {
            return Integer.parseInt(line);
        } catch (final NumberFormatException notDecimal) {
            // digits of other scripts
            return 200;
        }
    }

    /**
     * A client configured with every secret of {@link Secrets}: the Zilliz Cloud API key, the storage keys
     * and token, and the Milvus {@code user:password} token as a proxy's credentials.
     */
    static ImportApiClient clientWithEverySecret() {
        final String milvusUser = Secrets.MILVUS_TOKEN.substring(0, Secrets.MILVUS_TOKEN.indexOf(':'));
        final String milvusPassword = Secrets.MILVUS_TOKEN.substring(Secrets.MILVUS_TOKEN.indexOf(':') + 1);
        final ClientConfig config = new ClientConfig(URI.create("https://api.cloud.zilliz.com"), Deployment.ZILLIZ_CLOUD, Secrets.API_KEY,
                new CloudLocation("in01-0123456789abcdef", null, null, URI.create("https://in01-0123456789abcdef.example.com")),
                new StorageCredentials(Secrets.ACCESS_KEY, Secrets.SECRET_KEY, Secrets.SESSION_TOKEN),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, null, new ProxySettings("proxy.example.com", 3128, milvusUser, milvusPassword));
        return new ImportApiClient(config, Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"), ZoneOffset.UTC));
    }
}
