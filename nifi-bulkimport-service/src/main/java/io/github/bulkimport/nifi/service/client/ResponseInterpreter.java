package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ErrorKind;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * Turns an HTTP answer into the envelope's {@code data} or into an {@link ImportApiException}
 * whose kind says whether to retry. Both servers answer most errors with HTTP 200 and a
 * non-zero {@code code}; gateways in front of them answer with bare statuses and HTML.
 */
final class ResponseInterpreter {

    /** Milvus: rate limited. */
    private static final String CODE_RATE_LIMITED = "1807";
    /** Milvus: server-side request timeout. */
    private static final String CODE_REQUEST_TIMEOUT = "10001";
    /** How much of a body that is not an envelope is looked at, and how much of it a message quotes. */
    private static final int BODY_WINDOW = 16_384;
    private static final int MAX_SNIPPET_LENGTH = 120;
    /** Past the snippet's end, more than any secret's run the redactor masks, and than any short secret. */
    private static final int SNIPPET_MARGIN = 2 * SecretRedactor.RUN;
    /** How much of a server's text is made visible text, of which at most {@link VisibleText#MAX_LENGTH} characters are shown. */
    private static final int SHOWN_HEAD = 2 * VisibleText.MAX_LENGTH;

    private final ObjectReader reader;
    private final VisibleText visible;
    private final SecretRedactor redactor;
    private final Clock clock;

    ResponseInterpreter(final ObjectReader reader, final SecretRedactor redactor, final Clock clock) {
        this.reader = reader;
        this.redactor = redactor;
        this.visible = new VisibleText(redactor::redact);
        this.clock = clock;
    }

    /**
     * Returns the envelope's {@code data} node (a {@link MissingNode} when absent) for a
     * successful answer, or throws.
     */
    JsonNode data(final RawResponse response, final String operation) throws ImportApiException {
        final int status = response.status();
        final Envelope parsed = parseEnvelope(response.body());
        final JsonNode envelope = parsed.node();
        final Duration retryAfter = RetryAfter.parse(response.retryAfter(), clock);

        if (status == 200 || status == 201) {
            if (parsed.cutOff()) {
                // a JSON answer cut off on the way: the server may well have acted on the request
                throw failure(ErrorKind.TRANSIENT, operation + ": the server's answer (HTTP " + status + ", " + response.body().length
                        + " bytes) ends in the middle of its JSON, cut off on the way; the request may have been carried out, so it is sent "
                        + "again as it was", status, "TRUNCATED", null, true);
            }
            if (envelope == null) {
                // the server (or something in front of it) may have acted on the request all the same
                throw failure(ErrorKind.TERMINAL, operation + ": the server answered HTTP " + status + " with a body that is not a JSON envelope ("
                        + describeBody(response) + "); check that Endpoint URL points at the import API", status, "NOT_JSON", null, true);
            }
            final String code = JsonValues.text(envelope.get("code"));
            if (code == null || "0".equals(code) || "200".equals(code)) {
                return envelope.path("data");
            }
            throw fromEnvelope(operation, status, code, JsonValues.text(envelope.get("message")), retryAfter);
        }

        final String code = envelope == null ? null : JsonValues.text(envelope.get("code"));
        final String serverMessage = envelope == null ? null : JsonValues.text(envelope.get("message"));
        final String detail = serverMessage != null ? serverMessage : describeBody(response);
        final String errorCode = code != null ? code : "HTTP_" + status;

        if (status == 429) {
            throw failure(ErrorKind.THROTTLED, operation + ": throttled by the server (HTTP 429): " + detail, status, errorCode, retryAfter, false);
        }
        if (status == 408 || status >= 500) {
            // a gateway's 502 or 504 says nothing of whether the server behind it acted
            throw failure(ErrorKind.UNAVAILABLE, operation + ": temporary server error (HTTP " + status + "): " + detail, status, errorCode, retryAfter, true);
        }
        if (status == 401) {
            throw failure(ErrorKind.TERMINAL, operation + ": the server rejected the credentials (HTTP 401: " + detail
                    + "); check API Key or Token on the connection service", status, errorCode, null, false);
        }
        if (status == 403) {
            throw failure(ErrorKind.TERMINAL, operation + ": permission denied (HTTP 403: " + detail
                    + "); check the key's permissions, and for a non-default Milvus database set Database Name", status, errorCode, null, false);
        }
        if (status >= 300 && status < 400) {
            throw failure(ErrorKind.TERMINAL, operation + ": the server redirected (HTTP " + status + ") to " + response.location()
                    + "; set Endpoint URL to the final address", status, errorCode, null, false);
        }
        if (serverMessage != null && ServerPhrases.of(serverMessage).jobNotFound()) {
            throw failure(ErrorKind.JOB_NOT_FOUND, operation + ": " + detail, status, errorCode, null, false);
        }
        if (status == 404) {
            throw failure(ErrorKind.TERMINAL, operation + ": the server has no such endpoint (HTTP 404: " + detail
                    + "); check Endpoint URL and Deployment on the connection service", status, errorCode, null, false);
        }
        throw failure(ErrorKind.TERMINAL, operation + ": the server refused the request (HTTP " + status + "): " + detail, status, errorCode, null, false);
    }

