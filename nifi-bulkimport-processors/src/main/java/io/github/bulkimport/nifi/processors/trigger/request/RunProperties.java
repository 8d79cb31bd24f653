package io.github.bulkimport.nifi.processors.trigger.request;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.PropertyValue;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A processor's properties as one run reads them for each of its flowfiles: each looked up once, and a
 * value that reads no attribute (a literal, a parameter) evaluated once. A burst of 20,000 flowfiles read
 * each property 20,000 times, most of them to learn again that it is unset or says the same name.
 * For one run's thread: not shared between runs or threads.
 */
public final class RunProperties {

    private final ProcessContext context;
    private final Map<PropertyDescriptor, Slot> slots = new HashMap<>();

    private static final class Slot {
        private final PropertyValue value;
        private final boolean readsAttributes;
        private boolean evaluated;
        private String constant;

        private Slot(final PropertyValue value) {
            this.value = value;
            this.readsAttributes = value.isExpressionLanguagePresent();
        }
    }

    public RunProperties(final ProcessContext context) {
        this.context = context;
    }

    public boolean isSet(final PropertyDescriptor property) {
        return slot(property).value.isSet();
    }

    /** The property evaluated against a flowfile's attributes, untrimmed; {@code null} when unset. */
    public String evaluate(final PropertyDescriptor property, final Map<String, String> attributes) {
        return evaluate(property, value -> value.evaluateAttributeExpressions(attributes));
    }

    /** The property evaluated against a flowfile (its attributes, and its size and dates), untrimmed; {@code null} when unset. */
    public String evaluate(final PropertyDescriptor property, final FlowFile flowFile) {
        return evaluate(property, value -> value.evaluateAttributeExpressions(flowFile));
    }

    private String evaluate(final PropertyDescriptor property, final UnaryOperator<PropertyValue> evaluation) {
        final Slot slot = slot(property);
        try {
            if (slot.readsAttributes) {
                return evaluation.apply(slot.value).getValue();
            }
            if (!slot.evaluated) {
                slot.constant = evaluation.apply(slot.value).getValue();
                slot.evaluated = true;
            }
            return slot.constant;
        } catch (final RuntimeException e) {
            throw new NotEvaluated(property, e);
        }
    }

    private Slot slot(final PropertyDescriptor property) {
        Slot slot = slots.get(property);
        if (slot == null) {
            slot = new Slot(context.getProperty(property));
            slots.put(property, slot);
        }
        return slot;
    }

    /** An expression that failed for a flowfile (toDate() of text that is no date, say), naming its property. */
    public static final class NotEvaluated extends RuntimeException {
        private NotEvaluated(final PropertyDescriptor property, final RuntimeException cause) {
            super(property.getName() + "'s expression could not be evaluated for this flowfile: " + cause.getMessage(), cause);
        }
    }
}
