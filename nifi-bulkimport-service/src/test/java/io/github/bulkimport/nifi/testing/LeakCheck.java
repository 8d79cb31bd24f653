package io.github.bulkimport.nifi.testing;

import org.apache.nifi.processor.Relationship;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Looks for secret values in everything a NiFi user can see: flowfile attributes and content,
 * provenance events, log messages (which become bulletins) and their exceptions.
 */
public final class LeakCheck {

    private LeakCheck() {
    }

    /** Fails when any secret appears anywhere the runner recorded. Returns how many texts were inspected. */
    public static int assertNoSecrets(final TestRunner runner, final String... serviceIds) {
        final List<String> places = new ArrayList<>();
        final List<String> texts = new ArrayList<>();
        for (final Relationship relationship : runner.getProcessor().getRelationships()) {
            for (final MockFlowFile flowFile : runner.getFlowFilesForRelationship(relationship)) {
                for (final Map.Entry<String, String> attribute : flowFile.getAttributes().entrySet()) {
                    places.add("attribute " + attribute.getKey() + " on " + relationship.getName());
                    texts.add(attribute.getValue());
                }
                places.add("content on " + relationship.getName());
                texts.add(new String(flowFile.toByteArray()));
            }
        }
        for (final ProvenanceEventRecord event : runner.getProvenanceEvents()) {
            places.add("provenance " + event.getEventType());
            texts.add(event.getDetails() + " " + event.getTransitUri() + " " + event.getUpdatedAttributes() + " " + event.getPreviousAttributes());
        }
        collectLog(runner.getLogger(), "processor log", places, texts);
        for (final String serviceId : serviceIds) {
            collectLog(runner.getControllerServiceLogger(serviceId), "service log", places, texts);
        }
        for (int i = 0; i < texts.size(); i++) {
            final String text = texts.get(i);
            if (text == null) {
                continue;
            }
            for (final String secret : Secrets.ALL) {
                if (text.contains(secret)) {
                    fail("secret leaked into " + places.get(i) + ": " + text);
                }
            }
        }
        return texts.size();
    }

    /** Fails when any secret appears in the given text. */
    public static void assertNoSecrets(final String where, final String text) {
        for (final String secret : Secrets.ALL) {
            if (text != null && text.contains(secret)) {
                fail("secret leaked into " + where + ": " + text);
            }
        }
    }

    private static void collectLog(final MockComponentLog log, final String label, final List<String> places, final List<String> texts) {
        final List<LogMessage> messages = Stream.of(log.getTraceMessages(), log.getDebugMessages(), log.getInfoMessages(),
                log.getWarnMessages(), log.getErrorMessages()).flatMap(List::stream).toList();
        for (final LogMessage message : messages) {
            places.add(label);
            final StringBuilder text = new StringBuilder(String.valueOf(message.getMsg()));
            if (message.getArgs() != null) {
                text.append(' ').append(Arrays.deepToString(message.getArgs()));
            }
            for (Throwable t = message.getThrowable(); t != null; t = t.getCause()) {
                text.append(' ').append(t);
                for (final StackTraceElement element : t.getStackTrace()) {
                    text.append(' ').append(element);
                }
            }
            texts.add(text.toString());
        }
    }
}
