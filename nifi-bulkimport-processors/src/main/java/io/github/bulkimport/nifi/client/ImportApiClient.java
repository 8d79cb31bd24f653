package io.github.bulkimport.nifi.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.github.bulkimport.nifi.model.Deployment;
import io.github.bulkimport.nifi.model.ImportRequest;
import io.github.bulkimport.nifi.model.JobPage;
import io.github.bulkimport.nifi.model.JobProgress;
import io.github.bulkimport.nifi.model.JobState;
import io.github.bulkimport.nifi.model.JobSummary;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;

import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The import API over HTTP: {@code create}, {@code describe} and {@code list}, for Zilliz Cloud and
 * for Milvus. Thread-safe; one instance owns one pooled HTTP client. Every exception it throws is an
 * {@link ImportApiException} whose message is free of secrets.
 */
public final class ImportApiClient implements Closeable {

    public static final String CREATE_PATH = "/v2/vectordb/jobs/import/create";
    public static final String DESCRIBE_PATH = "/v2/vectordb/jobs/import/describe";
    /** Zilliz Cloud's documented name for {@code describe}; tried when {@code describe} answers 404. */
    public static final String GET_PROGRESS_PATH = "/v2/vectordb/jobs/import/getProgress";
    public static final String LIST_PATH = "/v2/vectordb/jobs/import/list";

    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    public static final String DATABASE_HEADER = "DB-Name";

    /** Larger answers are abandoned: no answer of this API comes close, except a long job list. */
    static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

    private static final ObjectReader JSON_READER = new ObjectMapper().reader();

    private final ClientConfig config;
    private final CloseableHttpClient http;
    private final RequestBodies bodies;
    private final ResponseInterpreter interpreter;
    private final SecretRedactor redactor;
    private final String authorization;
    private final String endpointText;
    private final Map<String, URI> uris = new ConcurrentHashMap<>();
    private volatile String describePath = DESCRIBE_PATH;

    public ImportApiClient(final ClientConfig config) {
        this(config, Clock.systemUTC());
    }

    ImportApiClient(final ClientConfig config, final Clock clock) {
        this.config = config;
        this.redactor = new SecretRedactor(config.secrets());
        this.http = HttpClientFactory.create(config, BundleVersion.userAgent());
        this.bodies = new RequestBodies(config.deployment(), config.location(), config.storage());
        this.interpreter = new ResponseInterpreter(JSON_READER, redactor, clock);
        this.authorization = "Bearer " + config.apiKey();
        final String base = config.endpoint().toString();
        this.endpointText = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public Deployment deployment() {
        return config.deployment();
    }

    public SecretRedactor redactor() {
        return redactor;
    }

    /** The address of an operation, for provenance and messages; it never holds a secret. */
    public String uriOf(final String path) {
        return endpointText + path;
    }

    /**
     * Starts an import job.
     *
     * @param idempotencyKey sent as {@code Idempotency-Key} when not {@code null}
     * @return the job ID
     */
    public String createJob(final ImportRequest request, final String idempotencyKey) throws ImportApiException {
        final JsonNode data = post("create", CREATE_PATH, bodies.create(request), request.target().database(), idempotencyKey);
        // early Milvus 2.4 builds spell it jobID
        String jobId = ResponseInterpreter.text(data.get("jobId"));
        if (jobId == null) {
            jobId = ResponseInterpreter.text(data.get("jobID"));
        }
        if (jobId == null || jobId.isBlank()) {
            throw new ImportApiException(ErrorKind.TERMINAL, "create: the server reported success but returned no job ID", 200, "NO_JOB_ID", null);
        }
        return jobId;
    }

    /** Reports one job's progress. */
    public JobProgress describeJob(final String jobId, final String database) throws ImportApiException {
        final byte[] body = bodies.describe(jobId, database);
        JsonNode data;
        try {
            data = post("describe", describePath, body, database, null);
        } catch (final ImportApiException e) {
            final boolean routeMissing = e.getHttpStatus().orElse(0) == 404 && e.getKind() == ErrorKind.TERMINAL;
            if (!routeMissing || !DESCRIBE_PATH.equals(describePath)) {
                throw e;
            }
            data = post("describe", GET_PROGRESS_PATH, body, database, null);
            describePath = GET_PROGRESS_PATH;
        }
        final String rawState = ResponseInterpreter.text(data.get("state"));
        return new JobProgress(
                firstNonNull(ResponseInterpreter.text(data.get("jobId")), jobId),
                ResponseInterpreter.text(data.get("collectionName")),
                JobState.fromApiName(rawState),
                rawState,
                integer(data.get("progress")),
                longValue(data.get("importedRows")),
                longValue(data.get("totalRows")),
                longValue(data.get("fileSize")),
                cleanOrNull(ResponseInterpreter.text(data.get("reason"))),
                ResponseInterpreter.text(data.get("completeTime")));
    }

    /**
     * Lists jobs, one page at a time. Milvus ignores paging and returns every job at once.
     *
     * @param page 1-based page number
     */
    public JobPage listJobs(final String collection, final String database, final int page, final int pageSize) throws ImportApiException {
        final JsonNode data = post("list", LIST_PATH, bodies.list(collection, database, page, pageSize), database, null);
        final List<JobSummary> jobs = new ArrayList<>();
        for (final JsonNode record : data.path("records")) {
            final String rawState = ResponseInterpreter.text(record.get("state"));
            jobs.add(new JobSummary(
                    ResponseInterpreter.text(record.get("jobId")),
                    ResponseInterpreter.text(record.get("collectionName")),
                    JobState.fromApiName(rawState),
                    rawState,
                    integer(record.get("progress")),
                    cleanOrNull(ResponseInterpreter.text(record.get("reason")))));
        }
        final Integer count = integer(data.get("count"));
        return new JobPage(jobs, count, page, pageSize);
    }

    private JsonNode post(final String operation, final String path, final byte[] body, final String database, final String idempotencyKey)
            throws ImportApiException {
        final HttpPost post = new HttpPost(uris.computeIfAbsent(path, p -> URI.create(endpointText + p)));
        post.setHeader(HttpHeaders.AUTHORIZATION, authorization);
        post.setHeader(HttpHeaders.ACCEPT, ContentType.APPLICATION_JSON.getMimeType());
        if (database != null && !database.isEmpty()) {
            post.setHeader(DATABASE_HEADER, database);
        }
        if (idempotencyKey != null) {
            post.setHeader(IDEMPOTENCY_KEY_HEADER, idempotencyKey);
        }
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));

