package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.VisibleText;
import io.github.bulkimport.nifi.api.ImportApiException;
import io.github.bulkimport.nifi.api.ErrorKind;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.FileProgress;
import io.github.bulkimport.nifi.api.ImportRequest;
import io.github.bulkimport.nifi.api.JobPage;
import io.github.bulkimport.nifi.api.JobReference;
import io.github.bulkimport.nifi.api.Operation;
import io.github.bulkimport.nifi.api.PageRequest;
import io.github.bulkimport.nifi.api.JobProgress;
import io.github.bulkimport.nifi.api.JobState;
import io.github.bulkimport.nifi.api.JobSummary;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
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
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.regex.Pattern;

/**
 * The import API over HTTP: {@code create}, {@code describe}, {@code list}, {@code commit} and
 * {@code abort}, and {@code collections/describe}, for Zilliz Cloud and for Milvus. Thread-safe; one instance owns one pooled HTTP
 * client. Every exception it throws is an {@link ImportApiException} whose message is visible text,
 * and every text of an answer it returns is visible text too.
 */
public final class ImportApiClient implements Closeable {

    public static final String CREATE_PATH = "/v2/vectordb/jobs/import/create";
    public static final String DESCRIBE_PATH = "/v2/vectordb/jobs/import/describe";
    /** Zilliz Cloud's documented name for {@code describe}; tried when {@code describe} answers 404. */
    public static final String GET_PROGRESS_PATH = "/v2/vectordb/jobs/import/getProgress";
    public static final String LIST_PATH = "/v2/vectordb/jobs/import/list";
    public static final String COMMIT_PATH = "/v2/vectordb/jobs/import/commit";
    public static final String ABORT_PATH = "/v2/vectordb/jobs/import/abort";
    public static final String DESCRIBE_COLLECTION_PATH = "/v2/vectordb/collections/describe";
    public static final String LIST_COLLECTIONS_PATH = "/v2/vectordb/collections/list";

    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    /** Whether a failed start was refused for the server's active-job limit (not a rate limit): the server is full. */
    public static boolean isJobLimit(final ImportApiException e) {
        return e.getKind() == ErrorKind.THROTTLED && e.getMessage() != null && ServerPhrases.of(e.getMessage()).jobLimit();
    }
    public static final String DATABASE_HEADER = "DB-Name";

    /** Larger answers are abandoned: no answer of this API comes close, except a long job list. */
    static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
    /** What a job ID may look like: Milvus sends digits, Zilliz Cloud {@code job-} and hex digits. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** Server-provided names of states and times are short; longer ones are cut. */
    private static final int MAX_SHORT_TEXT = 64;

    /**
     * An answer is exactly one JSON document: anything after it makes it no answer of this API. Numbers with a
     * fraction or an exponent are read as doubles, which any exponent fits (as infinity or zero): as BigDecimal,
     * {@code 1e9999999999} is no number at all, and the parser throws NumberFormatException.
     */
    private static final ObjectReader JSON_READER = new ObjectMapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ClientConfig config;
    private final CloseableHttpClient http;
    private final ScheduledThreadPoolExecutor deadlines;
    private final RequestBodies bodies;
    private final ResponseInterpreter interpreter;
    private final CollectionSchemaReader schemaReader;
    private final String authorization;
    /** Where the import API answers: the Endpoint URL. */
    private final Base jobs;
    /** Where collections are described: Milvus itself, or a Zilliz Cloud cluster's own endpoint; {@code null} when not given. */
    private final Base collections;
    private final Map<String, URI> uris = new ConcurrentHashMap<>();
    private final Map<String, String> shownUris = new ConcurrentHashMap<>();
    private volatile String describePath = DESCRIBE_PATH;

    public ImportApiClient(final ClientConfig config) {
        this(config, Clock.systemUTC());
    }

