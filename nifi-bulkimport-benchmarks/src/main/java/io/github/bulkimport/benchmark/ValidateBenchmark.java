package io.github.bulkimport.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.FileContents;
import io.github.bulkimport.nifi.processors.validate.parquet.ParquetFile;
import io.github.bulkimport.systemtest.BulkImportFlow;
import io.github.bulkimport.systemtest.NiFiInstance;
import io.github.bulkimport.systemtest.NiFiRestClient;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ValidateBulkImportFile in a real NiFi 2.3.0 on Parquet files of 1 MB, 100 MB and 1 GB (written once
 * by Apache Parquet's writer into {@code .benchmark/parquet}, Snappy, random vectors that do not
 * compress): files per second and bytes read per file as NiFi counts them, and, as a cross-check, the
 * bytes the processor's Parquet reader takes from the file on disk. The cost must not grow with the
 * file. Run with {@code java -jar nifi-bulkimport-benchmarks.jar validate [seconds]}.
 */
final class ValidateBenchmark {

    static final String SCHEMA = """
            {"bench": {"collectionName": "bench", "enableDynamicField": false, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "128"}]},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "64"}]}]}}""";
    private static final MessageType PARQUET = MessageTypeParser.parseMessageType("""
            message bench {
              required group vector (LIST) { repeated group list { required float element; } }
              required binary title (STRING);
            }""");
    private static final int DIM = 128;
    /** About what a row takes on disk: 128 floats and a short title. */
    private static final int ROW_BYTES = DIM * 4 + 16;
    private static final int WARM_UP_SECONDS = 5;

    private ValidateBenchmark() {
    }

