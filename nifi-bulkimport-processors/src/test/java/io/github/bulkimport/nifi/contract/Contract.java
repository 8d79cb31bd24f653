package io.github.bulkimport.nifi.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The bundle's compatibility contract: for each component, the names a flow built on it depends on.
 * Read from and written to {@code compatibility/contract.json}.
 */
public record Contract(String note, List<Component> components) {

    static final String NOTE = "The names flows depend on, from 0.1.0 on; written by ContractWriter, guarded by CompatibilityContractTest "
            + "(README: Compatibility)";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One processor or controller service. {@code dynamicProperties} is the Expression Language scope of the dynamic
     * properties it takes, or {@code null} when it takes none; {@code provides}, for a controller service, the service
     * interfaces it implements, which the properties of other components link to.
     */
    public record Component(String type, String kind, List<Property> properties, String dynamicProperties, List<String> relationships,
                            List<String> readsAttributes, List<String> writesAttributes, List<String> stateScopes, List<String> stateKeys,
                            List<String> counters, List<String> provides) {

        /** A component that provides no controller service interface. */
        public Component(final String type, final String kind, final List<Property> properties, final String dynamicProperties,
                         final List<String> relationships, final List<String> readsAttributes, final List<String> writesAttributes,
                         final List<String> stateScopes, final List<String> stateKeys, final List<String> counters) {
            this(type, kind, properties, dynamicProperties, relationships, readsAttributes, writesAttributes, stateScopes, stateKeys, counters,
                    List.of());
        }

        public Optional<Property> property(final String name) {
            return properties.stream().filter(property -> property.name().equals(name)).findFirst();
        }

        String simpleName() {
            return type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1);
        }
    }

    /**
     * A property: its name, its default ({@code null} for none), whether it is sensitive and required, the values it
     * allows ({@code null} for any), the scope of Expression Language it evaluates ({@code NONE} for none) and the
     * controller service interface it links to ({@code null} for none).
     */
    public record Property(String name, String defaultValue, boolean sensitive, boolean required, List<String> allowableValues,
                           String expressionLanguage, String service) {

        /** A property that links to no controller service. */
        public Property(final String name, final String defaultValue, final boolean sensitive, final boolean required,
                        final List<String> allowableValues, final String expressionLanguage) {
            this(name, defaultValue, sensitive, required, allowableValues, expressionLanguage, null);
        }

        /** An optional, free-form property that evaluates no Expression Language. */
        public Property(final String name, final String defaultValue, final boolean sensitive) {
            this(name, defaultValue, sensitive, false, null, "NONE");
        }
    }

    public Optional<Component> component(final String type) {
        return components.stream().filter(component -> component.type().equals(type)).findFirst();
    }

    public static Contract read(final Path file) throws IOException {
        return JSON.readValue(file.toFile(), Contract.class);
    }

    public void write(final Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writeValueAsString(this) + "\n");
    }

    /** {@code compatibility/contract.json} of the project: under the working directory, or its parent's (a module's tests run in the module). */
    public static Path file() {
        for (final Path candidate : List.of(Path.of("compatibility"), Path.of("..", "compatibility"))) {
            if (Files.isDirectory(candidate)) {
                return candidate.resolve("contract.json").toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("no compatibility/ directory in " + Path.of("").toAbsolutePath() + " or its parent");
    }
}
