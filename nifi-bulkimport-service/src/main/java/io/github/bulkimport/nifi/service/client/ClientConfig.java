package io.github.bulkimport.nifi.service.client;

import io.github.bulkimport.nifi.api.Deployment;
import io.github.bulkimport.nifi.api.VisibleText;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Everything an {@link ImportApiClient} needs. {@link #toString()} is visible text: it never shows a
 * secret, not even one written into the endpoint's path.
 *
 * @param endpoint        base URL, e.g. {@code https://api.cloud.zilliz.com} or {@code http://127.0.0.1:19530}
 * @param deployment      which server answers, and so how to speak to it
 * @param apiKey          Zilliz Cloud API key, or Milvus token / {@code user:password}
 * @param location        Zilliz Cloud cluster or project; {@link CloudLocation#NONE} for Milvus
 * @param storage         bucket credentials sent to Zilliz Cloud; {@link StorageCredentials#NONE} otherwise
 * @param connectTimeout  TCP (and TLS) connect timeout
 * @param responseTimeout longest wait for an answer
 * @param maxConnections  pool size
 * @param sslContext      TLS settings, or {@code null} for the JDK defaults
 * @param proxy           HTTP proxy, or {@code null}
 */
public record ClientConfig(
        URI endpoint,
        Deployment deployment,
        String apiKey,
        CloudLocation location,
        StorageCredentials storage,
        Duration connectTimeout,
        Duration responseTimeout,
        int maxConnections,
        SSLContext sslContext,
        ProxySettings proxy) {

    public ClientConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(apiKey, "apiKey");
        location = location == null ? CloudLocation.NONE : location;
        storage = storage == null ? StorageCredentials.NONE : storage;
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
    }

    /**
     * Every secret value this configuration holds, for {@link SecretRedactor}: with a proxy password,
     * also the {@code user:password} pair that travels base64-encoded in Proxy-Authorization.
     */
    public List<String> secrets() {
        final String proxyPassword = proxy == null ? null : proxy.password();
        final String proxyCredentials = proxyPassword == null || !proxy.hasCredentials() ? null : proxy.user() + ":" + proxyPassword;
        return Stream.of(apiKey, storage.accessKey(), storage.secretKey(), storage.sessionToken(), proxyPassword, proxyCredentials)
                .filter(Objects::nonNull)
                .toList();
    }

    @Override
    public String toString() {
        return new VisibleText(new SecretRedactor(secrets())::redact).of("ClientConfig[endpoint=" + endpoint + ", deployment=" + deployment + ", apiKey=" + SecretRedactor.shown(apiKey)
                + ", location=" + location + ", storage=" + storage + ", connectTimeout=" + connectTimeout
                + ", responseTimeout=" + responseTimeout + ", maxConnections=" + maxConnections
                + ", tls=" + (sslContext == null ? "JDK default" : sslContext.getProtocol()) + ", proxy=" + proxy + "]");
    }
}
