package io.github.bulkimport.systemtest;

import io.github.bulkimport.emulator.Deployment;
import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.emulator.Job;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upgrade in a real NiFi: the committed {@code flows/bulk-import-after-upload.json} runs on the bundle at
 * version A, with flowfiles queued before TriggerBulkImport and jobs in flight behind it, a listing made;
 * NiFi is stopped, the NARs replaced by version B, NiFi started again. Every component comes back on B,
 * none a ghost; TriggerBulkImport's job memory and ListBulkImportJobs' listing memory are as they were; every
 * flowfile ends imported, each with one job. Until a release exists, A is this build under another version
 * ({@link NarVersion}) and B this build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpgradeIT {

    static final String VERSION_A = "0.0.1-upgrade-test";
    private static final String TOKEN = "root:Milvus-upgrade-test";
    private static final String COLLECTION = "upgrade";
    private static final int IN_FLIGHT = 6;
    private static final int QUEUED = 4;
    private static final String BUNDLE = "io.github.bulkimport:nifi-bulkimport-nar:";
    private static final String LIST_TYPE = "io.github.bulkimport.nifi.processors.listing.ListBulkImportJobs";
    private static final String COMMIT_TYPE = "io.github.bulkimport.nifi.processors.action.CommitBulkImport";
    private static final String ABORT_TYPE = "io.github.bulkimport.nifi.processors.action.AbortBulkImport";

    private ImportApiEmulator emulator;
    private NiFiInstance nifi;
    private Path instance;
    private List<Path> narsB;
    private List<Path> narsA;

    @BeforeAll
    void buildVersionAAndStartNiFiOnIt() throws Exception {
        // long enough that the jobs are still importing when NiFi goes down, short enough to finish while it is down
        emulator = ImportApiEmulator.builder().deployment(Deployment.MILVUS).token(TOKEN).importDuration(Duration.ofSeconds(30)).start();
        final Path root = Path.of(System.getProperty("nifi.instance.dir") + "-upgrade");
        NiFiInstance.delete(root);
        instance = root.resolve("nifi");
        narsB = NiFiInstance.narsIn(Path.of(System.getProperty("bulkimport.nars")));
        narsA = new ArrayList<>();
        for (final Path nar : narsB) {
            narsA.add(NarVersion.rewrite(nar, VERSION_A, root.resolve("version-a")));
        }
        nifi = NiFiInstance.prepare(Path.of(System.getProperty("nifi.runtime.home")), instance, narsA, "upgrade-test");
        nifi.start(Duration.ofMinutes(4));
        nifi.rest().awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (nifi != null) {
            nifi.stop();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private List<Job> jobs() {
        return emulator.jobs().stream().filter(job -> job.collection().equals(COLLECTION)).toList();
    }

    @Test
    void aFlowInFlightOnVersionAGoesOnOnVersionBLosingAndDoublingNothing() throws Exception {
        NiFiRestClient rest = nifi.rest();
        final BulkImportFlow flow = BulkImportFlow.create(rest, rest.rootGroupId(), 0, 0,
                new BulkImportFlow.Settings(COLLECTION, emulator.url(), TOKEN, COLLECTION, "milvus-bucket", Duration.ofMillis(500)));
        final String definition = rest.parentGroupOf(flow.triggerId());
        final String list = rest.createProcessor(definition, LIST_TYPE, "ListBulkImportJobs", 1100, 1240,
                Map.of("Connection Service", flow.serviceId(), "Collection Name", COLLECTION), Map.of(), List.of());
        final String listed = rest.connect(definition, list, rest.createFunnel(definition, 1156, 1500), "FUNNEL", List.of("success"), null);
        // every component of the bundle in the flow: the two actions stand by, stopped
        for (final String type : List.of(COMMIT_TYPE, ABORT_TYPE)) {
            rest.createProcessor(definition, type, type.substring(type.lastIndexOf('.') + 1), 1700, type.equals(COMMIT_TYPE) ? 1240 : 1500,
                    Map.of("Connection Service", flow.serviceId()), Map.of(), List.of("success", "retry", "failure"));
        }
        assertBundle(rest, definition, VERSION_A);

        flow.generate(rest, IN_FLIGHT);
        flow.start(rest);
        awaitJobs(IN_FLIGHT);
        rest.setProcessorState(flow.triggerId(), "STOPPED");
        flow.generate(rest, QUEUED);
        BulkImportFlow.awaitQueued(rest, flow.toTrigger(), QUEUED, Duration.ofSeconds(60));
        rest.runOnce(list, Duration.ofSeconds(30));
        BulkImportFlow.awaitQueued(rest, listed, IN_FLIGHT, Duration.ofSeconds(30));
        final Set<String> listedBefore = rest.queuedAttributes(listed).stream().map(a -> a.get("bulkimport.job.id")).collect(Collectors.toSet());
        rest.emptyQueue(listed);
        final Map<String, String> jobMemory = rest.state(flow.triggerId());
        final Map<String, String> listingMemory = rest.state(list);
        assertEquals(IN_FLIGHT, jobMemory.keySet().stream().filter(key -> key.startsWith("k.")).count(), jobMemory.toString());
        assertTrue(listingMemory.containsKey("listed.at"), listingMemory.toString());
        assertTrue(jobs().stream().noneMatch(job -> job.snapshot(System.currentTimeMillis()).finished()), "jobs in flight as NiFi goes down");

        nifi.awaitFlowSaved(flow.progressId(), "RUNNING", Duration.ofSeconds(20));
        nifi.stop();
        for (final Path nar : narsA) {
            Files.delete(instance.resolve("extensions").resolve(nar.getFileName()));
        }
        nifi = NiFiInstance.prepare(Path.of(System.getProperty("nifi.runtime.home")), instance, narsB, "upgrade-test");
        final Duration restart = nifi.start(Duration.ofMinutes(4));
        System.out.printf("NiFi came back on version %s in %.1f s%n", NarVersion.of(narsB.getFirst()), restart.toMillis() / 1000.0);
        rest = nifi.rest();
        rest.awaitProcessorType(BulkImportFlow.TRIGGER_TYPE, Duration.ofSeconds(60));

        assertBundle(rest, definition, NarVersion.of(narsB.getFirst()));
        final Map<String, String> jobMemoryAfter = rest.state(flow.triggerId());
        jobMemory.forEach((key, value) -> assertEquals(value, jobMemoryAfter.get(key), "job memory entry " + key + " carried over"));
        assertEquals(listingMemory, rest.state(list), "listing memory carried over");

        rest.setProcessorState(flow.triggerId(), "RUNNING");
        BulkImportFlow.awaitQueued(rest, flow.done(), IN_FLIGHT + QUEUED, Duration.ofMinutes(3));
        assertEquals(IN_FLIGHT + QUEUED, rest.queued(flow.done()), "nothing lost, nothing doubled");
        assertEquals(0, rest.queued(flow.notStarted()));
        assertEquals(0, rest.queued(flow.failed()));
        assertEquals(IN_FLIGHT + QUEUED, jobs().size(), "one job per flowfile: the jobs in flight were not started again");
        final Set<String> doneJobs = new HashSet<>();
        rest.queuedAttributes(flow.done()).forEach(attributes -> doneJobs.add(attributes.get("bulkimport.job.id")));
        assertEquals(jobs().stream().map(Job::id).collect(Collectors.toSet()), doneJobs);

        // the listing remembers what it had listed: those jobs come again only as changes, with the state seen before
        rest.runOnce(list, Duration.ofSeconds(30));
        BulkImportFlow.awaitQueued(rest, listed, IN_FLIGHT + QUEUED, Duration.ofSeconds(30));
        for (final Map<String, String> job : rest.queuedAttributes(listed)) {
            assertEquals(listedBefore.contains(job.get("bulkimport.job.id")), job.containsKey("bulkimport.previous.state"), job.toString());
        }
    }

    /** Every component of the bundle in the definition's group loaded from the bundle at {@code version}, none a ghost. */
    private static void assertBundle(final NiFiRestClient rest, final String group, final String version) throws Exception {
        final List<NiFiRestClient.Loaded> ours = rest.loaded(group).stream().filter(loaded -> loaded.type().startsWith("io.github.bulkimport.")).toList();
        assertEquals(7, ours.size(), ours.toString());
        for (final NiFiRestClient.Loaded loaded : ours) {
            assertFalse(loaded.ghost(), loaded + " is a ghost");
            assertEquals(BUNDLE + version, loaded.bundle(), loaded.toString());
        }
    }

    private void awaitJobs(final int count) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (jobs().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(count, jobs().size());
    }
}
