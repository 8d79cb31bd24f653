package io.github.bulkimport.nifi.processors;

import io.github.bulkimport.nifi.api.ImportApiException;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code bulkimport.error.*} attributes that describe why a flowfile went to {@code retry},
 * {@code failure} or {@code expired}.
 */
final class ErrorAttributes {

    static final String INVALID_INPUT = "INVALID_INPUT";
    /** A defect of this bundle, or a situation it did not foresee: the flowfile is routed rather than left behind. */
    static final String UNEXPECTED = "UNEXPECTED";

    private ErrorAttributes() {
    }

    static Map<String, String> of(final ImportApiException e) {
        final Map<String, String> attributes = of(e.getErrorCode().orElse(e.getKind().name()), e.getMessage());
        e.getHttpStatus().ifPresent(status -> attributes.put(BulkImportAttributes.HTTP_STATUS, String.valueOf(status)));
        return attributes;
    }

    static Map<String, String> of(final String code, final String message) {
        final Map<String, String> attributes = new HashMap<>(4);
        attributes.put(BulkImportAttributes.ERROR_CODE, code);
        attributes.put(BulkImportAttributes.ERROR_MESSAGE, message);
        return attributes;
    }
}
