package io.github.bulkimport.nifi.processors.validate.parquet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What fuzzing found, kept in the corpus (finding-*), read here for what each file must be said to be. */
class ParquetFuzzFindingsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            finding-snappy-says-more-than-its-page-header        | whose SNAPPY bytes say they uncompress to
            finding-footer-varint-that-goes-on-past-the-footer   | a footer that cannot be decoded
            finding-zstd-sequences-out-of-the-decoder-s-tables   | whose ZSTD bytes cannot be uncompressed
            finding-zstd-frame-header-without-sizes              | whose ZSTD bytes cannot be uncompressed
            """)
    void aFindingIsUnreadable(final String finding, final String expected) throws Exception {
        final String why = Reading.unreadable(corpus(finding));
        assertTrue(why.contains(expected), why);
    }

    private static byte[] corpus(final String name) throws Exception {
        try (InputStream in = ParquetFuzzFindingsTest.class.getResourceAsStream("ParquetFileFuzzTestInputs/parquetFile/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}
