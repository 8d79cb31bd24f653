package io.github.bulkimport.emulator.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request as received. Header names are lower case.
 */
public record HttpRequest(String method, String target, Map<String, String> headers, byte[] body) {

    public String header(final String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The target without its query string. */
    public String path() {
        final int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
