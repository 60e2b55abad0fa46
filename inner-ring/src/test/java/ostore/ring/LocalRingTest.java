package ostore.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.SigningKey;
import ostore.ring.log.LocalSharedLog;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.LogStores;
import ostore.ring.log.SegmentLogStore;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Creation;
import ostore.store.HistoryEntry;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Predicate;
import ostore.store.Update;
import ostore.store.memory.MemoryVersionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRingTest {
    private static final long TIMEOUT_SECONDS = 60;
    private static final LogStoreConfig LOG = new LogStoreConfig(1, 1 << 16, 16L << 20, 1 << 16);
    private static final SigningKey OWNER = SigningKey.fromSeed(new byte[SigningKey.SEED_LENGTH]);
    private static final String NAME = "object";
    private static final Aguid OBJECT = Aguid.of(OWNER.publicKey(), NAME);

    @TempDir
    Path dir;

    private final MemoryVersionStore store = new MemoryVersionStore(Limits.DEFAULT);
    private final AtomicLong clock = new AtomicLong(1_000);

    private LocalRing start(int checkpointInterval) {
        return start(store, checkpointInterval);
    }

    private LocalRing start(MemoryVersionStore s, int checkpointInterval) {
        return LocalRing.start(dir, s, LocalRingTest::decode, clock::get,
                new LocalRing.Options(checkpointInterval, LogStores.Preference.SEGMENT, LOG));
    }

    /** The test's wire format for a signed update of {@link #OBJECT}: its nonce. */
    private static byte[] encode(long nonce) {
        return ByteBuffer.allocate(Long.BYTES).putLong(nonce).array();
    }

    /**
     * The owner appends the encoded bytes, creating the object if it does not exist yet, so every
     * update commits a new version that records its nonce and timestamp.
     */
    private static AuthenticatedUpdate decode(byte[] bytes) {
        Clause append = new Clause(new Predicate.Always(), List.of(new Action.Append(Action.Data.of(bytes))));
        Update u = new Update(OBJECT, ByteBuffer.wrap(bytes).getLong(), List.of(append),
                Optional.of(new Creation(OWNER.publicKey(), NAME)));
        return new AuthenticatedUpdate(u, OWNER.publicKey(), Hashing.hash(Domain.UPDATE, bytes));
    }

    private static SubmittedUpdate submitted(long nonce) {
        byte[] bytes = encode(nonce);
        return new SubmittedUpdate(bytes, decode(bytes));
    }

    private static Outcome.Committed await(CompletableFuture<Outcome> f) throws Exception {
        return assertInstanceOf(Outcome.Committed.class, f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    @Test
    void updatesExecuteInSubmissionOrderAtIncreasingPositions() throws Exception {
        List<Long> heard = new CopyOnWriteArrayList<>();
        try (LocalRing ring = start(1_000)) {
            ring.addExecutionListener((position, outcome) -> heard.add(position));
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(ring.submit(submitted(i)));
            }
            for (int i = 0; i < 50; i++) {
                Outcome.Committed c = await(futures.get(i));
                assertEquals(i + 1, c.version().root().seq(), "update " + i + " made version " + (i + 1));
                assertEquals(i, c.entry().nonce());
            }
            assertEquals(49, ring.status().lastExecuted());
            assertEquals("segment", ring.status().logStore());
        }
        assertEquals(range(0, 50), heard);
        assertEquals(49, store.appliedPosition(0));
        assertEquals(range(0, 50), store.history(OBJECT, 0, 0).stream().map(HistoryEntry::nonce).toList(),
                "the store executed each update once, in order");
    }

    @Test
    void timestampsNeverGoBackwards() throws Exception {
        try (LocalRing ring = start(1_000)) {
            long first = await(ring.submit(submitted(1))).version().root().timestampMicros();
            clock.set(10);
            long second = await(ring.submit(submitted(2))).version().root().timestampMicros();
            assertEquals(1_000, first);
            assertEquals(1_000, second, "a clock that steps back does not move timestamps back");
        }
    }

    /** Writes records straight into the log the way the ring does, as if it crashed before executing them. */
    private void logUpdates(int count, long firstTimestamp) {
        try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(dir.resolve("segments"), LOG))) {
            for (int i = 0; i < count; i++) {
                log.append(0, List.of(new LogRecord(firstTimestamp + i, encode(i)).encode()));
            }
        }
    }

    @Test
    void replayAppliesExactlyTheUnappliedSuffix() throws Exception {
        logUpdates(10, 5_000);
        for (int i = 0; i < 6; i++) {
            store.apply(decode(encode(i)), 5_000 + i, 0, i);
        }
        try (LocalRing ring = start(1_000)) {
            assertEquals(9, store.appliedPosition(0));
            List<HistoryEntry> history = store.history(OBJECT, 0, 0);
            assertEquals(range(0, 10), history.stream().map(HistoryEntry::nonce).toList());
            assertEquals(range(5_000, 5_010), history.stream().map(HistoryEntry::timestampMicros).toList(),
                    "replay keeps the logged timestamps");
            assertEquals(9, ring.status().lastExecuted());
            Outcome.Committed next = await(ring.submit(submitted(10)));
            assertEquals(11, next.version().root().seq());
            assertEquals(5_009, next.version().root().timestampMicros(), "the clock (1000) is behind the log");
        }
    }

    @Test
    void storeThatDoesNotMeetTheLogIsRefused() {
        logUpdates(3, 1);
        MemoryVersionStore ahead = new MemoryVersionStore(Limits.DEFAULT);
        ahead.apply(decode(encode(0)), 1, 0, 7);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(ahead, 10));
        assertTrue(e.getMessage().contains("applied position 7"), e.getMessage());
    }

    /**
     * What a checkpoint synced is what a store crash keeps: the crash mid-run keeps position 9, and
     * the ring started on that store replays the rest from the log, which the checkpoint had
     * trimmed only below it.
     */
    @Test
    void checkpointSyncsTheStoreAndTrimsTheLog() throws Exception {
        MemoryVersionStore recovered;
        try (LocalRing ring = start(5)) {
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                futures.add(ring.submit(submitted(i)));
            }
            for (CompletableFuture<Outcome> f : futures) {
                await(f);
            }
            assertEquals(9, ring.status().stableCheckpoint());
            recovered = store.crashed();
            assertEquals(9, recovered.appliedPosition(0));
        }
        try (LocalRing replaying = start(recovered, 5)) {
            assertEquals(11, replaying.status().lastExecuted());
        }
        MemoryVersionStore durable = recovered.crashed();
        assertEquals(11, durable.appliedPosition(0), "close checkpoints what it executed");
        try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(dir.resolve("segments"), LOG))) {
            assertEquals(12, log.firstPosition(0));
            assertEquals(12, log.nextPosition(0));
        }
        try (LocalRing again = start(durable, 5)) {
            assertEquals(11, again.status().stableCheckpoint());
            assertEquals(13, await(again.submit(submitted(12))).version().root().seq());
        }
    }

    @Test
    void closeDrainsThenRefusesSubmissions() throws Exception {
        LocalRing ring = start(1_000);
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(ring.submit(submitted(i)));
        }
        ring.close();
        for (CompletableFuture<Outcome> f : futures) {
            assertTrue(f.isDone(), "close returns after every submitted update executed");
            await(f);
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> ring.submit(submitted(99)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("closed"));
        ring.close();
    }

    /** The store is closed under the ring after position 2 (listeners run on the execution thread). */
    @Test
    void failedExecutionStopsTheRing() throws Exception {
        try (LocalRing ring = start(1_000)) {
            ring.addExecutionListener((position, outcome) -> {
                if (position == 2) {
                    store.close();
                }
            });
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(ring.submit(submitted(i)));
            }
            for (int i = 0; i < 3; i++) {
                await(futures.get(i));
            }
            ExecutionException bad = assertThrows(ExecutionException.class,
                    () -> futures.get(3).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals("the version store is closed", bad.getCause().getMessage());
            for (int i = 4; i < 6; i++) {
                int k = i;
                ExecutionException later = assertThrows(ExecutionException.class,
                        () -> futures.get(k).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertTrue(later.getCause().getMessage().contains("stopped"), later.getCause().getMessage());
            }
            assertEquals(2, ring.status().lastExecuted());
            assertTrue(ring.submit(submitted(9)).isCompletedExceptionally());
        }
    }
}
