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
import java.util.Optional;
import java.util.Set;

/**
 * What of a contract the code breaks: a component gone, no longer declared to NiFi or of another kind; dynamic
 * properties no longer taken; a property, relationship, attribute, state key, counter or service interface gone or
 * changed; an addition a flow built on the contract does not set ({@link FlowMigration}). A property breaks when it
 * changes sensitivity, default, required-ness (optional to required with no default), allowed values (one dropped, or a
 * free-form property restricted), links to a narrower service interface or narrows its Expression Language scope.
 * A property or relationship that is gone
 * is no break when the component's {@code migrateProperties} or {@code migrateRelationships} carries a flow's old
 * name to one the component has (renamed, split, or a property removed on purpose), and the property it is
 * carried to keeps the old one's promises; a changed default or a dropped value is no break when
 * {@code migrateProperties} carries a flow's old value (or, left unset, the old default) over. Migrations are run as
 * NiFi runs them when it loads a flow, through nifi-mock's {@link MockPropertyConfiguration} and
 * {@link MockRelationshipConfiguration}, on one old name at a time and on whole flows ({@link FlowMigration}).
 */
public final class ContractCheck {

    /** The value an old property holds when its migration is tried. */
    static final String PROBE = "value of a flow built on the contract";

    private ContractCheck() {
    }

    /** Every break, one line each, naming the component and what broke; empty when the code keeps the contract. */
    public static List<String> breaks(final Contract contract) throws IOException {
        return breaks(contract, CodeContract.declaredNames());
    }

    /** The breaks of a contract by the components of {@code declared}, the class names NiFi's service files declare. */
    static List<String> breaks(final Contract contract, final Set<String> declared) throws IOException {
        final List<String> breaks = new ArrayList<>();
        for (final Contract.Component promised : contract.components()) {
            final Class<?> type;
            try {
                type = Class.forName(promised.type());
            } catch (final ClassNotFoundException gone) {
                breaks.add(promised.type() + ": the component is gone (a flow would show it as a ghost)");
                continue;
            }
            final String name = promised.simpleName();
            if (!declared.contains(promised.type())) {
                breaks.add(name + ": is no longer declared in META-INF/services, so NiFi does not load it (a flow would show it as a ghost)");
                continue;
            }
            final Contract.Component now = CodeContract.component(type, CodeContract.kind(type));
            if (!now.kind().equals(promised.kind())) {
                breaks.add(name + ": was a " + promised.kind() + " and is a " + now.kind() + " now");
                continue;
            }
            final String dynamic = dynamicProperties(promised.dynamicProperties(), now.dynamicProperties());
            if (dynamic != null) {
                breaks.add(name + ": " + dynamic);
            }
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
            FlowMigration.of(type, promised, now).breaks().forEach(broken -> breaks.add(name + ": " + broken));
            missing(breaks, name, "no longer implements controller service interface", promised.provides() == null ? List.of()
                    : promised.provides(), now.provides());
            missing(breaks, name, "no longer reads attribute", promised.readsAttributes(), now.readsAttributes());
            missing(breaks, name, "no longer writes attribute", promised.writesAttributes(), now.writesAttributes());
            missing(breaks, name, "no longer keeps state in scope", promised.stateScopes(), now.stateScopes());
            missing(breaks, name, "no longer reads and writes state key", promised.stateKeys(), now.stateKeys());
            missing(breaks, name, "no longer keeps counter", promised.counters(), now.counters());
        }
        return breaks;
    }

    /** Why the dynamic properties a component takes now break the promise, or {@code null}. */
    private static String dynamicProperties(final String promised, final String now) {
        if (promised == null) {
            return null;
        }
        if (now == null) {
            return "took dynamic properties and takes none now";
        }
        return rank(promised) < 0 || rank(now) < rank(promised) ? "evaluated Expression Language in dynamic properties in scope " + promised + " and only in scope "
                + now + " now" : null;
    }

