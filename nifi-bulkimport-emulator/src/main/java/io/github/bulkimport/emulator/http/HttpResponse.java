package io.github.bulkimport.emulator.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to do with a request: answer it, or misbehave at the socket level.
 *
 * @param status  HTTP status
 * @param headers extra headers (Content-Length and Connection are added by the server)
 * @param body    body bytes
 * @param effect  how the answer is delivered
 * @param delayMillis wait before answering
 */
public record HttpResponse(int status, Map<String, String> headers, byte[] body, Effect effect, long delayMillis) {

    /** How an answer reaches the client. */
    public enum Effect {
        /** Sent whole. */
        NORMAL,
        /** The connection is closed without any answer. */
        DROP,
        /** Headers announce the whole body, half of it is sent, then the connection is closed. */
        TRUNCATE,
        /** The headers are sent at once, then the body one byte every {@code delayMillis}. */
        DRIP,
        /** Headers announce a 20 GB body; filler is streamed until the client hangs up. */
        HUGE_DECLARED
    }

    public static HttpResponse json(final int status, final String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse of(final int status, final String contentType, final byte[] body) {
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        return new HttpResponse(status, headers, body, Effect.NORMAL, 0);
    }

    public static HttpResponse drop() {
        return new HttpResponse(0, Map.of(), new byte[0], Effect.DROP, 0);
    }

    public HttpResponse withHeader(final String name, final String value) {
        final Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpResponse(status, copy, body, effect, delayMillis);
    }

    public HttpResponse withEffect(final Effect newEffect) {
        return new HttpResponse(status, headers, body, newEffect, delayMillis);
    }

    /** Sends the answer one byte every {@code millisPerByte}. */
    public HttpResponse dripped(final long millisPerByte) {
        return new HttpResponse(status, headers, body, Effect.DRIP, millisPerByte);
    }

    public HttpResponse withDelay(final long millis) {
        return new HttpResponse(status, headers, body, effect, millis);
    }
}
