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
