package io.github.bulkimport.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bulkimport.emulator.files.CollectionSchemas;
import io.github.bulkimport.emulator.files.FileChecker;
import io.github.bulkimport.emulator.files.FileReport;
import io.github.bulkimport.emulator.http.HttpRequest;
import io.github.bulkimport.emulator.http.HttpResponse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The import API's behaviour: authentication, validation with the servers' error envelopes,
 * jobs and idempotency. Faults and recording are applied around it by {@link ImportApiEmulator}.
 */
final class ApiHandler {

    static final String PREFIX = "/v2/vectordb/jobs/import/";
    static final String COLLECTIONS_PREFIX = "/v2/vectordb/collections/";

    /** Error codes the Milvus REST layer uses (see import-api.md). */
    static final int COLLECTION_NOT_FOUND = 100;
    static final int INVALID_PARAMETER = 1100;
    static final int UNAUTHENTICATED = 1800;
    static final int DECODE_ERROR = 1801;
    static final int MISSING_PARAMETER = 1802;
    static final int RATE_LIMITED = 1807;
    static final int IMPORT_FAILED = 2100;

    static final String JOB_LIMIT_MESSAGE = "The number of jobs has reached the limit, please try again later: importing data failed";

    private final EmulatorConfig config;
    private final JobStore jobs;
    private final ObjectMapper mapper;
    private final CollectionSchemas schemas;
    /** Reads a job's files from the bucket folder; {@code null} when there is none. */
    private final FileChecker files;

    ApiHandler(final EmulatorConfig config, final JobStore jobs, final ObjectMapper mapper) {
        this.config = config;
        this.jobs = jobs;
        this.mapper = mapper;
        this.schemas = new CollectionSchemas(config.schemas() == null ? Map.of() : config.schemas());
        this.files = config.bucket() == null ? null : new FileChecker(config.bucket(), schemas);
    }

    /** The outcome of one API call, before any fault is applied. */
    record Outcome(HttpResponse response, Integer code, String jobId, boolean replayed) {
    }

    static String operation(final String path) {
        if (path.startsWith(PREFIX)) {
            return path.substring(PREFIX.length());
        }
        return path.startsWith(COLLECTIONS_PREFIX) ? "collections/" + path.substring(COLLECTIONS_PREFIX.length()) : path;
    }

    Outcome handle(final HttpRequest request) {
        return handle(request, false);
    }

    /** Handles a request; a listing is {@code shifted} as if one job before its page had been removed meanwhile. */
    Outcome handle(final HttpRequest request, final boolean shifted) {
        final String operation = operation(request.path());
        final Function<JsonNode, Outcome> route = switch (operation) {
            case "create" -> body -> create(request, body);
            case "describe", "getProgress", "get_progress" -> this::describe;
            case "list" -> body -> list(body, shifted);
            case "commit" -> body -> commitOrAbort(body, true);
            case "abort" -> body -> commitOrAbort(body, false);
            case "collections/describe" -> this::describeCollection;
            case "collections/list" -> body -> listCollections();
            default -> null;
        };
        if (route == null || !request.path().startsWith(PREFIX) && !request.path().startsWith(COLLECTIONS_PREFIX)) {
            return new Outcome(HttpResponse.of(404, "text/plain; charset=utf-8", "404 page not found".getBytes(StandardCharsets.UTF_8)), null, null, false);
        }
        if (!"POST".equals(request.method())) {
            return new Outcome(HttpResponse.of(405, "text/plain; charset=utf-8", "405 method not allowed".getBytes(StandardCharsets.UTF_8)), null, null, false);
        }
        if (!authenticated(request)) {
            return config.deployment() == Deployment.MILVUS
                    ? error(401, UNAUTHENTICATED, "user hasn't authenticated")
                    : error(401, 80001, "Invalid token: the API key is not valid");
        }
        final JsonNode body;
        try {
            body = request.body().length == 0 ? mapper.createObjectNode() : mapper.readTree(request.body());
        } catch (final JsonProcessingException e) {
            return error(DECODE_ERROR, "check the json body failed, the request body should be a json object: invalid parameter");
        } catch (final java.io.IOException e) {
            return error(DECODE_ERROR, "the request body could not be read: invalid parameter");
        }
        if (body == null || !body.isObject()) {
            return error(DECODE_ERROR, "the request body should be a json object: invalid parameter");
        }
        if (config.deployment() == Deployment.ZILLIZ_CLOUD && request.path().startsWith(PREFIX)) {
            // the control plane wants a cluster; a cluster's own endpoint serves its collections
            final Outcome locationProblem = checkZillizLocation(body);
            if (locationProblem != null) {
                return locationProblem;
            }
        }
        return route.apply(body);
    }

