package io.github.bulkimport.nifi.processors.trigger.memory;

import io.github.bulkimport.nifi.processors.trigger.TriggerBulkImport;
import io.github.bulkimport.nifi.api.ImportFile;
import io.github.bulkimport.nifi.api.ImportTarget;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobMemoryTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final MockStateManager state = new MockStateManager(new TriggerBulkImport());

    private JobMemory memory(final int size, final Duration age, final Instant now) {
        return new JobMemory(state, Scope.LOCAL, size, age, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static RememberedJob job(final String id, final long at) {
        return new RememberedJob(id, at, 0, 1);
    }

    @Test
    void remembersAndForgetsByAge() throws IOException {
        memory(10, Duration.ofHours(1), NOW).remember(Map.of("a", job("job-1", NOW.toEpochMilli())));

        assertEquals(Optional.of(job("job-1", NOW.toEpochMilli())), memory(10, Duration.ofHours(1), NOW).snapshot().recall("a"));
        assertTrue(memory(10, Duration.ofHours(1), NOW.plus(Duration.ofMinutes(61))).snapshot().recall("a").isEmpty(), "too old");
        assertTrue(memory(10, Duration.ofHours(1), NOW).snapshot().recall("b").isEmpty());
        state.assertStateEquals("k.a", "job-1|" + NOW.toEpochMilli() + "|0|1", Scope.LOCAL);
    }

    @Test
    void prunesTheOldestButNeverTheEntriesBeingAdded() throws IOException {
        // made 10 minutes after the entries' jobs started: none of them is from just before it, as a crash's could be
        final JobMemory memory = memory(4, Duration.ofDays(1), NOW.plus(Duration.ofMinutes(10)));
        for (int i = 0; i < 4; i++) {
            memory.remember(Map.of("old" + i, job("job-" + i, NOW.toEpochMilli() - 1_000 + i)));
            memory.sessionCommitted(List.of("old" + i));
        }
        assertEquals(4, state.getState(Scope.LOCAL).toMap().size());

        final Map<String, RememberedJob> batch = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            batch.put("new" + i, new RememberedJob("job-batch", NOW.toEpochMilli(), i, 6));
        }
        memory.remember(batch);

        final Map<String, String> stored = state.getState(Scope.LOCAL).toMap();
        assertEquals(6, stored.size(), "every entry of the batch kept, every older one dropped: " + stored);
        batch.keySet().forEach(key -> assertTrue(stored.containsKey("k." + key)));
    }

    @Test
    void theFirstWriteIsACompareAndSetToo() throws IOException {
        // another writer got in between this writer's read and its write of the empty state
        final StateMap empty = state.getState(Scope.LOCAL);
        state.setState(Map.of("k.other", "job-9|" + NOW.toEpochMilli() + "|0|1"), Scope.LOCAL);
        assertTrue(!state.replace(empty, Map.of("k.mine", "x"), Scope.LOCAL), "a stale empty state must not be replaced");

        memory(10, Duration.ofHours(1), NOW).remember(Map.of("mine", job("job-1", NOW.toEpochMilli())));

        final Map<String, String> stored = state.getState(Scope.LOCAL).toMap();
        assertEquals(2, stored.size(), "both writers' entries survive: " + stored);
    }

    @Test
    void foreignKeysShorterThanThePrefixDoNotBreakPruning() throws IOException {
        state.setState(Map.of("k", "x", "", "y", "other", "z"), Scope.LOCAL);
        final JobMemory memory = memory(2, Duration.ofDays(1), NOW);
        for (int i = 0; i < 5; i++) {
            memory.remember(Map.of("e" + i, job("job-" + i, NOW.toEpochMilli() + i)));
            memory.sessionCommitted(List.of("e" + i));
        }
        final Map<String, String> stored = state.getState(Scope.LOCAL).toMap();
        assertTrue(stored.containsKey("k.e4"), stored.toString());
        assertEquals("x", stored.get("k"), "keys this memory did not write are left alone");
        assertTrue(stored.keySet().stream().filter(key -> key.startsWith("k.")).count() <= 2, stored.toString());
    }

    @Test
    void pendingEntriesNameTheRequestUntilTheJobStartsOrTheSessionCommits() throws IOException {
        final JobMemory memory = memory(10, Duration.ofHours(1), NOW);
        memory.markPending(Map.of("a", "request-1", "b", "request-1"));

        final JobMemory.Snapshot marked = memory.snapshot();
        assertEquals(Optional.of("request-1"), marked.pendingRequest("a"));
        assertTrue(marked.recall("a").isEmpty(), "a pending entry is no started job");

        memory.remember(Map.of("a", job("job-1", NOW.toEpochMilli())));
        assertTrue(memory.snapshot().pendingRequest("a").isEmpty(), "the started job replaced the mark");
        assertEquals(Optional.of("request-1"), memory.snapshot().pendingRequest("b"));

        // the session committed: the next write forgets the marks, and no write is made for that alone
        memory.sessionCommitted(List.of("a", "b"));
        assertEquals(Optional.of("request-1"), memory.snapshot().pendingRequest("b"));
        memory.remember(Map.of("c", job("job-2", NOW.toEpochMilli())));
        assertTrue(memory.snapshot().pendingRequest("b").isEmpty());
        assertTrue(memory.snapshot().recall("a").isPresent(), "forgetting marks keeps started jobs");
    }

    @Test
    void pendingEntriesAreWrittenEvenWhenJobsAreNotRemembered() throws IOException {
        final JobMemory off = memory(0, Duration.ofHours(1), NOW);
        off.markPending(Map.of("a", "request-1"));
        off.remember(Map.of("a", job("job-1", NOW.toEpochMilli())));

        assertEquals(Optional.of("request-1"), off.snapshot().pendingRequest("a"), "kept until the session has committed");
        assertTrue(off.snapshot().recall("a").isEmpty());
        off.sessionCommitted(List.of("a"));
        off.markPending(Map.of("b", "request-2"));
        assertEquals(Map.of("k.b", state.getState(Scope.LOCAL).toMap().get("k.b")), state.getState(Scope.LOCAL).toMap());
    }

    @Test
    void pendingEntriesOfASessionThatNeverCameBackExpire() throws IOException {
        memory(10, Duration.ofHours(1), NOW).markPending(Map.of("a", "request-1"));
        memory(10, Duration.ofHours(1), NOW.plus(Duration.ofHours(2))).markPending(Map.of("b", "request-2"));
        assertEquals(1, state.getState(Scope.LOCAL).toMap().size(), state.getState(Scope.LOCAL).toMap().toString());
    }

    @Test
    void aBurstsMarksAreAllWrittenWhateverTheBoundAndExpiredEntriesStillGo() throws IOException {
        memory(4, Duration.ofHours(1), NOW).remember(Map.of("old", job("job-old", NOW.toEpochMilli()), "mine", job("job-mine", NOW.toEpochMilli())));
        final Map<String, String> burst = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            burst.put("new" + i, "request-" + (i % 3));
        }
        burst.put("mine", "request-0");

        final JobMemory later = memory(4, Duration.ofHours(1), NOW.plus(Duration.ofHours(2)));
        later.markPending(burst);

        final Map<String, String> stored = state.getState(Scope.LOCAL).toMap();
        assertEquals(11, stored.size(), "every mark written, the expired started entry gone: " + stored);
        final JobMemory.Snapshot marked = later.snapshot();
        burst.forEach((memoryKey, requestKey) -> assertEquals(Optional.of(requestKey), marked.pendingRequest(memoryKey)));
        assertTrue(marked.recall("mine").isEmpty(), "a mark replaces the started entry of its own key");
    }

    @Test
    void decodesJobIdsHoldingTheSeparator() {
        final RememberedJob entry = new RememberedJob("odd|job", 42, 3, 7);
        assertEquals(entry, RememberedJob.decode(entry.encode()));
        assertNull(RememberedJob.decode("garbage"));
    }

    @Test
    void derivedKeysDependOnTheFlowFileTheRequestAndAFailedJob() {
        final ImportTarget target = ImportTarget.of("docs", null, null, Map.of("timeout", "300s"));
        final String key = key("uuid-1", target, "a.parquet", null);
        assertEquals(key, key("uuid-1", target, "a.parquet", null));
        assertNotEquals(key, key("uuid-2", target, "a.parquet", null));
        assertNotEquals(key, key("uuid-1", target, "b.parquet", null));
        assertNotEquals(key, key("uuid-1", ImportTarget.of("docs", "p", null, Map.of("timeout", "300s")), "a.parquet", null));
        assertNotEquals(key, key("uuid-1", target, "a.parquet", "job-9"));
        assertEquals(IdempotencyKeys.forBatch(List.of("x", "y")), IdempotencyKeys.forBatch(List.of("y", "x")));
        assertEquals(32, IdempotencyKeys.memoryKey(target, key).length());
    }

    @Test
    void theMemoryIsScopedAsServersScopeKeysWhateverTheKey() {
        final ImportTarget docs = ImportTarget.of("docs", null, null, Map.of());
        final String custom = "etag-0123456789abcdef";
        final String memoryKey = IdempotencyKeys.memoryKey(docs, custom);
        assertEquals(memoryKey, IdempotencyKeys.memoryKey(ImportTarget.of("docs", "another_partition", null, Map.of("timeout", "1s")), custom),
                "servers scope a key to its collection, not to partitions or options");
        assertNotEquals(memoryKey, IdempotencyKeys.memoryKey(ImportTarget.of("images", null, null, Map.of()), custom), "another collection");
        assertNotEquals(memoryKey, IdempotencyKeys.memoryKey(ImportTarget.of("docs", null, "db2", Map.of()), custom), "another database");
        // a custom key that looks like a derived one is scoped all the same
        final String hexKey = "a".repeat(64);
        assertNotEquals(IdempotencyKeys.memoryKey(docs, hexKey), IdempotencyKeys.memoryKey(ImportTarget.of("images", null, null, Map.of()), hexKey));
    }

    @Test
    void aCustomKeyChangesOnlyWhenAFailedJobIsReplaced() {
        assertEquals("etag-1", IdempotencyKeys.forCustomKey("etag-1", null));
        final String replacing = IdempotencyKeys.forCustomKey("etag-1", "job-9");
        assertNotEquals("etag-1", replacing);
        assertEquals(replacing, IdempotencyKeys.forCustomKey("etag-1", "job-9"));
        assertNotEquals(replacing, IdempotencyKeys.forCustomKey("etag-1", "job-10"));
        assertTrue(replacing.matches("[0-9a-f]{64}"), "printable ASCII within the servers' 256 bytes: " + replacing);
    }

    @Test
    void aSetIsASetWhateverTheOrderItsFilesAreNamedIn() {
        final ImportTarget target = ImportTarget.of("docs", null, null, Map.of());
        final ImportFile set = new ImportFile(List.of("b/vector.npy", "b/id.npy"));
        assertEquals(new ImportFile(List.of("b/id.npy", "b/vector.npy")), set);
        assertEquals(new ImportFile(List.of("b/id.npy", "b/vector.npy", "b/id.npy")), set, "a file named twice in a set is one file");
        assertEquals(List.of("b/id.npy", "b/vector.npy"), set.paths());
        assertEquals(IdempotencyKeys.forFlowFile("uuid-1", null, target, null, List.of(set), null),
                IdempotencyKeys.forFlowFile("uuid-1", null, target, null, List.of(new ImportFile(List.of("b/id.npy", "b/vector.npy"))), null));
    }

    @Test
    void aSetOfFilesAndAVolumeAreToldApartFromSingleFiles() {
        final ImportTarget target = ImportTarget.of("docs", null, null, Map.of());
        final List<ImportFile> twoFiles = List.of(ImportFile.of("a.npy"), ImportFile.of("b.npy"));
        final List<ImportFile> oneSet = List.of(new ImportFile(List.of("a.npy", "b.npy")));
        final String separate = IdempotencyKeys.forFlowFile("uuid-1", null, target, null, twoFiles, null);
        assertNotEquals(separate, IdempotencyKeys.forFlowFile("uuid-1", null, target, null, oneSet, null));
        assertNotEquals(separate, IdempotencyKeys.forFlowFile("uuid-1", null, target, "vol", twoFiles, null));
        assertNotEquals(IdempotencyKeys.forFlowFile("uuid-1", null, target, "vol", twoFiles, null),
                IdempotencyKeys.forFlowFile("uuid-1", null, target, "other", twoFiles, null));
    }

    @Test
    void flowFilesOfOneUploadShareAKeyWhateverTheirUuid() {
        final ImportTarget target = ImportTarget.of("docs", null, null, Map.of());
        final List<ImportFile> file = List.of(ImportFile.of("s3://b/a.parquet"));
        final String upload = IdempotencyKeys.forFlowFile("uuid-1", "s3.etag=abc\n", target, null, file, null);
        assertEquals(upload, IdempotencyKeys.forFlowFile("uuid-2", "s3.etag=abc\n", target, null, file, null), "a load-balanced copy");
        assertNotEquals(upload, IdempotencyKeys.forFlowFile("uuid-1", "s3.etag=def\n", target, null, file, null), "a new upload of the object");
        assertNotEquals(upload, IdempotencyKeys.forFlowFile("uuid-1", null, target, null, file, null));
        assertNotEquals(upload, IdempotencyKeys.forFlowFile("uuid-1", "s3.etag=abc\n", target, null, file, "job-9"), "sent back after a failure");
    }

    private static String key(final String uuid, final ImportTarget target, final String file, final String failedJob) {
        return IdempotencyKeys.forFlowFile(uuid, null, target, null, List.of(ImportFile.of(file)), failedJob);
    }
}
