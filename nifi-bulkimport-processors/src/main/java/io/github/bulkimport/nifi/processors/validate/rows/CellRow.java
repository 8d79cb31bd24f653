package io.github.bulkimport.nifi.processors.validate.rows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CSV row's cells by the header's names, as text: a view kept from row to row, the header's positions looked up
 * once, a cell made a JSON text node only when it is asked for. No map is built per row, and a reader that knows the
 * header's positions takes a cell by its position, without a lookup.
 */
public final class CellRow extends AbstractMap<String, JsonNode> {

    /**
     * What a byte that is not UTF-8 is read as in a cell: a lone low surrogate, which no UTF-8 text decodes to. Go's CSV reader keeps
     * such bytes, and Milvus refuses them in a VarChar cell; in a cell read as JSON, Go's parser reads them as U+FFFD.
     */
    public static final char NOT_UTF8 = '\uDFFF';

    private final List<String> header;
    private final Map<String, Integer> positions = new HashMap<>();
    private List<String> cells = List.of();

    CellRow(final List<String> header) {
        this.header = header;
        for (int i = 0; i < header.size(); i++) {
            positions.put(header.get(i), i);
        }
    }

    /** The next row's cells, as many as the header names. */
    void cells(final List<String> row) {
        this.cells = row;
    }

    /** The header's column names, in order. */
    public List<String> header() {
        return header;
    }

    /** The cell at a header position, as text. */
    public JsonNode cell(final int position) {
        return TextNode.valueOf(cells.get(position));
    }

    @Override
    public JsonNode get(final Object column) {
        final Integer at = positions.get(column);
        return at == null ? null : TextNode.valueOf(cells.get(at));
    }

    @Override
    public boolean containsKey(final Object column) {
        return positions.containsKey(column);
    }

    @Override
    public Set<Entry<String, JsonNode>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, JsonNode>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < header.size();
                    }

                    @Override
                    public Entry<String, JsonNode> next() {
                        final int at = next++;
                        return new SimpleImmutableEntry<>(header.get(at), TextNode.valueOf(cells.get(at)));
                    }
                };
            }

            @Override
            public int size() {
                return header.size();
            }
        };
    }
}
