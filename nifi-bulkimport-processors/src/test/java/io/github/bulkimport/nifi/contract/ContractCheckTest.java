package io.github.bulkimport.nifi.contract;

import io.github.bulkimport.nifi.processors.common.Counters;
import io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockRelationshipConfiguration;
import org.apache.nifi.util.PropertyMigrationResult;
import org.apache.nifi.util.RelationshipMigrationResult;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract check itself, on a processor whose names changed: a change a migration carries passes, any
 * other change is reported.
 */
class ContractCheckTest {

    private static Contract.Component fixture() throws Exception {
        return CodeContract.component(RenamingFixtureProcessor.class, "processor");
    }

    /** The breaks of a contract that promised the fixture as it is, changed by {@code promise}. */
    private static List<String> breaksOf(final UnaryOperator<Contract.Component> promise) throws Exception {
        return ContractCheck.breaks(new Contract(Contract.NOTE, List.of(promise.apply(fixture()))), Set.of(RenamingFixtureProcessor.class.getName()));
    }

    private static Contract.Component withProperty(final Contract.Component component, final Contract.Property changed) {
        final List<Contract.Property> properties = new ArrayList<>(component.properties().stream()
                .filter(property -> !property.name().equals(changed.name())).toList());
        properties.add(changed);
        return new Contract.Component(component.type(), component.kind(), properties, component.dynamicProperties(), component.relationships(),
                component.readsAttributes(), component.writesAttributes(), component.stateScopes(), component.stateKeys(), component.counters());
    }

    private static Contract.Component with(final Contract.Component c, final List<String> relationships, final List<String> reads,
                                           final List<String> writes, final List<String> keys, final List<String> counters) {
        return new Contract.Component(c.type(), c.kind(), c.properties(), c.dynamicProperties(), relationships, reads, writes, c.stateScopes(), keys,
                counters);
    }

    @Test
    void theCodeReadsItsNamesFromTheComponent() throws Exception {
        final Contract.Component fixture = fixture();
        assertEquals(List.of(COLLECTION_NAME, new Contract.Property("Batch Size", "10", false), TOKEN, MODE), fixture.properties());
        assertEquals("ENVIRONMENT", fixture.dynamicProperties());
        assertEquals(List.of("failure", "success"), fixture.relationships());
        assertEquals(List.of("upload.key"), fixture.readsAttributes());
        assertEquals(List.of("job.id"), fixture.writesAttributes());
        assertEquals(List.of("LOCAL"), fixture.stateScopes());
        assertEquals(List.of("k.*"), fixture.stateKeys());
        assertEquals(List.of(Counters.JOBS_STARTED), fixture.counters());
        assertEquals(List.of(), breaksOf(c -> c));
    }

    @Test
    void aRenameThatAMigrationCarriesKeepsTheContract() throws Exception {
        assertEquals(List.of(), breaksOf(c -> withProperty(c, new Contract.Property("Collection", null, false, false, null, "ENVIRONMENT"))));
        assertEquals(List.of(), breaksOf(c -> withProperty(c, mode(List.of("fast", "quick", "safe")))), "quick is carried to fast");
        assertEquals(List.of(), breaksOf(c -> with(c, List.of("failed", "success"), c.readsAttributes(), c.writesAttributes(), c.stateKeys(),
                c.counters())));
    }

