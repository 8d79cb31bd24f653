package io.github.bulkimport.nifi.testing;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A mockwebserver3 server on loopback with helpers for import-API answers.
 */
public final class MockApi implements AutoCloseable {

    private static final String LIST_PATH = "/v2/vectordb/jobs/import/list";

    private final MockWebServer server = new MockWebServer();
    private final AtomicInteger listingsAnswered = new AtomicInteger();
    private volatile boolean listingsEmpty;

    public MockApi() {
        server.setDispatcher(new QueueDispatcher() {
            @Override
            public MockResponse dispatch(final RecordedRequest request) throws InterruptedException {
                if (listingsEmpty && request.getTarget() != null && request.getTarget().startsWith(LIST_PATH)) {
                    listingsAnswered.incrementAndGet();
                    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                            .body("{\"code\":0,\"data\":{\"records\":[]}}").build();
                }
                return super.dispatch(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        final String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    public MockWebServer server() {
        return server;
    }

    public void enqueue(final MockResponse response) {
        server.enqueue(response);
    }

    /** HTTP 200 with the given JSON. */
    public void json(final String body) {
        json(200, body);
    }

    public void json(final int status, final String body) {
        server.enqueue(new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build());
    }

    public void jobCreated(final String jobId) {
        json("{\"code\":0,\"data\":{\"jobId\":\"" + jobId + "\"}}");
    }

    public void envelopeError(final int code, final String message) {
        json("{\"code\":" + code + ",\"message\":\"" + message + "\"}");
    }

    /**
     * Answers every listing with no jobs, outside the scripted answers, and leaves listings out of {@link #take} and
     * {@link #requestCount}: for tests of starts, before whose first the connection service lists the jobs still running.
     */
    public MockApi withEmptyListings() {
        listingsEmpty = true;
        return this;
    }

    /** Listings take the scripted answers again, for tests of the listing itself. */
    public MockApi withScriptedListings() {
        listingsEmpty = false;
        return this;
    }

    public RecordedRequest take() {
        try {
            while (true) {
                final RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
                assertNotNull(request, "expected a request");
                if (!listingsEmpty || request.getTarget() == null || !request.getTarget().startsWith(LIST_PATH)) {
                    return request;
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public int requestCount() {
        return server.getRequestCount() - listingsAnswered.get();
    }

    public static String body(final RecordedRequest request) {
        return request.getBody() == null ? "" : request.getBody().utf8();
    }

    @Override
    public void close() {
        server.close();
    }
}
