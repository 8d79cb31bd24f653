package io.github.bulkimport.nifi.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes {@code compatibility/contract.json} from the code, run by hand when a name is added (and, for a
 * release that breaks compatibility on purpose, to accept the break, which the file's diff then shows):
 * <pre>
 * mvn -B -pl nifi-bulkimport-processors -am test -Dtest=WriteContract -Dcontract.write=true -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.tests.skip=true
 * </pre>
 * ({@link WriteContract} runs it in the processors module, whose test class path holds every component). A property or
 * relationship of the file that the code no longer has but carries by migration is kept, so that the old
 * name stays guarded.
 */
public final class ContractWriter {

    private ContractWriter() {
    }

    public static void main(final String[] args) throws Exception {
        final Path file = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize().resolve("compatibility/contract.json");
        final Contract now = CodeContract.read();
        final Contract written = Files.exists(file) ? keepingMigrated(Contract.read(file), now) : now;
        written.write(file);
        System.out.println("wrote " + file + ": " + written.components().size() + " components");
    }

    /** The code's contract, with the old properties and relationships that migrations carry, each kept or dropped on its own. */
    static Contract keepingMigrated(final Contract before, final Contract now) throws Exception {
        return keepingMigrated(before, now, CodeContract.declaredNames());
    }

    /** As {@link #keepingMigrated(Contract, Contract)}, for the components of {@code declared}. */
    static Contract keepingMigrated(final Contract before, final Contract now, final Set<String> declared) throws Exception {
        final List<Contract.Component> components = new ArrayList<>();
        for (final Contract.Component current : now.components()) {
            final Contract.Component old = before.component(current.type()).orElse(null);
            if (old == null) {
                components.add(current);
                continue;
            }
            final int baseline = ContractCheck.breaks(new Contract(Contract.NOTE, List.of(current)), declared).size();
            Contract.Component merged = current;
            // an old name no migration carries is dropped: the file's diff shows the break
            for (final Contract.Property property : old.properties()) {
                if (current.property(property.name()).isEmpty()) {
                    merged = keptIfCarried(merged, with(merged, property, null), baseline, declared);
                }
            }
            for (final String relationship : old.relationships()) {
                if (!current.relationships().contains(relationship)) {
                    merged = keptIfCarried(merged, with(merged, null, relationship), baseline, declared);
                }
            }
            components.add(merged);
        }
        return new Contract(Contract.NOTE, components);
    }

    /** {@code candidate} (with one old name more) when it breaks no more than the code's own contract, else {@code merged}. */
    private static Contract.Component keptIfCarried(final Contract.Component merged, final Contract.Component candidate, final int baseline,
                                                    final Set<String> declared) throws Exception {
        return ContractCheck.breaks(new Contract(Contract.NOTE, List.of(candidate)), declared).size() <= baseline ? candidate : merged;
    }

    private static Contract.Component with(final Contract.Component c, final Contract.Property property, final String relationship) {
        final List<Contract.Property> properties = new ArrayList<>(c.properties());
        if (property != null) {
            properties.add(property);
        }
        final List<String> relationships = new ArrayList<>(c.relationships());
        if (relationship != null) {
            relationships.add(relationship);
        }
        return new Contract.Component(c.type(), c.kind(), properties, c.dynamicProperties(), relationships.stream().sorted().toList(),
                c.readsAttributes(), c.writesAttributes(), c.stateScopes(), c.stateKeys(), c.counters(), c.provides());
    }
}