    ImportApiClient(final ClientConfig config, final Clock clock) {
        this.config = config;
        final SecretRedactor redactor = new SecretRedactor(config.secrets());
        this.http = HttpClientFactory.create(config, BundleVersion.userAgent());
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            final Thread thread = new Thread(runnable, "bulkimport-call-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        deadlines.setRemoveOnCancelPolicy(true);
        this.bodies = new RequestBodies(config.deployment(), config.location(), config.storage());
        this.interpreter = new ResponseInterpreter(JSON_READER, redactor, clock);
        this.schemaReader = new CollectionSchemaReader(interpreter::visible);
        // a key pasted with a trailing newline is meant without it
        this.authorization = "Bearer " + config.apiKey().strip();
        this.jobs = Base.of(config.endpoint(), "Endpoint URL");
        final URI clusterEndpoint = config.location().clusterEndpoint();
        this.collections = config.deployment() == Deployment.MILVUS ? jobs : clusterEndpoint == null ? null : Base.of(clusterEndpoint, "Cluster Endpoint");
    }

    /** A server address calls are made to, and the property that sets it, for messages. */
    private record Base(String text, String host, String property) {
        static Base of(final URI uri, final String property) {
            final String text = uri.toString();
            return new Base(text.endsWith("/") ? text.substring(0, text.length() - 1) : text, uri.getHost(), property);
        }
    }

    public Deployment deployment() {
        return config.deployment();
    }

    /** Text as a user may see it: clean, free of this client's secrets, bounded (see {@link VisibleText}). */
    public String visibleText(final String text) {
        return interpreter.visible(text);
    }

    /** The address of an operation as users may see it (in provenance and messages): secrets masked. */
    public String uriOf(final Operation operation) {
        final Base base = operation == Operation.DESCRIBE_COLLECTION && collections != null ? collections : jobs;
        return shownUris.computeIfAbsent(base.text() + pathOf(operation), interpreter::visible);
    }

    private String pathOf(final Operation operation) {
        return switch (operation) {
            case START -> CREATE_PATH;
            case DESCRIBE -> describePath;
            case LIST -> LIST_PATH;
            case COMMIT -> COMMIT_PATH;
            case ABORT -> ABORT_PATH;
            case DESCRIBE_COLLECTION -> DESCRIBE_COLLECTION_PATH;
        };
    }

    /**
     * Starts an import job.
     *
     * @param idempotencyKey sent as {@code Idempotency-Key} when not {@code null}
     * @return the job ID
     */
    public String createJob(final ImportRequest request, final String idempotencyKey) throws ImportApiException {
        return created(post("create", jobs, CREATE_PATH, bodies.create(request), request.target().database(), idempotencyKey));
    }

    /** The job ID of a {@code create} answer. */
    String created(final RawResponse answer) throws ImportApiException {
        final JsonNode data = interpreter.data(answer, "create");
        // early Milvus 2.4 builds spell it jobID
        String jobId = JsonValues.text(data.get("jobId"));
        if (jobId == null) {
            jobId = JsonValues.text(data.get("jobID"));
        }
        if (jobId == null || jobId.isBlank()) {
            throw interpreter.failure(ErrorKind.TERMINAL, "create: the server reported success but returned no job ID", 200, "NO_JOB_ID", null, true);
        }
        if (!JOB_ID.matcher(jobId).matches()) {
            throw interpreter.failure(ErrorKind.TERMINAL, "create: the server reported success but its job ID is not a plain identifier (\""
                    + VisibleText.bound(jobId, MAX_SHORT_TEXT) + "\")", 200, "BAD_JOB_ID", null, true);
        }
        if (holdsSecret(jobId)) {
            // quoted nowhere: it would carry a credential into attributes, content and state keys
            throw interpreter.failure(ErrorKind.TERMINAL, "create: the server reported success but its job ID holds characters of a credential "
                    + "this service sends (API key, storage keys or token); it is not used", 200, "BAD_JOB_ID", null, true);
        }
        return jobId;
    }

    /** Reports one job's progress. */
    public JobProgress describeJob(final JobReference job) throws ImportApiException {
        final String jobId = job.jobId();
        final String database = job.database();
        final byte[] body = bodies.aboutJob(jobId, database);
        final String path = describePath;
        try {
            return described(jobId, post("describe", jobs, path, body, database, null));
        } catch (final ImportApiException e) {
            final boolean routeMissing = e.getHttpStatus().orElse(0) == 404 && e.getKind() == ErrorKind.TERMINAL;
            if (!routeMissing || !DESCRIBE_PATH.equals(path)) {
                throw e;
            }
        }
        final JobProgress progress = described(jobId, post("describe", jobs, GET_PROGRESS_PATH, body, database, null));
        describePath = GET_PROGRESS_PATH;
        return progress;
    }

    /** What a {@code describe} answer says of the job asked about. */
    JobProgress described(final String jobId, final RawResponse answer) throws ImportApiException {
        final JsonNode data = interpreter.data(answer, "describe");
        final String rawState = shortText(data.get("state"));
        return new JobProgress(
                jobId,
                visible(data.get("collectionName")),
                JobState.fromApiName(rawState),
                rawState,
                JsonValues.percent(data.get("progress")),
                JsonValues.count(data.get("importedRows")),
                JsonValues.count(data.get("totalRows")),
                JsonValues.count(data.get("fileSize")),
                visible(data.get("reason")),
                shortText(data.get("completeTime")),
                fileProgress(data));
    }

    /**
     * What describe says of each file: {@code details[]}, or, from Zilliz Cloud, the top-level
     * {@code fileName} with the job's own figures when there are no details.
     */
    private List<FileProgress> fileProgress(final JsonNode data) {
        final List<FileProgress> files = new ArrayList<>();
        for (final JsonNode detail : data.path("details")) {
            if (detail.isObject()) {
                files.add(fileProgress(detail, "fileName"));
            }
        }
        if (files.isEmpty() && JsonValues.text(data.get("fileName")) != null) {
            files.add(fileProgress(data, "fileName"));
        }
        return files;
    }

    private FileProgress fileProgress(final JsonNode node, final String nameField) {
        final String rawState = shortText(node.get("state"));
        final String wholeName = JsonValues.text(node.get(nameField));
        return new FileProgress(visible(node.get(nameField)), JobState.fromApiName(rawState), rawState, JsonValues.percent(node.get("progress")),
                JsonValues.count(node.get("importedRows")), JsonValues.count(node.get("totalRows")), JsonValues.count(node.get("fileSize")),
                visible(node.get("reason")), shortText(node.get("completeTime")),
                wholeName == null || wholeName.length() > FileProgress.MAX_WHOLE_NAME ? null : wholeName);
    }

    /**
     * Lists jobs, one page at a time. Milvus ignores paging and returns every job at once. Records
     * whose job ID is not a plain identifier, or holds characters of a secret, are left out.
     */
    public JobPage listJobs(final PageRequest page) throws ImportApiException {
        return listed(page, post("list", jobs, LIST_PATH, bodies.list(page), page.database(), null));
    }

    /** The page of jobs a {@code list} answer gives. */
    JobPage listed(final PageRequest page, final RawResponse answer) throws ImportApiException {
        final JsonNode data = interpreter.data(answer, "list");
        final JsonNode records = data.get("records");
        if (records == null || !records.isArray()) {
            // an answer without the list is no listing: it must not read as "no jobs any more"
            throw interpreter.failure(ErrorKind.TRANSIENT, "list: the server reported success but sent no records list", 200, "NO_RECORDS", null, false);
        }
        final List<JobSummary> jobs = new ArrayList<>();
        for (final JsonNode record : records) {
            final String jobId = JsonValues.text(record.get("jobId"));
            if (jobId == null || !JOB_ID.matcher(jobId).matches() || holdsSecret(jobId)) {
                continue;
            }
            final String rawState = shortText(record.get("state"));
            jobs.add(new JobSummary(jobId, visible(record.get("collectionName")), JobState.fromApiName(rawState), rawState,
                    JsonValues.percent(record.get("progress")), visible(record.get("reason"))));
        }
        final Long count = JsonValues.count(data.get("count"));
        return new JobPage(jobs, count == null ? null : (int) Math.min(count, Integer.MAX_VALUE), page.page(), page.pageSize());
    }

    /** Commits a two-phase job. */
    public void commitJob(final JobReference job) throws ImportApiException {
        done("commit", post("commit", jobs, COMMIT_PATH, bodies.aboutJob(job.jobId(), job.database()), job.database(), null));
    }

    /** Aborts a two-phase job. */
    public void abortJob(final JobReference job) throws ImportApiException {
        done("abort", post("abort", jobs, ABORT_PATH, bodies.aboutJob(job.jobId(), job.database()), job.database(), null));
    }

    /** Reads the answer of an operation that returns nothing ({@code commit}, {@code abort}): it succeeded, or this throws. */
    void done(final String operation, final RawResponse answer) throws ImportApiException {
        interpreter.data(answer, operation);
    }

    /**
     * Reports a collection's schema. On Zilliz Cloud the cluster's own endpoint answers, and must have
     * been given as Cluster Endpoint.
     */
    public CollectionSchema describeCollection(final String collection, final String database) throws ImportApiException {
        if (collections == null) {
            throw interpreter.failure(ErrorKind.TERMINAL, "describe collection: Zilliz Cloud describes collections at the cluster's own "
                    + "endpoint, not at the control plane; set Cluster Endpoint on the connection service", null, "NO_CLUSTER_ENDPOINT", null, false);
        }
        return describedCollection(collection, post("describe collection", collections, DESCRIBE_COLLECTION_PATH,
                bodies.aboutCollection(collection, database), database, null));
    }

    /** The schema a {@code collections/describe} answer gives of the collection asked about. */
    CollectionSchema describedCollection(final String collection, final RawResponse answer) throws ImportApiException {
        final JsonNode data = interpreter.data(answer, "describe collection");
        final CollectionSchema schema = schemaReader.read(data, collection);
        if (schema == null) {
            throw interpreter.failure(ErrorKind.TERMINAL, "describe collection: the server reported success but sent no fields for collection "
                    + collection + "; check " + collections.property() + " on the connection service", 200, "NO_SCHEMA", null, false);
        }
        return schema;
    }

    /** How many collections the collection endpoint lists: Verify's proof that it answers and takes the key. */
    public int countCollections() throws ImportApiException {
        if (collections == null) {
            throw interpreter.failure(ErrorKind.TERMINAL, "list collections: no Cluster Endpoint is set", null, "NO_CLUSTER_ENDPOINT", null, false);
        }
        final JsonNode data = interpreter.data(post("list collections", collections, LIST_COLLECTIONS_PATH, bodies.aboutCollection(null, null),
                null, null), "list collections");
        return data.isArray() ? data.size() : 0;
    }

    /** The address collections are described at, as users may see it, or {@code null} when none is set. */
    public String collectionsAddress() {
        return collections == null ? null : interpreter.visible(collections.text());
    }

    /** Sends one request and reads its answer whole; the answer is interpreted by the operation's own reader. */
    private RawResponse post(final String operation, final Base base, final String path, final byte[] body, final String database,
                             final String idempotencyKey) throws ImportApiException {
        final HttpPost post = new HttpPost(uris.computeIfAbsent(base.text() + path, URI::create));
        post.setHeader(HttpHeaders.AUTHORIZATION, authorization);
        post.setHeader(HttpHeaders.ACCEPT, ContentType.APPLICATION_JSON.getMimeType());
        if (database != null && !database.isEmpty()) {
            post.setHeader(DATABASE_HEADER, database);
        }
        if (idempotencyKey != null) {
            post.setHeader(IDEMPOTENCY_KEY_HEADER, idempotencyKey);
        }
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));

