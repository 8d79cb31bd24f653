package io.github.bulkimport.nifi.idempotency;

import io.github.bulkimport.nifi.model.ImportTarget;
import io.github.bulkimport.nifi.processors.TriggerBulkImport;
import org.apache.nifi.components.state.Scope;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobMemoryTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final MockStateManager state = new MockStateManager(new TriggerBulkImport());

    private JobMemory memory(final int size, final Duration age, final Instant now) {
        return new JobMemory(state, size, age, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void remembersAndForgetsByAge() throws IOException {
        memory(10, Duration.ofHours(1), NOW).remember(Map.of("a", new JobMemory.Entry("job-1", NOW.toEpochMilli(), 0, 1)));

        assertEquals(Optional.of(new JobMemory.Entry("job-1", NOW.toEpochMilli(), 0, 1)), memory(10, Duration.ofHours(1), NOW).snapshot().recall("a"));
        assertTrue(memory(10, Duration.ofHours(1), NOW.plus(Duration.ofMinutes(61))).snapshot().recall("a").isEmpty(), "too old");
        assertTrue(memory(10, Duration.ofHours(1), NOW).snapshot().recall("b").isEmpty());
        state.assertStateEquals("k.a", "job-1|" + NOW.toEpochMilli() + "|0|1", Scope.CLUSTER);
    }

    @Test
    void prunesTheOldestButNeverTheEntriesBeingAdded() throws IOException {
        final JobMemory memory = memory(4, Duration.ofDays(1), NOW);
        for (int i = 0; i < 4; i++) {
            memory.remember(Map.of("old" + i, new JobMemory.Entry("job-" + i, NOW.toEpochMilli() - 1_000 + i, 0, 1)));
        }
        assertEquals(4, state.getState(Scope.CLUSTER).toMap().size());

        final Map<String, JobMemory.Entry> batch = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            batch.put("new" + i, new JobMemory.Entry("job-batch", NOW.toEpochMilli(), i, 6));
        }
        memory.remember(batch);

        final Map<String, String> stored = state.getState(Scope.CLUSTER).toMap();
        assertEquals(6, stored.size(), "every entry of the batch kept, every older one dropped: " + stored);
        batch.keySet().forEach(key -> assertTrue(stored.containsKey("k." + key)));
    }

    @Test
    void decodesJobIdsHoldingTheSeparator() {
        final JobMemory.Entry entry = new JobMemory.Entry("odd|job", 42, 3, 7);
        assertEquals(entry, JobMemory.Entry.decode(entry.encode()));
        assertEquals(null, JobMemory.Entry.decode("garbage"));
    }

    @Test
    void derivedKeysDependOnTheFlowFileTheRequestAndAFailedJob() {
        final ImportTarget target = ImportTarget.of("docs", null, null, Map.of("timeout", "300s"));
        final String key = IdempotencyKeys.forFlowFile("uuid-1", target, List.of("a.parquet"), null);
        assertEquals(key, IdempotencyKeys.forFlowFile("uuid-1", target, List.of("a.parquet"), null));
        assertNotEquals(key, IdempotencyKeys.forFlowFile("uuid-2", target, List.of("a.parquet"), null));
        assertNotEquals(key, IdempotencyKeys.forFlowFile("uuid-1", target, List.of("b.parquet"), null));
        assertNotEquals(key, IdempotencyKeys.forFlowFile("uuid-1", ImportTarget.of("docs", "p", null, Map.of("timeout", "300s")), List.of("a.parquet"), null));
        assertNotEquals(key, IdempotencyKeys.forFlowFile("uuid-1", target, List.of("a.parquet"), "job-9"));
        assertEquals(IdempotencyKeys.forBatch(List.of("x", "y")), IdempotencyKeys.forBatch(List.of("y", "x")));
        assertEquals(key.substring(0, 32), IdempotencyKeys.memoryKey(key));
        assertEquals(32, IdempotencyKeys.memoryKey("custom-key").length());
    }
}
