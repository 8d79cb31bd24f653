package io.github.bulkimport.benchmark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import io.github.bulkimport.nifi.processors.validate.file.BadRows;
import io.github.bulkimport.nifi.processors.validate.file.ColumnRules;
import io.github.bulkimport.nifi.processors.validate.file.Content;
import io.github.bulkimport.nifi.processors.validate.file.WholeFile;
import io.github.bulkimport.nifi.processors.validate.parquet.ParquetRows;
import io.github.bulkimport.systemtest.BulkImportFlow;
import io.github.bulkimport.systemtest.NiFiInstance;
import io.github.bulkimport.systemtest.NiFiRestClient;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ValidateBulkImportFile with Validation Depth Whole File in a real NiFi 2.3.0, on files written once into
 * {@code .benchmark/whole}: Parquet of 100 MB and 1 GB (Apache Parquet's writer, Snappy, each row a 768-dimension float
 * vector of random values, a VarChar title and a JSON field), JSON and CSV of 100 MB (Jackson's writers, the same rows).
 * GetFile takes each file into NiFi once and the processor's valid loops back to itself, so the same content is checked
 * again and again: MB/s and rows/s from the processor's status, NiFi's heap (its default 1 GB) sampled while it runs.
 * In the benchmark's own JVM, the same files read to values by Apache Parquet's reader (the same three columns, every
 * value: ColumnReadStore, the reader's fastest path) and by a plain sequential read; for JSON and CSV, Jackson's streaming
 * parser reading every token. Run with {@code java -jar nifi-bulkimport-benchmarks.jar whole [seconds] [Parquet sizes in MiB, e.g. 100,1024]};
 * without NiFi's assembly in {@code .nifi/nifi-2.3.0}, the figures in the benchmark's JVM only.
 */
final class WholeFileBenchmark {

    static final String SCHEMA = """
            {"bench": {"collectionName": "bench", "enableDynamicField": false, "fields": [
              {"name": "id", "type": "Int64", "primaryKey": true, "autoId": true},
              {"name": "vector", "type": "FloatVector", "params": [{"key": "dim", "value": "768"}]},
              {"name": "title", "type": "VarChar", "params": [{"key": "max_length", "value": "64"}]},
              {"name": "meta", "type": "JSON"}]}}""";
    private static final MessageType PARQUET = MessageTypeParser.parseMessageType("""
            message bench {
              required group vector (LIST) { repeated group list { required float element; } }
              required binary title (STRING);
              required binary meta (JSON);
            }""");
    private static final int DIM = 768;
    private static final int WARM_UP_SECONDS = 10;
    private static final int READ_WARM_UP_SECONDS = 5;
    private static final int TIMED_READS = 5;
    /** The plain read's buffer, one for every read, so that the heap's peak while it alternates with Whole File stays Whole File's. */
    private static final byte[] PLAIN_READS = new byte[1 << 20];
    private static final JsonFactory JSON = new JsonFactory();
    private static final CsvFactory CSV = new CsvFactory();
    /** The rules ValidateBulkImportFile gives ParquetRows for the bench collection: the in-JVM cross-check. */
    private static final List<ColumnRules> RULES = List.of(
            new ColumnRules("vector", DIM, null, null, false, ColumnRules.Json.NONE, ColumnRules.Finite.FLOAT32, false, false),
            new ColumnRules("title", null, null, 64, true, ColumnRules.Json.NONE, ColumnRules.Finite.NONE, false, false),
            new ColumnRules("meta", null, null, null, false, ColumnRules.Json.ANY, ColumnRules.Finite.NONE, false, false));

    private WholeFileBenchmark() {
    }

    /** A file measured: its bytes, its rows, and how the benchmark's JVM reads it. */
    private record Bench(Path file, long rows, String format) {
    }

    /**
     * @param seconds    how long each file is checked in NiFi
     * @param parquetMib the sizes of the Parquet files, in MiB (100 and 1024 by default)
     */
    static void run(final Path emulatorJar, final Path root, final int seconds, final List<Integer> parquetMib) throws Exception {
        final Path folder = Files.createDirectories(root.resolve(".benchmark/whole"));
        final Path schemas = Files.writeString(folder.resolve("schemas.json"), SCHEMA);
        final List<Bench> files = new ArrayList<>();
        for (final int mib : parquetMib) {
            files.add(parquet(folder.resolve("bench-" + (mib % 1024 == 0 ? mib / 1024 + "GB" : mib + "MB") + ".parquet"), (long) mib << 20));
        }
        files.add(text(folder.resolve("bench-100MB.json"), 100L << 20, "JSON"));
        files.add(text(folder.resolve("bench-100MB.csv"), 100L << 20, "CSV"));

        System.out.printf(Locale.ROOT, "%nIn the benchmark's JVM (-Xmx%d MB; each the best of %d reads after %d s of untimed ones, Parquet's plain and Whole File reads "
                + "in turns, the file in the page cache):%n",
                Runtime.getRuntime().maxMemory() >> 20, TIMED_READS, READ_WARM_UP_SECONDS);
        System.out.printf(Locale.ROOT, "%-22s %13s %9s %12s %22s %16s %12s %11s %13s %11s%n", "file", "bytes", "rows", "plain read",
                "parquet-java / Jackson", "Whole File alone", "rows/s", "peak heap", "÷ parquet-java", "÷ plain");
        final List<double[]> baselines = new ArrayList<>();
        for (final Bench bench : files) {
            final double mb = megabytes(bench.file());
            final double reader = best(() -> {
                if ("Parquet".equals(bench.format())) {
                    parquetJava(bench.file());
                } else {
                    tokens(bench.file(), bench.format());
                }
            });
            if ("Parquet".equals(bench.format())) {
                resetPeakHeap();
                // the plain read and Whole File in turns: on a shared machine, the rate a read gets changes from minute to minute
                final double[] inTurns = bestInTurns(() -> plainRead(bench.file()), () -> wholeFileAlone(bench.file()));
                final double plain = inTurns[0];
                final double alone = inTurns[1];
                baselines.add(new double[] {plain, reader});
                System.out.printf(Locale.ROOT, "%-22s %,13d %,9d %,7.0f MB/s %,17.0f MB/s %,11.0f MB/s %,12.0f %,8.0f MB %13.2f %11.2f%n",
                        bench.file().getFileName(), Files.size(bench.file()), bench.rows(), mb / plain, mb / reader, mb / alone,
                        bench.rows() / alone, peakHeap() / 1e6, reader / alone, plain / alone);
            } else {
                final double plain = best(() -> plainRead(bench.file()));
                baselines.add(new double[] {plain, reader});
                // JSON and CSV are checked by the processor's own classes, measured in NiFi below
                System.out.printf(Locale.ROOT, "%-22s %,13d %,9d %,7.0f MB/s %,17.0f MB/s %16s%n", bench.file().getFileName(),
                        Files.size(bench.file()), bench.rows(), mb / plain, mb / reader, "(in NiFi)");
            }
        }

        if (!Files.isDirectory(root.resolve(".nifi/nifi-2.3.0"))) {
            System.out.println("No NiFi 2.3.0 in .nifi/nifi-2.3.0 (the system tests' assembly: mvn -B -DskipTests package): the figures in NiFi "
                    + "are not measured");
            return;
        }
        final List<Path> nars = new ArrayList<>(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-service-api-nar/target")));
        nars.addAll(NiFiInstance.narsIn(root.resolve("nifi-bulkimport-nar/target")));
        final Path directory = root.resolve(".benchmark/nifi-whole");
        NiFiInstance.delete(directory);
        final NiFiInstance nifi = NiFiInstance.prepare(root.resolve(".nifi/nifi-2.3.0"), directory, nars, "benchmark");
        try (EmulatorProcess emulator = EmulatorProcess.start(emulatorJar, 0, "--schemas", schemas.toString())) {
            final Duration startup = nifi.start(Duration.ofMinutes(4));
            final NiFiRestClient rest = nifi.rest();
            rest.awaitProcessorType(BulkImportFlow.VALIDATE_TYPE, Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "%nNiFi 2.3.0 (-Xmx1g) started in %.1f s; each file checked with Whole File again and again for %d s after a "
                    + "%d s warm-up%n", startup.toMillis() / 1e3, seconds, WARM_UP_SECONDS);
            System.out.printf(Locale.ROOT, "%-22s %10s %12s %13s %16s %20s %14s%n", "file", "MB/s", "rows/s", "checks", "heap used (max)",
                    "÷ parquet-java/Jackson", "÷ plain read");
            double y = 0;
            for (int i = 0; i < files.size(); i++) {
                final Bench bench = files.get(i);
                final Path input = Files.createDirectories(directory.resolve("input-" + bench.file().getFileName()));
                final Measured measured = measure(rest, rest.rootGroupId(), emulator.url(), bench, input, y, seconds);
                final double mbPerSecond = measured.checksPerSecond() * megabytes(bench.file());
                final double plainMb = megabytes(bench.file()) / baselines.get(i)[0];
                final double readerMb = megabytes(bench.file()) / baselines.get(i)[1];
                System.out.printf(Locale.ROOT, "%-22s %,10.0f %,12.0f %13.1f %,12.0f MB %20.2f %14.2f%n", bench.file().getFileName(), mbPerSecond,
                        measured.checksPerSecond() * bench.rows(), measured.checks(), measured.maxHeapBytes() / 1e6, mbPerSecond / readerMb,
                        mbPerSecond / plainMb);
                y += 400;
            }
            System.out.println("targets: Whole File ÷ parquet-java's reader >= 1.0 (Parquet); Whole File ÷ plain sequential read >= 0.5");
        } finally {
            nifi.stop();
        }
    }

    private record Measured(double checks, double checksPerSecond, long maxHeapBytes) {
    }

    /**
     * GetFile takes the file into NiFi once; ValidateBulkImportFile (Whole File) loops valid back to itself. Checks per second
     * from the processor's flowfiles out over the measured seconds (a check in progress at either end counts by the time it
     * took: the processor's task time decides it), heap sampled every 200 ms.
     */
    private static Measured measure(final NiFiRestClient rest, final String canvas, final String url, final Bench bench, final Path input,
                                    final double y, final int seconds) throws Exception {
        final String group = rest.createProcessGroup(canvas, bench.file().getFileName().toString(), 0, y);
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "connection", Map.of(
                "Deployment", "MILVUS", "Endpoint URL", url, "API Key or Token", EmulatorProcess.TOKEN));
        rest.enableControllerService(service, Duration.ofSeconds(30));
        Files.createLink(input.resolve(bench.file().getFileName()), bench.file());
        final String get = rest.createProcessor(group, "org.apache.nifi.processors.standard.GetFile", "GetFile", 0, 0,
                Map.of("Input Directory", input.toString(), "Keep Source File", "false"), Map.of("schedulingPeriod", "1 sec"), List.of());
        final String validate = rest.createProcessor(group, BulkImportFlow.VALIDATE_TYPE, "ValidateBulkImportFile (Whole File)", 0, 250,
                Map.of("Connection Service", service, "Collection Name", "bench", "Validation Depth", "Whole File"), Map.of("schedulingPeriod", "0 sec"),
                List.of("invalid", "retry", "failure", "report"));
        final String toValidate = rest.connect(group, get, validate, "PROCESSOR", List.of("success"), new double[] {200, 150});
        rest.connect(group, validate, validate, "PROCESSOR", List.of("valid"), new double[] {450, 300});
        rest.runOnce(get, Duration.ofMinutes(5));
        BulkImportFlow.awaitQueued(rest, toValidate, 1, Duration.ofMinutes(5));

        rest.setProcessorState(validate, "RUNNING");
        Thread.sleep(WARM_UP_SECONDS * 1000L);
        final JsonNode before = rest.processorStatus(validate);
        final long began = System.nanoTime();
        final long end = began + seconds * 1_000_000_000L;
        long maxHeap = 0;
        while (System.nanoTime() < end) {
            maxHeap = Math.max(maxHeap, rest.systemDiagnostics().path("usedHeapBytes").asLong());
            Thread.sleep(200);
        }
        final JsonNode after = rest.processorStatus(validate);
        rest.setProcessorState(validate, "STOPPED");
        final long checked = after.path("flowFilesOut").asLong() - before.path("flowFilesOut").asLong();
        final double taskSeconds = (after.path("tasksDurationNanos").asLong() - before.path("tasksDurationNanos").asLong()) / 1e9;
        if (checked < 1 || after.path("flowFilesOut").asLong() > after.path("flowFilesIn").asLong() + 1) {
            throw new IllegalStateException("the file did not go round as valid: " + after);
        }
        // checks per second of the processor's own time, each check one task: what the clock sees, less NiFi's waits between tasks
        final double wall = (System.nanoTime() - began) / 1e9;
        final double perSecond = taskSeconds > 0 ? checked / Math.max(taskSeconds, wall * 0.98) : checked / wall;
        return new Measured(checked, perSecond, maxHeap);
    }

    // ---- the files ---------------------------------------------------------------------------------

    private static Bench parquet(final Path file, final long targetBytes) throws IOException {
        final long rows = targetBytes / (DIM * 4 + 90);
        if (!Files.exists(file)) {
            System.out.printf(Locale.ROOT, "writing %s (%,d rows, once)...%n", file.getFileName(), rows);
            final Random random = new Random(42);
            final SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET);
            final Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(partial)).withType(PARQUET)
                    .withConf(new Configuration(false)).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
                for (long i = 0; i < rows; i++) {
                    final Group row = groups.newGroup();
                    final Group vector = row.addGroup("vector");
                    for (int d = 0; d < DIM; d++) {
                        vector.addGroup("list").append("element", random.nextFloat() * 2 - 1);
                    }
                    row.append("title", title(i));
                    row.append("meta", meta(i));
                    writer.write(row);
                }
            }
            Files.move(partial, file);
        }
        return new Bench(file, rows, "Parquet");
    }

    private static String title(final long i) {
        return "document " + i + " of the benchmark";
    }

    private static String meta(final long i) {
        return "{\"source\": \"benchmark\", \"page\": " + i % 1000 + ", \"tags\": [\"a\", \"b\"]}";
    }

    /** JSON (a list of rows) or CSV of about {@code targetBytes}, each row the Parquet file's (a vector of 768 values, a title, a JSON field). */
    private static Bench text(final Path file, final long targetBytes, final String format) throws IOException {
        final Path rowsFile = file.resolveSibling(file.getFileName() + ".rows");
        if (!Files.exists(file) || !Files.exists(rowsFile)) {
            System.out.printf(Locale.ROOT, "writing %s (once)...%n", file.getFileName());
            final Random random = new Random(7);
            final Path partial = file.resolveSibling(file.getFileName() + ".partial");
            long rows = 0;
            try (Writer out = new BufferedWriter(Files.newBufferedWriter(partial), 1 << 20)) {
                final boolean json = "JSON".equals(format);
                if (json) {
                    out.write('[');
                } else {
                    out.write("vector,title,meta\n");
                }
                {
                    while (Files.size(partial) < targetBytes) {
                        final StringBuilder vector = new StringBuilder(DIM * 12).append('[');
                        for (int d = 0; d < DIM; d++) {
                            vector.append(d == 0 ? "" : ", ").append(random.nextFloat() * 2 - 1);
                        }
                        vector.append(']');
                        if (json) {
                            out.write((rows == 0 ? "" : ",\n") + "{\"vector\": " + vector + ", \"title\": \"" + title(rows) + "\", \"meta\": "
                                    + meta(rows) + "}");
                        } else {
                            out.write("\"" + vector + "\"," + title(rows) + ",\"" + meta(rows).replace("\"", "\"\"") + "\"\n");
                        }
                        rows++;
                        if (rows % 1000 == 0) {
                            out.flush();
                        }
                    }
                    if (json) {
                        out.write("]\n");
                    }
                }
            }
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(rowsFile, String.valueOf(rows));
        }
        return new Bench(file, Long.parseLong(Files.readString(rowsFile).strip()), format);
    }

    // ---- the baselines -----------------------------------------------------------------------------

    @FunctionalInterface
    private interface Read {
        void run() throws Exception;
    }

    /**
     * The best of {@link #TIMED_READS} timed reads, in seconds, after reads for {@link #READ_WARM_UP_SECONDS} that are not timed: the
     * JIT compiles each reader's loops only after it has run them a while, and the processor in NiFi runs them again and again.
     */
    private static double best(final Read read) throws Exception {
        warmUp(read);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < TIMED_READS; i++) {
            final long began = System.nanoTime();
            read.run();
            best = Math.min(best, (System.nanoTime() - began) / 1e9);
        }
        return best;
    }

    /** Reads for {@link #READ_WARM_UP_SECONDS}, untimed, so that the JIT has compiled the reader's loops before it is timed. */
    private static void warmUp(final Read read) throws Exception {
        final long warmUpEnd = System.nanoTime() + READ_WARM_UP_SECONDS * 1_000_000_000L;
        do {
            read.run();
        } while (System.nanoTime() < warmUpEnd);
    }

    /** The best of {@link #TIMED_READS} timed reads of each, in seconds, read in turns, each warmed up first as {@link #best} does. */
    private static double[] bestInTurns(final Read first, final Read second) throws Exception {
        warmUp(first);
        warmUp(second);
        final double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int i = 0; i < TIMED_READS; i++) {
            for (int which = 0; which < 2; which++) {
                final long began = System.nanoTime();
                (which == 0 ? first : second).run();
                best[which] = Math.min(best[which], (System.nanoTime() - began) / 1e9);
            }
        }
        return best;
    }

    private static double megabytes(final Path file) {
        try {
            return Files.size(file) / 1e6;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void resetPeakHeap() {
        System.gc();
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** The heap's peak since {@link #resetPeakHeap}, summed over its pools: an upper bound of what the reads held at once, garbage included. */
    private static long peakHeap() {
        long peak = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** Every byte read, in 1 MB reads: what reading the file costs at all. */
    private static long plainRead(final Path file) throws IOException {
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(PLAIN_READS); n >= 0; n = in.read(PLAIN_READS)) {
                total += n;
            }
        }
        return total;
    }

    /** Apache Parquet's reader, every value of the three columns: the vectors' floats, the titles' and the JSON's bytes. */
    private static long parquetJava(final Path file) throws IOException {
        long sink = 0;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            final MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            PageReadStore group;
            while ((group = reader.readNextRowGroup()) != null) {
                final ColumnReadStoreImpl store = new ColumnReadStoreImpl(group, new Ignored(schema), schema,
                        reader.getFooter().getFileMetaData().getCreatedBy());
                for (final ColumnDescriptor column : schema.getColumns()) {
                    final ColumnReader values = store.getColumnReader(column);
                    final boolean floats = column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FLOAT;
                    float sum = 0;
                    for (long i = values.getTotalValueCount(); i > 0; i--) {
                        if (values.getCurrentDefinitionLevel() == column.getMaxDefinitionLevel()) {
                            if (floats) {
                                sum += values.getFloat();
                            } else {
                                sink += values.getBinary().length();
                            }
                        }
                        values.consume();
                    }
                    sink += (long) sum;
                }
            }
        }
        return sink;
    }

    /** Converters that take nothing: the column readers are driven by hand. */
    private static final class Ignored extends GroupConverter {
        private final GroupType type;

        Ignored(final GroupType type) {
            this.type = type;
        }

        @Override
        public Converter getConverter(final int field) {
            return type.getType(field).isPrimitive() ? new PrimitiveConverter() { } : new Ignored(type.getType(field).asGroupType());
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    }

    /** Jackson's streaming parser over every token of a JSON or CSV file, each value's text taken. */
    private static long tokens(final Path file, final String format) throws IOException {
        long sink = 0;
        try (JsonParser parser = "JSON".equals(format) ? JSON.createParser(file.toFile()) : CSV.createParser(file.toFile())) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isScalarValue()) {
                    sink += parser.getTextLength();
                }
            }
        }
        return sink;
    }

    /** The processor's Parquet reader on the file on disk, with the bench collection's rules: every row, no bad one. */
    private static void wholeFileAlone(final Path file) throws IOException {
        final AtomicLong bad = new AtomicLong();
        final BadRows sink = (first, count, column, fault) -> bad.addAndGet(count);
        final WholeFile read = ParquetRows.check(new OnDisk(file), RULES, sink);
        if (read.unreadable() != null || read.uncheckable() != null || bad.get() != 0) {
            throw new IllegalStateException("the bench file is not sound: " + read + ", " + bad.get() + " bad rows");
        }
    }

    /** A file on disk as a content. */
    private record OnDisk(Path file) implements Content {
        @Override
        public String fileName() {
            return file.getFileName().toString();
        }

        @Override
        public long size() {
            try {
                return Files.size(file);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public InputStream openAt(final long offset) throws IOException {
            final InputStream in = Files.newInputStream(file);
            in.skipNBytes(offset);
            return in;
        }
    }
}