    private static void missing(final List<String> breaks, final String component, final String what, final List<String> promised,
                                final List<String> now) {
        promised.stream().filter(item -> !now.contains(item)).forEach(item -> breaks.add(component + ": " + what + " '" + item + "'"));
    }

    /** Why a promised property breaks, or {@code null}. */
    private static String property(final Class<?> type, final Contract.Component now, final Contract.Property promised) {
        final Contract.Property current = now.property(promised.name()).orElse(null);
        if (current != null) {
            return changed(type, promised, current);
        }
        // the old name is carried the same way whatever value a flow held: text, a number, a parameter or an expression
        final MockPropertyConfiguration withoutIt = new MockPropertyConfiguration(new HashMap<>());
        try {
            migrateProperties(type, withoutIt);
        } catch (final RuntimeException e) {
            return "is gone, and migrateProperties throws " + e + " on a flow that does not set it";
        }
        String renamed = null;
        for (final String value : FlowMigration.PROBE_VALUES) {
            final String target;
            try {
                target = carriedTo(type, promised.name(), value.replace("%s", promised.name()), withoutIt);
            } catch (final RuntimeException e) {
                return "is gone, and migrateProperties throws " + e + " on a flow that sets it to '" + value.replace("%s", promised.name()) + "'";
            }
            if (value.equals(FlowMigration.PROBE_VALUES.getFirst())) {
                renamed = target;
            } else if (!Objects.equals(target, renamed)) {
                return "is gone, and migrateProperties carries it to " + (renamed == null ? "nothing" : "'" + renamed + "'") + " from a flow "
                        + "that sets it to text and to " + (target == null ? "nothing" : "'" + target + "'") + " from one that sets it to '"
                        + value.replace("%s", promised.name()) + "'";
            }
        }
        if (renamed == null) {
            return removedOnPurpose(type, promised.name()) ? null : "is gone, and migrateProperties does not carry it to one the component has";
        }
        final Contract.Property carried = now.property(renamed).orElse(null);
        if (carried == null) {
            return "is gone, and migrateProperties carries it to '" + renamed + "', which the component does not have";
        }
        final String broken = changed(type, promised, carried);
        return broken == null ? null : "is carried to '" + renamed + "', which " + broken;
    }

    /**
     * The property migrateProperties carries an old one holding {@code value} to, or {@code null}: renamed, or written by hand (a
     * property the flow did not set, and {@code withoutIt}, a flow without the old one once migrated, does not hold, is set, and
     * the old one removed).
     */
    private static String carriedTo(final Class<?> type, final String name, final String value, final MockPropertyConfiguration withoutIt) {
        final MockPropertyConfiguration config = new MockPropertyConfiguration(new HashMap<>(Map.of(name, value)));
        migrateProperties(type, config);
        final PropertyMigrationResult result = config.toPropertyMigrationResult();
        if (result.getPropertiesRenamed().containsKey(name) && !config.hasProperty(name)) {
            return result.getPropertiesRenamed().get(name);
        }
        return config.getRawProperties().keySet().stream().filter(key -> !key.equals(name))
                .filter(key -> !Objects.equals(config.getRawProperties().get(key), withoutIt.getRawProperties().get(key))).findFirst().orElse(null);
    }

    /** Whether migrateProperties removes an old property from a flow that sets it, carrying it nowhere. */
    private static boolean removedOnPurpose(final Class<?> type, final String name) {
        final MockPropertyConfiguration config = new MockPropertyConfiguration(new HashMap<>(Map.of(name, PROBE)));
        migrateProperties(type, config);
        return config.toPropertyMigrationResult().getPropertiesRemoved().contains(name) && !config.hasProperty(name);
    }

