package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.ImportTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response Timeout bounds a whole call, not each read; an answer too large to read is abandoned,
 * not drained. The server is a raw socket, to misbehave below HTTP.
 */
class CallDeadlineTest {

    private static final ImportRequest REQUEST = new ImportRequest(ImportTarget.of("docs", null, null, Map.of()), List.of(ImportFile.of("a.parquet")));
    private static final String ANSWER = "{\"code\":0,\"data\":{\"jobId\":\"455000000000000001\"}}";

    private ServerSocket server;
    private final AtomicLong bytesSent = new AtomicLong();

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Answers every request with {@code head} then {@code body}, writing a chunk of the body every {@code pauseMillis}. */
    private String serve(final String head, final byte[] chunk, final long chunks, final long pauseMillis) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    final InputStream in = socket.getInputStream();
                    final byte[] request = new byte[65_536];
                    in.read(request);
                    final OutputStream out = socket.getOutputStream();
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    for (long i = 0; i < chunks; i++) {
                        out.write(chunk);
                        out.flush();
                        bytesSent.addAndGet(chunk.length);
                        if (pauseMillis > 0) {
                            Thread.sleep(pauseMillis);
                        }
                    }
                } catch (final IOException | InterruptedException e) {
                    // the client hung up
                }
            }
        });
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private static ImportApiClient client(final String endpoint, final Duration responseTimeout) {
        return new ImportApiClient(new ClientConfig(URI.create(endpoint), Deployment.MILVUS, "root:Milvus", CloudLocation.NONE, StorageCredentials.NONE,
                Duration.ofSeconds(2), responseTimeout, 2, null, null));
    }

    @Test
    @Timeout(10)
    void aServerDrippingItsAnswerIsCutOffAtResponseTimeout() throws IOException {
        final byte[] body = ANSWER.getBytes(StandardCharsets.US_ASCII);
        final String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        // one byte every 300 ms: each read is well within the timeout, the whole answer is not
        final String endpoint = serve(head, new byte[] {'{'}, body.length, 300);
        try (ImportApiClient client = client(endpoint, Duration.ofSeconds(1))) {
            final long started = System.nanoTime();
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            final long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals("TIMEOUT", e.getErrorCode().orElseThrow());
            assertTrue(e.isOutcomeUnknown());
            assertTrue(tookMillis < 2_500, "the call took " + tookMillis + " ms with Response Timeout = 1 s");
        }
    }

    @Test
    @Timeout(10)
    void anAnswerDeclaringTwentyGigabytesIsAbandonedNotDrained() throws IOException {
        final String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + 20L * 1024 * 1024 * 1024 + "\r\n\r\n";
        final String endpoint = serve(head, new byte[64 * 1024], Long.MAX_VALUE, 0);
        try (ImportApiClient client = client(endpoint, Duration.ofSeconds(30))) {
            final long started = System.nanoTime();
            final ImportApiException e = assertThrows(ImportApiException.class, () -> client.createJob(REQUEST, "k"));
            final long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals("RESPONSE_TOO_LARGE", e.getErrorCode().orElseThrow());
            assertTrue(tookMillis < 2_000, "abandoning took " + tookMillis + " ms");
            assertTrue(bytesSent.get() < 256L * 1024 * 1024, bytesSent.get() + " bytes were read before the answer was abandoned");
        }
    }
}
