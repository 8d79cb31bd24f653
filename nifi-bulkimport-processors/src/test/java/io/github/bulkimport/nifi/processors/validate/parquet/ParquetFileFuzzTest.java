package io.github.bulkimport.nifi.processors.validate.parquet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.bulkimport.nifi.api.CollectionSchema;
import io.github.bulkimport.nifi.api.FieldSchema;
import io.github.bulkimport.nifi.api.FieldType;
import io.github.bulkimport.nifi.processors.validate.FuzzedRules;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.testing.FuzzInvariants;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ParquetFile.read over any bytes, as ValidateBulkImportFile reads a flowfile's content: it returns
 * (no Throwable escapes, and no IOException, the content being in memory), within 100 ms, with a
 * reason when the file is unreadable (one short line); then the schema's rules check what was read. The committed
 * inputs are small files Apache Parquet wrote in its layouts and one file of each kind of lie that
 * once broke the reader (written by {@link ParquetFuzzSeedsTest}).
 */
class ParquetFileFuzzTest {

    /** The fields of the files the seeds hold: a vector, a title, arrays of integers and of text. */
    static final CollectionSchema SCHEMA = new CollectionSchema("docs", true, List.of(
            new FieldSchema("id", FieldType.INT64, null, true, true, false, false, false, false, null, null, null),
            new FieldSchema("vector", FieldType.FLOAT_VECTOR, null, false, false, false, false, false, false, 4, null, null),
            new FieldSchema("title", FieldType.VARCHAR, null, false, false, false, false, false, false, null, 8, null),
            new FieldSchema("tags", FieldType.ARRAY, FieldType.INT64, false, false, false, false, false, false, null, null, 3),
            new FieldSchema("names", FieldType.ARRAY, FieldType.VARCHAR, false, false, false, true, false, false, null, 6, 5),
            new FieldSchema("count", FieldType.INT32, null, false, false, false, false, true, false, null, null, null)));

    @FuzzTest(maxDuration = "5m")
    void parquetFile(final byte[] input) throws Exception {
        final byte[] bytes = input.length <= FuzzInvariants.MAX_INPUT_BYTES ? input : Arrays.copyOf(input, FuzzInvariants.MAX_INPUT_BYTES);
        final FileContents contents = FuzzInvariants.withinBudget(() -> ParquetFile.read(new BytesContent(bytes), Reading.LENGTHS_OF,
                Reading.TEXT_OF, Reading.ROWS));
        if (contents.unreadable() != null) {
            assertFalse(contents.unreadable().isBlank(), "an unreadable file without a reason");
            assertTrue(contents.unreadable().length() <= 400 && contents.unreadable().lines().count() == 1, contents.unreadable());
        }
        for (final String problem : FuzzedRules.check(SCHEMA, bytes.length, contents)) {
            assertFalse(problem.isBlank());
        }
    }
}