        final CallDeadline deadline = new CallDeadline(post, config.responseTimeout(), deadlines);
        final HttpClientContext context = HttpClientContext.create();
        context.setAttribute(CallDeadline.ATTRIBUTE, deadline);
        final RawResponse response;
        try {
            response = http.execute(post, context, answer -> read(answer, deadline));
        } catch (final IOException e) {
            throw fromIOException(operation, base, e, deadline.expired());
        } finally {
            deadline.finish();
        }
        return response;
    }

    private static RawResponse read(final ClassicHttpResponse response, final CallDeadline deadline) throws IOException {
        final HttpEntity entity = response.getEntity();
        final byte[] body;
        if (entity == null) {
            body = new byte[0];
        } else {
            try (InputStream in = entity.getContent()) {
                body = readBounded(in, entity.getContentLength(), deadline);
            }
        }
        return new RawResponse(response.getCode(),
                entity == null ? null : entity.getContentType(),
                headerValue(response.getFirstHeader(HttpHeaders.RETRY_AFTER)),
                headerValue(response.getFirstHeader(HttpHeaders.LOCATION)),
                body);
    }

    private static byte[] readBounded(final InputStream in, final long declaredLength, final CallDeadline deadline) throws IOException {
        if (declaredLength > MAX_RESPONSE_BYTES) {
            // closing the stream would read the rest to keep the connection: close the connection instead
            deadline.abandon();
            throw new ResponseTooLargeException(declaredLength);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 256);
        final byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > MAX_RESPONSE_BYTES) {
                deadline.abandon();
                throw new ResponseTooLargeException(total);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String headerValue(final Header header) {
        return header == null ? null : header.getValue();
    }

    private ImportApiException fromIOException(final String operation, final Base base, final IOException e, final boolean expired) {
        final String host = base.host();
        final long responseMillis = config.responseTimeout().toMillis();
        if (expired) {
            return interpreter.failure(ErrorKind.UNAVAILABLE, operation + ": no complete answer from " + host + " within " + responseMillis
                    + " ms (Response Timeout); the call was cancelled", null, "TIMEOUT", null, true);
        }
        if (e instanceof ResponseTooLargeException tooLarge) {
            return interpreter.failure(ErrorKind.TRANSIENT, operation + ": " + tooLarge.getMessage(), null, "RESPONSE_TOO_LARGE", null, true);
        }
        if (e instanceof ConnectTimeoutException) {
            return interpreter.failure(ErrorKind.UNAVAILABLE, operation + ": could not connect to " + host + " within "
                    + config.connectTimeout().toMillis() + " ms (Connect Timeout)", null, "CONNECT_TIMEOUT", null, false);
        }
        if (e instanceof ConnectionRequestTimeoutException) {
            return interpreter.failure(ErrorKind.TRANSIENT, operation + ": no free connection to " + host + " within "
                    + config.connectTimeout().toMillis() + " ms; every one of Max Connections is busy", null, "NO_CONNECTION", null, false);
        }
        if (e instanceof SocketTimeoutException) {
            return interpreter.failure(ErrorKind.UNAVAILABLE, operation + ": no answer from " + host + " within " + responseMillis
                    + " ms (Response Timeout)", null, "TIMEOUT", null, true);
        }
        if (e instanceof UnknownHostException) {
            return interpreter.failure(ErrorKind.UNAVAILABLE, operation + ": cannot resolve host " + host + "; check " + base.property(), null,
                    "UNKNOWN_HOST", null, false);
        }
        if (e instanceof ConnectException) {
            return interpreter.failure(ErrorKind.UNAVAILABLE, operation + ": cannot connect to " + interpreter.visible(base.text()) + " ("
                    + simpleMessage(e) + "); check " + base.property() + " and that the server is running", null, "CONNECT_FAILED", null, false);
        }
        if (e instanceof SSLException) {
            return interpreter.failure(ErrorKind.TERMINAL, operation + ": TLS handshake with " + host + " failed (" + simpleMessage(e)
                    + "); configure an SSL Context Service that trusts the server", null, "TLS_ERROR", null, false);
        }
        return interpreter.failure(ErrorKind.TRANSIENT, operation + ": I/O error talking to " + host + " (" + simpleMessage(e) + ")", null,
                "IO_ERROR", null, true);
    }

    private static String simpleMessage(final Throwable e) {
        final String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }

    /** Whether a plain identifier the server sent would be masked as visible text: it holds a run of a secret. */
    private boolean holdsSecret(final String identifier) {
        return !identifier.equals(interpreter.visible(identifier));
    }

    private String visible(final JsonNode node) {
        return interpreter.visible(JsonValues.text(node));
    }

    private String shortText(final JsonNode node) {
        return VisibleText.bound(visible(node), MAX_SHORT_TEXT);
    }

    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
        deadlines.shutdownNow();
    }

    /** Thrown while reading an answer that exceeds {@link #MAX_RESPONSE_BYTES}; the connection is then closed. */
    static final class ResponseTooLargeException extends IOException {
        ResponseTooLargeException(final long size) {
            super("the answer exceeded " + MAX_RESPONSE_BYTES / (1024 * 1024) + " MiB (" + size + " bytes or more) and was abandoned");
        }
    }
}