    private boolean authenticated(final HttpRequest request) {
        if (config.token() == null) {
            return true;
        }
        final String authorization = request.header("authorization");
        // header values arrive trimmed, as every HTTP server reads them
        return authorization != null && authorization.equals("Bearer " + config.token().strip());
    }

    private Outcome checkZillizLocation(final JsonNode body) {
        final String cluster = text(body, "clusterId");
        final boolean project = text(body, "projectId") != null && text(body, "regionId") != null;
        if (cluster == null && !project) {
            return error(MISSING_PARAMETER, "missing required parameters: clusterId (or projectId and regionId)");
        }
        if (cluster != null && config.clusterId() != null && !config.clusterId().equals(cluster)) {
            return error(INVALID_PARAMETER, "cluster " + cluster + " not exist or you don't have permission: invalid parameter");
        }
        return null;
    }

    private Outcome create(final HttpRequest request, final JsonNode body) {
        final JsonNode collectionNode = body.get("collectionName");
        if (collectionNode != null && !collectionNode.isTextual()) {
            return error(DECODE_ERROR, "collectionName must be a string: invalid parameter");
        }
        final String collection = text(body, "collectionName");
        if (collection == null) {
            return error(MISSING_PARAMETER, "missing required parameters: collectionName");
        }
        if (!config.collections().isEmpty() && !config.collections().contains(collection)) {
            return error(COLLECTION_NOT_FOUND, "collection not found[collection=" + collection + "]");
        }
        if (text(body, "partitionName") != null && schemas.schema(collection).partitionKey().isPresent()) {
            return error(INVALID_PARAMETER, "not support manually specifying the partition names if partition key mode is used: invalid parameter");
        }
        final String volume = config.deployment() == Deployment.ZILLIZ_CLOUD ? text(body, "volumeName") : null;
        final String filesField = volume != null ? "dataPaths" : config.deployment() == Deployment.MILVUS ? "files" : "objectUrls";
        JsonNode filesNode = body.get(filesField);
        if (filesNode == null && volume == null && config.deployment() == Deployment.ZILLIZ_CLOUD && body.hasNonNull("objectUrl")) {
            filesNode = mapper.createArrayNode().add(mapper.createArrayNode().add(body.get("objectUrl")));
        }
        final List<List<String>> files = new ArrayList<>();
        final Outcome filesProblem = readFiles(filesField, filesNode, files);
        if (filesProblem != null) {
            return filesProblem;
        }
        if (files.size() > config.deployment().maxFiles()) {
            return error(IMPORT_FAILED, "The max number of import files should not exceed " + config.deployment().maxFiles() + ", but got "
                    + files.size() + ": importing data failed");
        }
        if (config.deployment() == Deployment.ZILLIZ_CLOUD && volume == null) {
            for (final List<String> group : files) {
                for (final String url : group) {
                    final String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT) : "";
                    if (!scheme.equals("s3") && !scheme.equals("gs") && !scheme.equals("https")) {
                        return error(INVALID_PARAMETER, "invalid object url '" + url + "': only s3://, gs:// and https:// are supported: invalid parameter");
                    }
                }
            }
        }
        final Map<String, String> options = new LinkedHashMap<>();
        final JsonNode optionsNode = body.get("options");
        if (optionsNode != null && !optionsNode.isNull()) {
            if (!optionsNode.isObject()) {
                return error(DECODE_ERROR, "options must be an object of strings: invalid parameter");
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = optionsNode.properties().iterator(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> option = it.next();
                if (!option.getValue().isTextual()) {
                    return error(DECODE_ERROR, "the value of option " + option.getKey() + " must be a string: invalid parameter");
                }
                options.put(option.getKey(), option.getValue().asText());
            }
        }
        final String sep = options.get("sep");
        if (sep != null && (sep.codePointCount(0, sep.length()) != 1 || "\r\n\"\u0000".contains(sep))) {
            return error(IMPORT_FAILED, "sep must be exactly one character other than a line break, quote or NUL, got '" + sep + "': importing data failed");
        }

        final long now = config.clock().getAsLong();
        final String key = request.header("idempotency-key");
        final String scopedKey = key == null ? null : collection + "\u0000" + key;
        if (config.idempotency() && scopedKey != null) {
            synchronized (jobs) {
                final String existing = jobs.jobForKey(scopedKey, now);
                if (existing != null) {
                    return created(existing, true);
                }
                return startJob(body, collection, volume, files, options, now, scopedKey);
            }
        }
        return startJob(body, collection, volume, files, options, now, null);
    }

