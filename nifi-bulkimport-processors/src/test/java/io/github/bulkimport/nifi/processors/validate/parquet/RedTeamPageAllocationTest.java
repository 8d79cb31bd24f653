package io.github.bulkimport.nifi.processors.validate.parquet;

import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import org.apache.parquet.format.CompressionCodec;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red team: a file of a few hundred bytes whose one Snappy page of PLAIN floats declares 32 MiB uncompressed. The page's
 * 6 stored bytes can never uncompress to that (Snappy expands at most about 21 times), yet the page buffer is sized by the
 * declared size before anything checks it.
 */
class RedTeamPageAllocationTest {

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aTinyFileDeclaringAHugeSnappyPageDoesNotAllocateItsDeclaredSize() throws Exception {
        final int declared = 32 * 1024 * 1024;
        final byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10, 0x00, 0x00};
        final byte[] page = HostileParquet.concat(HostileParquet.header(HostileParquet.dataPage(4, body.length, declared)), body);
        final byte[] file = HostileParquet.file(HostileParquet.Column.VECTOR, CompressionCodec.SNAPPY, 4, 1, page);
        // warm up
        ParquetRows.check(new BytesContent(HostileParquet.vectorFile(1, 4)), ParquetRowsHostileTest.RULES, (first, count, column, fault) -> { });
        final long before = allocated();
        final WholeFile read = ParquetRows.check(new BytesContent(file), ParquetRowsHostileTest.RULES, (first, count, column, fault) -> { });
        final long used = allocated() - before;
        System.out.println("REDTEAM alloc: file " + file.length + " bytes, allocated " + used + " bytes, verdict " + read.unreadable());
        assertTrue(read.unreadable() != null, "the page is corrupt");
        assertTrue(used < 4L * 1024 * 1024, "a " + file.length + "-byte file made the check allocate " + used + " bytes");
    }
}
