package io.github.bulkimport.nifi.contract;

import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockPropertyConfiguration;
import org.apache.nifi.util.MockRelationshipConfiguration;
import org.apache.nifi.util.RelationshipMigrationResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A component's migrations run on whole flows built on a contract, as NiFi runs them when it loads a flow: the properties
 * set (each to a text of its own, then to a number, a parameter reference and an Expression Language reference), every
 * relationship connected. What they break: a migration that throws; a property the component kept that a migration removes
 * or whose value it changes; a relationship it kept that a migration takes away; and an addition that leaves such a flow
 * invalid, a required property with no default that no migration gives a value, or a relationship that is not
 * auto-terminated and that no old one is carried to.
 */
final class FlowMigration {

    /** The values a flow's properties are set to, by property name; the first gives each property a value of its own. */
    private static final List<UnaryOperator<String>> PROBES = List.of(name -> ContractCheck.PROBE + " (" + name + ")", name -> "100",
            name -> "#{" + name + "}", name -> "${" + name + "}");

    private final Class<?> type;
    private final Contract.Component promised;
    private final Contract.Component now;
    private final List<String> breaks = new ArrayList<>();

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
        final MockPropertyConfiguration minimal = migrated(flow(property -> property.required() && property.defaultValue() == null,
                PROBES.getFirst()), "sets only the required properties");
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
     * Flows that set every property the component kept: no migration may remove one or change a value the flow set. (Names the
     * component no longer has are set too, for the throw check only: a flow held either an old name or its successor, never both.)
     */
    private void keptProperties() {
        final Predicate<Contract.Property> kept = property -> now.property(property.name()).isPresent();
        for (int i = 0; i < PROBES.size(); i++) {
            final UnaryOperator<String> probe = PROBES.get(i);
            if (migrated(flow(property -> true, probe), "sets every property to values like '" + probe.apply("p") + "'") == null) {
                continue;
            }
            final Map<String, String> flow = flow(kept, probe);
            final MockPropertyConfiguration config = migrated(flow, "sets the properties the component kept to values like '"
                    + probe.apply("p") + "'");
            if (config == null) {
                continue;
            }
            for (final Contract.Property property : promised.properties().stream().filter(kept).toList()) {
                final Optional<String> value = config.getRawPropertyValue(property.name());
                if (value.isEmpty()) {
                    breaks.add("property '" + property.name() + "' is kept, but migrateProperties removes it from a flow that sets it");
                } else if (property.allowableValues() == null && !value.get().equals(flow.get(property.name()))) {
                    breaks.add("property '" + property.name() + "' is kept, but migrateProperties changes the value a flow set ('"
                            + flow.get(property.name()) + "' becomes '" + value.get() + "')");
                }
            }
        }
    }

    /** The promised properties {@code which} selects, each set to its probe, or to the first value it allowed. */
    private Map<String, String> flow(final Predicate<Contract.Property> which, final UnaryOperator<String> probe) {
        final Map<String, String> flow = new HashMap<>();
        promised.properties().stream().filter(which).forEach(property -> flow.put(property.name(),
                property.allowableValues() == null || property.allowableValues().isEmpty() ? probe.apply(property.name())
                        : property.allowableValues().getFirst()));
        return flow;
    }

    /** The configuration migrateProperties leaves of a flow, or {@code null} when it throws (a break). */
    private MockPropertyConfiguration migrated(final Map<String, String> flow, final String what) {
        final MockPropertyConfiguration config = new MockPropertyConfiguration(new HashMap<>(flow));
        try {
            ContractCheck.migrateProperties(type, config);
            return config;
        } catch (final RuntimeException e) {
            breaks.add("migrateProperties throws " + e + " on a flow that " + what + ": NiFi cannot load such a flow");
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