    /** Reads a list of lists of paths into {@code files}; the error the servers answer when it is not one. */
    private Outcome readFiles(final String field, final JsonNode node, final List<List<String>> files) {
        if (node == null || node.isNull()) {
            return error(MISSING_PARAMETER, "missing required parameters: " + field);
        }
        if (!node.isArray()) {
            return error(DECODE_ERROR, field + " must be a list of lists of strings: invalid parameter");
        }
        for (final JsonNode inner : node) {
            if (!inner.isArray()) {
                return error(DECODE_ERROR, field + " must be a list of lists of strings: invalid parameter");
            }
            final List<String> group = new ArrayList<>();
            for (final JsonNode file : inner) {
                if (!file.isTextual()) {
                    return error(DECODE_ERROR, field + " must be a list of lists of strings: invalid parameter");
                }
                group.add(file.asText());
            }
            if (group.isEmpty()) {
                return error(INVALID_PARAMETER, "an inner list of " + field + " is empty: invalid parameter");
            }
            if (group.size() > 1 && !group.stream().allMatch(path -> path.toLowerCase(Locale.ROOT).endsWith(".npy"))) {
                return error(IMPORT_FAILED, "for JSON, Parquet or CSV files, each inner list of " + field + " accepts only one file, got "
                        + group + ": importing data failed");
            }
            files.add(group);
        }
        if (files.isEmpty()) {
            return error(INVALID_PARAMETER, field + " is empty: invalid parameter");
        }
        return null;
    }

    private Outcome startJob(final JsonNode body, final String collection, final String volume, final List<List<String>> files,
                             final Map<String, String> options, final long now, final String scopedKey) {
        if (jobs.active(now) >= config.maxActiveJobs()) {
            return error(IMPORT_FAILED, JOB_LIMIT_MESSAGE);
        }
        String reason = null;
        int failingFile = -1;
        final List<FileReport> reports = new ArrayList<>();
        for (int i = 0; i < files.size() && reason == null; i++) {
            reason = markedOrMisplaced(files.get(i));
            final FileReport report = reason == null && this.files != null ? this.files.read(collection, files.get(i), options) : null;
            reports.add(report);
            if (report != null && !report.imports()) {
                reason = report.failure() + ": importing data failed";
            }
            failingFile = reason == null ? -1 : i;
        }
        final Job job = new Job(jobs.nextId(), collection, text(body, "partitionName"), text(body, "dbName"), volume, files, options, now,
                config.importDuration().plus(config.importPerFile().multipliedBy(files.size())).toMillis(), failingFile, reason, reports);
        jobs.add(job);
        if (scopedKey != null) {
            jobs.rememberKey(scopedKey, job.id(), now + config.idempotencyTtl().toMillis());
        }
        return created(job.id(), false);
    }

    /**
     * Why a file fails its job before it is read: it carries the failure marker, or, on Milvus, is a URL where a path in its
     * bucket belongs. (With a bucket folder, a file is then read, and fails when it is missing there or breaks the schema.)
     */
    private String markedOrMisplaced(final List<String> group) {
        for (final String file : group) {
            if (config.failureMarker() != null && !config.failureMarker().isEmpty() && file.contains(config.failureMarker())) {
                return "failed to parse file " + file + ": the field 'vector' is missing in the file: importing data failed";
            }
            if (config.deployment() == Deployment.MILVUS && file.contains("://")) {
                return "failed to read file " + file + ": the file does not exist in the bucket (Milvus takes paths relative to its own bucket): "
                        + "importing data failed";
            }
        }
        return null;
    }

