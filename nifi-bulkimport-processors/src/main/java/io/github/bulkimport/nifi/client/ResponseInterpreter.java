package io.github.bulkimport.nifi.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an HTTP answer into the envelope's {@code data} or into an {@link ImportApiException}
 * whose kind says whether to retry. Both servers answer most errors with HTTP 200 and a
 * non-zero {@code code}; gateways in front of them answer with bare statuses and HTML.
 */
final class ResponseInterpreter {

    private static final Pattern JOB_LIMIT = Pattern.compile("number of jobs has reached the limit|reached the limit", Pattern.CASE_INSENSITIVE);
    private static final Pattern RATE_LIMIT = Pattern.compile("rate limit|too many requests|request limit exceeded", Pattern.CASE_INSENSITIVE);
    private static final Pattern JOB_NOT_FOUND = Pattern.compile("job[^:]*(does not exist|not exist|not found)|no such job", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_TITLE = Pattern.compile("<title>\\s*(.*?)\\s*</title>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TAGS_AND_SPACE = Pattern.compile("<[^>]*>|\\s+");
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cntrl}&&[^\\n\\t]]");
    /** Milvus: rate limited. */
    private static final String CODE_RATE_LIMITED = "1807";
    /** Milvus: server-side request timeout. */
    private static final String CODE_REQUEST_TIMEOUT = "10001";
    private static final int MAX_MESSAGE_LENGTH = 1_000;
    private static final int MAX_SNIPPET_LENGTH = 120;

    private final ObjectReader reader;
    private final SecretRedactor redactor;
    private final Clock clock;

    ResponseInterpreter(final ObjectReader reader, final SecretRedactor redactor, final Clock clock) {
        this.reader = reader;
        this.redactor = redactor;
        this.clock = clock;
    }

    /**
     * Returns the envelope's {@code data} node (a {@link MissingNode} when absent) for a
     * successful answer, or throws.
     */
    JsonNode data(final RawResponse response, final String operation) throws ImportApiException {
        final int status = response.status();
        final JsonNode envelope = parseEnvelope(response.body());
        final Duration retryAfter = RetryAfter.parse(response.retryAfter(), clock);

        if (status == 200 || status == 201) {
            if (envelope == null) {
                throw new ImportApiException(ErrorKind.TERMINAL, operation + ": the server answered HTTP " + status + " with a body that is not a JSON envelope ("
                        + describeBody(response) + "); check that Endpoint URL points at the import API", status, "NOT_JSON", null);
            }
            final String code = text(envelope.get("code"));
            if (code == null || "0".equals(code) || "200".equals(code)) {
                return envelope.path("data");
            }
            throw fromEnvelope(operation, status, code, text(envelope.get("message")), retryAfter);
        }

        final String code = envelope == null ? null : text(envelope.get("code"));
        final String serverMessage = envelope == null ? null : text(envelope.get("message"));
        final String detail = serverMessage != null ? clean(serverMessage) : describeBody(response);
        final String errorCode = code != null ? code : "HTTP_" + status;

        if (status == 429) {
            throw new ImportApiException(ErrorKind.THROTTLED, operation + ": throttled by the server (HTTP 429): " + detail, status, errorCode, retryAfter);
        }
        if (status == 408 || status >= 500) {
            throw new ImportApiException(ErrorKind.TRANSIENT, operation + ": temporary server error (HTTP " + status + "): " + detail, status, errorCode, retryAfter);
        }
        if (status == 401) {
            throw new ImportApiException(ErrorKind.TERMINAL, operation + ": the server rejected the credentials (HTTP 401: " + detail
                    + "); check API Key or Token on the connection service", status, errorCode, null);
        }
        if (status == 403) {
            throw new ImportApiException(ErrorKind.TERMINAL, operation + ": permission denied (HTTP 403: " + detail
                    + "); check the key's permissions, and for a non-default Milvus database set Database Name", status, errorCode, null);
        }
        if (status >= 300 && status < 400) {
            throw new ImportApiException(ErrorKind.TERMINAL, operation + ": the server redirected (HTTP " + status + ") to "
                    + clean(String.valueOf(response.location())) + "; set Endpoint URL to the final address", status, errorCode, null);
        }
        if (serverMessage != null && JOB_NOT_FOUND.matcher(serverMessage).find()) {
            throw new ImportApiException(ErrorKind.JOB_NOT_FOUND, operation + ": " + detail, status, errorCode, null);
        }
        if (status == 404) {
            throw new ImportApiException(ErrorKind.TERMINAL, operation + ": the server has no such endpoint (HTTP 404: " + detail
                    + "); check Endpoint URL and Deployment on the connection service", status, errorCode, null);
        }
        throw new ImportApiException(ErrorKind.TERMINAL, operation + ": the server refused the request (HTTP " + status + "): " + detail, status, errorCode, null);
    }

    private ImportApiException fromEnvelope(final String operation, final int status, final String code, final String message, final Duration retryAfter) {
        final String text = message == null ? "no message" : message;
        final String detail = operation + ": the server answered code " + code + ": " + clean(text);
        if (JOB_LIMIT.matcher(text).find() || RATE_LIMIT.matcher(text).find() || CODE_RATE_LIMITED.equals(code)) {
            return new ImportApiException(ErrorKind.THROTTLED, detail, status, code, retryAfter);
        }
        if (CODE_REQUEST_TIMEOUT.equals(code)) {
            return new ImportApiException(ErrorKind.TRANSIENT, detail, status, code, retryAfter);
        }
        if (JOB_NOT_FOUND.matcher(text).find()) {
            return new ImportApiException(ErrorKind.JOB_NOT_FOUND, detail, status, code, null);
        }
        return new ImportApiException(ErrorKind.TERMINAL, detail, status, code, null);
    }

    private JsonNode parseEnvelope(final byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            final JsonNode node = reader.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (final JsonProcessingException notJson) {
            return null;
        } catch (final IOException unreadable) {
            return null;
        }
    }

    private String describeBody(final RawResponse response) {
        final byte[] body = response.body();
        if (body == null || body.length == 0) {
            return "empty body";
        }
        final String type = response.contentType() == null ? "no content type" : response.contentType();
        final String text = new String(body, 0, Math.min(body.length, 16_384), StandardCharsets.UTF_8);
        final Matcher title = HTML_TITLE.matcher(text);
        final String snippet = title.find() ? title.group(1) : text;
        String flattened = TAGS_AND_SPACE.matcher(snippet).replaceAll(" ").trim();
        if (flattened.length() > MAX_SNIPPET_LENGTH) {
            flattened = flattened.substring(0, MAX_SNIPPET_LENGTH) + "...";
        }
        return type + ", " + body.length + " bytes" + (flattened.isEmpty() ? "" : ": \"" + clean(flattened) + "\"");
    }

    /** Redacts secrets, drops control characters and bounds the length of server-provided text. */
    String clean(final String text) {
        String result = UNPRINTABLE.matcher(redactor.redact(text)).replaceAll("");
        if (result.length() > MAX_MESSAGE_LENGTH) {
            result = result.substring(0, MAX_MESSAGE_LENGTH) + "...";
        }
        return result;
    }

    static String text(final JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return null;
        }
        final String value = node.asText();
        return value.isEmpty() ? null : value;
    }
}
