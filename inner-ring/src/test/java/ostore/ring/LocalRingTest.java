package ostore.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import ostore.crypto.Aguid;
import ostore.ring.log.LocalSharedLog;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.LogStores;
import ostore.ring.log.SegmentLogStore;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRingTest {
    private static final long TIMEOUT_SECONDS = 60;
    private static final LogStoreConfig LOG = new LogStoreConfig(1, 1 << 16, 16L << 20, 1 << 16);
    private static final Aguid OBJECT = Aguid.of(new byte[32]);

    @TempDir
    Path dir;

    private final InMemoryVersionStore store = new InMemoryVersionStore();
    private final AtomicLong clock = new AtomicLong(1_000);

    private LocalRing start(int checkpointInterval) {
        return start(store, checkpointInterval);
    }

    private LocalRing start(InMemoryVersionStore s, int checkpointInterval) {
        return LocalRing.start(dir, s, InMemoryVersionStore::decode, clock::get,
                new LocalRing.Options(checkpointInterval, LogStores.Preference.SEGMENT, LOG));
    }

    private static Outcome.Committed await(CompletableFuture<Outcome> f) throws Exception {
        return assertInstanceOf(Outcome.Committed.class, f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void updatesExecuteInSubmissionOrderAtIncreasingPositions() throws Exception {
        List<Long> heard = new CopyOnWriteArrayList<>();
        try (LocalRing ring = start(1_000)) {
            ring.addExecutionListener((position, outcome) -> heard.add(position));
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(ring.submit(InMemoryVersionStore.submitted(OBJECT, i)));
            }
            for (int i = 0; i < 50; i++) {
                Outcome.Committed c = await(futures.get(i));
                assertEquals(i + 1, c.version().root().seq(), "update " + i + " made version " + (i + 1));
                assertEquals(i, c.entry().nonce());
            }
            assertEquals(49, ring.status().lastExecuted());
            assertEquals("segment", ring.status().logStore());
        }
        assertEquals(java.util.stream.LongStream.range(0, 50).boxed().toList(), store.appliedPositions());
        assertEquals(store.appliedPositions(), heard);
    }

    @Test
    void timestampsNeverGoBackwards() throws Exception {
        try (LocalRing ring = start(1_000)) {
            long first = await(ring.submit(InMemoryVersionStore.submitted(OBJECT, 1))).version().root().timestampMicros();
            clock.set(10);
            long second = await(ring.submit(InMemoryVersionStore.submitted(OBJECT, 2))).version().root().timestampMicros();
            assertEquals(1_000, first);
            assertEquals(1_000, second, "a clock that steps back does not move timestamps back");
        }
    }

    /** Writes records straight into the log the way the ring does, as if it crashed before executing them. */
    private void logUpdates(int count, long firstTimestamp) {
        try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(dir.resolve("segments"), LOG))) {
            for (int i = 0; i < count; i++) {
                byte[] update = InMemoryVersionStore.encode(OBJECT, i);
                log.append(0, List.of(new LogRecord(firstTimestamp + i, update).encode()));
            }
        }
    }

    @Test
    void replayAppliesExactlyTheUnappliedSuffix() throws Exception {
        logUpdates(10, 5_000);
        for (int i = 0; i < 6; i++) {
            AuthenticatedUpdate u = InMemoryVersionStore.decode(InMemoryVersionStore.encode(OBJECT, i));
            store.apply(u, 5_000 + i, i);
        }
        try (LocalRing ring = start(1_000)) {
            assertEquals(java.util.stream.LongStream.range(0, 10).boxed().toList(), store.appliedPositions());
            assertEquals(5_009, store.read(OBJECT, new ostore.store.Selector.Latest()).orElseThrow().root()
                    .timestampMicros(), "replay keeps the logged timestamps");
            assertEquals(9, ring.status().lastExecuted());
            Outcome.Committed next = await(ring.submit(InMemoryVersionStore.submitted(OBJECT, 10)));
            assertEquals(11, next.version().root().seq());
            assertEquals(5_009, next.version().root().timestampMicros(), "the clock (1000) is behind the log");
        }
    }

    @Test
    void storeThatDoesNotMeetTheLogIsRefused() {
        logUpdates(3, 1);
        InMemoryVersionStore ahead = new InMemoryVersionStore();
        ahead.apply(InMemoryVersionStore.decode(InMemoryVersionStore.encode(OBJECT, 0)), 1, 7);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(ahead, 10));
        assertTrue(e.getMessage().contains("applied position 7"), e.getMessage());
    }

    @Test
    void checkpointSyncsTheStoreAndTrimsTheLog() throws Exception {
        try (LocalRing ring = start(5)) {
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                futures.add(ring.submit(InMemoryVersionStore.submitted(OBJECT, i)));
            }
            for (CompletableFuture<Outcome> f : futures) {
                await(f);
            }
            assertEquals(9, ring.status().stableCheckpoint());
            assertEquals(9, store.syncedPosition());
        }
        assertEquals(11, store.syncedPosition(), "close checkpoints what it executed");
        try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(dir.resolve("segments"), LOG))) {
            assertEquals(12, log.firstPosition(0));
            assertEquals(12, log.nextPosition(0));
        }
        try (LocalRing again = start(5)) {
            assertEquals(11, again.status().stableCheckpoint());
            assertEquals(13, await(again.submit(InMemoryVersionStore.submitted(OBJECT, 12))).version().root().seq());
        }
    }

    @Test
    void closeDrainsThenRefusesSubmissions() throws Exception {
        LocalRing ring = start(1_000);
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(ring.submit(InMemoryVersionStore.submitted(OBJECT, i)));
        }
        ring.close();
        for (CompletableFuture<Outcome> f : futures) {
            assertTrue(f.isDone(), "close returns after every submitted update executed");
            await(f);
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> ring.submit(InMemoryVersionStore.submitted(OBJECT, 99)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("closed"));
        ring.close();
    }

    @Test
    void failedExecutionStopsTheRing() throws Exception {
        InMemoryVersionStore failing = new InMemoryVersionStore() {
            @Override
            public synchronized Outcome apply(AuthenticatedUpdate update, long timestampMicros, long logPosition) {
                if (update.update().nonce() == 3) {
                    throw new IllegalStateException("disk gone");
                }
                return super.apply(update, timestampMicros, logPosition);
            }
        };
        try (LocalRing ring = start(failing, 1_000)) {
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(ring.submit(InMemoryVersionStore.submitted(OBJECT, i)));
            }
            for (int i = 0; i < 3; i++) {
                await(futures.get(i));
            }
            ExecutionException bad = assertThrows(ExecutionException.class,
                    () -> futures.get(3).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals("disk gone", bad.getCause().getMessage());
            for (int i = 4; i < 6; i++) {
                int k = i;
                ExecutionException later = assertThrows(ExecutionException.class,
                        () -> futures.get(k).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertTrue(later.getCause().getMessage().contains("stopped"), later.getCause().getMessage());
            }
            assertEquals(2, ring.status().lastExecuted());
            assertTrue(ring.submit(InMemoryVersionStore.submitted(OBJECT, 9)).isCompletedExceptionally());
        }
    }
}