    private Outcome describeCollection(final JsonNode body) {
        final String collection = text(body, "collectionName");
        if (collection == null) {
            return error(MISSING_PARAMETER, "missing required parameters: collectionName");
        }
        if (!config.collections().isEmpty() && !config.collections().contains(collection)) {
            return error(COLLECTION_NOT_FOUND, "collection not found[database=" + (text(body, "dbName") == null ? "default" : text(body, "dbName"))
                    + "][collection=" + collection + "]");
        }
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", 0);
        envelope.set("data", schemas.describe(collection));
        return new Outcome(json(200, envelope), 0, null, false);
    }

    private Outcome listCollections() {
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", 0);
        final ArrayNode names = envelope.putArray("data");
        config.collections().forEach(names::add);
        return new Outcome(json(200, envelope), 0, null, false);
    }

    private Outcome created(final String jobId, final boolean replayed) {
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", 0);
        envelope.putObject("data").put("jobId", jobId);
        return new Outcome(json(200, envelope), 0, jobId, replayed);
    }

    /** The job a request names, or the error the servers answer when it names none or an unknown one. */
    private record JobLookup(Job job, Outcome error) {
    }

    private JobLookup findJob(final JsonNode body) {
        final String jobId = text(body, "jobId");
        if (jobId == null) {
            return new JobLookup(null, error(MISSING_PARAMETER, "missing required parameters: jobId"));
        }
        final Job job = jobs.get(jobId);
        if (job == null) {
            return new JobLookup(null, error(IMPORT_FAILED, "import job does not exist, jobID=" + jobId + ": importing data failed"));
        }
        return new JobLookup(job, null);
    }

    private Outcome describe(final JsonNode body) {
        final JobLookup lookup = findJob(body);
        if (lookup.error() != null) {
            return lookup.error();
        }
        final Job job = lookup.job();
        final Job.Snapshot snapshot = job.snapshot(config.clock().getAsLong());
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", 0);
        final ObjectNode data = envelope.putObject("data");
        data.put("jobId", job.id());
        data.put("collectionName", job.collection());
        data.put("createTime", Instant.ofEpochMilli(job.createdAt()).toString());
        data.put("completeTime", snapshot.completeTime());
        data.put("state", snapshot.state());
        data.put("progress", snapshot.progress());
        data.put("importedRows", snapshot.importedRows());
        data.put("totalRows", snapshot.totalRows());
        data.put("fileSize", snapshot.fileSize());
        if (snapshot.reason() != null) {
            data.put("reason", snapshot.reason());
        }
        if (config.deployment() == Deployment.ZILLIZ_CLOUD) {
            // Zilliz Cloud names the job's (first) file at the top level as well
            data.put("fileName", fileName(job.files().getFirst()));
        }
        final ArrayNode details = data.putArray("details");
        for (int i = 0; i < job.files().size(); i++) {
            describeFile(job, i, snapshot, details.addObject());
        }
        return new Outcome(json(200, envelope), 0, job.id(), false);
    }

    /**
     * One file of a job as {@code details[]} shows it: the file that failed the job carries the
     * reason; the others are as far as the job got.
     */
    private static void describeFile(final Job job, final int index, final Job.Snapshot snapshot, final ObjectNode detail) {
        final List<String> group = job.files().get(index);
        final boolean failed = "Failed".equals(snapshot.state());
        final boolean culprit = failed && index == job.failingFile();
        final long rows = job.rowsOf(index);
        detail.put("fileName", fileName(group));
        detail.put("fileSize", Job.BYTES_PER_FILE * group.size());
        if (failed && !culprit && !job.aborted()) {
            detail.put("state", "Completed");
            detail.put("progress", 100);
            detail.put("importedRows", rows);
        } else {
            detail.put("state", snapshot.state());
            detail.put("progress", snapshot.progress());
            detail.put("importedRows", rows * snapshot.progress() / 100);
        }
        detail.put("totalRows", rows);
        if (culprit || failed && job.aborted()) {
            detail.put("reason", snapshot.reason());
        }
        detail.put("completeTime", snapshot.completeTime());
    }

    /** How Milvus names a file in {@code details[]}: the Go rendering of its path list. */
    private static String fileName(final List<String> group) {
        return "[" + String.join(" ", group) + "]";
    }

