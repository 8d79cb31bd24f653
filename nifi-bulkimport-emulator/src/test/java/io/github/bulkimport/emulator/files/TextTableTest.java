package io.github.bulkimport.emulator.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TextTableTest {

    @TempDir
    Path folder;

    @Test
    void aBareQuoteInAFirstCellSkipsItsRowAfterRowsAndEndsTheFileAtABatchsStart() throws IOException {
        assertEquals(List.of("1", "3"), ids("id,t\n1,a\n\"2\"x,b\n3,c\n"), "the row ends a batch; the next batch reads on");
        assertEquals(List.of(), ids("id,t\n2\"x,b\n3,c\n"), "right after the header, the first batch is empty: the file ends");
        assertEquals(List.of("1"), ids("id,t\n1,a\n\"2\"x,b\n\"3\"x,c\n4,d\n"), "a second such row starts the next batch empty");
    }

    @Test
    void aByteThatIsNotUtf8ReachesTheRowAsTheMarker() throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("id,t\n1,a".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xFF);
        bytes.writeBytes("b\n".getBytes(StandardCharsets.UTF_8));
        final List<Object> cells = new ArrayList<>();
        assertNull(TextTable.csv(Files.write(folder.resolve("bytes.csv"), bytes.toByteArray()), ',', "", (index, row) -> {
            cells.add(row.get("t"));
            return null;
        }));
        assertEquals(List.of("a" + TextTable.NOT_UTF8 + "b"), cells);
    }

    private List<String> ids(final String text) throws IOException {
        final List<String> ids = new ArrayList<>();
        assertNull(TextTable.csv(Files.writeString(folder.resolve("rows.csv"), text), ',', "", (index, row) -> {
            ids.add((String) row.get("id"));
            return null;
        }));
        return ids;
    }
}
