package io.github.bulkimport.emulator.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Serves the emulator with the JDK's HTTP server (keep-alive, chunked request bodies and
 * {@code 100-continue} are the JDK's), one virtual thread per exchange, and carries out each
 * answer's {@link HttpResponse.Effect}. A handler that throws makes the JDK close the connection:
 * that is how an answer is dropped, or cut off after part of it was sent.
 */
public final class EmulatorHttpServer implements Closeable {

    static {
        // loopback clients must not wait for a delayed ACK; the JDK reads this once, when its server loads
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final long HUGE_DECLARED_LENGTH = 20L * 1024 * 1024 * 1024;
    private static final int BACKLOG = 256;

    private final HttpServer server;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
    private final Function<HttpRequest, HttpResponse> handler;

    public EmulatorHttpServer(final InetAddress address, final int port, final Function<HttpRequest, HttpResponse> handler) throws IOException {
        this.handler = handler;
        this.server = HttpServer.create(new InetSocketAddress(address, port), BACKLOG);
        server.createContext("/", this::serve);
        server.setExecutor(exchanges);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public InetAddress address() {
        return server.getAddress().getAddress();
    }

    private void serve(final HttpExchange exchange) throws IOException {
        final byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            answer(exchange, HttpResponse.of(400, "text/plain", "body too large".getBytes(StandardCharsets.UTF_8)));
            return;
        }
        final HttpResponse response = handler.apply(new HttpRequest(exchange.getRequestMethod(), target(exchange.getRequestURI()),
                lowerCaseNames(exchange.getRequestHeaders()), body));
        switch (response.effect()) {
            case DRIP -> drip(exchange, response);
            case HUGE_DECLARED -> declareHuge(exchange, response);
            case DROP -> {
                pause(response.delayMillis());
                throw new ConnectionClosed("answer dropped");
            }
            case TRUNCATE -> {
                pause(response.delayMillis());
                truncate(exchange, response);
            }
            case NORMAL -> {
                pause(response.delayMillis());
                answer(exchange, response);
            }
        }
    }

    private static String target(final URI uri) {
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static Map<String, String> lowerCaseNames(final Headers headers) {
        final Map<String, String> lowerCase = new HashMap<>();
        headers.forEach((name, values) -> lowerCase.merge(name.toLowerCase(Locale.ROOT), String.join(", ", values), (a, b) -> a + ", " + b));
        return lowerCase;
    }

    private static void answer(final HttpExchange exchange, final HttpResponse response) throws IOException {
        try (exchange) {
            final OutputStream out = sendHead(exchange, response, response.body().length);
            out.write(response.body());
        }
    }

    private static OutputStream sendHead(final HttpExchange exchange, final HttpResponse response, final long contentLength) throws IOException {
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        // the JDK reads a length of 0 as "chunked" and -1 as "no body"
        exchange.sendResponseHeaders(response.status(), contentLength == 0 ? -1 : contentLength);
        return exchange.getResponseBody();
    }

    /** Announces the whole body, sends half of it, then closes the connection. */
    private static void truncate(final HttpExchange exchange, final HttpResponse response) throws IOException {
        final OutputStream out = sendHead(exchange, response, response.body().length);
        out.write(response.body(), 0, response.body().length / 2);
        out.flush();
        throw new ConnectionClosed("answer cut off");
    }

    private static void drip(final HttpExchange exchange, final HttpResponse response) throws IOException {
        try (exchange) {
            final OutputStream out = sendHead(exchange, response, response.body().length);
            for (final byte b : response.body()) {
                out.write(b);
                out.flush();
                pause(Math.max(1, response.delayMillis()));
            }
        }
    }

    /** Announces a 20 GB body and streams filler until the client hangs up. */
    private static void declareHuge(final HttpExchange exchange, final HttpResponse response) throws IOException {
        final OutputStream out = sendHead(exchange, response, HUGE_DECLARED_LENGTH);
        final byte[] filler = new byte[64 * 1024];
        Arrays.fill(filler, (byte) ' ');
        for (long sent = 0; sent < HUGE_DECLARED_LENGTH; sent += filler.length) {
            out.write(filler);
        }
        out.close();
    }

    private static void pause(final long millis) throws IOException {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosed("emulator stopping");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        exchanges.shutdownNow();
    }

    /** Thrown from a handler so that the JDK's server closes the connection without answering further. */
    private static final class ConnectionClosed extends IOException {
        ConnectionClosed(final String why) {
            super(why);
        }
    }
}
