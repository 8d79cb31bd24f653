package io.github.bulkimport.emulator;

import java.util.Map;

/**
 * A request the emulator received and what it did with it.
 *
 * @param operation     create, describe, list, commit, abort, or the raw path for unknown routes
 * @param headers       request headers, names in lower case
 * @param body          the request body as text
 * @param status        the HTTP status answered, 0 when the connection was dropped before answering
 * @param code          the envelope's code, or {@code null}
 * @param jobId         the job created or returned, when there is one
 * @param replayed      whether an {@code Idempotency-Key} returned an existing job instead of creating one
 * @param fault         the fault applied, or {@code null}
 * @param receivedAtMillis when it arrived
 */
public record RecordedCall(
        String method,
        String path,
        String operation,
        Map<String, String> headers,
        String body,
        int status,
        Integer code,
        String jobId,
        boolean replayed,
        FaultType fault,
        long receivedAtMillis) {

    public String header(final String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
