package io.github.bulkimport.emulator;

import io.github.bulkimport.emulator.files.CollectionSchemas;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar nifi-bulkimport-emulator.jar [options]}: runs the emulator until stopped.
 */
public final class EmulatorMain {

    private static final String USAGE = """
            Usage: java -jar nifi-bulkimport-emulator.jar [options]
              --deployment milvus|zilliz-cloud  which server to be (default milvus)
              --host ADDRESS              address to listen on (default 127.0.0.1)
              --port N                    port (default 19530; 0 picks a free one)
              --token TOKEN               the only bearer token accepted (default: any)
              --cluster-id ID             Zilliz: the only cluster accepted (default: any)
              --collections a,b,c         collections that exist (default: every name)
              --schemas FILE              collection schemas: {"name": {the data of its collections/describe answer}, ...}
                                          (default for any other: auto-ID Int64 id, FloatVector(8) vector, dynamic field on)
              --bucket DIR                the folder jobs read their files from; a file missing there or breaking its
                                          collection's schema fails its job as Milvus would (default: files are not read)
              --import-seconds S          time from Pending to Completed (default 3, decimals allowed): a job's overhead
              --seconds-per-file S        and more for each of its files (default 0)
              --fail-marker TEXT          files whose path contains TEXT fail (default bad-schema)
              --max-active-jobs N         unfinished jobs before the job-limit error (default 1024)
              --idempotency true|false    honour Idempotency-Key (default true)
              --strict-actions true|false refuse a repeated commit and an abort of a Failed job, as servers did
                                          before Milvus answered both with success (default false)
              --record N                  requests kept for GET /_emulator/requests (default 10000)
              --fault SPEC                queue a fault, repeatable: type[,times=N][,path=create][,retryAfter=S][,delayMs=M]
                                          types: http500 http502 http503 http429 job_limit rate_limit non_json huge_body
                                                 drop slow lost_reply truncated echo_secrets drip huge_declared
                                                 hostile_values secret_job_id cut_json shifted_page
            At run time: POST /_emulator/faults {"type":"http503","times":3,"path":"create"},
            GET /_emulator/requests, GET /_emulator/jobs, POST /_emulator/reset, GET /_emulator/health.
            """;

    private EmulatorMain() {
    }

    public static void main(final String[] args) throws Exception {
        final ImportApiEmulator.Builder builder = ImportApiEmulator.builder().port(19530);
        for (int i = 0; i < args.length; i++) {
            final String option = args[i];
            if ("--help".equals(option) || "-h".equals(option)) {
                System.out.print(USAGE);
                return;
            }
            if (i + 1 >= args.length) {
                fail("missing value after " + option);
            }
            final String value = args[++i];
            switch (option) {
                case "--deployment" -> builder.deployment(Deployment.parse(value));
                case "--host" -> builder.address(InetAddress.getByName(value));
                case "--port" -> builder.port(Integer.parseInt(value));
                case "--token" -> builder.token(value);
                case "--cluster-id" -> builder.clusterId(value);
                case "--collections" -> builder.collections(value.split(","));
                case "--schemas" -> builder.schemas(CollectionSchemas.parse(Files.readString(Path.of(value))));
                case "--bucket" -> builder.bucket(Path.of(value));
                case "--import-seconds" -> builder.importDuration(Duration.ofMillis(Math.round(Double.parseDouble(value) * 1_000)));
                case "--seconds-per-file" -> builder.importPerFile(Duration.ofNanos(Math.round(Double.parseDouble(value) * 1e9)));
                case "--fail-marker" -> builder.failureMarker(value);
                case "--max-active-jobs" -> builder.maxActiveJobs(Integer.parseInt(value));
                case "--idempotency" -> builder.idempotency(Boolean.parseBoolean(value));
                case "--strict-actions" -> builder.strictActions(Boolean.parseBoolean(value));
                case "--record" -> builder.recordLimit(Integer.parseInt(value));
                case "--fault" -> builder.fault(Fault.parse(value));
                default -> fail("unknown option " + option);
            }
        }
        final ImportApiEmulator emulator = builder.start();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }));
        System.out.println("Bulk-import emulator (" + emulator.config().deployment() + ") listening on " + emulator.url());
        System.out.flush();
        stopped.await();
    }

    private static void fail(final String message) {
        System.err.println(message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
