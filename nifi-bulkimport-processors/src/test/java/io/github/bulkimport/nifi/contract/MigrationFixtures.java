package io.github.bulkimport.nifi.contract;

import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.migration.RelationshipConfiguration;

/** Processors whose migrations break flows in ways only a whole flow shows; for {@link ContractCheckTest}. */
final class MigrationFixtures {

    private MigrationFixtures() {
    }

    /** Sets a kept property whatever a flow held. */
    public static class Overwriting extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            config.setProperty("Token", "reset");
        }
    }

    /** Removes a kept property. */
    public static class RemovingKept extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            config.removeProperty("Collection Name");
        }
    }

    /** Renames "Collection" to "Collection Name" by hand: its value set on the new name, the old name removed. */
    public static class RenamingByHand extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            config.getRawPropertyValue("Collection").ifPresent(value -> config.setProperty("Collection Name", value));
            config.removeProperty("Collection");
        }
    }

    /** Reads a property as a number, which a flow's parameter reference or text is not. */
    public static class Throwing extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            config.getRawPropertyValue("Batch Size").ifPresent(Integer::parseInt);
        }
    }

    /** Carries a kept relationship's connections to another. */
    public static class TakingKeptRelationship extends RenamingFixtureProcessor {
        @Override
        public void migrateRelationships(final RelationshipConfiguration config) {
            super.migrateRelationships(config);
            config.renameRelationship("success", "failure");
        }
    }
}
