package io.github.bulkimport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bulkimport.emulator.http.HttpRequest;
import io.github.bulkimport.emulator.http.HttpResponse;
import io.github.bulkimport.emulator.http.EmulatorHttpServer;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A local stand-in for the Milvus / Zilliz Cloud bulk-import API. Embed it in tests through
 * {@link #builder()}, or run it with {@code java -jar} (see {@link EmulatorMain}). It listens on
 * loopback by default, records what it receives, and misbehaves on demand ({@link #faults()}, or
 * {@code POST /_emulator/faults} while running).
 */
public final class ImportApiEmulator implements Closeable {

    static final String ADMIN_PREFIX = "/_emulator/";
    private static final int HUGE_BODY_BYTES = 10 * 1024 * 1024;

    private final EmulatorConfig config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final JobStore jobs;
    private final ApiHandler api;
    private final Faults faults = new Faults();
    private final Deque<RecordedCall> recorded = new ArrayDeque<>();
    private final LongAdder served = new LongAdder();
    private final EmulatorHttpServer server;
    private final HostileAnswers hostile;
    private volatile java.util.function.Consumer<String> requestListener = operation -> { };

    private ImportApiEmulator(final EmulatorConfig config) throws IOException {
        this.config = config;
        this.jobs = new JobStore(config.deployment());
        this.api = new ApiHandler(config, jobs, mapper);
        this.hostile = new HostileAnswers(mapper);
        this.server = new EmulatorHttpServer(config.address(), config.port(), this::serve);
    }

    public static Builder builder() {
        return new Builder();
    }

    public EmulatorConfig config() {
        return config;
    }

    public int port() {
        return server.port();
    }

    /** The base URL to configure as Endpoint URL, e.g. {@code http://127.0.0.1:19530}. */
    public String url() {
        return "http://" + server.address().getHostAddress() + ":" + server.port();
    }

    public Faults faults() {
        return faults;
    }

    /** Requests received so far, oldest first (at most the configured record limit). */
    public List<RecordedCall> requests() {
        synchronized (recorded) {
            return new ArrayList<>(recorded);
        }
    }

    /** Requests received so far for one operation (create, describe, list...). */
    public List<RecordedCall> requests(final String operation) {
        return requests().stream().filter(call -> operation.equals(call.operation())).toList();
    }

    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    /** Every job, in creation order. */
    public List<Job> jobs() {
        return jobs.all();
    }

    public Optional<Job> job(final String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    public int jobCount() {
        return jobs.size();
    }

    /** How many API requests arrived (admin requests excluded), recorded or not. */
    public long requestCount() {
        return served.sum();
    }

    /**
     * Calls {@code listener} with the operation of every API request as it arrives, before it is
     * handled, on the thread serving it. Tests use it to look at the client's side at that moment.
     */
    public void onRequest(final java.util.function.Consumer<String> listener) {
        this.requestListener = listener == null ? operation -> { } : listener;
    }

    /** Forgets jobs, keys, requests and faults. */
    public void reset() {
        jobs.clear();
        faults.clear();
        clearRequests();
    }

    private HttpResponse serve(final HttpRequest request) {
        if (request.path().startsWith(ADMIN_PREFIX)) {
            return admin(request);
        }
        served.increment();
        final long receivedAt = config.clock().getAsLong();
        final String operation = ApiHandler.operation(request.path());
        requestListener.accept(operation);
        final Fault fault = faults.next(operation);
        if (fault != null && !fault.type().processes()) {
            final HttpResponse response = faultResponse(fault, request);
            record(request, operation, response.effect() == HttpResponse.Effect.DROP ? 0 : response.status(), codeOf(fault), null, false, fault.type(), receivedAt);
            return response;
        }
        final ApiHandler.Outcome outcome = api.handle(request, fault != null && fault.type() == FaultType.SHIFTED_PAGE);
        HttpResponse response = outcome.response();
        int status = response.status();
        if (fault != null) {
            switch (fault.type()) {
                case SLOW -> response = response.withDelay(fault.delayMillis());
                case LOST_REPLY -> {
                    response = HttpResponse.drop();
                    status = 0;
                }
                case TRUNCATED -> response = response.withEffect(HttpResponse.Effect.TRUNCATE);
                case DRIP -> response = response.dripped(fault.delayMillis());
                case HOSTILE_VALUES -> response = hostile.hostile(response);
                case SECRET_JOB_ID -> response = hostile.secretAsJobId(request, response);
                case CUT_JSON -> response = HostileAnswers.cutJson(response);
                case SHIFTED_PAGE -> { }
                default -> throw new IllegalStateException("unexpected processing fault " + fault.type());
            }
        }
        record(request, operation, status, outcome.code(), outcome.jobId(), outcome.replayed(), fault == null ? null : fault.type(), receivedAt);
        return response;
    }

    private HttpResponse faultResponse(final Fault fault, final HttpRequest request) {
        return switch (fault.type()) {
            case HTTP_500 -> api.error(500, 500, "internal error injected by the emulator").response();
            case HTTP_503 -> api.error(503, 503, "service unavailable (injected by the emulator)").response();
            case HTTP_502 -> HttpResponse.of(502, "text/html", ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    + "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").getBytes(StandardCharsets.UTF_8));
            case HTTP_429 -> {
                final HttpResponse tooMany = api.error(429, 429, "too many requests (injected by the emulator)").response();
                yield fault.retryAfterSeconds() >= 0 ? tooMany.withHeader("Retry-After", String.valueOf(fault.retryAfterSeconds())) : tooMany;
            }
            case JOB_LIMIT -> api.error(ApiHandler.IMPORT_FAILED, ApiHandler.JOB_LIMIT_MESSAGE).response();
            case RATE_LIMIT -> api.error(ApiHandler.RATE_LIMITED, "request is rejected by grpc RateLimiter middleware, please retry later: rate limit exceeded").response();
            case NON_JSON -> HttpResponse.of(200, "text/html", "<!doctype html><html><head><title>Welcome</title></head><body>Not the API</body></html>"
                    .getBytes(StandardCharsets.UTF_8));
            case HUGE_BODY -> {
                final byte[] body = new byte[HUGE_BODY_BYTES];
                java.util.Arrays.fill(body, (byte) 'x');
                yield HttpResponse.of(200, "application/json", body);
            }
            case DROP -> HttpResponse.drop();
            case ECHO_SECRETS -> hostile.echo(request, api);
            case HUGE_DECLARED -> HttpResponse.of(200, "application/json", new byte[0]).withEffect(HttpResponse.Effect.HUGE_DECLARED);
            default -> throw new IllegalStateException("fault " + fault.type() + " is applied after processing");
        };
    }

    private static Integer codeOf(final Fault fault) {
        return switch (fault.type()) {
            case JOB_LIMIT -> ApiHandler.IMPORT_FAILED;
            case RATE_LIMIT -> ApiHandler.RATE_LIMITED;
            case HTTP_500 -> 500;
            case HTTP_503 -> 503;
            case HTTP_429 -> 429;
            default -> null;
        };
    }

    private void record(final HttpRequest request, final String operation, final int status, final Integer code, final String jobId,
                        final boolean replayed, final FaultType fault, final long receivedAt) {
        if (config.recordLimit() <= 0) {
            return;
        }
        final RecordedCall call = new RecordedCall(request.method(), request.path(), operation, Map.copyOf(request.headers()),
                request.bodyText(), status, code, jobId, replayed, fault, receivedAt);
        synchronized (recorded) {
            recorded.addLast(call);
            while (recorded.size() > config.recordLimit()) {
                recorded.removeFirst();
            }
        }
    }

    private HttpResponse admin(final HttpRequest request) {
        final String what = request.path().substring(ADMIN_PREFIX.length());
        try {
            return switch (request.method() + " " + what) {
                case "GET health" -> {
                    final ObjectNode health = mapper.createObjectNode();
                    health.put("status", "ok");
                    health.put("deployment", config.deployment().name());
                    health.put("jobs", jobs.size());
                    health.put("requests", requestCount());
                    yield api.json(200, health);
                }
                case "GET requests" -> api.json(200, mapper.valueToTree(requests()));
                case "DELETE requests" -> {
                    clearRequests();
                    yield api.json(200, mapper.createObjectNode());
                }
                case "GET jobs" -> api.json(200, jobsAsJson());
                case "GET progress" -> api.json(200, progress(request));
                case "GET faults" -> {
                    final ArrayNode pending = mapper.createArrayNode();
                    faults.pending().forEach(fault -> pending.add(fault.toString()));
                    yield api.json(200, pending);
                }
                case "POST faults" -> {
                    final JsonNode spec = mapper.readTree(request.body());
                    faults.add(new Fault(FaultType.parse(spec.path("type").asText()), spec.path("times").asInt(1),
                            spec.path("path").asText(null), spec.path("retryAfterSeconds").asInt(-1), spec.path("delayMillis").asLong(1_000)));
                    yield api.json(200, mapper.createObjectNode().put("queued", faults.pending().size()));
                }
                case "DELETE faults" -> {
                    faults.clear();
                    yield api.json(200, mapper.createObjectNode());
                }
                case "POST reset" -> {
                    reset();
                    yield api.json(200, mapper.createObjectNode());
                }
                default -> HttpResponse.of(404, "text/plain", "unknown emulator endpoint".getBytes(StandardCharsets.UTF_8));
            };
        } catch (final IOException | IllegalArgumentException e) {
            return HttpResponse.of(400, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * How far the jobs holding a path that contains {@code pathContains} (a query parameter) have come: the
     * files of those finished, those unfinished, and all jobs unfinished. Small, whatever the jobs hold: a
     * benchmark polls it while it measures, where polling every job's paths loaded the machine it measured.
     */
    private ObjectNode progress(final HttpRequest request) {
        final String fragment = queryParameter(request, "pathContains");
        final long now = config.clock().getAsLong();
        int finishedFiles = 0;
        int unfinishedMatching = 0;
        int unfinished = 0;
        for (final Job job : jobs.all()) {
            final boolean matching = fragment != null && job.anyPathContains(fragment);
            if (job.snapshot(now).finished()) {
                finishedFiles += matching ? job.files().size() : 0;
            } else {
                unfinished++;
                unfinishedMatching += matching ? 1 : 0;
            }
        }
        return mapper.createObjectNode().put("finishedFiles", finishedFiles).put("unfinishedMatching", unfinishedMatching).put("unfinished", unfinished);
    }

    private static String queryParameter(final HttpRequest request, final String name) {
        final int query = request.target().indexOf('?');
        if (query < 0) {
            return null;
        }
        for (final String pair : request.target().substring(query + 1).split("&")) {
            final int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private ArrayNode jobsAsJson() {
        final long now = config.clock().getAsLong();
        final ArrayNode array = mapper.createArrayNode();
        for (final Job job : jobs.all()) {
            final ObjectNode record = ApiHandler.summarize(job, now, array.addObject());
            record.put("files", job.files().size());
            record.set("paths", mapper.valueToTree(job.files()));
            record.put("createdAt", job.createdAt());
            record.put("finishesAt", job.finishesAt());
            record.put("committed", job.committedAt() >= 0);
            record.put("aborted", job.aborted());
            record.set("options", mapper.valueToTree(job.options()));
            record.put("rows", job.rows());
            record.set("valuesByField", mapper.valueToTree(job.valuesByField()));
        }
        return array;
    }

    @Override
    public void close() {
        server.close();
    }

    /** Builds and starts an emulator. */
    public static final class Builder {
        private Deployment deployment = Deployment.MILVUS;
        private InetAddress address = InetAddress.getLoopbackAddress();
        private int port;
        private String token;
        private String clusterId;
        private final Set<String> collections = new LinkedHashSet<>();
        private Duration importDuration = Duration.ofSeconds(3);
        private Duration importPerFile = Duration.ZERO;
        private String failureMarker = "bad-schema";
        private int maxActiveJobs = 1_024;
        private boolean idempotency = true;
        private Duration idempotencyTtl = Duration.ofHours(24);
        private int recordLimit = 10_000;
        private LongSupplier clock = System::currentTimeMillis;
        private boolean strictActions;
        private final Map<String, JsonNode> schemas = new LinkedHashMap<>();
        private Path bucket;
        private final List<Fault> faults = new ArrayList<>();

        public Builder deployment(final Deployment value) {
            this.deployment = value;
            return this;
        }

        public Builder address(final InetAddress value) {
            this.address = value;
            return this;
        }

        public Builder port(final int value) {
            this.port = value;
            return this;
        }

        public Builder token(final String value) {
            this.token = value;
            return this;
        }

        public Builder clusterId(final String value) {
            this.clusterId = value;
            return this;
        }

        public Builder collections(final String... names) {
            collections.addAll(List.of(names));
            return this;
        }

        public Builder importDuration(final Duration value) {
            this.importDuration = value;
            return this;
        }

        public Builder failureMarker(final String value) {
            this.failureMarker = value;
            return this;
        }

        /** How much longer a job takes for each of its files, on top of {@link #importDuration}: a job's fixed overhead. */
        public Builder importPerFile(final Duration value) {
            this.importPerFile = value;
            return this;
        }

        public Builder maxActiveJobs(final int value) {
            this.maxActiveJobs = value;
            return this;
        }

        public Builder idempotency(final boolean value) {
            this.idempotency = value;
            return this;
        }

        public Builder idempotencyTtl(final Duration value) {
            this.idempotencyTtl = value;
            return this;
        }

        public Builder recordLimit(final int value) {
            this.recordLimit = value;
            return this;
        }

        public Builder clock(final LongSupplier value) {
            this.clock = value;
            return this;
        }

        /** Refuse a repeated commit and an abort of a Failed job, as servers did before Milvus made both succeed. */
        public Builder strictActions(final boolean value) {
            this.strictActions = value;
            return this;
        }

        public Builder fault(final Fault fault) {
            faults.add(fault);
            return this;
        }

        /** A collection's schema: the {@code data} of its {@code collections/describe} answer, as JSON. */
        public Builder schema(final String collection, final String describeData) {
            try {
                schemas.put(collection, new ObjectMapper().readTree(describeData));
            } catch (final IOException e) {
                throw new IllegalArgumentException("the schema of " + collection + " is not JSON: " + e.getMessage(), e);
            }
            return this;
        }

        public Builder schemas(final Map<String, JsonNode> values) {
            schemas.putAll(values);
            return this;
        }

        /** The folder jobs read their files from, checking each against its collection's schema. */
        public Builder bucket(final Path value) {
            this.bucket = value;
            return this;
        }

        public EmulatorConfig config() {
            return new EmulatorConfig(deployment, address, port, token, clusterId, Set.copyOf(collections), importDuration, importPerFile,
                    failureMarker,
                    maxActiveJobs, idempotency, idempotencyTtl, recordLimit, clock, strictActions, Map.copyOf(schemas), bucket);
        }

        public ImportApiEmulator start() {
            try {
                final ImportApiEmulator emulator = new ImportApiEmulator(config());
                faults.forEach(emulator.faults()::add);
                return emulator;
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot start the emulator on " + address + ":" + port, e);
            }
        }
    }
}
