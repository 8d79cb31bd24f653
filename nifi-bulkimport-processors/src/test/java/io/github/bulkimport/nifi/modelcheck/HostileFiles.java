package io.github.bulkimport.nifi.modelcheck;

import io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift;
import io.github.bulkimport.nifi.processors.validate.parquet.HostileParquet;
import org.apache.parquet.format.CompressionCodec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.I32;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.LIST;
import static io.github.bulkimport.nifi.processors.validate.parquet.CompactThrift.STRUCT;

/**
 * Files that lie about themselves, as the model check's hostile uploads carry them: each once took a
 * JVM down or ended in failure as UNEXPECTED, and must now be invalid, alone, whatever else the run holds.
 */
final class HostileFiles {

    record File(String name, String extension, byte[] bytes) {
    }

    private static final List<File> FILES = List.of(
            new File("a Parquet schema that claims 2^31 - 1 elements", ".parquet",
                    HostileParquet.file(new byte[0], version().field(2, LIST).listHeader(Integer.MAX_VALUE, STRUCT).bytes())),
            new File("a Parquet footer nested 200,000 levels deep", ".parquet", HostileParquet.file(new byte[0], nested())),
            new File("a sound Parquet footer over a page of garbage Snappy bytes", ".parquet",
                    HostileParquet.file(HostileParquet.Column.VECTOR, CompressionCodec.SNAPPY, 8, 1,
                            HostileParquet.dataPage(8, garbage(64)))),
            new File("a NumPy shape beyond a long", ".npy", numpy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 8), }")),
            new File("JSON nested 100,000 levels deep", ".json", "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII)),
            new File("a CSV cell whose quote never ends", ".csv", ("vector\n\"[1, 2" + " 3".repeat(50_000)).getBytes(StandardCharsets.US_ASCII)));

    private HostileFiles() {
    }

    /** The {@code n}-th hostile file, round and round. */
    static File pick(final int n) {
        return FILES.get(Math.floorMod(n, FILES.size()));
    }

    private static CompactThrift version() {
        return new CompactThrift().field(1, I32).i32(1);
    }

    /** A footer whose unknown field opens 200,000 structures, one in the other. */
    private static byte[] nested() {
        final int[] levels = new int[200_000];
        Arrays.fill(levels, 0x1C);
        return version().field(100, STRUCT).raw(levels).bytes();
    }

    private static byte[] garbage(final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 37 + 11);
        }
        return bytes;
    }

    /** A version 1 .npy file with this header and no data. */
    private static byte[] numpy(final String header) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        final String padded = header + " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        out.write(padded.length() & 0xFF);
        out.write(padded.length() >> 8 & 0xFF);
        out.writeBytes(padded.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
