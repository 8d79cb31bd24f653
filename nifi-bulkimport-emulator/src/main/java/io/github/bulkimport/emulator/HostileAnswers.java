package io.github.bulkimport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bulkimport.emulator.http.HttpRequest;
import io.github.bulkimport.emulator.http.HttpResponse;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The answers of a server that misbehaves in ways a client must survive: it echoes credentials
 * back ({@link FaultType#ECHO_SECRETS}, {@link FaultType#SECRET_JOB_ID}), fills its answers with
 * control characters, forged log lines and out-of-range numbers ({@link FaultType#HOSTILE_VALUES}),
 * or cuts them off ({@link FaultType#CUT_JSON}).
 */
final class HostileAnswers {

    /** A forged log line with a terminal escape sequence, appended to server-provided text. */
    static final String FORGED = "\r\n2026-11-28 12:00:00,000 ERROR [main] forged log line \u001b[31mred\u001b[0m\u0007";
    private static final int CUT_AT = 120;

    private final ObjectMapper mapper;
    private final AtomicInteger echoes = new AtomicInteger();

    HostileAnswers(final ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** An error whose text carries the request's credentials: a JSON envelope, plain text or HTML, in turn. */
    HttpResponse echo(final HttpRequest request, final ApiHandler api) {
        final String authorization = String.valueOf(request.header("authorization"));
        final String token = authorization.startsWith("Bearer ") ? authorization.substring("Bearer ".length()) : authorization;
        final String body = request.bodyText();
        final String encodings = "token " + token + " json " + jsonEscaped(body) + " url " + URLEncoder.encode(body, StandardCharsets.UTF_8)
                + " base64 " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))
                + " basic " + Base64.getEncoder().encodeToString(("proxy:" + token).getBytes(StandardCharsets.UTF_8));
        // a secret that straddles where a client would cut the text for a short snippet
        final String straddling = "x".repeat(Math.max(0, CUT_AT - 10)) + token + " " + body;
        return switch (echoes.getAndIncrement() % 3) {
            case 0 -> api.error(ApiHandler.INVALID_PARAMETER, "invalid credentials: " + encodings + " cut " + cut(body, 37)).response();
            case 1 -> HttpResponse.of(500, "text/plain; charset=utf-8", (straddling + " " + encodings).getBytes(StandardCharsets.UTF_8));
            default -> HttpResponse.of(400, "text/html; charset=utf-8", ("<html><head><title>Bad key " + token + " " + cut(body, 45)
                    + "</title></head><body>" + encodings + "</body></html>").getBytes(StandardCharsets.UTF_8));
        };
    }

    /** The answer with its job ID, state, times, reason and numbers made hostile; other answers are kept. */
    HttpResponse hostile(final HttpResponse answer) {
        return withData(answer, data -> {
            spoil(data);
            for (final JsonNode record : data.path("records")) {
                spoil((ObjectNode) record);
            }
            for (final JsonNode detail : data.path("details")) {
                spoil((ObjectNode) detail);
            }
        });
    }

    /** The answer with the request's bearer token as its job ID, or, for a listing, with one more record named so. */
    HttpResponse secretAsJobId(final HttpRequest request, final HttpResponse answer) {
        final String authorization = String.valueOf(request.header("authorization"));
        final String token = authorization.startsWith("Bearer ") ? authorization.substring("Bearer ".length()).strip() : authorization;
        return withData(answer, data -> {
            if (data.has("jobId")) {
                data.put("jobId", token);
            }
            if (data.path("records").isArray()) {
                ((ArrayNode) data.path("records")).addObject().put("jobId", token).put("state", "Completed");
            }
        });
    }

    /** The answer with its envelope's {@code data} changed; an answer without one is kept. */
    private HttpResponse withData(final HttpResponse answer, final Consumer<ObjectNode> change) {
        final JsonNode envelope;
        try {
            envelope = mapper.readTree(answer.body());
        } catch (final IOException notJson) {
            return answer;
        }
        if (envelope == null || !envelope.path("data").isObject()) {
            return answer;
        }
        change.accept((ObjectNode) envelope.path("data"));
        try {
            return HttpResponse.of(answer.status(), "application/json", mapper.writeValueAsBytes(envelope));
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer's body cut in half, sent as a whole answer of that length. */
    static HttpResponse cutJson(final HttpResponse answer) {
        return new HttpResponse(answer.status(), answer.headers(), Arrays.copyOf(answer.body(), answer.body().length / 2), answer.effect(),
                answer.delayMillis());
    }

    private static void spoil(final ObjectNode node) {
        for (final String field : new String[] {"jobId", "state", "completeTime", "reason", "collectionName", "fileName"}) {
            if (node.has(field)) {
                node.put(field, node.path(field).asText() + FORGED);
            }
        }
        if (node.has("progress")) {
            node.put("progress", 150);
        }
        if (node.has("importedRows")) {
            node.put("importedRows", 1e20);
        }
        if (node.has("totalRows")) {
            node.put("totalRows", BigInteger.TWO.pow(64).add(BigInteger.valueOf(5)));
        }
        if (node.has("fileSize")) {
            node.put("fileSize", -5);
        }
    }

    /** JSON string escaping as some servers write it: {@code /} as {@code \/}, non-ASCII as {@code \\uXXXX}. */
    static String jsonEscaped(final String text) {
        final StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '/' -> out.append("\\/");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static String cut(final String text, final int length) {
        return text.length() <= length ? text : text.substring(0, length);
    }
}
