package io.github.bulkimport.nifi.processors.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bulkimport.nifi.api.ImportFile;
import org.apache.nifi.flowfile.FlowFile;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The files a flowfile sent in its job, as {@code bulkimport.object.sets} holds them: JSON, a list of
 * files, each the list of its paths, exactly as sent. Unlike {@code bulkimport.object.urls} (lines, a
 * set's paths joined by " + "), nothing a path holds (a space, a comma, a line break, " + ") can make
 * it read otherwise.
 */
public final class ObjectSets {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<List<String>>> SETS = new TypeReference<>() {
    };
    private static final String NUMPY_SET = " + ";

    private ObjectSets() {
    }

    /** The attribute's value for these files. */
    public static String json(final List<ImportFile> files) {
        try {
            return JSON.writeValueAsString(files.stream().map(ImportFile::paths).toList());
        } catch (final JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The files a flowfile sent: from {@code bulkimport.object.sets}; for a flowfile started by an earlier
     * version, from {@code bulkimport.object.urls} when its lines can be read only one way (no line holds
     * " + ", which a set and a path may both hold); empty when they cannot be told.
     */
    public static Optional<List<List<String>>> of(final FlowFile flowFile) {
        final String sets = flowFile.getAttribute(BulkImportAttributes.OBJECT_SETS);
        if (sets != null) {
            try {
                final List<List<String>> files = JSON.readValue(sets, SETS);
                return files == null || files.isEmpty() || files.stream().anyMatch(file -> file == null || file.isEmpty() || file.contains(null))
                        ? Optional.empty() : Optional.of(files);
            } catch (final JsonProcessingException e) {
                return Optional.empty();
            }
        }
        final String lines = flowFile.getAttribute(BulkImportAttributes.OBJECT_URLS);
        if (lines == null || lines.isEmpty() || lines.contains(NUMPY_SET)) {
            return Optional.empty();
        }
        final List<List<String>> files = new ArrayList<>();
        for (final String line : lines.split("\n")) {
            files.add(List.of(line));
        }
        return Optional.of(files);
    }
}
