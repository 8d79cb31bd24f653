package io.github.bulkimport.emulator.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A small HTTP/1.1 server: keep-alive, Content-Length and chunked request bodies, one virtual
 * thread per connection, {@code TCP_NODELAY} on every socket, and each answer written in one go
 * so that loopback clients never wait for a delayed ACK. It exists so the emulator can also
 * misbehave at the socket level (drop, truncate, stall), which ready-made servers do not allow.
 */
public final class MiniHttpServer implements Closeable {

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;
    private static final int MAX_BODY = 64 * 1024 * 1024;

    private final ServerSocket serverSocket;
    private final Function<HttpRequest, HttpResponse> handler;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean running = true;

    public MiniHttpServer(final InetAddress address, final int port, final Function<HttpRequest, HttpResponse> handler) throws IOException {
        this.handler = handler;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(address, port), 256);
        this.acceptor = Thread.ofPlatform().name("emulator-accept-" + serverSocket.getLocalPort()).daemon(true).start(this::acceptLoop);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public InetAddress address() {
        return serverSocket.getInetAddress();
    }

    private void acceptLoop() {
        while (running) {
            try {
                final Socket socket = serverSocket.accept();
                socket.setTcpNoDelay(true);
                open.add(socket);
                connections.submit(() -> serve(socket));
            } catch (final IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void serve(final Socket socket) {
        try (socket) {
            final InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            final OutputStream out = socket.getOutputStream();
            while (running) {
                final HttpRequest request;
                try {
                    request = read(in, out);
                } catch (final BadRequest e) {
                    write(out, HttpResponse.of(400, "text/plain", e.getMessage().getBytes(StandardCharsets.UTF_8)), false);
                    return;
                }
                if (request == null) {
                    return;
                }
                final HttpResponse response = handler.apply(request);
                if (response.effect() == HttpResponse.Effect.DRIP) {
                    writeDripped(out, response);
                    return;
                }
                if (response.effect() == HttpResponse.Effect.HUGE_DECLARED) {
                    writeHugeDeclared(out, response);
                    return;
                }
                if (response.delayMillis() > 0) {
                    Thread.sleep(response.delayMillis());
                }
                if (response.effect() == HttpResponse.Effect.DROP) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                final boolean keepAlive = !"close".equalsIgnoreCase(request.header("connection"));
                if (response.effect() == HttpResponse.Effect.TRUNCATE) {
                    writeTruncated(out, response);
                    return;
                }
                write(out, response, keepAlive);
                if (!keepAlive) {
                    return;
                }
            }
        } catch (final SocketException | EOFException closed) {
            // the client went away
        } catch (final IOException e) {
            // a broken connection ends only itself
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private static HttpRequest read(final InputStream in, final OutputStream out) throws IOException {
        final String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        final String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest("malformed request line");
        }
        final Map<String, String> headers = new HashMap<>();
        for (int i = 0; ; i++) {
            final String line = readLine(in);
            if (line == null) {
                throw new EOFException();
            }
            if (line.isEmpty()) {
                break;
            }
            if (i >= MAX_HEADERS) {
                throw new BadRequest("too many headers");
            }
            final int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest("malformed header");
            }
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        final byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else if (headers.containsKey("content-length")) {
            final long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (final NumberFormatException e) {
                throw new BadRequest("bad Content-Length");
            }
            if (length < 0 || length > MAX_BODY) {
                throw new BadRequest("body too large");
            }
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new EOFException();
            }
        } else {
            body = new byte[0];
        }
        return new HttpRequest(parts[0], parts[1], headers, body);
    }

    private static byte[] readChunked(final InputStream in) throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            final String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new EOFException();
            }
            final int semicolon = sizeLine.indexOf(';');
            final int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            } catch (final NumberFormatException e) {
                throw new BadRequest("bad chunk size");
            }
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in);
                } while (trailer != null && !trailer.isEmpty());
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY) {
                throw new BadRequest("body too large");
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(final InputStream in) throws IOException {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                final int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new BadRequest("line too long");
            }
            line.append((char) c);
        }
        if (line.isEmpty()) {
            return null;
        }
        throw new EOFException();
    }

    private static void writeDripped(final OutputStream out, final HttpResponse response) throws IOException, InterruptedException {
        final byte[] head = head(response, response.body().length, false);
        final byte[] whole = new byte[head.length + response.body().length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(response.body(), 0, whole, head.length, response.body().length);
        for (final byte b : whole) {
            out.write(b);
            out.flush();
            Thread.sleep(Math.max(1, response.delayMillis()));
        }
    }

    private static void writeHugeDeclared(final OutputStream out, final HttpResponse response) throws IOException {
        final long declared = 20L * 1024 * 1024 * 1024;
        out.write(head(response, declared, false));
        final byte[] filler = new byte[64 * 1024];
        java.util.Arrays.fill(filler, (byte) ' ');
        for (long sent = 0; sent < declared; sent += filler.length) {
            out.write(filler);
        }
        out.flush();
    }

    private static byte[] head(final HttpResponse response, final long contentLength, final boolean keepAlive) {
        final StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n");
        response.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(contentLength).append("\r\n");
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void write(final OutputStream out, final HttpResponse response, final boolean keepAlive) throws IOException {
        final byte[] head = head(response, response.body().length, keepAlive);
        final byte[] whole = new byte[head.length + response.body().length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(response.body(), 0, whole, head.length, response.body().length);
        out.write(whole);
        out.flush();
    }

    private static void writeTruncated(final OutputStream out, final HttpResponse response) throws IOException {
        out.write(head(response, response.body().length, true));
        out.write(response.body(), 0, response.body().length / 2);
        out.flush();
    }

    private static String reason(final int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        running = false;
        try {
            serverSocket.close();
        } catch (final IOException ignored) {
            // closing anyway
        }
        for (final Socket socket : open) {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
        connections.shutdownNow();
        try {
            acceptor.join(2_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class BadRequest extends IOException {
        BadRequest(final String message) {
            super(message);
        }
    }
}
