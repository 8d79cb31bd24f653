package io.github.bulkimport.nifi.contract;

import io.github.bulkimport.nifi.processors.common.Counters;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigurableComponent;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.Validator;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.TestRunners;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The contract as the code has it now: the components NiFi's service files declare, read through their
 * descriptors, relationships and annotations; their state keys from a public {@code STATE_KEYS}; their
 * counters from the names of {@link Counters} that the classes of their package use.
 */
public final class CodeContract {

    private CodeContract() {
    }

    public static Contract read() throws IOException {
        final List<Contract.Component> components = new ArrayList<>();
        for (final Class<?> type : declared("org.apache.nifi.processor.Processor")) {
            components.add(component(type, kind(type)));
        }
        for (final Class<?> type : declared("org.apache.nifi.controller.ControllerService")) {
            components.add(component(type, kind(type)));
        }
        return new Contract(Contract.NOTE, components);
    }

    /** A new instance of a component, ready to describe itself (a processor initialized by nifi-mock). */
    static ConfigurableComponent instance(final Class<?> type) {
        if (Processor.class.isAssignableFrom(type)) {
            return TestRunners.newTestRunner(type.asSubclass(Processor.class)).getProcessor();
        }
        try {
            return (ControllerService) type.getDeclaredConstructor().newInstance();
        } catch (final ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + type.getName(), e);
        }
    }

    /** The class names NiFi's service files of the bundle declare: the components NiFi loads. */
    static Set<String> declaredNames() throws IOException {
        final Set<String> names = new HashSet<>();
        for (final String serviceFile : List.of("org.apache.nifi.processor.Processor", "org.apache.nifi.controller.ControllerService")) {
            declared(serviceFile).forEach(type -> names.add(type.getName()));
        }
        return names;
    }

    private static List<Class<?>> declared(final String serviceFile) throws IOException {
        final List<Class<?>> types = new ArrayList<>();
        for (final URL file : Collections.list(CodeContract.class.getClassLoader().getResources("META-INF/services/" + serviceFile))) {
            try (InputStream in = file.openStream()) {
                for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    final String name = line.replaceFirst("#.*", "").strip();
                    if (name.startsWith("io.github.bulkimport.")) {
                        types.add(load(name));
                    }
                }
            }
        }
        types.sort((a, b) -> a.getName().compareTo(b.getName()));
        return types;
    }

    private static Class<?> load(final String name) {
        try {
            return Class.forName(name);
        } catch (final ClassNotFoundException e) {
            throw new IllegalStateException(name + " is declared but not on the class path", e);
        }
    }

    static Contract.Component component(final Class<?> type, final String kind) throws IOException {
        final ConfigurableComponent instance = instance(type);
        final List<Contract.Property> properties = new ArrayList<>();
        for (final PropertyDescriptor descriptor : instance.getPropertyDescriptors()) {
            properties.add(new Contract.Property(descriptor.getName(), descriptor.getDefaultValue(), descriptor.isSensitive(), descriptor.isRequired(),
                    descriptor.getAllowableValues() == null ? null : descriptor.getAllowableValues().stream().map(AllowableValue::getValue).toList(),
                    descriptor.getExpressionLanguageScope().name(),
                    descriptor.getControllerServiceDefinition() == null ? null : descriptor.getControllerServiceDefinition().getName()));
        }
        final List<String> relationships = instance instanceof Processor processor
                ? processor.getRelationships().stream().map(Relationship::getName).sorted().toList() : List.of();
        final Stateful stateful = type.getAnnotation(Stateful.class);
        return new Contract.Component(type.getName(), kind, properties, dynamicProperties(instance), relationships,
                attributes(Stream.concat(Stream.ofNullable(type.getAnnotation(ReadsAttributes.class)).flatMap(all -> Arrays.stream(all.value())),
                        Stream.ofNullable(type.getAnnotation(ReadsAttribute.class))).map(ReadsAttribute::attribute)),
                attributes(Stream.concat(Stream.ofNullable(type.getAnnotation(WritesAttributes.class)).flatMap(all -> Arrays.stream(all.value())),
                        Stream.ofNullable(type.getAnnotation(WritesAttribute.class))).map(WritesAttribute::attribute)),
                stateful == null ? List.of() : Arrays.stream(stateful.scopes()).map(Enum::name).sorted().toList(),
                stateKeys(type), counters(type), provides(type));
    }

    /** The controller service interfaces a class implements (its own and its interfaces' ancestors), which properties link to. */
    private static List<String> provides(final Class<?> type) {
        final TreeSet<String> interfaces = new TreeSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            serviceInterfaces(c.getInterfaces(), interfaces);
        }
        return List.copyOf(interfaces);
    }

    private static void serviceInterfaces(final Class<?>[] candidates, final TreeSet<String> interfaces) {
        for (final Class<?> candidate : candidates) {
            if (ControllerService.class.isAssignableFrom(candidate) && candidate != ControllerService.class) {
                interfaces.add(candidate.getName());
            }
            serviceInterfaces(candidate.getInterfaces(), interfaces);
        }
    }

    /** The kind of component a class is: what NiFi loads it as. */
    static String kind(final Class<?> type) {
        return Processor.class.isAssignableFrom(type) ? "processor" : "controller service";
    }

    /**
     * The Expression Language scope of the dynamic properties a component takes, or {@code null} when it takes none: asked as
     * NiFi asks when a flow names a property the component does not declare (which, unsupported, NiFi marks invalid).
     */
    private static String dynamicProperties(final ConfigurableComponent instance) {
        final PropertyDescriptor probe = instance.getPropertyDescriptor("a dynamic property of a flow built on the contract");
        return probe.getValidators().contains(Validator.INVALID) ? null : probe.getExpressionLanguageScope().name();
    }

    /** Attribute names, one per entry: an annotation may name several, separated by commas. */
    private static List<String> attributes(final Stream<String> annotated) {
        return annotated.flatMap(names -> Arrays.stream(names.split(","))).map(String::strip).filter(name -> !name.isEmpty()).distinct().sorted()
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> stateKeys(final Class<?> type) {
        try {
            final Field field = type.getField("STATE_KEYS");
            return Modifier.isStatic(field.getModifiers()) ? ((List<String>) field.get(null)).stream().sorted().toList() : List.of();
        } catch (final NoSuchFieldException none) {
            return List.of();
        } catch (final IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The counters whose names the classes of the component's package (and its sub-packages) hold: a counter name is a compile-time constant. */
    private static List<String> counters(final Class<?> type) throws IOException {
        final List<String> names = new ArrayList<>();
        for (final Field field : Counters.class.getFields()) {
            if (field.getType() == String.class && Modifier.isStatic(field.getModifiers())) {
                try {
                    names.add((String) field.get(null));
                } catch (final IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        final TreeSet<String> used = new TreeSet<>();
        final String packagePath = type.getPackageName().replace('.', '/') + "/";
        for (final byte[] classFile : classFiles(type, packagePath)) {
            final String text = new String(classFile, StandardCharsets.ISO_8859_1);
            for (final String name : names) {
                if (text.contains(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))) {
                    used.add(name);
                }
            }
        }
        return List.copyOf(used);
    }

    private static List<byte[]> classFiles(final Class<?> type, final String packagePath) throws IOException {
        final Path location;
        try {
            location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (final URISyntaxException e) {
            throw new IOException(e);
        }
        final List<byte[]> files = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> paths = Files.walk(location.resolve(packagePath))) {
                for (final Path path : paths.filter(path -> path.toString().endsWith(".class")).toList()) {
                    files.add(Files.readAllBytes(path));
                }
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (final JarEntry entry : Collections.list(jar.entries())) {
                    if (entry.getName().startsWith(packagePath) && entry.getName().endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            files.add(in.readAllBytes());
                        }
                    }
                }
            }
        }
        return files;
    }
}
