package io.github.bulkimport.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The emulator in a process of its own, so that its work and its heap stay out of the figures.
 */
final class EmulatorProcess implements Closeable {

    static final String TOKEN = "root:Milvus";
    private static final int WARM_UP_JOBS = 400;
    private static final int WARM_UP_FILES_PER_JOB = 345;

    private final Process process;
    private final String url;
    private final HttpClient http = HttpClient.newHttpClient();

    private EmulatorProcess(final Process process, final String url) {
        this.process = process;
        this.url = url;
    }

    static EmulatorProcess start(final Path jar) throws IOException {
        return start(jar, 0);
    }

    /** An emulator whose jobs take {@code importSeconds} to complete, with more of its command-line options. */
    static EmulatorProcess start(final Path jar, final int importSeconds, final String... options) throws IOException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-XX:+UseParallelGC", "-jar", jar.toString(),
                "--deployment", "milvus", "--port", "0", "--token", TOKEN, "--import-seconds", String.valueOf(importSeconds), "--record", "0",
                "--max-active-jobs", "100000000", "--idempotency", "false"));
        command.addAll(List.of(options));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String line = out.readLine();
        if (line == null || !line.contains("http://")) {
            process.destroyForcibly();
            throw new IOException("the emulator did not start: " + line);
        }
        // keep draining its output so that it never blocks on a full pipe
        Thread.ofVirtual().start(() -> out.lines().forEach(ignored -> { }));
        return new EmulatorProcess(process, line.substring(line.indexOf("http://")).trim());
    }

    String url() {
        return url;
    }

    /** API requests the emulator has received so far. */
    long requestCount() throws IOException, InterruptedException {
        final String health = http.send(HttpRequest.newBuilder(URI.create(url + "/_emulator/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return new ObjectMapper().readTree(health).path("requests").asLong();
    }

    /** The jobs the emulator holds, as {@code GET /_emulator/jobs} shows them (state, files, createdAt, finishesAt). */
    JsonNode jobs() throws IOException, InterruptedException {
        return new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/_emulator/jobs")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /**
     * How far the jobs holding a path containing {@code fragment} have come ({@code GET /_emulator/progress}: finishedFiles,
     * unfinishedMatching, unfinished): a small answer, cheap enough to poll while measuring.
     */
    JsonNode progress(final String fragment) throws IOException, InterruptedException {
        return new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/_emulator/progress?pathContains="
                + URLEncoder.encode(fragment, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /**
     * Serves a few hundred imports and listings of the size a burst makes, then forgets them: a server
     * being measured against has long been running, while a fresh emulator compiles its request paths
     * on the very cores NiFi is measured on, during the first burst (a third of the CPU its creates took,
     * 2026-12-06). Creates go {@code limit} at a time, so that each starts a job as NiFi's do.
     */
    void warmUp(final int limit) throws IOException, InterruptedException {
        final ObjectMapper mapper = new ObjectMapper();
        final var files = mapper.createArrayNode();
        for (int i = 0; i < WARM_UP_FILES_PER_JOB; i++) {
            files.addArray().add("warm-up/" + i + "/part-" + i + ".parquet");
        }
        final String create = mapper.writeValueAsString(mapper.createObjectNode().put("collectionName", "warm_up").set("files", files));
        for (int job = 0; job < WARM_UP_JOBS; job++) {
            final String jobId = mapper.readTree(api("/v2/vectordb/jobs/import/create", create)).path("data").path("jobId").asText();
            if (jobId.isEmpty()) {
                throw new IOException("the emulator's warm-up import started no job");
            }
            if (job % 8 == 7) {
                api("/v2/vectordb/jobs/import/get_progress", mapper.writeValueAsString(mapper.createObjectNode().put("jobId", jobId)));
                api("/v2/vectordb/jobs/import/list", "{}");
                progress("/warm-up/");
            }
            if (job % Math.max(1, limit) == limit - 1) {
                reset();
            }
        }
        reset();
    }

    private String api(final String path, final String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Forgets every job and request. */
    void reset() throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(url + "/_emulator/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
