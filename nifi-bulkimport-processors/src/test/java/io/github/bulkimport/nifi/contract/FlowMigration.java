package io.github.bulkimport.nifi.contract;

import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockPropertyConfiguration;
import org.apache.nifi.util.MockRelationshipConfiguration;
import org.apache.nifi.util.RelationshipMigrationResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A component's migrations run on whole flows built on a contract, as NiFi runs them when it loads a flow: the properties
 * set (to each of {@link #PROBE_VALUES}, their defaults, each allowed value; each optional one also left unset), every
 * relationship connected. What they break: a migration that throws; a property the component kept that a migration removes
 * or whose value it changes; a relationship it kept that a migration takes away; and an addition that leaves such a flow
 * invalid, a required property with no default that no migration gives a value, or a relationship that is not
 * auto-terminated and that no old one is carried to.
 */
final class FlowMigration {

    /**
     * The values a flow's properties are set to, {@code %s} standing for the property's name: a text of its own, numbers, a
     * boolean, a duration, a size, a parameter reference and an Expression Language reference.
     */
    static final List<String> PROBE_VALUES = List.of(ContractCheck.PROBE + " (%s)", "100", "7", "true", "10 sec", "1 GB", "#{%s}", "${%s}");

    private final Class<?> type;
    private final Contract.Component promised;
    private final Contract.Component now;
    private final List<String> breaks = new ArrayList<>();
    /** Whether a migration threw: reported once, for the first flow it threw on. */
    private boolean threw;

    private FlowMigration(final Class<?> type, final Contract.Component promised, final Contract.Component now) {
        this.type = type;
        this.promised = promised;
        this.now = now;
    }

    static FlowMigration of(final Class<?> type, final Contract.Component promised, final Contract.Component now) {
        return new FlowMigration(type, promised, now);
    }

    /** What the migrations break, one line each. */
    List<String> breaks() {
        newRequiredProperties();
        keptProperties();
        relationships();
        return breaks;
    }

    /** A flow that set only what it had to: a property added as required, with no default, must be given a value. */
    private void newRequiredProperties() {
        final Map<String, String> required = new HashMap<>();
        promised.properties().stream().filter(property -> property.required() && property.defaultValue() == null)
                .forEach(property -> required.put(property.name(), keptValue(property, PROBE_VALUES.getFirst())));
        required.values().removeIf(Objects::isNull);
        final MockPropertyConfiguration minimal = migrated(required, "sets only the required properties");
        if (minimal == null) {
            return;
        }
        now.properties().stream()
                .filter(added -> promised.property(added.name()).isEmpty() && added.required() && added.defaultValue() == null)
                .filter(added -> minimal.getRawPropertyValue(added.name()).isEmpty())
                .forEach(added -> breaks.add("property '" + added.name() + "' is new and required, with no default: a flow built on the contract "
                        + "does not set it and is invalid, and migrateProperties does not give it a value"));
    }

    /**
     * Flows that set the properties the component kept: every probe value on all of them; each one's default; each allowed value
     * of each; each optional one left unset. No migration may remove a property such a flow set or change its value. A flow
     * holding every promised name, old ones too, is only checked for a migration that throws (a flow held either an old name or
     * its successor, never both).
     */
    private void keptProperties() {
        final List<Contract.Property> kept = promised.properties().stream().filter(property -> now.property(property.name()).isPresent()).toList();
        final Map<String, Map<String, String>> flows = new LinkedHashMap<>();
        for (final String probe : PROBE_VALUES) {
            migrated(allOf(promised.properties(), probe), "sets every property to values like '" + probe.replace("%s", "p") + "'");
            flows.put("sets the properties it kept to values like '" + probe.replace("%s", "p") + "'", allOf(kept, probe));
        }
        final Map<String, String> base = allOf(kept, PROBE_VALUES.getFirst());
        final Map<String, String> defaults = new HashMap<>(base);
        kept.stream().filter(property -> property.defaultValue() != null && allowed(property, property.defaultValue()))
                .forEach(property -> defaults.put(property.name(), property.defaultValue()));
        flows.put("sets the properties it kept to their defaults", defaults);
        for (final Contract.Property property : kept) {
            if (property.allowableValues() != null) {
                property.allowableValues().stream().filter(value -> allowed(property, value)).forEach(value -> {
                    final Map<String, String> flow = new HashMap<>(base);
                    flow.put(property.name(), value);
                    flows.put("sets '" + property.name() + "' to '" + value + "'", flow);
                });
            }
            if (!property.required()) {
                final Map<String, String> flow = new HashMap<>(base);
                flow.remove(property.name());
                flows.put("leaves '" + property.name() + "' unset", flow);
            }
        }
        final Set<String> reported = new HashSet<>();
        flows.forEach((what, flow) -> {
            final MockPropertyConfiguration config = migrated(flow, what);
            if (config == null) {
                return;
            }
            for (final Map.Entry<String, String> set : flow.entrySet()) {
                final Optional<String> value = config.getRawPropertyValue(set.getKey());
                final String broken = value.isEmpty() ? "removes it from a flow that " + what
                        : value.get().equals(set.getValue()) ? null : "changes its value '" + set.getValue() + "' to '" + value.get() + "' in a flow that " + what;
                if (broken != null && reported.add(set.getKey())) {
                    breaks.add("property '" + set.getKey() + "' is kept, but migrateProperties " + broken);
                }
            }
        });
    }

    /** The properties each set to the probe, or to a value it allowed and allows now (left unset when there is none). */
    private Map<String, String> allOf(final List<Contract.Property> properties, final String probe) {
        final Map<String, String> flow = new HashMap<>();
        for (final Contract.Property property : properties) {
            final String value = keptValue(property, probe);
            if (value != null) {
                flow.put(property.name(), value);
            }
        }
        return flow;
    }

    private String keptValue(final Contract.Property property, final String probe) {
        if (property.allowableValues() == null || property.allowableValues().isEmpty()) {
            return probe.replace("%s", property.name());
        }
        return property.allowableValues().stream().filter(value -> allowed(property, value)).findFirst().orElse(null);
    }

    /** Whether a value the contract's property allowed is one the component's property of that name allows now (or it is gone). */
    private boolean allowed(final Contract.Property property, final String value) {
        final Contract.Property current = now.property(property.name()).orElse(null);
        return current == null || current.allowableValues() == null || current.allowableValues().contains(value);
    }

    /** The configuration migrateProperties leaves of a flow, or {@code null} when it throws (a break). */
    private MockPropertyConfiguration migrated(final Map<String, String> flow, final String what) {
        final MockPropertyConfiguration config = new MockPropertyConfiguration(new HashMap<>(flow));
        try {
            ContractCheck.migrateProperties(type, config);
            return config;
        } catch (final RuntimeException e) {
            if (!threw) {
                breaks.add("migrateProperties throws " + e + " on a flow that " + what + ": NiFi cannot load such a flow");
            }
            threw = true;
            return null;
        }
    }

    /** A flow that connects every promised relationship: a kept one stays; a new one is auto-terminated or carried from an old one. */
    private void relationships() {
        if (!(CodeContract.instance(type) instanceof Processor processor)) {
            return;
        }
        // as NiFi loads an old flow: the processor's relationships, and the old ones its connections name
        final Set<Relationship> connected = new HashSet<>(processor.getRelationships());
        promised.relationships().forEach(name -> connected.add(new Relationship.Builder().name(name).build()));
        final MockRelationshipConfiguration config = new MockRelationshipConfiguration(connected);
        try {
            processor.migrateRelationships(config);
        } catch (final RuntimeException e) {
            breaks.add("migrateRelationships throws " + e + " on a flow that connects every relationship: NiFi cannot load such a flow");
            return;
        }
        final Set<String> after = config.getRawRelationships().stream().map(Relationship::getName).collect(Collectors.toSet());
        promised.relationships().stream().filter(now.relationships()::contains).filter(kept -> !after.contains(kept))
                .forEach(kept -> breaks.add("relationship '" + kept + "' is kept, but migrateRelationships takes it from a flow that connects it"));
        final RelationshipMigrationResult result = config.toRelationshipMigrationResult();
        // nifi-mock records a rename or split even of a relationship the flow does not have: only a promised one counts
        final Set<String> carriedTo = new HashSet<>();
        result.getRenamedRelationships().forEach((old, renamed) -> {
            if (promised.relationships().contains(old)) {
                carriedTo.add(renamed);
            }
        });
        result.getPreviousRelationships().forEach((old, split) -> {
            if (promised.relationships().contains(old)) {
                carriedTo.addAll(split);
            }
        });
        processor.getRelationships().stream()
                .filter(added -> !promised.relationships().contains(added.getName()) && !added.isAutoTerminated() && !carriedTo.contains(added.getName()))
                .forEach(added -> breaks.add("relationship '" + added.getName() + "' is new and not auto-terminated: a flow built on the contract "
                        + "does not connect it and is invalid, and migrateRelationships does not carry an old one to it"));
    }
}
