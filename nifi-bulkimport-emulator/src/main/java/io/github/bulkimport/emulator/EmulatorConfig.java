package io.github.bulkimport.emulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * How an emulator behaves. Build with {@link ImportApiEmulator#builder()}.
 *
 * @param deployment       Milvus or Zilliz Cloud
 * @param address          where to listen (loopback by default)
 * @param port             0 picks a free port
 * @param token            the only bearer token accepted, or {@code null} to accept any (Milvus with authentication off)
 * @param clusterId        Zilliz Cloud: the only cluster accepted, or {@code null} for any
 * @param collections      collections that exist, or empty when every name exists
 * @param importDuration   how long a job takes from Pending to Completed: its fixed overhead
 * @param importPerFile    and how much longer for each file it holds
 * @param failureMarker    a job whose file paths contain this text fails halfway, with a schema error
 * @param maxActiveJobs    beyond this many unfinished jobs, {@code create} answers the job-limit error
 * @param idempotency      whether {@code Idempotency-Key} is honoured (as Milvus 2.6.24 does)
 * @param idempotencyTtl   how long a key maps to its job
 * @param recordLimit      how many requests are kept for inspection (oldest dropped first); 0 keeps none
 * @param clock            milliseconds since the epoch
 * @param strictActions    refuse a repeated commit and an abort of a Failed job, as servers did before Milvus made both succeed
 * @param schemas          collection name to the {@code data} of its {@code collections/describe} answer; others get a default schema
 * @param bucket           the folder standing for the bucket: a job reads its files there and fails as Milvus would on a file that
 *                         breaks the schema; {@code null} reads nothing
 */
public record EmulatorConfig(
        Deployment deployment,
        InetAddress address,
        int port,
        String token,
        String clusterId,
        Set<String> collections,
        Duration importDuration,
        Duration importPerFile,
        String failureMarker,
        int maxActiveJobs,
        boolean idempotency,
        Duration idempotencyTtl,
        int recordLimit,
        LongSupplier clock,
        boolean strictActions,
        Map<String, JsonNode> schemas,
        Path bucket) {
}
