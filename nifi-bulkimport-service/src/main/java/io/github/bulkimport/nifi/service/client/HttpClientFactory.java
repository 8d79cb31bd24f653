package io.github.bulkimport.nifi.service.client;

import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the one pooled Apache HttpClient 5 client that a connection service owns.
 */
final class HttpClientFactory {

    /** Reused connections idle longer than this are checked before use (servers drop idle sockets). */
    private static final TimeValue VALIDATE_AFTER_INACTIVITY = TimeValue.ofSeconds(2);
    private static final TimeValue EVICT_IDLE_AFTER = TimeValue.ofMinutes(1);

    private HttpClientFactory() {
    }

    static CloseableHttpClient create(final ClientConfig config, final String userAgent) {
        final Timeout connectTimeout = Timeout.of(config.connectTimeout());
        final Timeout responseTimeout = Timeout.of(config.responseTimeout());

        final PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(responseTimeout).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connectTimeout)
                        .setSocketTimeout(responseTimeout)
                        .setValidateAfterInactivity(VALIDATE_AFTER_INACTIVITY)
                        .build());
        if (config.sslContext() != null) {
            pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(config.sslContext()));
        }
        final PoolingHttpClientConnectionManager connectionManager = pool.build();

        final HttpClientBuilder builder = HttpClients.custom()
                .setConnectionManager(connectionManager)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(responseTimeout)
                        // waiting for a pooled connection counts against the same budget as connecting
                        .setConnectionRequestTimeout(connectTimeout)
                        // a redirect would carry the Authorization header to another address
                        .setRedirectsEnabled(false)
                        .build())
                .setUserAgent(userAgent)
                // once connected, a whole exchange must end within Response Timeout
                .addExecInterceptorBefore(ChainElement.MAIN_TRANSPORT.name(), "call-deadline", CallDeadline.starter())
                // every failure is classified and retried by the processors, with the same idempotency key
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableRedirectHandling()
                .evictExpiredConnections()
                .evictIdleConnections(EVICT_IDLE_AFTER);

        final ProxySettings proxy = config.proxy();
        if (proxy != null) {
            final HttpHost proxyHost = new HttpHost(proxy.host(), proxy.port());
            builder.setProxy(proxyHost);
            if (proxy.hasCredentials()) {
                final BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                final char[] password = proxy.password() == null ? new char[0] : proxy.password().toCharArray();
                credentials.setCredentials(new AuthScope(proxyHost), new UsernamePasswordCredentials(proxy.user(), password));
                builder.setDefaultCredentialsProvider(credentials);
            }
        }
        return builder.build();
    }
}
