package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import io.github.bulkimport.nifi.testing.MockApi;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets that come back from a server in pieces or in disguise: no run of 8 of their characters
 * may reach a message.
 */
class SecretFragmentsTest {

    private static final String API_KEY = "sk-7Qm2Vx9Lp4Rt8Wz1Ny6Ks3Hd5";
    private static final String SLASHED_SECRET = "wJal/rXUtn+FEMI/K7MDENG/bPxRfiCY";
    private static final ImportRequest REQUEST = new ImportRequest(ImportTarget.of("docs", null, null, Map.of()), List.of(ImportFile.of("s3://b/x.parquet")));

    private final MockApi api = new MockApi();

    @AfterEach
    void stop() {
        api.close();
    }

    private ImportApiClient client(final String apiKey, final StorageCredentials storage, final ProxySettings proxy, final String endpoint) {
        return new ImportApiClient(new ClientConfig(URI.create(endpoint), Deployment.ZILLIZ_CLOUD, apiKey, new CloudLocation("in01-x", null, null),
                storage, Duration.ofSeconds(2), Duration.ofSeconds(2), 2, null, proxy));
    }

    private ImportApiClient client(final String apiKey) {
        return client(apiKey, StorageCredentials.NONE, null, api.url());
    }

    private static void assertNoRunOf(final String secret, final String text) {
        for (int i = 0; i + 8 <= secret.length(); i++) {
            final String run = secret.substring(i, i + 8);
            assertFalse(text.contains(run), () -> "'" + run + "' of a secret survived in: " + text);
        }
    }

    @Test
    void aKeyCutInHalfWhereTheSnippetEndsIsStillMasked() {
        // the key starts 10 characters before the 120th: a snippet cut before redaction kept most of it
        api.enqueue(new MockResponse.Builder().code(500).setHeader("Content-Type", "text/plain").body("x".repeat(110) + API_KEY + " rejected").build());
        try (ImportApiClient client = client(API_KEY)) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            assertNoRunOf(API_KEY, e.getMessage());
        }
    }

    @Test
    void aKeyPastedWithWhitespaceIsSentTrimmedAndMaskedTrimmed() throws Exception {
        api.envelopeError(1100, "unknown key " + API_KEY);
        try (ImportApiClient client = client(API_KEY + " \n")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            assertNoRunOf(API_KEY, e.getMessage());
        }
        assertTrue(api.take().getHeaders().get("Authorization").equals("Bearer " + API_KEY));
    }

    @Test
    void aSecretEchoedJsonEscapedIsMasked() {
        final String escaped = SLASHED_SECRET.replace("/", "\\\\/");
        api.json("""
                {"code":1100,"message":"bad secretKey %s"}""".formatted(escaped));
        try (ImportApiClient client = client(API_KEY, new StorageCredentials("AKIAEXAMPLE", SLASHED_SECRET, null), null, api.url())) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            assertNoRunOf(SLASHED_SECRET.replace("/", "\\/"), e.getMessage());
            assertNoRunOf(SLASHED_SECRET, e.getMessage());
        }
    }

    @Test
    void theBase64ProxyCredentialsAreMasked() {
        final String basic = Base64.getEncoder().encodeToString("proxyuser:pr0xy-Passw0rd-secret".getBytes(StandardCharsets.UTF_8));
        api.envelopeError(1100, "proxy said Proxy-Authorization: Basic " + basic);
        final ProxySettings proxy = new ProxySettings(URI.create(api.url()).getHost(), URI.create(api.url()).getPort(), "proxyuser", "pr0xy-Passw0rd-secret");
        try (ImportApiClient client = client(API_KEY, StorageCredentials.NONE, proxy, "http://import.example.invalid:19530")) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            assertNoRunOf(basic, e.getMessage());
        }
    }

    @Test
    void aKeyInTheEndpointPathIsMaskedInAddressesAndConnectionErrors() {
        final String deadEndpoint = api.url() + "/" + API_KEY;
        api.close();
        try (ImportApiClient client = client(API_KEY, StorageCredentials.NONE, null, deadEndpoint)) {
            assertNoRunOf(API_KEY, client.uriOf(Operation.START));
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            assertNoRunOf(API_KEY, e.getMessage());
        }
    }

    @Test
    void serverTextCannotForgeLogLines() throws Exception {
        final String forged = "\r\n2026-11-28 ERROR [main] forged \u001b[31mred\u001b[0m";
        final String forgedInJson = forged.replace("\r", "\\r").replace("\n", "\\n").replace("\u001b", "\\u001b");
        api.json("""
                {"code":0,"data":{"jobId":"455%s"}}""".formatted(forgedInJson));
        api.json("""
                {"code":0,"data":{"state":"Importing\\r\\nWARN forged\\u001b[2J","completeTime":"2026\\n11","reason":"r\\u0007"}}""");
        try (ImportApiClient client = client(API_KEY)) {
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), e.getMessage());
            assertTrue(e.isOutcomeUnknown(), "the job may exist: the request must be sent again alike");
            final var progress = client.describeJob(new JobReference("455", null));
            for (final String text : new String[] {progress.rawState(), progress.completeTime(), progress.reason()}) {
                assertTrue(text.chars().noneMatch(c -> c < 0x20 || c == 0x1b), text);
            }
        }
    }
}
