package io.github.bulkimport.benchmark;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The limit: Apache HttpClient 5, pooled, posting the same {@code create} body in a loop and
 * reading the answer as bytes. No NiFi, no JSON work.
 */
final class RawClientLoop implements Closeable {

    private final CloseableHttpClient client;
    private final URI create;
    private final byte[] body = "{\"collectionName\":\"bench\",\"files\":[[\"vectors/part-00001.parquet\"]]}".getBytes(StandardCharsets.UTF_8);

    RawClientLoop(final String baseUrl) {
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(10).setMaxConnPerRoute(10).build())
                .disableAutomaticRetries()
                .build();
        this.create = URI.create(baseUrl + "/v2/vectordb/jobs/import/create");
    }

    /** The same loop on several threads at once, sharing the pool: the limit at a given concurrency. */
    void runConcurrently(final int requests, final int threads) throws Exception {
        final java.util.List<java.util.concurrent.Future<?>> loops = new java.util.ArrayList<>();
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                loops.add(pool.submit(() -> {
                    run(requests / threads);
                    return null;
                }));
            }
            for (final java.util.concurrent.Future<?> loop : loops) {
                loop.get();
            }
        }
    }

    void run(final int requests) throws IOException {
        for (int i = 0; i < requests; i++) {
            final HttpPost post = new HttpPost(create);
            post.setHeader("Authorization", "Bearer " + EmulatorProcess.TOKEN);
            post.setHeader("Accept", "application/json");
            post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
            final byte[] answer = client.execute(post, response -> EntityUtils.toByteArray(response.getEntity()));
            if (answer.length < 20 || answer[8] != '0') {
                throw new IOException("unexpected answer: " + new String(answer, StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
