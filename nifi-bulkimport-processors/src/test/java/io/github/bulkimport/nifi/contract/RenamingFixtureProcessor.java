package io.github.bulkimport.nifi.contract;

import io.github.bulkimport.nifi.processors.common.Counters;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.migration.RelationshipConfiguration;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.List;
import java.util.Set;

/**
 * A processor as a later release might have it: "Collection" renamed to "Collection Name", Mode's value "quick" to
 * "fast" and relationship "failed" to "failure", each carried by a migration; for {@link ContractCheckTest}.
 */
@ReadsAttribute(attribute = "upload.key", description = "read")
@WritesAttribute(attribute = "job.id", description = "written")
@Stateful(scopes = Scope.LOCAL, description = "remembered jobs")
public class RenamingFixtureProcessor extends AbstractProcessor {

    public static final List<String> STATE_KEYS = List.of("k.*");

    static final PropertyDescriptor COLLECTION_NAME = new PropertyDescriptor.Builder().name("Collection Name")
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT).addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor BATCH_SIZE = new PropertyDescriptor.Builder().name("Batch Size").defaultValue("10")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR).build();
    static final PropertyDescriptor TOKEN = new PropertyDescriptor.Builder().name("Token").sensitive(true).required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor MODE = new PropertyDescriptor.Builder().name("Mode").allowableValues("fast", "safe").defaultValue("safe")
            .required(true).build();
    static final Relationship SUCCESS = new Relationship.Builder().name("success").build();
    static final Relationship FAILURE = new Relationship.Builder().name("failure").build();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return List.of(COLLECTION_NAME, BATCH_SIZE, TOKEN, MODE);
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(final String name) {
        return new PropertyDescriptor.Builder().name(name).dynamic(true).expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
                .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(SUCCESS, FAILURE);
    }

    @Override
    public void migrateProperties(final PropertyConfiguration config) {
        config.renameProperty("Collection", COLLECTION_NAME.getName());
        if (config.getRawPropertyValue(MODE.getName()).filter("quick"::equals).isPresent()) {
            config.setProperty(MODE.getName(), "fast");
        }
    }

    @Override
    public void migrateRelationships(final RelationshipConfiguration config) {
        config.renameRelationship("failed", FAILURE.getName());
    }

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        session.adjustCounter(Counters.JOBS_STARTED, 1, false);
    }
}
