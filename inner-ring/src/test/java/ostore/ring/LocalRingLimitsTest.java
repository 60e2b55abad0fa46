package ostore.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Predicate;
import ostore.store.Update;
import ostore.store.memory.MemoryVersionStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What bounds the ring's log and memory: checkpoints by log bytes, after replay, and a bounded queue. */
class LocalRingLimitsTest {
    private static final long TIMEOUT_SECONDS = 60;
    private static final SigningKey OWNER = SigningKey.fromSeed(new byte[SigningKey.SEED_LENGTH]);
    private static final String NAME = "object";
    private static final Aguid OBJECT = Aguid.of(OWNER.publicKey(), NAME);
    /** A 16 MiB pool of 64 KiB extents: about 240 records of 40 KiB fill it, one to an extent. */
    private static final LogStoreConfig SMALL_POOL = new LogStoreConfig(1, 1 << 16, 16L << 20, 1 << 16);
    private static final int RECORD_BYTES = 40_000;

    @TempDir
    Path dir;

    private final MemoryVersionStore store = new MemoryVersionStore(Limits.DEFAULT);

    /** The first 8 bytes are the nonce; the owner appends the whole record, creating the object. */
    private static AuthenticatedUpdate decode(byte[] bytes) {
        Clause append = new Clause(new Predicate.Always(), List.of(new Action.Append(Action.Data.of(bytes))));
        Update u = new Update(OBJECT, ByteBuffer.wrap(bytes).getLong(), List.of(append),
                Optional.of(new Creation(OWNER.publicKey(), NAME)));
        return new AuthenticatedUpdate(u, OWNER.publicKey(), Hashing.hash(Domain.UPDATE, bytes));
    }

    private static byte[] encode(long nonce, int length) {
        return ByteBuffer.allocate(length).putLong(nonce).array();
    }

    private static SubmittedUpdate submitted(long nonce) {
        byte[] bytes = encode(nonce, RECORD_BYTES);
        return new SubmittedUpdate(bytes, decode(bytes));
    }

    private LocalRing start(LogStores.Preference kind, LogStoreConfig config, int maxQueuedBytes) {
        return LocalRing.start(dir, store, LocalRingLimitsTest::decode, () -> 1_000,
                new LocalRing.Options(10_000, kind, config, maxQueuedBytes));
    }

    private static Outcome.Committed await(CompletableFuture<Outcome> f) throws Exception {
        return assertInstanceOf(Outcome.Committed.class, f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /** Without a checkpoint by bytes the pool fills after ~240 puts and every later append fails. */
    @Test
    void largeRecordsNeverFillTheLogBetweenCountedCheckpoints() throws Exception {
        Optional<String> problem = LogStores.llplProblem();
        Assumptions.assumeTrue(problem.isEmpty(), () -> "needs llpl: " + problem.orElseThrow());
        try (LocalRing ring = start(LogStores.Preference.LLPL, SMALL_POOL, 1 << 20)) {
            for (int i = 0; i < 600; i++) {
                assertEquals(i + 1, await(ring.submit(submitted(i))).version().root().seq());
            }
            assertTrue(ring.status().stableCheckpoint() > 0, "the log's growth made checkpoints: " + ring.status());
        }
    }

    /** A restart replays the log and then trims it, so a log found full is full no longer. */
    @Test
    void replayEndsWithACheckpoint() throws Exception {
        LogStoreConfig config = new LogStoreConfig(1, 1 << 16, 16L << 20, 1 << 16);
        try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(dir.resolve("segments"), config))) {
            for (int i = 0; i < 10; i++) {
                log.append(0, List.of(new LogRecord(5_000 + i, encode(i, 64)).encode()));
            }
        }
        try (LocalRing ring = start(LogStores.Preference.SEGMENT, config, 1 << 20)) {
            assertEquals(9, ring.status().lastExecuted());
            assertEquals(9, ring.status().stableCheckpoint(), "replayed, synced and trimmed before serving");
        }
    }

    /** Updates waiting for the log or for execution hold at most maxQueuedBytes; beyond, submit fails at once. */
    @Test
    void aFullQueueRefusesSubmissionsAtOnce() throws Exception {
        LogStoreConfig config = new LogStoreConfig(1, 1 << 16, 16L << 20, 1 << 16);
        int twoRecords = 2 * (LogRecord.HEADER_BYTES + RECORD_BYTES);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (LocalRing ring = start(LogStores.Preference.SEGMENT, config, Math.max(twoRecords, 1 << 16))) {
            ring.addExecutionListener((position, outcome) -> {
                if (position == 0) {
                    entered.countDown();
                    awaitQuietly(release);
                }
            });
            CompletableFuture<Outcome> first = ring.submit(submitted(0));
            assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            CompletableFuture<Outcome> second = ring.submit(submitted(1));
            CompletableFuture<Outcome> third = ring.submit(submitted(2));
            CompletableFuture<Outcome> refused = ring.submit(submitted(3));
            assertTrue(refused.isCompletedExceptionally(), "refused without waiting");
            var e = assertThrows(ExecutionException.class, refused::get);
            var overloaded = assertInstanceOf(RingOverloadedException.class, e.getCause());
            assertTrue(overloaded.getMessage().contains("maxQueuedBytes (" + Math.max(twoRecords, 1 << 16) + ")"),
                    overloaded.getMessage());
            release.countDown();
            await(first);
            await(second);
            assertEquals(3, await(third).version().root().seq());
            assertEquals(4, await(ring.submit(submitted(3))).version().root().seq(), "room again once executed");
        }
    }

    @Test
    void optionsRefuseAQueueThatCannotHoldOneRecord() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LocalRing.Options(1, LogStores.Preference.SEGMENT,
                LogStoreConfig.DEFAULT, 1 << 20));
        assertTrue(e.getMessage().startsWith("maxQueuedBytes (1048576) must hold one largest record"), e.getMessage());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