    /** Why the property a promised one is now (the same name, or the one a migration carries it to) breaks the promise, or {@code null}. */
    private static String changed(final Class<?> type, final Contract.Property promised, final Contract.Property current) {
        if (current.sensitive() != promised.sensitive()) {
            return "was " + (promised.sensitive() ? "" : "not ") + "sensitive and is " + (current.sensitive() ? "" : "not ") + "now";
        }
        // a flow that left the property unset holds what migrateProperties gives it, or else the default; an old default the
        // property no longer allows is kept as the value migrateProperties carries it to
        final String unset = migratedValue(type, Map.of(), current.name()).orElse(current.defaultValue());
        final String oldDefault = promised.defaultValue() != null && current.allowableValues() != null
                && !current.allowableValues().contains(promised.defaultValue())
                ? migratedValue(type, Map.of(promised.name(), promised.defaultValue()), current.name()).orElse(null) : promised.defaultValue();
        if (!Objects.equals(unset, oldDefault) && !(promised.required() && promised.defaultValue() == null)) {
            return (promised.defaultValue() == null ? "had no default" : "had the default '" + promised.defaultValue() + "'") + " and "
                    + (current.defaultValue() == null ? "has none" : "has '" + current.defaultValue() + "'") + " now, and migrateProperties does "
                    + "not keep the old default for a flow that left it unset";
        }
        if (!promised.required() && current.required() && unset == null) {
            return "was optional and is required now, with no default: a flow that left it unset is invalid, and migrateProperties does not "
                    + "give it a value";
        }
        final String values = allowableValues(type, promised, current);
        if (values != null) {
            return values;
        }
        if (!linksTheSameServices(promised.service(), current.service())) {
            return "linked to a controller service implementing " + promised.service() + " and links to " + current.service()
                    + " now: a service of a flow built on the contract may not implement it";
        }
        if (rank(promised.expressionLanguage()) < 0 || rank(current.expressionLanguage()) < rank(promised.expressionLanguage())) {
            return "evaluated Expression Language in scope " + promised.expressionLanguage() + " and only in scope " + current.expressionLanguage()
                    + " now";
        }
        return null;
    }

    /** Why the values the promised property allowed are not all allowed now (after migration), or {@code null}. */
    private static String allowableValues(final Class<?> type, final Contract.Property promised, final Contract.Property current) {
        if (current.allowableValues() == null) {
            return null;
        }
        if (promised.allowableValues() == null) {
            return "took any value and allows only " + current.allowableValues() + " now";
        }
        for (final String value : promised.allowableValues()) {
            final String carried = migratedValue(type, Map.of(promised.name(), value), current.name()).orElse(null);
            if (!current.allowableValues().contains(carried)) {
                return "allowed '" + value + "', which it does not allow now, and migrateProperties does not carry it to a value it allows";
            }
            if (current.allowableValues().contains(value) && !value.equals(carried)) {
                return "allowed '" + value + "', which it still allows, and migrateProperties changes a flow's '" + value + "' to '" + carried + "'";
            }
        }
        return null;
    }

    /** Whether every service a flow linked to a property still fits it: the interface it links to now is the same or a wider one. */
    private static boolean linksTheSameServices(final String promised, final String current) {
        if (promised == null || current == null) {
            return Objects.equals(promised, current);
        }
        try {
            return Class.forName(current).isAssignableFrom(Class.forName(promised));
        } catch (final ClassNotFoundException gone) {
            return false;
        }
    }

    /** Expression Language scopes from narrowest to widest, -1 for a scope this check does not know: a property may widen its scope, never narrow it. */
    private static int rank(final String scope) {
        return List.of("NONE", "ENVIRONMENT", "FLOWFILE_ATTRIBUTES").indexOf(scope == null ? "NONE" : scope);
    }

    /** The value property {@code name} holds after migrateProperties runs on a flow of {@code flow}'s values. */
    private static Optional<String> migratedValue(final Class<?> type, final Map<String, String> flow, final String name) {
        final MockPropertyConfiguration config = new MockPropertyConfiguration(new HashMap<>(flow));
        migrateProperties(type, config);
        return config.getRawPropertyValue(name);
    }

    static void migrateProperties(final Class<?> type, final MockPropertyConfiguration config) {
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
