package io.github.bulkimport.nifi.contract;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.migration.RelationshipConfiguration;

import java.util.List;
import java.util.Map;

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

    /** Turns one allowed value into another that is still allowed. */
    public static class SwappingAllowedValue extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            if (config.getRawPropertyValue("Mode").filter("fast"::equals).isPresent()) {
                config.setProperty("Mode", "safe");
            }
        }
    }

    /** Removes a kept property when another holds one of its values. */
    public static class DependingOnAnotherValue extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            if (config.getRawPropertyValue("Mode").filter("safe"::equals).isPresent()) {
                config.removeProperty("Collection Name");
            }
        }
    }

    /** Removes a kept property when another is unset. */
    public static class DependingOnUnset extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            if (!config.isPropertySet("Collection Name")) {
                config.removeProperty("Token");
            }
        }
    }

    /** Rewrites every number but one. */
    public static class RewritingNumbers extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            config.getRawPropertyValue("Batch Size").filter(value -> value.matches("[0-9]+") && !value.equals("100"))
                    .ifPresent(value -> config.setProperty("Batch Size", "1"));
        }
    }

    /** Renames by hand, but drops a value that is a parameter or an expression. */
    public static class RenamingTextOnly extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            config.getRawPropertyValue("Collection").filter(value -> !value.startsWith("#{") && !value.startsWith("${"))
                    .ifPresent(value -> config.setProperty("Collection Name", value));
            config.removeProperty("Collection");
        }
    }

    /** Renames by hand, changing the value on the way. */
    public static class RenamingWithANewValue extends RenamingFixtureProcessor {
        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            config.getRawPropertyValue("Collection").ifPresent(value -> config.setProperty("Collection Name", value + "_v2"));
            config.removeProperty("Collection");
        }
    }

    /** Mode's values in upper case, each old value carried to its new one: a legitimate change. */
    public static class UpperCaseModes extends RenamingFixtureProcessor {
        static final PropertyDescriptor MODE = new PropertyDescriptor.Builder().name("Mode").allowableValues("FAST", "SAFE").defaultValue("SAFE")
                .required(true).build();

        @Override
        protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
            return List.of(COLLECTION_NAME, BATCH_SIZE, TOKEN, MODE);
        }

        @Override
        public void migrateProperties(final PropertyConfiguration config) {
            super.migrateProperties(config);
            config.getRawPropertyValue("Mode").map(Map.of("fast", "FAST", "safe", "SAFE", "quick", "FAST")::get)
                    .ifPresent(value -> config.setProperty("Mode", value));
        }
    }
}