    private Outcome list(final JsonNode body, final boolean shifted) {
        final String collection = text(body, "collectionName");
        final long now = config.clock().getAsLong();
        final List<Job> matching = new ArrayList<>();
        for (final Job job : jobs.all()) {
            if (collection == null || collection.equals(job.collection())) {
                matching.add(job);
            }
        }
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", 0);
        final ObjectNode data = envelope.putObject("data");
        List<Job> page = matching;
        // as if one job listed on an earlier page had gone meanwhile: a later page starts one record later
        final int shift = shifted && body.path("currentPage").asInt(1) > 1 ? 1 : 0;
        if (config.deployment() == Deployment.ZILLIZ_CLOUD) {
            final int pageSize = Math.max(1, Math.min(100, body.path("pageSize").asInt(10)));
            final int currentPage = Math.max(1, body.path("currentPage").asInt(1));
            final int from = Math.min(matching.size(), (currentPage - 1) * pageSize + shift);
            page = matching.subList(from, Math.min(matching.size(), from + pageSize));
            data.put("count", matching.size());
            data.put("currentPage", currentPage);
            data.put("pageSize", pageSize);
        } else if (shifted && !matching.isEmpty()) {
            // Milvus answers every job at once: a listing taken a moment earlier does not show the newest job yet
            page = matching.subList(0, matching.size() - 1);
        }
        final ArrayNode records = data.putArray("records");
        for (final Job job : page) {
            summarize(job, now, records.addObject());
        }
        return new Outcome(json(200, envelope), 0, null, false);
    }

    /** A job as {@code list} shows it, written into {@code record}. */
    static ObjectNode summarize(final Job job, final long now, final ObjectNode record) {
        final Job.Snapshot snapshot = job.snapshot(now);
        record.put("collectionName", job.collection());
        record.put("jobId", job.id());
        record.put("state", snapshot.state());
        record.put("progress", snapshot.progress());
        if (snapshot.reason() != null) {
            record.put("reason", snapshot.reason());
        }
        return record;
    }

    /**
     * Commit and abort as Milvus answers them (its REST contract tests, pull requests 50692 and 51083):
     * a repeated commit of a job Committing or Completed succeeds, an abort of a Failed job (aborted
     * before, or failed by itself) succeeds, an abort of a job Committing or Completed is refused with
     * 2100. With {@code strictActions}, as servers before those changes: a repeated commit and an abort
     * of a Failed job are refused too.
     */
    private Outcome commitOrAbort(final JsonNode body, final boolean commit) {
        final JobLookup lookup = findJob(body);
        if (lookup.error() != null) {
            return lookup.error();
        }
        final Job job = lookup.job();
        final String jobId = job.id();
        final long now = config.clock().getAsLong();
        final String state = job.snapshot(now).state();
        final boolean repeated = commit ? job.committedAt() >= 0 : "Failed".equals(state);
        if (repeated && !config.strictActions()) {
            return done(jobId);
        }
        if (commit) {
            if (!job.isTwoPhase()) {
                return error(IMPORT_FAILED, "job " + jobId + " was not created with auto_commit=false and cannot be committed: importing data failed");
            }
            if (!"Uncommitted".equals(state)) {
                return error(IMPORT_FAILED, "job " + jobId + " is " + state + ", only an Uncommitted job can be committed: importing data failed");
            }
            job.commit(now);
        } else {
            if (!"Uncommitted".equals(state) && !"Pending".equals(state) && !"Importing".equals(state)) {
                return error(IMPORT_FAILED, "job " + jobId + " is " + state + ", only an unfinished job can be aborted: importing data failed");
            }
            job.abort(now);
        }
        return done(jobId);
    }

    private Outcome done(final String jobId) {
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", 0);
        envelope.putObject("data");
        return new Outcome(json(200, envelope), 0, jobId, false);
    }

    Outcome error(final int code, final String message) {
        return error(200, code, message);
    }

    Outcome error(final int status, final int code, final String message) {
        final ObjectNode envelope = mapper.createObjectNode();
        envelope.put("code", code);
        envelope.put("message", message);
        return new Outcome(json(status, envelope), code, null, false);
    }

    HttpResponse json(final int status, final JsonNode node) {
        try {
            return HttpResponse.of(status, "application/json; charset=utf-8", mapper.writeValueAsBytes(node));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(final JsonNode body, final String field) {
        final JsonNode node = body.get(field);
        if (node == null || node.isNull() || !node.isValueNode()) {
            return null;
        }
        final String value = node.asText();
        return value.isEmpty() ? null : value;
    }
}
