package io.github.bulkimport.nifi.service.client;

/**
 * An HTTP proxy, with optional Basic credentials. {@link #toString()} never shows the password.
 */
public record ProxySettings(String host, int port, String user, String password) {

    public boolean hasCredentials() {
        return user != null && !user.isBlank();
    }

    @Override
    public String toString() {
        return "ProxySettings[host=" + host + ", port=" + port + ", user=" + user + ", password=" + SecretRedactor.shown(password) + "]";
    }
}
