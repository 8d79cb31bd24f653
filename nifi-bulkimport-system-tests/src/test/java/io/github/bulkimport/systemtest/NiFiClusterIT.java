package io.github.bulkimport.systemtest;

import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.Fault;
import io.github.bulkimport.emulator.FaultType;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundle in a real 2-node NiFi 2.3.0 cluster on loopback, against the emulator: work spread over
 * both nodes, a node killed mid-flow, the primary node killed during a listing, and ZooKeeper gone
 * for a while.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NiFiClusterIT {

    private static final String TOKEN = "root:Milvus-cluster-test";
    private static final Duration FLOW_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(4);
    private static final String LIST_TYPE = "io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs";
    /** Milvus's default database, named so that the listing's calls can be told apart from the polls' (which name none). */
    private static final String LISTING_DATABASE = "default";

    private ImportApiEmulator emulator;
    private NiFiCluster cluster;
    private String root;

    @BeforeAll
    void startClusterAndEmulator() throws Exception {
        emulator = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(2))
                .maxActiveJobs(100_000).recordLimit(100_000).start();
        final Path directory = Path.of(System.getProperty("nifi.instance.dir") + "-cluster");
        NiFiInstance.delete(directory);
        cluster = NiFiCluster.prepare(Path.of(System.getProperty("nifi.runtime.home")), directory,
                NiFiInstance.narsIn(Path.of(System.getProperty("bulkimport.nars"))));
        final Duration startup = cluster.start(NODE_TIMEOUT);
        System.out.printf("CLUSTER: 2 nodes connected %.1f s after start%n", startup.toMillis() / 1000.0);
        cluster.rest().awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
        root = cluster.rest().rootGroupId();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private BulkImportFlow flow(final String collection, final double y) throws Exception {
        final BulkImportFlow flow = BulkImportFlow.create(cluster.rest(), root, 0, y,
                new BulkImportFlow.Settings(collection, emulator.url(), TOKEN, collection, "milvus-bucket", Duration.ofMillis(500)));
        flow.spreadOverCluster(cluster.rest());
        return flow;
    }

    private List<Job> jobs(final String collection) {
        return emulator.jobs().stream().filter(job -> job.collection().equals(collection)).toList();
    }

    /** No uploaded object is in two jobs: every flowfile names its own object here. */
    private void assertEveryObjectInOneJob(final String collection) {
        final Map<String, Integer> jobsPerFile = new HashMap<>();
        jobs(collection).forEach(job -> job.files().forEach(group -> group.forEach(file -> jobsPerFile.merge(file, 1, Integer::sum))));
        jobsPerFile.forEach((file, count) -> assertEquals(1, count, file + " is in " + count + " jobs"));
    }

    @Test
    @Order(1)
    void uploadsOnThePrimarySpreadOverBothNodesOneJobEach() throws Exception {
        final NiFiRestClient rest = cluster.rest();
        final BulkImportFlow flow = flow("cluster_happy", 0);
        final int made = flow.generateOnPrimary(rest, 40);
        flow.start(rest);

        BulkImportFlow.awaitQueued(rest, flow.done(), made, FLOW_TIMEOUT);

        assertEquals(made, jobs("cluster_happy").size(), "one job per flowfile");
        assertEveryObjectInOneJob("cluster_happy");
        final Set<String> jobIds = rest.queuedAttributes(flow.done()).stream().map(a -> a.get("bulkimport.job.id")).collect(Collectors.toSet());
        assertEquals(made, jobIds.size());
        final Map<Integer, Integer> byNode = rest.flowFilesInByNode(flow.triggerId());
        assertEquals(2, byNode.size(), "two nodes report: " + byNode);
        assertTrue(byNode.values().stream().allMatch(in -> in > 0), "both nodes started jobs: " + byNode);
        final Map<String, Long> counters = rest.counters();
        assertEquals((long) made, counters.get("Bulk-import jobs started"));
        final long writes = counters.getOrDefault("Bulk-import job memory writes", 0L);
        System.out.printf("CLUSTER: %d flowfiles; taken by TriggerBulkImport on each node %s times (one held back and taken again counts twice); "
                        + "job memory writes=%d (%.0f per 1,000 flowfiles), all in each node's local state%n",
                made, byNode.values(), writes, writes * 1000.0 / made);
    }

    @Test
    @Order(2)
    void aNodeKilledMidFlowLosesNothingAndDoublesNothing() throws Exception {
        final BulkImportFlow flow = flow("cluster_node_crash", 1000);
        // slow answers stretch the starting phase, so that the node dies with jobs both started and not
        emulator.faults().add(new Fault(FaultType.SLOW, 30, "create", -1, 300));
        final int made = flow.generateOnPrimary(cluster.rest(), 60);
        flow.start(cluster.rest());
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (jobs("cluster_node_crash").size() < 15 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        final int victim = 1 - cluster.primary();
        final int startedAtKill = jobs("cluster_node_crash").size();
        cluster.node(victim).kill();
        final Duration back = cluster.node(victim).start(NODE_TIMEOUT);
        cluster.awaitConnected(2, NODE_TIMEOUT);
        System.out.printf("CLUSTER: node %d killed with %d of %d jobs started, back and connected %.1f s later%n", victim + 1,
                startedAtKill, made, back.toMillis() / 1000.0);

        BulkImportFlow.awaitQueued(cluster.rest(), flow.done(), made, FLOW_TIMEOUT);
        assertEquals(0, cluster.rest().queued(flow.notStarted()));
        assertEquals(0, cluster.rest().queued(flow.failed()));
        assertEveryObjectInOneJob("cluster_node_crash");
        assertEquals(made, jobs("cluster_node_crash").size(), "no second job for a replayed flowfile");
        assertEquals(made, cluster.rest().queued(flow.done()), "nothing lost, nothing doubled");
        emulator.faults().clear();
    }

    private void awaitPrimaryOtherThan(final int node) throws InterruptedException, IOException {
        final long deadline = System.nanoTime() + NODE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (cluster.primary() != node) {
                    return;
                }
            } catch (final IOException noPrimaryYet) {
                // the election is under way
            }
            Thread.sleep(500);
        }
        throw new IOException("node " + (node + 1) + " is still the primary node after " + NODE_TIMEOUT);
    }

    /** A listing of one collection's jobs on the primary node, every second, into a funnel. */
    private String listing(final NiFiRestClient rest, final String collection, final double y) throws IOException {
        final String group = rest.createProcessGroup(root, "listing " + collection, 0, y);
        final String service = rest.createControllerService(group, BulkImportFlow.SERVICE_TYPE, "Milvus connection", Map.of(
                "Deployment", "MILVUS", "Endpoint URL", emulator.url(), "API Key or Token", TOKEN, "Response Timeout", "15 secs"));
        rest.enableControllerService(service, Duration.ofSeconds(30));
        final String list = rest.createProcessor(group, LIST_TYPE, "ListBulkImportJobs", 480, 40,
                Map.of("Connection Service", service, "Collection Name", collection, "Database Name", LISTING_DATABASE, "Output Mode", "Changes Only"),
                Map.of("schedulingPeriod", "1 sec", "executionNode", "PRIMARY", "yieldDuration", "1 sec"), List.of());
        final String funnel = rest.createFunnel(group, 636, 300);
        final String listed = rest.connect(group, list, funnel, "FUNNEL", List.of("success"), new double[] {656, 234});
        rest.setProcessorState(list, "RUNNING");
        return listed;
    }

    /** List calls made by ListBulkImportJobs, told apart from GetBulkImportProgress's by the database the listing names. */
    private int listingCalls() {
        return (int) emulator.requests("list").stream().filter(call -> call.body().contains("\"dbName\":\"" + LISTING_DATABASE + "\"")).count();
    }

    /** Every (job, state) the listing emitted, counted. */
    private static Map<String, Integer> emitted(final NiFiRestClient rest, final String listed) throws IOException {
        final Map<String, Integer> pairs = new HashMap<>();
        for (final Map<String, String> attributes : rest.queuedAttributes(listed)) {
            pairs.merge(attributes.get("bulkimport.job.id") + " " + attributes.get("bulkimport.state"), 1, Integer::sum);
        }
        return pairs;
    }

    @Test
    @Order(3)
    void thePrimaryKilledDuringAListingIsReplacedWithoutRepeatsOrGaps() throws Exception {
        final BulkImportFlow flow = flow("cluster_listing", 2000);
        final int first = flow.generateOnPrimary(cluster.rest(), 6);
        flow.start(cluster.rest());
        BulkImportFlow.awaitQueued(cluster.rest(), flow.done(), first, FLOW_TIMEOUT);
        final String listed = listing(cluster.rest(), "cluster_listing", 2800);
        BulkImportFlow.awaitQueued(cluster.rest(), listed, first, FLOW_TIMEOUT);

        // new jobs will change state while the primary is down; the next listing answer takes 4 s
        final int second = flow.generateOnPrimary(cluster.rest(), 6);
        final CountDownLatch listingInFlight = new CountDownLatch(1);
        emulator.onRequest(operation -> {
            // called before the request is handled: while the fault is pending, this is the listing it slows down
            if ("list".equals(operation) && !emulator.faults().pending().isEmpty()) {
                listingInFlight.countDown();
            }
        });
        emulator.faults().add(new Fault(FaultType.SLOW, 1, "list", -1, 4_000));
        assertTrue(listingInFlight.await(60, TimeUnit.SECONDS), "the primary listed again");
        emulator.onRequest(null);
        final int primary = cluster.primary();
        cluster.node(primary).kill();
        final long killedAt = System.nanoTime();
        awaitPrimaryOtherThan(primary);
        System.out.printf("CLUSTER: primary node %d killed during a listing; node %d primary %.1f s later%n", primary + 1, 2 - primary,
                (System.nanoTime() - killedAt) / 1e9);
        cluster.node(primary).start(NODE_TIMEOUT);
        cluster.awaitConnected(2, NODE_TIMEOUT);
        BulkImportFlow.awaitQueued(cluster.rest(), flow.done(), first + second, FLOW_TIMEOUT);

        // every job's final state is emitted once; nothing the dead primary had committed is emitted again
        final long deadline = System.nanoTime() + FLOW_TIMEOUT.toNanos();
        Map<String, Integer> pairs = emitted(cluster.rest(), listed);
        final Set<String> finals = jobs("cluster_listing").stream().map(job -> job.id() + " Completed").collect(Collectors.toSet());
        while (!pairs.keySet().containsAll(finals) && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            pairs = emitted(cluster.rest(), listed);
        }
        assertEquals(first + second, finals.size());
        assertTrue(pairs.keySet().containsAll(finals), "every job's final state was emitted: " + pairs.keySet());
        final Map<String, Integer> repeated = new HashMap<>(pairs);
        repeated.values().removeIf(count -> count == 1);
        assertTrue(repeated.isEmpty(), "emitted more than once: " + repeated);
    }

    @Test
    @Order(4)
    void withZooKeeperGoneImportsGoOnAndTheListingCatchesUpAfterwards() throws Exception {
        final NiFiRestClient rest = cluster.rest();
        final BulkImportFlow flow = flow("cluster_no_zookeeper", 4000);
        flow.start(rest);
        final String listed = listing(rest, "cluster_no_zookeeper", 4800);
        // slow answers keep the imports going while ZooKeeper is away (the REST API needs it: nothing is changed meanwhile)
        emulator.faults().add(new Fault(FaultType.SLOW, 10, "create", -1, 1_000));
        final int made = flow.generateOnPrimary(rest, 10);
        final int listsBefore = listingCalls();
        final int jobsBefore = jobs("cluster_no_zookeeper").size();

        cluster.zooKeeper().stop();
        Thread.sleep(15_000);
        final int startedDuring = jobs("cluster_no_zookeeper").size() - jobsBefore;
        final int listsDuring = listingCalls() - listsBefore;
        cluster.zooKeeper().start(Duration.ofSeconds(30));
        System.out.printf("CLUSTER: ZooKeeper down 15 s: %d of %d jobs started meanwhile, %d listings meanwhile%n", startedDuring, made, listsDuring);

        cluster.awaitConnected(2, NODE_TIMEOUT);
        BulkImportFlow.awaitQueued(rest, flow.done(), made, FLOW_TIMEOUT);
        final Set<String> finals = jobs("cluster_no_zookeeper").stream().map(job -> job.id() + " Completed").collect(Collectors.toSet());
        final long deadline = System.nanoTime() + FLOW_TIMEOUT.toNanos();
        Map<String, Integer> pairs = emitted(rest, listed);
        while (!pairs.keySet().containsAll(finals) && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            pairs = emitted(rest, listed);
        }
        assertTrue(startedDuring > 0, "the nodes went on starting jobs without ZooKeeper");
        assertEquals(made, finals.size(), "one job per flowfile");
        assertEquals(made, rest.queued(flow.done()), "nothing lost");
        assertTrue(pairs.keySet().containsAll(finals), "the listing caught up: " + pairs.keySet());
        assertTrue(pairs.values().stream().allMatch(count -> count == 1), "emitted once each: " + pairs);
        assertEveryObjectInOneJob("cluster_no_zookeeper");
        emulator.faults().clear();
    }

    /**
     * The all-or-nothing recipe with the files of a dataset spread over both nodes: MergeContent's input
     * is partitioned by fragment.identifier, so every fragment meets in one bin and the good dataset is
     * committed whole (merged on the node where half of them are, it would wait for the others until
     * Max Bin Age and be aborted).
     */
    @Test
    @Order(5)
    void aDatasetWhoseFilesEndOnBothNodesIsCommittedWhole() throws Exception {
        final NiFiRestClient rest = cluster.rest();
        final DatasetFlow flow = DatasetFlow.create(rest, root, 0, 5200,
                new BulkImportFlow.Settings("cluster_dataset", emulator.url(), TOKEN, "cluster_dataset", "milvus-bucket", Duration.ofMillis(500)), true);
        final List<String> files = List.of("d/part-1.parquet", "d/part-2.parquet", "d/part-3.parquet", "d/part-4.parquet", "d/part-5.parquet",
                "d/part-6.parquet");
        flow.importDataset(rest, files);

        BulkImportFlow.awaitQueued(rest, flow.committed(), 1, FLOW_TIMEOUT);
        final Map<String, String> committed = rest.queuedAttributes(flow.committed()).getFirst();
        assertEquals(String.join(", ", java.util.Collections.nCopies(files.size(), "committed")), committed.get("bulkimport.action"));
        assertEquals(files.size(), jobs("cluster_dataset").size(), "one job per file");
        assertTrue(jobs("cluster_dataset").stream().allMatch(job -> job.committedAt() >= 0 && !job.aborted()), "every job committed, none aborted");
        assertEquals(0, rest.queued(flow.aborted()));
        assertEquals(0, flow.needingAttention(rest));
        final Map<Integer, Integer> byNode = rest.flowFilesInByNode(flow.triggerId());
        assertTrue(byNode.size() == 2 && byNode.values().stream().allMatch(in -> in > 0), "the dataset's files were started on both nodes: " + byNode);
        System.out.printf("CLUSTER: a dataset of %d files started on both nodes (%s) committed whole%n", files.size(), byNode.values());
    }

    @Test
    @Order(6)
    void throughputOfTriggerBulkImportInTheCluster() throws Exception {
        final BulkImportFlow flow = flow("cluster_throughput", 6000);
        flow.generateBatchOnPrimary(cluster.rest(), 2_000);
        final double perSecond = flow.triggerThroughput(cluster.rest(), 2_000);
        System.out.printf("THROUGHPUT cluster (2 nodes, same 2 cores): TriggerBulkImport %.0f flowfiles/s (2,000 flowfiles, defaults)%n", perSecond);
        assertEquals(2_000, jobs("cluster_throughput").size());
    }
}
