package io.github.bulkimport.nifi.processors.trigger.request;

import io.github.bulkimport.nifi.api.Deployment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fuzz input as the settings of one flowfile's request: text, one setting a line, {@code name=value} with
 * {@code \n}, {@code \r}, {@code \t} and {@code \\} escaped in values. {@code deployment=zilliz} (else Milvus),
 * {@code credentials=on}, a property by its name, {@code option.<letters>} an import option, anything else an
 * attribute of the flowfile.
 *
 * @param properties  TriggerBulkImport's properties by name, and import options by their option name
 * @param credentials whether Object URLs start with access keys, as a careless user might write them
 */
record FuzzedSettings(Deployment deployment, boolean credentials, Map<String, String> properties, Map<String, String> options,
                      Map<String, String> attributes) {

    static final String OPTION = "option.";

    static FuzzedSettings parse(final String text, final java.util.Set<String> propertyNames) {
        Deployment deployment = Deployment.MILVUS;
        boolean credentials = false;
        final Map<String, String> properties = new LinkedHashMap<>();
        final Map<String, String> options = new LinkedHashMap<>();
        final Map<String, String> attributes = new LinkedHashMap<>();
        for (final String line : text.split("\n", -1)) {
            final int equals = line.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            final String name = line.substring(0, equals);
            final String value = unescape(line.substring(equals + 1));
            if ("deployment".equals(name)) {
                deployment = value.strip().equalsIgnoreCase("zilliz") ? Deployment.ZILLIZ_CLOUD : Deployment.MILVUS;
            } else if ("credentials".equals(name)) {
                credentials = "on".equals(value.strip());
            } else if (propertyNames.contains(name)) {
                properties.put(name, value);
            } else if (name.startsWith(OPTION) && optionName(name) != null) {
                options.put(optionName(name), value);
            } else {
                attributes.put(name, value);
            }
        }
        return new FuzzedSettings(deployment, credentials, properties, options, attributes);
    }

    /** Whether any name or value, as the reader gets it (unescaped), holds the text. */
    boolean mentions(final String text) {
        return java.util.stream.Stream.of(properties, options, attributes)
                .flatMap(settings -> settings.entrySet().stream())
                .anyMatch(setting -> setting.getKey().contains(text) || setting.getValue().contains(text));
    }

    /** An import option's name, letters and underscores only (a dynamic property's name is configuration, not input). */
    private static String optionName(final String name) {
        final String option = name.substring(OPTION.length());
        return !option.isEmpty() && option.length() <= 32 && option.chars().allMatch(c -> c >= 'a' && c <= 'z' || c == '_') ? option : null;
    }

    private static String unescape(final String value) {
        final StringBuilder text = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c != '\\' || i + 1 == value.length()) {
                text.append(c);
                continue;
            }
            final char next = value.charAt(++i);
            text.append(switch (next) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> next;
            });
        }
        return text.toString();
    }
}
