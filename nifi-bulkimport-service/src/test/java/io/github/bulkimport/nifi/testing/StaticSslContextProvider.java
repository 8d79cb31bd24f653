package io.github.bulkimport.nifi.testing;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.ssl.SSLContextProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import java.util.Optional;

/**
 * An SSL context service that hands out a context built by the test.
 */
public class StaticSslContextProvider extends AbstractControllerService implements SSLContextProvider {

    private final SSLContext context;

    public StaticSslContextProvider(final SSLContext context) {
        this.context = context;
    }

    @Override
    public SSLContext createContext() {
        return context;
    }

    @Override
    public Optional<X509ExtendedKeyManager> createKeyManager() {
        return Optional.empty();
    }

    @Override
    public X509TrustManager createTrustManager() {
        throw new UnsupportedOperationException("not used by this bundle");
    }
}
