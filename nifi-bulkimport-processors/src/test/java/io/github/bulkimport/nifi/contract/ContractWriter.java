package io.github.bulkimport.nifi.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** The code's contract, with the old properties and relationships that migrations carry. */
    static Contract keepingMigrated(final Contract before, final Contract now) throws Exception {
        final List<Contract.Component> components = new ArrayList<>();
        for (final Contract.Component current : now.components()) {
            final Contract.Component old = before.component(current.type()).orElse(null);
            if (old == null) {
                components.add(current);
                continue;
            }
            final List<Contract.Property> properties = new ArrayList<>(current.properties());
            old.properties().stream().filter(property -> current.property(property.name()).isEmpty()).forEach(properties::add);
            final List<String> relationships = new ArrayList<>(current.relationships());
            old.relationships().stream().filter(relationship -> !current.relationships().contains(relationship)).forEach(relationships::add);
            final Contract.Component merged = new Contract.Component(current.type(), current.kind(), properties, current.dynamicProperties(),
                    relationships.stream().sorted().toList(),
                    current.readsAttributes(), current.writesAttributes(), current.stateScopes(), current.stateKeys(), current.counters());
            // an old name no migration carries is dropped: the file's diff shows the break
            final List<String> breaks = ContractCheck.breaks(new Contract(Contract.NOTE, List.of(merged)));
            components.add(breaks.isEmpty() ? merged : current);
        }
        return new Contract(Contract.NOTE, components);
    }
}
