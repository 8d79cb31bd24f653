package io.github.bulkimport.nifi.processors.trigger;

import io.github.bulkimport.emulator.ImportApiEmulator;
import io.github.bulkimport.nifi.processors.common.BulkImportAttributes;
import io.github.bulkimport.nifi.processors.trigger.memory.JobMemory;
import io.github.bulkimport.nifi.processors.trigger.request.ImportRequestReader;
import io.github.bulkimport.nifi.testing.Emulators;
import io.github.bulkimport.nifi.testing.Runners;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.MockProcessSession;
import org.apache.nifi.util.SharedSessionState;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Red team, 7e254ad at processor level: the started entries of a TriggerBulkImport session not yet committed are kept from size
 * pruning until its commit callback (or 5 minutes). Sessions are driven by hand ({@link Deferred} holds a run's commit) so that
 * another task's run writes between one run's remember and its commit, as with concurrent tasks.
 */
class RedTeamUncommittedProcessorTest {

    private ImportApiEmulator emulator;

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
    }

    /** A session whose commitAsync is held until {@link #commitNow()}: the window between remember and commit, made as long as wanted. */
    static final class Deferred extends MockProcessSession {
        private final List<Runnable> held = new ArrayList<>();

        Deferred(final SharedSessionState shared, final Processor processor, final TestRunner runner) {
            super(shared, processor, true, runner.getStateManager(), true, false);
        }

        @Override
        public void commitAsync(final Runnable onSuccess, final Consumer<Throwable> onFailure) {
            held.add(onSuccess == null ? () -> { } : onSuccess);
        }

        @Override
        public void commitAsync() {
            held.add(() -> { });
        }

        void commitNow() {
            for (final Runnable callback : held) {
                super.commitAsync(callback, null);
            }
            if (held.isEmpty()) {
                super.commitAsync();
            }
        }
    }

    private TestRunner runner(final TriggerBulkImport processor, final int memorySize, final String maxPerJob) {
        final TestRunner runner = Runners.milvus(processor, emulator.url());
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        if (maxPerJob != null) {
            runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, maxPerJob);
        }
        runner.setProperty(BatchTaker.MAX_BATCH_WAIT, "0 sec");
        runner.setProperty(JobMemory.SIZE, String.valueOf(memorySize));
        // @OnScheduled, on an empty queue
        runner.run(1, false, true);
        runner.clearTransferState();
        return runner;
    }

    private static Map<String, String> upload(final String name) {
        return Map.of("s3.bucket", "b", "s3.key", name + ".parquet", "s3.etag", "etag-" + name);
    }

    private static List<MockFlowFile> enqueue(final TestRunner runner, final String prefix, final int n) {
        final List<MockFlowFile> originals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            originals.add(runner.enqueue(new byte[0], upload(prefix + i)));
        }
        return originals;
    }

    /** The state a runner's sessions share (its queue, counters, provenance), for a session of a test's own making. */
    static SharedSessionState sharedState(final TestRunner runner) throws ReflectiveOperationException {
        final Field shared = runner.getProcessSessionFactory().getClass().getDeclaredField("sharedState");
        shared.setAccessible(true);
        return (SharedSessionState) shared.get(runner.getProcessSessionFactory());
    }

    private static Deferred session(final TestRunner runner, final TriggerBulkImport processor) throws ReflectiveOperationException {
        return new Deferred(sharedState(runner), processor, runner);
    }

    private static Deferred trigger(final TestRunner runner, final TriggerBulkImport processor) throws ReflectiveOperationException {
        final Deferred session = session(runner, processor);
        processor.onTrigger(runner.getProcessContext(), session);
        return session;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Long> uncommitted(final TriggerBulkImport processor) throws ReflectiveOperationException {
        final Field memoryField = TriggerBulkImport.class.getDeclaredField("jobMemory");
        memoryField.setAccessible(true);
        final JobMemory memory = (JobMemory) memoryField.get(processor);
        final Field map = JobMemory.class.getDeclaredField("uncommitted");
        map.setAccessible(true);
        return (Map<String, Long>) map.get(memory);
    }

    private static Map<String, String> state(final TestRunner runner) throws IOException {
        return runner.getStateManager().getState(Scope.LOCAL).toMap();
    }

    private static long startedIn(final Map<String, String> stored) {
        return stored.entrySet().stream().filter(e -> e.getKey().startsWith("k.") && !e.getValue().startsWith("?")).count();
    }

    private static Set<String> jobsOf(final List<MockFlowFile> flowFiles) {
        return flowFiles.stream().map(f -> f.getAttribute(BulkImportAttributes.JOB_ID)).collect(Collectors.toSet());
    }

    // ------------------------------------------------------------------ held

    /**
     * Task A's run starts more jobs than Job Memory Size (2) and never commits; task B's run starts its own burst and commits, and
     * another task's run writes again; A's session then rolls back in the same JVM: its flowfiles come back without attributes and
     * must re-attach, not start new jobs. (MockProcessSession.rollback puts back the transferred, modified flowfiles, not the
     * originals: the originals are enqueued instead, as NiFi's rollback would give them back.) Max Flowfiles per Job 1 (started
     * entries only) and batching (marks, then started entries). Fails on a9cbeb0 (B's write pruned A's entries), passes on 7e254ad.
     */
    @ParameterizedTest(name = "Max Flowfiles per Job {0}")
    @ValueSource(strings = {"1", "4"})
    void aRunRolledBackAfterAnotherTasksBurstReattachesEveryFlowFile(final String maxPerJob) throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = runner(processor, 2, maxPerJob);

        final List<MockFlowFile> originals = enqueue(runner, "a", 5);
        final Deferred a = trigger(runner, processor);
        assertTrue(emulator.jobCount() >= 1, "A started its jobs");
        assertEquals(5, a.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size());
        enqueue(runner, "b", 5);
        final Deferred b = trigger(runner, processor);
        b.commitNow();
        enqueue(runner, "c", 1);
        trigger(runner, processor).commitNow();
        assertEquals(5, b.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size(), "B's committed");
        final int jobsBefore = emulator.jobCount();

        // A rolls back: its session is dropped, its flowfiles come back as they were
        originals.forEach(runner::enqueue);
        runner.run(1, false, false);

        runner.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 5);
        runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(f -> f.assertAttributeEquals(BulkImportAttributes.REATTACHED, "true"));
        assertEquals(jobsBefore, emulator.jobCount(), "no second job for A's flowfiles: " + state(runner));
        assertEquals(5, uncommitted(processor).size(), "A's entries stay protected (until 5 minutes): its session never said it committed");
    }

    /** The same, as a JVM crash: the state as it stood after B's write, a new processor, A's flowfiles replayed. */
    @ParameterizedTest(name = "Max Flowfiles per Job {0}")
    @ValueSource(strings = {"1", "4"})
    void aCrashAfterAnotherTasksBurstReattachesEveryFlowFileOnANewNode(final String maxPerJob) throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = runner(processor, 2, maxPerJob);

        final List<MockFlowFile> originals = enqueue(runner, "a", 5);
        trigger(runner, processor); // never commits: NiFi dies
        enqueue(runner, "b", 5);
        trigger(runner, processor).commitNow();
        enqueue(runner, "c", 1);
        trigger(runner, processor).commitNow(); // one more write of another task, still before A's commit
        final Map<String, String> atCrash = state(runner);
        final int jobsBefore = emulator.jobCount();

        final TriggerBulkImport restarted = new TriggerBulkImport();
        final TestRunner after = runner(restarted, 2, maxPerJob);
        after.getStateManager().setState(atCrash, Scope.LOCAL);
        originals.forEach(after::enqueue);
        after.run(1, false, false);

        after.assertAllFlowFilesTransferred(TriggerRouting.REL_SUCCESS, 5);
        after.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(f -> f.assertAttributeEquals(BulkImportAttributes.REATTACHED, "true"));
        assertEquals(jobsBefore, emulator.jobCount(), "no second job: " + atCrash);
    }

    /**
     * Once A commits, the commit callback lifts its protection (Max Flowfiles per Job 1: no marks, only started entries; and with
     * batching), and the next write brings the state back within the bound. Over 30 committed runs of bursts larger than the bound,
     * {@code uncommitted} ends empty and started entries stay within max(bound, one run's burst).
     */
    @ParameterizedTest(name = "Max Flowfiles per Job {0}")
    @ValueSource(strings = {"1", "3"})
    void committedRunsLiftTheirProtectionAndKeepTheStateBounded(final String maxPerJob) throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = runner(processor, 2, maxPerJob);

        final Deferred a = trigger(runner, processor); // empty
        a.commitNow();
        enqueue(runner, "a", 4);
        final Deferred held = trigger(runner, processor);
        assertEquals(4, uncommitted(processor).size(), "A's four started entries protected");
        held.commitNow();
        assertTrue(uncommitted(processor).isEmpty(), "A's commit lifted its protection: " + uncommitted(processor));

        for (int round = 0; round < 30; round++) {
            enqueue(runner, "r" + round + "-", 3);
            trigger(runner, processor).commitNow();
            final Map<String, String> now = state(runner);
            assertTrue(startedIn(now) <= 3, "round " + round + ": " + now);
            assertTrue(uncommitted(processor).isEmpty(), "round " + round + ": " + uncommitted(processor));
        }
        assertTrue(state(runner).size() <= 3, state(runner).toString());
    }

    /** Job Memory Size 0: nothing protected, no started entry written, the run still commits its flowfiles. */
    @ParameterizedTest(name = "Max Flowfiles per Job {0}")
    @ValueSource(strings = {"1", "3"})
    void memoryOffProtectsNothingAndWritesNoStartedEntry(final String maxPerJob) throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = runner(processor, 0, maxPerJob);
        enqueue(runner, "a", 4);
        final Deferred a = trigger(runner, processor);
        assertTrue(uncommitted(processor).isEmpty());
        assertEquals(4, a.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size());
        a.commitNow();
        enqueue(runner, "b", 1);
        trigger(runner, processor).commitNow();
        assertEquals(0, startedIn(state(runner)), state(runner).toString());
        assertTrue("1".equals(maxPerJob) || state(runner).size() <= 1, "committed marks forgotten by the next write: " + state(runner));
    }

    // ------------------------------------------------------------------ broke

    /**
     * Broke (low), fixed: a flowfile re-attached from the memory writes nothing, so its run's session protects nothing: the entry it
     * re-attached through counts (and is pruned) while that session is still open. Here: A starts the job of upload u and its session
     * commits (lifting u's protection) after B has re-attached a copy u' of u and before B commits; C's burst of 3 (bound 2) prunes
     * u's entry; B's session then rolls back and u' comes back without attributes: nothing tells it the job, and a server that ignores
     * Idempotency-Key starts a second job for u. The same holds for a flowfile replayed after a crash, re-attached by the restarted
     * node, whose session rolls back again. The fix protects what a run writes (remember), not what it re-attached.
     * (Without B's rollback, a copy arriving after C's burst would also get a second job: that is the documented bound.)
     */
    @Test
    void aCopyReattachedInASessionNotYetCommittedKeepsItsEntryFromAnotherTasksBurst() throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = runner(processor, 2, "1");

        runner.enqueue(new byte[0], upload("u"));
        final Deferred a = trigger(runner, processor);
        assertEquals(1, emulator.jobCount());
        final MockFlowFile copy = runner.enqueue(new byte[0], upload("u"));
        final Deferred b = trigger(runner, processor);
        b.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).forEach(f -> f.assertAttributeEquals(BulkImportAttributes.REATTACHED, "true"));
        a.commitNow();
        enqueue(runner, "c", 3);
        trigger(runner, processor).commitNow();
        assertEquals(4, emulator.jobCount());

        // B rolls back: u' comes back as it was
        runner.enqueue(copy);
        runner.run(1, false, false);

        assertEquals(4, emulator.jobCount(), "a second job for upload u, whose copy had re-attached in a session not yet committed: " + state(runner));
    }

    /**
     * Broke (medium; predates 7e254ad, but is the promise it states), fixed by keeping the entries written in the 5 minutes before a memory was made for its first 5 minutes: the protection lives in the JobMemory object, which a restart
     * (or a Stop/Start: @OnScheduled makes a new one) drops. After a crash the state holds A's burst (5 entries, bound 2), kept by
     * the fix until the crash; the restarted node's first write (any run that starts a job before A's flowfiles are all taken)
     * prunes them down to half the bound, and A's flowfiles taken after it start second jobs. Here the new upload N is taken first,
     * as a NewestFlowFileFirst prioritizer, another incoming connection or a run's limits (100 jobs, 20,000 flowfiles, the server's
     * free job slots) can make happen; a burst of 20,000 with the default Job Memory Size of 1000 leaves 19,500 unprotected.
     */
    @Test
    void afterARestartTheFirstWriteKeepsTheEntriesOfTheCrashedRunsFlowFilesNotYetTaken() throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = runner(processor, 2, "1");
        final List<MockFlowFile> originals = enqueue(runner, "a", 5);
        trigger(runner, processor); // NiFi dies before the session commits
        final Map<String, String> atCrash = state(runner);
        assertEquals(5, startedIn(atCrash), "the fix kept A's burst until the crash");

        final TriggerBulkImport restarted = new TriggerBulkImport();
        final TestRunner after = runner(restarted, 2, "1");
        after.getStateManager().setState(atCrash, Scope.LOCAL);
        after.enqueue(new byte[0], upload("n"));
        after.run(1, false, false);
        final int jobsBefore = emulator.jobCount();
        originals.forEach(after::enqueue);
        after.run(1, false, false);

        assertEquals(jobsBefore, emulator.jobCount(), "second jobs for A's replayed flowfiles: " + state(after));
    }

    /**
     * Broke, fixed (the commit callback is registered once every flowfile is routed, whatever cut the run short): a run that meets an unexpected error after some of its jobs started is not rolled back: the run's guard routes the
     * rest (AbstractBulkImportProcessor.onTrigger) and the framework commits the session, but TriggerBulkImport.trigger never
     * reaches its commitAsync(callback), so sessionCommitted is never called. The started entries of that committed session stay
     * protected for 5 minutes: the state stays above Job Memory Size (here 3 entries over a bound of 2 after later committed
     * writes), and so does the in-memory {@code uncommitted} map. (Its pending marks, with batching, are never forgotten either,
     * until Job Memory Age: that part predates 7e254ad.)
     */
    @Test
    void aCommittedRunThatMetAnUnexpectedErrorLiftsItsProtection() throws Exception {
        emulator = Emulators.milvus().idempotency(false).start();
        final RedTeamTriggerTest.Hostile service = new RedTeamTriggerTest.Hostile();
        service.throwOnPart3 = true;
        final TriggerBulkImport processor = new TriggerBulkImport();
        final TestRunner runner = Runners.milvus(processor, emulator.url(), service);
        runner.setProperty(ImportRequestReader.COLLECTION_NAME, "documents");
        runner.setProperty(BatchTaker.MAX_FLOWFILES_PER_JOB, "1");
        runner.setProperty(RequestsInFlight.MAX_REQUESTS_IN_FLIGHT, "1");
        runner.setProperty(JobMemory.SIZE, "2");
        for (int i = 0; i < 6; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet", "s3.etag", "etag-" + i));
        }
        runner.run(1, false, true); // session committed by the framework
        assertEquals(3, runner.getFlowFilesForRelationship(TriggerRouting.REL_SUCCESS).size(), "part-0..2 started and committed");
        service.throwOnPart3 = false;

        for (int i = 10; i < 14; i++) {
            runner.enqueue(new byte[0], Map.of("s3.bucket", "b", "s3.key", "part-" + i + ".parquet", "s3.etag", "etag-" + i));
            runner.run(1, false, false);
        }
        final Map<String, String> now = state(runner);
        assertTrue(uncommitted(processor).isEmpty(), "every session has committed, yet protected: " + uncommitted(processor).keySet());
        assertTrue(startedIn(now) <= 2, "every session committed, yet " + startedIn(now) + " started entries over a bound of 2: " + now);
    }
}
