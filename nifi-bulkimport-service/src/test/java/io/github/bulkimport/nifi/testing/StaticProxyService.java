package io.github.bulkimport.nifi.testing;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.proxy.ProxyConfiguration;
import org.apache.nifi.proxy.ProxyConfigurationService;

import java.net.Proxy;

/**
 * A proxy configuration service with fixed settings.
 */
public class StaticProxyService extends AbstractControllerService implements ProxyConfigurationService {

    private final ProxyConfiguration configuration = new ProxyConfiguration();

    public StaticProxyService(final Proxy.Type type, final String host, final int port, final String user, final String password) {
        configuration.setProxyType(type);
        configuration.setProxyServerHost(host);
        configuration.setProxyServerPort(port);
        configuration.setProxyUserName(user);
        configuration.setProxyUserPassword(password);
    }

    @Override
    public ProxyConfiguration getConfiguration() {
        return configuration;
    }
}