    private ImportApiException fromEnvelope(final String operation, final int status, final String code, final String message, final Duration retryAfter) {
        final String text = message == null ? "no message" : message;
        final String detail = operation + ": the server answered code " + code + ": " + text;
        final ServerPhrases phrases = ServerPhrases.of(text);
        if (phrases.jobLimit() || phrases.rateLimit() || CODE_RATE_LIMITED.equals(code)) {
            return failure(ErrorKind.THROTTLED, detail, status, code, retryAfter, false);
        }
        if (CODE_REQUEST_TIMEOUT.equals(code)) {
            return failure(ErrorKind.UNAVAILABLE, detail, status, code, retryAfter, true);
        }
        if (phrases.jobNotFound()) {
            return failure(ErrorKind.JOB_NOT_FOUND, detail, status, code, null, false);
        }
        return failure(ErrorKind.TERMINAL, detail, status, code, null, false);
    }

    /** Every exception of the client is made here, so that its message is always visible text. */
    ImportApiException failure(final ErrorKind kind, final String message, final Integer status, final String code, final Duration retryAfter,
                               final boolean outcomeUnknown) {
        return new ImportApiException(kind, visible(message), status, code == null ? null : visible(code), retryAfter, outcomeUnknown);
    }

    /**
     * The envelope of an answer, or {@code null} when the body is not exactly one JSON object; and
     * whether the body is JSON that ends before its document does (an answer cut off on the way).
     */
    private record Envelope(JsonNode node, boolean cutOff) {
    }

    private Envelope parseEnvelope(final byte[] body) {
        if (body == null || body.length == 0) {
            return new Envelope(null, false);
        }
        try {
            final JsonNode node = reader.readTree(body);
            return new Envelope(node != null && node.isObject() ? node : null, false);
        } catch (final JsonEOFException cutOff) {
            return new Envelope(null, true);
        } catch (final IOException notJson) {
            return new Envelope(null, false);
        }
    }

    /** What a body that is not an envelope holds: its type, size, and a short snippet (an HTML page's title). */
    private String describeBody(final RawResponse response) {
        final byte[] body = response.body();
        if (body == null || body.length == 0) {
            return "empty body";
        }
        final String type = response.contentType() == null ? "no content type" : response.contentType();
        // the words of the snippet and a few past its end, cleaned and redacted before the cut, so that no piece of a secret survives at
        // its edge: only so much of the window is cleaned and redacted, whatever its size
        final String window = new String(body, 0, Math.min(body.length, BODY_WINDOW), StandardCharsets.UTF_8);
        final String words = BodySnippet.of(window, MAX_SNIPPET_LENGTH + SNIPPET_MARGIN);
        final String cleaned = redactor.redact(VisibleText.clean(words));
        final String snippet = BodySnippet.words(cleaned, 0, cleaned.length(), MAX_SNIPPET_LENGTH);
        return type + ", " + body.length + " bytes" + (snippet.isEmpty() ? "" : ": \"" + VisibleText.bound(snippet, MAX_SNIPPET_LENGTH) + "\"");
    }

    /**
     * Server-provided text as a user may see it. Only its head can be shown, so only its head is cleaned and
     * redacted: a server's text may be megabytes long, and the funnel's time must not grow with it. Twice
     * what is shown leaves room for the control characters cleaning takes out; a secret cut at the end of
     * the head is beyond what is shown.
     */
    String visible(final String text) {
        return visible.of(VisibleText.bound(text, SHOWN_HEAD));
    }
}
