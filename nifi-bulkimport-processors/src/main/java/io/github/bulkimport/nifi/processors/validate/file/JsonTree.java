package io.github.bulkimport.nifi.processors.validate.file;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A JSON value read into Jackson's tree, as its tree reader reads it, with every node counted against a budget: a node
 * may take two bytes of the text ({@code {},}) and 80 of memory, so that a value of 16 MiB (five million empty objects)
 * would take 400 MB. The tree is built in a loop, without recursion, and stops at the budget.
 */
public final class JsonTree {

    /**
     * The most nodes read into trees, for one row (Whole File) or for the first rows together (First Pages): some 40 MB at
     * most. A row of a real file holds far fewer: a vector of 32,768 dimensions is 32,769 nodes, an array at most 4,097.
     */
    public static final long MAX_NODES = 500_000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {
    }

    /** How many nodes may still be read. */
    public static final class Budget {
        private long left;

        public Budget(final long nodes) {
            this.left = nodes;
        }

        /** A budget of {@link #MAX_NODES}. */
        public static Budget full() {
            return new Budget(MAX_NODES);
        }

        private void spend() throws TooManyNodesException {
            if (--left < 0) {
                throw new TooManyNodesException();
            }
        }
    }

    /** A value of more nodes than its budget holds: where it was met, nothing more of it was read. */
    public static final class TooManyNodesException extends IOException {
        private static final long serialVersionUID = 1L;

        TooManyNodesException() {
            super("more than " + MAX_NODES + " values in lists and objects, more than the validator reads", null);
        }
    }

    /**
     * The value the parser is at (its current token), with what it holds: the parser is left at its last token.
     *
     * @throws TooManyNodesException once the value holds more nodes than the budget has left
     */
    public static JsonNode read(final JsonParser parser, final Budget budget) throws IOException {
        final JsonToken first = parser.currentToken();
        budget.spend();
        if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
            return scalar(parser);
        }
        final ContainerNode<?> root = first == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
        final Deque<ContainerNode<?>> open = new ArrayDeque<>();
        open.push(root);
        while (!open.isEmpty()) {
            final ContainerNode<?> parent = open.peek();
            JsonToken token = parser.nextToken();
            String name = null;
            if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                open.pop();
                continue;
            }
            if (token == JsonToken.FIELD_NAME) {
                name = parser.currentName();
                token = parser.nextToken();
            }
            if (token == null) {
                throw new IOException("JSON that ends inside a value");
            }
            budget.spend();
            final JsonNode node = token == JsonToken.START_OBJECT ? NODES.objectNode() : token == JsonToken.START_ARRAY ? NODES.arrayNode()
                    : scalar(parser);
            if (parent instanceof ObjectNode object) {
                // the last value of a key named twice, as Jackson's tree reader and Go's decoder keep it
                object.set(name, node);
            } else {
                ((ArrayNode) parent).add(node);
            }
            if (node instanceof ContainerNode<?> container) {
                open.push(container);
            }
        }
        return root;
    }

    /** A scalar as Jackson's tree reads it: an int, long or big integer node by the number's size, a double node for a fraction. */
    public static JsonNode scalar(final JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> IntNode.valueOf(parser.getIntValue());
                case LONG -> LongNode.valueOf(parser.getLongValue());
                default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(parser.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> throw new IOException("a JSON token " + parser.currentToken() + " where a value is expected");
        };
    }
}
