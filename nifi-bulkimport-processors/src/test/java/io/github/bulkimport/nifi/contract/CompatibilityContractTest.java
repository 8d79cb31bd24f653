package io.github.bulkimport.nifi.contract;

import io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs;
import org.apache.nifi.util.PropertyMigrationResult;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed {@code compatibility/contract.json} against the code: nothing a flow built on it depends on
 * is gone or changed, unless a migration carries it; and every component, property, relationship, attribute,
 * state key and counter of the code is in it, so that the next release guards it too.
 */
class CompatibilityContractTest {

    @Test
    void theCodeKeepsEveryPromiseOfTheContract() throws Exception {
        final List<String> breaks = ContractCheck.breaks(Contract.read(Contract.file()));
        assertTrue(breaks.isEmpty(), "the code breaks compatibility/contract.json; keep the old name and carry it with migrateProperties or "
                + "migrateRelationships, or announce the break in CHANGELOG.md and regenerate the file (ContractWriter):\n" + String.join("\n", breaks));
    }

    @Test
    void everyNameOfTheCodeIsInTheContract() throws Exception {
        final Contract contract = Contract.read(Contract.file());
        final List<String> absent = new ArrayList<>();
        for (final Contract.Component now : CodeContract.read().components()) {
            final Contract.Component promised = contract.component(now.type()).orElse(null);
            if (promised == null) {
                absent.add(now.type());
                continue;
            }
            if (!now.kind().equals(promised.kind()) || !java.util.Objects.equals(now.dynamicProperties(), promised.dynamicProperties())) {
                absent.add(now.simpleName() + " as a " + now.kind() + " taking dynamic properties in scope " + now.dynamicProperties());
            }
            absent(absent, now, "provides", now.provides(), promised.provides() == null ? List.of() : promised.provides());
            now.properties().stream().filter(property -> !promised.properties().contains(property))
                    .forEach(property -> absent.add(now.simpleName() + " property " + property));
            absent(absent, now, "relationship", now.relationships(), promised.relationships());
            absent(absent, now, "reads attribute", now.readsAttributes(), promised.readsAttributes());
            absent(absent, now, "writes attribute", now.writesAttributes(), promised.writesAttributes());
            absent(absent, now, "state scope", now.stateScopes(), promised.stateScopes());
            absent(absent, now, "state key", now.stateKeys(), promised.stateKeys());
            absent(absent, now, "counter", now.counters(), promised.counters());
        }
        assertTrue(absent.isEmpty(), "additions are welcome, and become part of the contract: regenerate compatibility/contract.json with "
                + "ContractWriter (see its comment) and commit it:\n" + String.join("\n", absent));
    }

    private static void absent(final List<String> absent, final Contract.Component now, final String what, final List<String> current,
                               final List<String> promised) {
        current.stream().filter(item -> !promised.contains(item)).forEach(item -> absent.add(now.simpleName() + " " + what + " '" + item + "'"));
    }

    @Test
    void theContractCoversEveryComponentOfTheBundle() throws Exception {
        final Set<String> kinds = Set.copyOf(Contract.read(Contract.file()).components().stream().map(c -> c.simpleName() + " " + c.kind()).toList());
        assertEquals(Set.of("TriggerBulkImport processor", "GetBulkImportProgress processor", "ValidateBulkImportFile processor",
                "CommitBulkImport processor", "AbortBulkImport processor", "ListBulkImportJobs processor",
                "StandardBulkImportConnectionService controller service"), kinds);
    }

    /** A flow saved before ListBulkImportJobs lost Maximum Remembered Jobs still loads: the migration drops it, nothing is left unknown. */
    @Test
    void aPropertyRemovedBeforeTheContractIsDroppedByTheMigration() {
        final TestRunner runner = TestRunners.newTestRunner(ListBulkImportJobs.class);
        runner.setProperty("Maximum Remembered Jobs", "1000");
        final PropertyMigrationResult result = runner.migrateProperties();
        assertEquals(Set.of("Maximum Remembered Jobs"), result.getPropertiesRemoved());
        assertFalse(runner.getProcessContext().getProperties().keySet().stream().anyMatch(p -> p.getName().equals("Maximum Remembered Jobs")));
    }
}