    static void run(final Path emulatorJar, final Path root, final int seconds) throws Exception {
        final Path folder = Files.createDirectories(root.resolve(".benchmark/parquet"));
        final Path schemas = Files.writeString(folder.resolve("schemas.json"), SCHEMA);
        final List<Path> files = new ArrayList<>();
        for (final long target : new long[] {1L << 20, 100L << 20, 1L << 30}) {
            files.add(parquet(folder.resolve("bench-" + (target >> 20) + "MB.parquet"), target));
        }
        final List<Path> nars = new ArrayList<>(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")));
        nars.addAll(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")));
        final Path directory = root.resolve(".benchmark/nifi-validate");
        NiFiInstance.delete(directory);
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), directory, nars, "benchmark");
        try (EmulatorProcess emulator = EmulatorProcess.start(emulatorJar, 0, "--schemas", schemas.toString())) {
            final Duration startup = nifi.start(Duration.ofMinutes(4));
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.VALIDATE_TYPE, Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "NiFi 2.3.0 started in %.1f s; each file checked again and again for %d s after a %d s warm-up%n",
                    startup.toMillis() / 1e3, seconds, WARM_UP_SECONDS);
            System.out.printf(Locale.ROOT, "%n%-22s %15s %9s %16s %11s %16s%n", "file", "bytes", "files/s", "bytes read/file", "share read",
                    "reader alone");
            final String canvas = rest.rootGroupId();
            double y = 0;
            for (final Path file : files) {
                final Path input = Files.createDirectories(directory.resolve("input-" + file.getFileName()));
                final Measured measured = measure(rest, canvas, emulator.url(), file, input, y, seconds);
                final long size = Files.size(file);
                System.out.printf(Locale.ROOT, "%-22s %,15d %,9.0f %,16d %10.3f%% %,16d%n", file.getFileName(), size, measured.perSecond(),
                        measured.bytesReadPerFile(), 100.0 * measured.bytesReadPerFile() / size, bytesRead(file));
                y += 400;
            }
        } finally {
            nifi.stop();
        }
    }

    private record Measured(double perSecond, long bytesReadPerFile) {
    }

    /**
     * GetFile takes the file into NiFi once; ValidateBulkImportFile's valid loops back to itself, so the
     * same content is checked again and again. Files per second from the processor's flowfiles in over
     * the measured seconds, bytes read per file from its status (what it read from the content
     * repository; what it skipped is not read).
     */
    private static Measured measure(final NiFiRestClient rest, final String canvas, final String url, final Path file, final Path input,
                                    final double y, final int seconds) throws Exception {
        final String group = rest.createProcessGroup(canvas, file.getFileName().toString(), 0, y);
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "connection", Map.of(
                "Deployment", "MILVUS", "Endpoint URL", url, "API Key or Token", EmulatorProcess.TOKEN));
        rest.enableControllerService(service, Duration.ofSeconds(30));
        Files.createLink(input.resolve(file.getFileName()), file);
        final String get = rest.createProcessor(group, "org.apache.nifi.processors.standard.GetFile", "GetFile", 0, 0,
                Map.of("Input Directory", input.toString(), "Keep Source File", "false"), Map.of("schedulingPeriod", "1 sec"), List.of());
        final String validate = rest.createProcessor(group, BulkImportFlow.VALIDATE_TYPE, "ValidateBulkImportFile", 0, 250,
                Map.of("Connection Service", service, "Collection Name", "bench"), Map.of("schedulingPeriod", "0 sec"),
                List.of("invalid", "retry", "failure"));
        final String toValidate = rest.connect(group, get, validate, "PROCESSOR", List.of("success"), new double[] {200, 150});
        rest.connect(group, validate, validate, "PROCESSOR", List.of("valid"), new double[] {450, 300});
        rest.runOnce(get, Duration.ofMinutes(2));
        BulkImportFlow.awaitQueued(rest, toValidate, 1, Duration.ofMinutes(2));

        rest.setProcessorState(validate, "RUNNING");
        Thread.sleep(WARM_UP_SECONDS * 1000L);
        final JsonNode before = rest.processorStatus(validate);
        final long began = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        final JsonNode after = rest.processorStatus(validate);
        final double took = (System.nanoTime() - began) / 1e9;
        rest.setProcessorState(validate, "STOPPED");
        final long checked = after.path("flowFilesIn").asLong() - before.path("flowFilesIn").asLong();
        if (checked < 2) {
            // a file found invalid leaves the loop at once
            throw new IllegalStateException("the file did not go round as valid: " + after);
        }
        return new Measured(checked / took, (after.path("bytesRead").asLong() - before.path("bytesRead").asLong()) / checked);
    }

    /** What the processor's Parquet reader takes from the file for this collection (vector lengths, title lengths), counted at the file. */
    private static long bytesRead(final Path file) throws IOException {
        final AtomicLong bytes = new AtomicLong();
        final FileContents contents = ParquetFile.read(new CountedFile(file, bytes), Set.of("vector"), Set.of("title"), 100);
        if (contents.column("vector").orElseThrow().lengths().getFirst() != DIM) {
            throw new IllegalStateException("the reader did not find the vectors' dimension");
        }
        return bytes.get();
    }

    private static Path parquet(final Path file, final long targetBytes) throws IOException {
        if (Files.exists(file)) {
            return file;
        }
        final long rows = targetBytes / ROW_BYTES;
        System.out.printf(Locale.ROOT, "writing %s (%,d rows, once)...%n", file.getFileName(), rows);
        final Random random = new Random(42);
        final SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET);
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(partial))
                .withType(PARQUET)
                .withConf(new Configuration(false))
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .build()) {
            for (long i = 0; i < rows; i++) {
                final Group row = groups.newGroup();
                final Group vector = row.addGroup("vector");
                for (int d = 0; d < DIM; d++) {
                    vector.addGroup("list").append("element", random.nextFloat());
                }
                row.append("title", "row " + i);
                writer.write(row);
            }
        }
        return Files.move(partial, file);
    }

    /** A file, counting every byte any stream of it hands out. */
    private record CountedFile(Path file, AtomicLong bytes) implements Content {

        @Override
        public String fileName() {
            return file.getFileName().toString();
        }

        @Override
        public long size() {
            try {
                return Files.size(file);
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public InputStream openAt(final long offset) throws IOException {
            final InputStream in = Files.newInputStream(file);
            in.skipNBytes(offset);
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    final int b = super.read();
                    if (b >= 0) {
                        bytes.incrementAndGet();
                    }
                    return b;
                }

                @Override
                public int read(final byte[] buffer, final int off, final int len) throws IOException {
                    final int n = super.read(buffer, off, len);
                    if (n > 0) {
                        bytes.addAndGet(n);
                    }
                    return n;
                }
            };
        }
    }
}
