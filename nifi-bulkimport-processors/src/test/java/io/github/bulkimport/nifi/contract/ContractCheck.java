package io.github.bulkimport.nifi.contract;

import org.apache.nifi.components.ConfigurableComponent;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockPropertyConfiguration;
import org.apache.nifi.util.MockRelationshipConfiguration;
import org.apache.nifi.util.PropertyMigrationResult;
import org.apache.nifi.util.RelationshipMigrationResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What of a contract the code breaks: a component gone; a property, relationship, attribute, state key or
 * counter gone or changed. A property or relationship that is gone is no break when the component's
 * {@code migrateProperties} or {@code migrateRelationships} carries a flow's old name to one the component
 * has (renamed, split, or a property removed on purpose); a changed default is no break when
 * {@code migrateProperties} sets the old default on a flow that left the property unset. Migrations are run as
 * NiFi runs them when it loads a flow, through nifi-mock's {@link MockPropertyConfiguration} and
 * {@link MockRelationshipConfiguration}.
 */
public final class ContractCheck {

    /** The value an old property holds when its migration is tried. */
    static final String PROBE = "value of a flow built on the contract";

    private ContractCheck() {
    }

    /** Every break, one line each, naming the component and what broke; empty when the code keeps the contract. */
    public static List<String> breaks(final Contract contract) throws IOException {
        final List<String> breaks = new ArrayList<>();
        for (final Contract.Component promised : contract.components()) {
            final Class<?> type;
            try {
                type = Class.forName(promised.type());
            } catch (final ClassNotFoundException gone) {
                breaks.add(promised.type() + ": the component is gone (a flow would show it as a ghost)");
                continue;
            }
            final Contract.Component now = CodeContract.component(type, promised.kind());
            final String name = promised.simpleName();
            for (final Contract.Property property : promised.properties()) {
                final String broken = property(type, now, property);
                if (broken != null) {
                    breaks.add(name + ": property '" + property.name() + "' " + broken);
                }
            }
            for (final String relationship : promised.relationships()) {
                if (!now.relationships().contains(relationship) && !migrated(type, relationship, now)) {
                    breaks.add(name + ": relationship '" + relationship + "' is gone, and migrateRelationships does not carry it to one it has");
                }
            }
            missing(breaks, name, "no longer reads attribute", promised.readsAttributes(), now.readsAttributes());
            missing(breaks, name, "no longer writes attribute", promised.writesAttributes(), now.writesAttributes());
            missing(breaks, name, "no longer keeps state in scope", promised.stateScopes(), now.stateScopes());
            missing(breaks, name, "no longer reads and writes state key", promised.stateKeys(), now.stateKeys());
            missing(breaks, name, "no longer keeps counter", promised.counters(), now.counters());
        }
        return breaks;
    }

    private static void missing(final List<String> breaks, final String component, final String what, final List<String> promised,
                                final List<String> now) {
        promised.stream().filter(item -> !now.contains(item)).forEach(item -> breaks.add(component + ": " + what + " '" + item + "'"));
    }

    /** Why a promised property breaks, or {@code null}. */
    private static String property(final Class<?> type, final Contract.Component now, final Contract.Property promised) {
        final Contract.Property current = now.property(promised.name()).orElse(null);
        if (current == null) {
            final Map<String, String> flow = new HashMap<>();
            flow.put(promised.name(), PROBE);
            final MockPropertyConfiguration config = new MockPropertyConfiguration(flow);
            migrateProperties(type, config);
            final PropertyMigrationResult result = config.toPropertyMigrationResult();
            final String renamed = result.getPropertiesRenamed().get(promised.name());
            if (renamed != null && now.property(renamed).isPresent() || result.getPropertiesRemoved().contains(promised.name())) {
                return null;
            }
            return "is gone, and migrateProperties does not carry it to one the component has";
        }
        if (current.sensitive() != promised.sensitive()) {
            return "was " + (promised.sensitive() ? "" : "not ") + "sensitive and is " + (current.sensitive() ? "" : "not ") + "now";
        }
        if (!Objects.equals(current.defaultValue(), promised.defaultValue())) {
            final MockPropertyConfiguration config = new MockPropertyConfiguration(new HashMap<>());
            migrateProperties(type, config);
            if (!Objects.equals(config.getRawPropertyValue(promised.name()).orElse(null), promised.defaultValue())) {
                return "had the default '" + promised.defaultValue() + "' and has '" + current.defaultValue()
                        + "' now, and migrateProperties does not keep the old default for a flow that left it unset";
            }
        }
        return null;
    }

    private static void migrateProperties(final Class<?> type, final MockPropertyConfiguration config) {
        final ConfigurableComponent component = CodeContract.instance(type);
        if (component instanceof Processor processor) {
            processor.migrateProperties(config);
        } else {
            ((ControllerService) component).migrateProperties(config);
        }
    }

    private static boolean migrated(final Class<?> type, final String relationship, final Contract.Component now) {
        if (!(CodeContract.instance(type) instanceof Processor processor)) {
            return false;
        }
        // as NiFi loads an old flow: the processor's relationships, and the old one its connections still name
        final Set<Relationship> flow = new java.util.HashSet<>(processor.getRelationships());
        flow.add(new Relationship.Builder().name(relationship).build());
        final MockRelationshipConfiguration config = new MockRelationshipConfiguration(flow);
        processor.migrateRelationships(config);
        final RelationshipMigrationResult result = config.toRelationshipMigrationResult();
        final List<String> targets = new ArrayList<>();
        if (result.getRenamedRelationships().containsKey(relationship)) {
            targets.add(result.getRenamedRelationships().get(relationship));
        }
        targets.addAll(result.getPreviousRelationships().getOrDefault(relationship, Set.of()));
        return !targets.isEmpty() && now.relationships().containsAll(targets);
    }
}