        final RawResponse response;
        try {
            response = http.execute(post, ImportApiClient::read);
        } catch (final IOException e) {
            throw fromIOException(operation, e);
        }
        return interpreter.data(response, operation);
    }

    private static RawResponse read(final ClassicHttpResponse response) throws IOException {
        final HttpEntity entity = response.getEntity();
        final byte[] body;
        if (entity == null) {
            body = new byte[0];
        } else {
            try (InputStream in = entity.getContent()) {
                body = readBounded(in, entity.getContentLength());
            }
        }
        return new RawResponse(response.getCode(),
                entity == null ? null : entity.getContentType(),
                headerValue(response.getFirstHeader(HttpHeaders.RETRY_AFTER)),
                headerValue(response.getFirstHeader(HttpHeaders.LOCATION)),
                body);
    }

    private static byte[] readBounded(final InputStream in, final long declaredLength) throws IOException {
        if (declaredLength > MAX_RESPONSE_BYTES) {
            throw new ResponseTooLargeException(declaredLength);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 256);
        final byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > MAX_RESPONSE_BYTES) {
                throw new ResponseTooLargeException(total);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String headerValue(final Header header) {
        return header == null ? null : header.getValue();
    }

    private ImportApiException fromIOException(final String operation, final IOException e) {
        final String host = config.endpoint().getHost();
        if (e instanceof ResponseTooLargeException tooLarge) {
            return new ImportApiException(ErrorKind.TRANSIENT, operation + ": " + tooLarge.getMessage(), null, "RESPONSE_TOO_LARGE", null);
        }
        if (e instanceof ConnectTimeoutException) {
            return new ImportApiException(ErrorKind.TRANSIENT, operation + ": could not connect to " + host + " within "
                    + config.connectTimeout().toMillis() + " ms (Connect Timeout)", null, "CONNECT_TIMEOUT", null);
        }
        if (e instanceof SocketTimeoutException) {
            return new ImportApiException(ErrorKind.TRANSIENT, operation + ": no answer from " + host + " within "
                    + config.responseTimeout().toMillis() + " ms (Response Timeout)", null, "TIMEOUT", null);
        }
        if (e instanceof UnknownHostException) {
            return new ImportApiException(ErrorKind.TRANSIENT, operation + ": cannot resolve host " + host + "; check Endpoint URL", null, "UNKNOWN_HOST", null);
        }
        if (e instanceof ConnectException) {
            return new ImportApiException(ErrorKind.TRANSIENT, operation + ": cannot connect to " + uriOf("") + " (" + simpleMessage(e)
                    + "); check Endpoint URL and that the server is running", null, "CONNECT_FAILED", null);
        }
        if (e instanceof SSLException) {
            return new ImportApiException(ErrorKind.TERMINAL, operation + ": TLS handshake with " + host + " failed (" + simpleMessage(e)
                    + "); configure an SSL Context Service that trusts the server", null, "TLS_ERROR", null);
        }
        return new ImportApiException(ErrorKind.TRANSIENT, operation + ": I/O error talking to " + host + " (" + simpleMessage(e) + ")", null, "IO_ERROR", null);
    }

    private String simpleMessage(final Throwable e) {
        final String message = e.getMessage();
        final String text = message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
        return interpreter.clean(text);
    }

    private String cleanOrNull(final String text) {
        return text == null ? null : interpreter.clean(text);
    }

    private static Integer integer(final JsonNode node) {
        if (node == null || !(node.isNumber() || node.isTextual())) {
            return null;
        }
        try {
            return node.isNumber() ? node.intValue() : Integer.valueOf(node.asText().trim());
        } catch (final NumberFormatException notANumber) {
            return null;
        }
    }

    private static Long longValue(final JsonNode node) {
        if (node == null || !(node.isNumber() || node.isTextual())) {
            return null;
        }
        try {
            return node.isNumber() ? node.longValue() : Long.valueOf(node.asText().trim());
        } catch (final NumberFormatException notANumber) {
            return null;
        }
    }

    private static String firstNonNull(final String first, final String second) {
        return first != null ? first : second;
    }

    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
    }

    /** Thrown while reading an answer that exceeds {@link #MAX_RESPONSE_BYTES}; the connection is then discarded. */
    static final class ResponseTooLargeException extends IOException {
        ResponseTooLargeException(final long size) {
            super("the answer exceeded " + MAX_RESPONSE_BYTES / (1024 * 1024) + " MiB (" + size + " bytes or more) and was abandoned");
        }
    }
}