    @Test
    void aNameGoneWithoutAMigrationBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: property 'Table' is gone, and migrateProperties does not carry it to one the component has"),
                breaksOf(c -> withProperty(c, new Contract.Property("Table", null, false))));
        assertEquals(List.of("RenamingFixtureProcessor: relationship 'errors' is gone, and migrateRelationships does not carry it to one it has"),
                breaksOf(c -> with(c, List.of("errors", "failure", "success"), c.readsAttributes(), c.writesAttributes(), c.stateKeys(),
                        c.counters())));
    }

    @Test
    void aChangedDefaultOrSensitivityBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: property 'Batch Size' had the default '5' and has '10' now, and migrateProperties does "
                + "not keep the old default for a flow that left it unset"), breaksOf(c -> withProperty(c, new Contract.Property("Batch Size", "5", false))));
        assertEquals(List.of("RenamingFixtureProcessor: property 'Token' was not sensitive and is now"),
                breaksOf(c -> withProperty(c, new Contract.Property("Token", null, false))));
        assertEquals(List.of("RenamingFixtureProcessor: property 'Batch Size' had no default and has '10' now, and migrateProperties does not keep "
                + "the old default for a flow that left it unset"), breaksOf(c -> withProperty(c, new Contract.Property("Batch Size", null, false))));
        assertEquals(List.of(), breaksOf(c -> withProperty(c, new Contract.Property("Batch Size", null, false, true, null, "NONE"))),
                "a required property with no default was never left unset by a flow that ran");
    }

    @Test
    void aPropertyMadeRequiredNarrowedOrRestrictedBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: property 'Token' was optional and is required now, with no default: a flow that left it "
                + "unset is invalid, and migrateProperties does not give it a value"),
                breaksOf(c -> withProperty(c, new Contract.Property("Token", null, true))));
        assertEquals(List.of("RenamingFixtureProcessor: property 'Mode' allowed 'turbo', which it does not allow now, and migrateProperties does "
                + "not carry it to a value it allows"), breaksOf(c -> withProperty(c, mode(List.of("fast", "safe", "turbo")))));
        assertEquals(List.of("RenamingFixtureProcessor: property 'Mode' took any value and allows only [fast, safe] now"),
                breaksOf(c -> withProperty(c, mode(null))));
        assertEquals(List.of("RenamingFixtureProcessor: property 'Collection Name' evaluated Expression Language in scope FLOWFILE_ATTRIBUTES and "
                + "only in scope ENVIRONMENT now"), breaksOf(c -> withProperty(c, new Contract.Property("Collection Name", null, false, false, null,
                "FLOWFILE_ATTRIBUTES"))));
    }

    @Test
    void aRenamedPropertyKeepsTheOldOnesPromises() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: property 'Collection' is carried to 'Collection Name', which was sensitive and is not now"),
                breaksOf(c -> withProperty(c, new Contract.Property("Collection", null, true, false, null, "ENVIRONMENT"))));
        assertEquals(List.of("RenamingFixtureProcessor: property 'Collection' is carried to 'Collection Name', which had the default 'docs' and has "
                + "none now, and migrateProperties does not keep the old default for a flow that left it unset"),
                breaksOf(c -> withProperty(c, new Contract.Property("Collection", "docs", false, false, null, "ENVIRONMENT"))));
    }

    @Test
    void aComponentOfAnotherKindOrWithoutItsDynamicPropertiesBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: was a controller service and is a processor now"), breaksOf(c -> new Contract.Component(
                c.type(), "controller service", c.properties(), c.dynamicProperties(), c.relationships(), c.readsAttributes(), c.writesAttributes(),
                c.stateScopes(), c.stateKeys(), c.counters())));
        assertEquals(List.of("RenamingFixtureProcessor: evaluated Expression Language in dynamic properties in scope FLOWFILE_ATTRIBUTES and only "
                + "in scope ENVIRONMENT now"), breaksOf(c -> withDynamic(c, "FLOWFILE_ATTRIBUTES")));
        final Contract.Component listing = CodeContract.component(ListBulkImportJobs.class, "processor");
        assertEquals(List.of("ListBulkImportJobs: took dynamic properties and takes none now"),
                ContractCheck.breaks(new Contract(Contract.NOTE, List.of(withDynamic(listing, "NONE")))));
    }

    private static final Contract.Property COLLECTION_NAME = new Contract.Property("Collection Name", null, false, false, null, "ENVIRONMENT");
    private static final Contract.Property TOKEN = new Contract.Property("Token", null, true, true, null, "NONE");
    private static final Contract.Property MODE = mode(List.of("fast", "safe"));

    private static Contract.Property mode(final List<String> values) {
        return new Contract.Property("Mode", "safe", false, true, values, "NONE");
    }

    private static Contract.Component withDynamic(final Contract.Component c, final String scope) {
        return new Contract.Component(c.type(), c.kind(), c.properties(), scope, c.relationships(), c.readsAttributes(), c.writesAttributes(),
                c.stateScopes(), c.stateKeys(), c.counters());
    }

    @Test
    void anAttributeStateKeyOrCounterGoneBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: no longer reads attribute 'upload.url'",
                        "RenamingFixtureProcessor: no longer writes attribute 'job.state'",
                        "RenamingFixtureProcessor: no longer reads and writes state key 'job.*'",
                        "RenamingFixtureProcessor: no longer keeps counter 'Jobs done'"),
                breaksOf(c -> with(c, c.relationships(), List.of("upload.key", "upload.url"), List.of("job.id", "job.state"), List.of("job.*", "k.*"),
                        List.of("Jobs done", Counters.JOBS_STARTED))));
        assertEquals(List.of("io.github.bulkimport.Gone: the component is gone (a flow would show it as a ghost)"),
                ContractCheck.breaks(new Contract(Contract.NOTE, List.of(new Contract.Component("io.github.bulkimport.Gone", "processor", List.of(),
                        null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of())))));
    }

    @Test
    void anAdditionAFlowBuiltOnTheContractDoesNotSetBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: property 'Token' is new and required, with no default: a flow built on the contract does not "
                + "set it and is invalid, and migrateProperties does not give it a value"), breaksOf(c -> withoutProperty(c, "Token")));
        assertEquals(List.of("RenamingFixtureProcessor: relationship 'failure' is new and not auto-terminated: a flow built on the contract does not "
                + "connect it and is invalid, and migrateRelationships does not carry an old one to it"), breaksOf(c -> with(c, List.of("success"),
                c.readsAttributes(), c.writesAttributes(), c.stateKeys(), c.counters())));
        assertEquals(List.of(), breaksOf(c -> withoutProperty(c, "Batch Size")), "an optional property, or one with a default, may be added");
    }

    @Test
    void aComponentNoLongerDeclaredToNiFiBreaksIt() throws Exception {
        assertEquals(List.of("RenamingFixtureProcessor: is no longer declared in META-INF/services, so NiFi does not load it (a flow would show it "
                + "as a ghost)"), ContractCheck.breaks(new Contract(Contract.NOTE, List.of(fixture())), Set.of()));
    }

    @Test
    void aMigrationThatChangesAKeptNameOrValueOrThrowsBreaksIt() throws Exception {
        final String probe = "value of a flow built on the contract";
        assertEquals(List.of("Overwriting: property 'Token' is kept, but migrateProperties changes its value '" + probe + " (Token)' to 'reset' in a "
                + "flow that sets the properties it kept to values like '" + probe + " (p)'"), breaksOf(MigrationFixtures.Overwriting.class, c -> c));
        assertEquals(List.of("RemovingKept: property 'Collection Name' is kept, but migrateProperties removes it from a flow that sets the "
                + "properties it kept to values like '" + probe + " (p)'"), breaksOf(MigrationFixtures.RemovingKept.class, c -> c));
        assertEquals(List.of("Throwing: migrateProperties throws java.lang.NumberFormatException: For input string: \"" + probe + " (Batch Size)\" "
                + "on a flow that sets every property to values like '" + probe + " (p)': NiFi cannot load such a flow"),
                breaksOf(MigrationFixtures.Throwing.class, c -> c), "reported once");
        assertEquals(List.of("TakingKeptRelationship: relationship 'success' is kept, but migrateRelationships takes it from a flow that connects it"),
                breaksOf(MigrationFixtures.TakingKeptRelationship.class, c -> c));
    }

    @Test
    void aMigrationThatDependsOnAValueOrAnUnsetPropertyIsTriedOnEach() throws Exception {
        assertEquals(List.of("SwappingAllowedValue: property 'Mode' allowed 'fast', which it still allows, and migrateProperties changes a flow's "
                + "'fast' to 'safe'", "SwappingAllowedValue: property 'Mode' is kept, but migrateProperties changes its value 'fast' to 'safe' in a flow "
                + "that sets the properties it kept to values like 'value of a flow built on the contract (p)'"),
                breaksOf(MigrationFixtures.SwappingAllowedValue.class, c -> c));
        assertEquals(List.of("DependingOnAnotherValue: property 'Collection Name' is kept, but migrateProperties removes it from a flow that sets "
                + "the properties it kept to their defaults"), breaksOf(MigrationFixtures.DependingOnAnotherValue.class, c -> c), "Mode's default: safe");
        assertEquals(List.of("DependingOnUnset: property 'Token' is kept, but migrateProperties removes it from a flow that leaves 'Collection Name' "
                + "unset"), breaksOf(MigrationFixtures.DependingOnUnset.class, c -> c));
        assertEquals(List.of("RewritingNumbers: property 'Batch Size' is kept, but migrateProperties changes its value '7' to '1' in a flow that sets "
                + "the properties it kept to values like '7'"), breaksOf(MigrationFixtures.RewritingNumbers.class, c -> c));
    }

    @Test
    void valuesCarriedToTheirSuccessorsKeepTheContract() throws Exception {
        final Contract.Component lower = fixture();
        assertEquals(List.of(), breaksOf(MigrationFixtures.UpperCaseModes.class, c -> new Contract.Component(c.type(), c.kind(), lower.properties(),
                c.dynamicProperties(), c.relationships(), c.readsAttributes(), c.writesAttributes(), c.stateScopes(), c.stateKeys(), c.counters())),
                "fast and safe carried to FAST and SAFE, the old default safe to the new default SAFE");
    }

    @Test
    void aRenameWrittenByHandIsCheckedAsARename() throws Exception {
        final Contract.Property collection = new Contract.Property("Collection", null, false, false, null, "ENVIRONMENT");
        final Contract.Property sensitive = new Contract.Property("Collection", null, true, false, null, "ENVIRONMENT");
        assertEquals(List.of(), breaksOf(MigrationFixtures.RenamingByHand.class, c -> withProperty(c, collection)));
        assertEquals(List.of("RenamingByHand: property 'Collection' is carried to 'Collection Name', which was sensitive and is not now"),
                breaksOf(MigrationFixtures.RenamingByHand.class, c -> withProperty(c, sensitive)));
        assertEquals(List.of("RenamingWithANewValue: property 'Collection' is carried to 'Collection Name', which was sensitive and is not now"),
                breaksOf(MigrationFixtures.RenamingWithANewValue.class, c -> withProperty(c, sensitive)));
        assertEquals(List.of("RenamingTextOnly: property 'Collection' is gone, and migrateProperties carries it to 'Collection Name' from a flow that "
                + "sets it to text and to nothing from one that sets it to '#{Collection}'"),
                breaksOf(MigrationFixtures.RenamingTextOnly.class, c -> withProperty(c, collection)));
    }

    @Test
    void aServiceLinkNarrowedOrAServiceInterfaceDroppedBreaksIt() throws Exception {
        final Contract.Component trigger = CodeContract.component(io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport.class, "processor");
        final Contract.Property link = trigger.properties().stream().filter(p -> p.service() != null).findFirst().orElseThrow();
        final Contract.Property wider = new Contract.Property(link.name(), link.defaultValue(), link.sensitive(), link.required(), link.allowableValues(),
                link.expressionLanguage(), org.apache.nifi.controller.ControllerService.class.getName());
        assertEquals(List.of("TriggerBulkImport: property '" + link.name() + "' linked to a controller service implementing "
                + "org.apache.nifi.controller.ControllerService and links to " + link.service() + " now: a service of a flow built on the contract "
                + "may not implement it"), ContractCheck.breaks(new Contract(Contract.NOTE, List.of(withProperty(trigger, wider)))));
        final Contract.Component service = CodeContract.component(io.github.bulkimport.nifi.service.StandardBulkImportConnectionService.class,
                "controller service");
        final Contract.Component more = new Contract.Component(service.type(), service.kind(), service.properties(), service.dynamicProperties(),
                service.relationships(), service.readsAttributes(), service.writesAttributes(), service.stateScopes(), service.stateKeys(),
                service.counters(), List.of("io.github.bulkimport.nifi.api.GoneService"));
        assertEquals(List.of("StandardBulkImportConnectionService: no longer implements controller service interface "
                + "'io.github.bulkimport.nifi.api.GoneService'"), ContractCheck.breaks(new Contract(Contract.NOTE, List.of(more))));
    }

    @Test
    void theWriterKeepsEachOldNameAMigrationCarriesAndDropsEachItDoesNot() throws Exception {
        final Contract.Component now = fixture();
        final Contract.Component old = with(withProperty(withProperty(now, new Contract.Property("Collection", null, false, false, null, "ENVIRONMENT")),
                new Contract.Property("Table", null, false)), List.of("errors", "failed", "failure", "success"), now.readsAttributes(),
                now.writesAttributes(), now.stateKeys(), now.counters());
        final Contract.Component written = ContractWriter.keepingMigrated(new Contract(Contract.NOTE, List.of(old)), new Contract(Contract.NOTE,
                List.of(now)), Set.of(now.type())).components().getFirst();
        assertTrue(written.property("Collection").isPresent(), "carried by a rename: kept");
        assertTrue(written.property("Table").isEmpty(), "carried by nothing: dropped, and the file's diff shows it");
        assertEquals(List.of("failed", "failure", "success"), written.relationships());
    }

    private static List<String> breaksOf(final Class<?> type, final UnaryOperator<Contract.Component> promise) throws Exception {
        return ContractCheck.breaks(new Contract(Contract.NOTE, List.of(promise.apply(CodeContract.component(type, "processor")))),
                Set.of(type.getName()));
    }

    private static Contract.Component withoutProperty(final Contract.Component c, final String name) {
        return new Contract.Component(c.type(), c.kind(), c.properties().stream().filter(p -> !p.name().equals(name)).toList(), c.dynamicProperties(),
                c.relationships(), c.readsAttributes(), c.writesAttributes(), c.stateScopes(), c.stateKeys(), c.counters());
    }

    /** The migrations themselves, as nifi-mock's TestRunner runs them on a flow's old configuration. */
    @Test
    void theMigrationsCarryAnOldFlowsNames() {
        final TestRunner runner = TestRunners.newTestRunner(RenamingFixtureProcessor.class);
        runner.setProperty("Collection", "docs");
        final PropertyMigrationResult properties = runner.migrateProperties();
        assertEquals(Map.of("Collection", "Collection Name"), properties.getPropertiesRenamed());
        assertEquals("docs", runner.getProcessContext().getProperty("Collection Name").evaluateAttributeExpressions().getValue());
        final MockRelationshipConfiguration flow = new MockRelationshipConfiguration(Set.of(RenamingFixtureProcessor.SUCCESS,
                RenamingFixtureProcessor.FAILURE, new Relationship.Builder().name("failed").build()));
        ((RenamingFixtureProcessor) runner.getProcessor()).migrateRelationships(flow);
        final RelationshipMigrationResult relationships = flow.toRelationshipMigrationResult();
        assertEquals(Map.of("failed", "failure"), relationships.getRenamedRelationships());
        assertEquals(Set.of("success", "failure"), Set.copyOf(flow.getRawRelationships().stream().map(Relationship::getName).toList()));
    }
}
