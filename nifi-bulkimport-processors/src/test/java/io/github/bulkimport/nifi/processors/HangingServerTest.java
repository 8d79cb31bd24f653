package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.progress.GetBulkImportProgress;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.processors.validate.ValidateBulkImportFile;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by the red team of issue 25 (promise 3, "a hanging server costs the Response Timeout once per run, not once per file"), fixed since. A server (or the load
 * balancer in front of it) that takes each request, says nothing for a while, then closes the connection without an answer
 * (a proxy's idle timeout shorter than the client's Response Timeout does just this) fails each call with IO_ERROR, which the
 * client classes TRANSIENT: retryable, but not "refused for now", so RunCalls does not stop the run. Each collection (each job
 * group) of the run then costs the whole hang again. With 50 files of 50 collections, or 1,000 jobs in 1,000 groups, a run
 * takes 50 (1,000) hangs.
 */
@Timeout(120)
class HangingServerTest {

    /** Accepts, reads the request head, waits {@code holdMillis}, closes without a byte. */
    static final class HangThenDrop implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger requests = new AtomicInteger();
        private final Thread thread;

        HangThenDrop(final long holdMillis) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        final Socket socket = server.accept();
                        final Thread one = new Thread(() -> {
                            try (socket) {
                                final InputStream in = socket.getInputStream();
                                final byte[] buffer = new byte[8192];
                                final StringBuilder head = new StringBuilder();
                                while (!head.toString().contains("\r\n\r\n")) {
                                    final int n = in.read(buffer);
                                    if (n < 0) {
                                        return;
                                    }
                                    head.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                                }
                                requests.incrementAndGet();
                                Thread.sleep(holdMillis);
                            } catch (final IOException | InterruptedException ignored) {
                                // the client gave up
                            }
                        });
                        one.setDaemon(true);
                        one.start();
                    } catch (final IOException closed) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void validateStopsItsRunAfterOneHangThatEndsInADrop() throws Exception {
        try (HangThenDrop server = new HangThenDrop(1_500)) {
            // Runners set Response Timeout to 2 s: the drop comes first
            final TestRunner runner = Runners.milvus(new ValidateBulkImportFile(), server.url());
            runner.setProperty(ImportRequestReader.COLLECTION_NAME, "${coll}");
            for (int i = 0; i < 5; i++) {
                runner.enqueue("[{\"id\": 1}]", Map.of("filename", "part.json", "coll", "docs_" + i));
            }
            final long start = System.nanoTime();
            runner.run();
            final long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("5 files of 5 collections, " + server.requests.get() + " calls, " + millis + " ms; codes "
                    + runner.getFlowFilesForRelationship("retry").stream().map(f -> f.getAttribute(BulkImportAttributes.ERROR_CODE)).toList());
            assertEquals(1, server.requests.get(), "the server hung and dropped the first call: the run should ask no more");
            assertTrue(millis < 2_500, "one hang per run, not one per collection: " + millis + " ms");
        }
    }

    @Test
    void progressStopsItsRunAfterOneHangThatEndsInADrop() throws Exception {
        try (HangThenDrop server = new HangThenDrop(1_500)) {
            final TestRunner runner = Runners.milvus(new GetBulkImportProgress(), server.url());
            for (int i = 0; i < 5; i++) {
                final Map<String, String> attributes = new HashMap<>();
                attributes.put(BulkImportAttributes.JOB_ID, String.valueOf(100 + i));
                attributes.put(BulkImportAttributes.COLLECTION, "docs_" + i);
                attributes.put(BulkImportAttributes.SUBMITTED_AT, Instant.now().toString());
                runner.enqueue("x", attributes);
            }
            final long start = System.nanoTime();
            runner.run();
            final long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("5 jobs of 5 collections, " + server.requests.get() + " calls, " + millis + " ms");
            assertEquals(1, server.requests.get(), "the server hung and dropped the first call: the run should ask no more");
            assertTrue(millis < 2_500, "one hang per run, not one per job: " + millis + " ms");
        }
    }
}
