package io.github.bulkimport.nifi.processors.validate.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.bulkimport.nifi.api.VisibleText;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One text value of a typed file (a Parquet byte array, a NumPy string) against its column's rules, in
 * the order Milvus's Parquet reader applies them: valid UTF-8, then the length in bytes; a JSON field's
 * text must be one JSON document (an object for the dynamic fields); a sparse vector's text must be one
 * Milvus takes.
 */
public final class TextValue {

    private static final int QUOTED = 40;
    /** A sparse vector's JSON is read into a tree ({@link JsonTree}): its nesting, numbers and nodes are bounded as a row's are. */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(JsonSyntax.MAX_DEPTH).maxNumberLength(1_000).build()).build()).build();

    private TextValue() {
    }

    /** What is wrong with {@code bytes[from, to)} as a value of the column, or {@code null}. */
    public static Fault fault(final byte[] bytes, final int from, final int to, final ColumnRules rules) {
        if (rules.utf8() && !Utf8.valid(bytes, from, to)) {
            return new Fault(Fault.Kind.NOT_UTF8, "text that is not valid UTF-8");
        }
        if (rules.maxBytes() != null && to - from > rules.maxBytes()) {
            return new Fault(Fault.Kind.TOO_LONG, "a text of " + (to - from) + " bytes");
        }
        if (rules.json() != ColumnRules.Json.NONE || rules.sparse()) {
            final String notJson = JsonSyntax.problem(bytes, from, to);
            if (notJson != null) {
                return new Fault(rules.sparse() ? Fault.Kind.SPARSE : Fault.Kind.NOT_JSON, (rules.sparse() ? "a sparse vector" : "text")
                        + " that is not JSON (" + notJson + "): " + quoted(bytes, from, to));
            }
            final int first = JsonSyntax.firstByte(bytes, from, to);
            if (rules.json() == ColumnRules.Json.OBJECT && first != '{' && first != 'n') {
                return new Fault(Fault.Kind.NOT_OBJECT, "JSON that is not an object: " + quoted(bytes, from, to));
            }
            if (rules.sparse()) {
                return sparse(bytes, from, to);
            }
        }
        return null;
    }

    private static Fault sparse(final byte[] bytes, final int from, final int to) {
        final JsonNode vector;
        try (JsonParser parser = JSON.createParser(bytes, from, to - from)) {
            parser.nextToken();
            vector = JsonTree.read(parser, JsonTree.Budget.full());
        } catch (final JsonTree.TooManyNodesException tooMany) {
            return new Fault(Fault.Kind.SPARSE, "a sparse vector of " + tooMany.getMessage());
        } catch (final JsonProcessingException beyondBounds) {
            return new Fault(Fault.Kind.SPARSE, "a sparse vector beyond what is read (" + VisibleText.bound(VisibleText.clean(
                    String.valueOf(beyondBounds.getOriginalMessage())), 2 * QUOTED) + ")");
        } catch (final IOException unexpected) {
            return new Fault(Fault.Kind.SPARSE, "a sparse vector that cannot be read");
        }
        final String problem = SparseVector.problem(vector, false);
        return problem == null ? null : new Fault(Fault.Kind.SPARSE, problem);
    }

    /** The start of a value as a message quotes it: one short line. */
    public static String quoted(final byte[] bytes, final int from, final int to) {
        final String text = new String(bytes, from, Math.min(to - from, 4 * QUOTED), StandardCharsets.UTF_8);
        final String line = text.chars().anyMatch(c -> c < 0x20 || c == 0x7F) ? text.replaceAll("[\\p{Cntrl}]", "?") : text;
        return "\"" + (line.length() <= QUOTED && to - from <= 4 * QUOTED ? line : line.substring(0, Math.min(line.length(), QUOTED)) + "...") + "\"";
    }
}
