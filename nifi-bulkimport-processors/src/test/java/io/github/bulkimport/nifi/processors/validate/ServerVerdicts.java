package io.github.bulkimport.nifi.processors.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import io.github.bulkimport.nifi.testing.Secrets;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * What the server makes of a file: an import of it started on the emulator, which reads its bucket
 * folder with real readers, and the job's end (or the refusal of the request).
 */
final class ServerVerdicts {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The request was refused ({@code refused} with the server's message), or the job ended {@code state} with {@code reason}. */
    record Verdict(boolean refused, String state, String reason) {

        boolean imported() {
            return !refused && "Completed".equals(state);
        }

        @Override
        public String toString() {
            return refused ? "refused: " + reason : state + (reason == null ? "" : ": " + reason);
        }
    }

    private ServerVerdicts() {
    }

    static Verdict importOf(final ImportApiEmulator emulator, final String collection, final String partition, final List<String> group,
                            final Map<String, String> options) throws IOException, InterruptedException {
        final ObjectNode body = JSON.createObjectNode().put("collectionName", collection);
        if (partition != null) {
            body.put("partitionName", partition);
        }
        final ArrayNode files = body.putArray("files").addArray();
        group.forEach(files::add);
        if (!options.isEmpty()) {
            final ObjectNode optionNode = body.putObject("options");
            options.forEach(optionNode::put);
        }
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + "/v2/vectordb/jobs/import/create"))
                .header("Authorization", "Bearer " + Secrets.MILVUS_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        final JsonNode answer = JSON.readTree(response.body());
        if (answer.path("code").asInt() != 0) {
            return new Verdict(true, null, answer.path("message").asText());
        }
        final Job job = emulator.job(answer.path("data").path("jobId").asText()).orElseThrow();
        final Job.Snapshot end = job.snapshot(Long.MAX_VALUE / 4);
        return new Verdict(false, end.state(), end.reason());
    }
}
