package io.github.bulkimport.nifi.processors.validate.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.emulator.files.GoCsv;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The validator's CSV reader against the emulator's, written apart (character by character; line by line as Go reads):
 * for any text and separator, the same records in the same order, and a refusal exactly where Go's reader reports an
 * error. The input's last byte is the separator: itself where it is a comma, a semicolon, a tab, a pipe or a space,
 * else one of those; the bytes before it are the text.
 */
class GoCsvReaderFuzzTest {

    private static final char[] SEPARATORS = {',', ';', '\t', '|', ' '};

    @FuzzTest(maxDuration = "5m")
    void sameRecordsAsGo(final byte[] input) throws IOException {
        final char separator = input.length == 0 ? ',' : separator(input[input.length - 1] & 0xFF);
        final String text = new String(Arrays.copyOf(input, Math.max(0, input.length - 1)), StandardCharsets.UTF_8);
        final GoCsvReader ours = new GoCsvReader(new StringReader(text), separator);
        final GoCsv go = new GoCsv(new StringReader(text), separator);
        for (int record = 1; ; record++) {
            final GoCsv.Record expected = go.read();
            final List<String> actual;
            try {
                actual = ours.next(Integer.MAX_VALUE - 1);
            } catch (final GoCsvReader.Refused refused) {
                if (expected == null || expected.error() == null) {
                    throw new AssertionError("record " + record + " refused (" + refused.getMessage() + "), Go reads " + expected);
                }
                return;
            }
            if (expected == null || actual == null) {
                if ((expected == null) != (actual == null)) {
                    throw new AssertionError("record " + record + ": Go reads " + expected + ", the validator " + actual);
                }
                return;
            }
            if (expected.error() != null || !expected.cells().equals(actual)) {
                throw new AssertionError("record " + record + ": Go reads " + expected + ", the validator " + actual);
            }
        }
    }

    private static char separator(final int b) {
        for (final char separator : SEPARATORS) {
            if (b == separator) {
                return separator;
            }
        }
        return SEPARATORS[b % SEPARATORS.length];
    }
}
