package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import ostore.crypto.SigningKey;
import ostore.ring.Clock;
import ostore.ring.log.LogEntry;
import ostore.ring.log.SharedLog;
import ostore.ring.log.Subscription;
import ostore.ring.runtime.ReplicaLoop;
import ostore.ring.runtime.StorageStalled;
import ostore.store.Limits;
import ostore.store.memory.MemoryVersionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica whose disk stops answering is stopped by its loop's watchdog, with a message naming
 * what it waited on, instead of hanging on with its peers and clients none the wiser. The watchdog
 * is driven here with a time past the limit, so nothing waits for it.
 */
@Timeout(60)
class ReplicaLoopStallTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** A log whose appends without waiting either never complete or block the caller until released. */
    private static final class HungLog implements SharedLog {
        final MemorySharedLog delegate = new MemorySharedLog(2);
        final boolean blockCaller;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);

        HungLog(boolean blockCaller) {
            this.blockCaller = blockCaller;
        }

        @Override
        public CompletableFuture<Long> appendAsync(int color, List<byte[]> records) {
            entered.countDown();
            if (blockCaller) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new CompletableFuture<>();
        }

        @Override public int colors() { return delegate.colors(); }
        @Override public int maxRecordBytes() { return delegate.maxRecordBytes(); }
        @Override public long append(int color, List<byte[]> records) { return delegate.append(color, records); }
        @Override public List<LogEntry> read(int color, long from, int max) { return delegate.read(color, from, max); }
        @Override public Subscription subscribe(int color, long from, Consumer<LogEntry> c) { return delegate.subscribe(color, from, c); }
        @Override public void trim(int color, long upTo) { delegate.trim(color, upTo); }
        @Override public long firstPosition(int color) { return delegate.firstPosition(color); }
        @Override public long nextPosition(int color) { return delegate.nextPosition(color); }
        @Override public String storeKind() { return "hung"; }
        @Override public void close() { }
    }

    private static ReplicaLoop loopOver(HungLog log) {
        RingHarness h = new RingHarness(RingHarness.PARAMS);
        int id = 1;
        return ReplicaLoop.start(h.config, id, Clock.SYSTEM, (to, frame) -> { }, (digest, reply, outcome) -> { },
                ReplicaLoop.DEFAULT_INBOX_CAPACITY, env -> new Replica(h.config, id, h.keys.get(id), log,
                        new MemoryVersionStore(Limits.DEFAULT), TestUpdates.VERIFIER, env));
    }

    @Test
    void anAppendThatNeverBecomesDurableStopsTheReplica() throws Exception {
        HungLog log = new HungLog(false);
        ReplicaLoop loop = loopOver(log);
        try {
            loop.stallLimit(LIMIT);
            assertTrue(loop.submit(TestUpdates.append(SigningKey.fromSeed(new byte[32]), "a", 1, "x")));
            assertTrue(log.entered.await(30, TimeUnit.SECONDS), "the update's payload was appended");
            // Queued behind the update: once answered, the loop has finished the step that appended.
            loop.status().get(30, TimeUnit.SECONDS);
            long now = System.nanoTime();
            assertFalse(loop.checkStalls(now), "within the limit, a slow disk is only slow");
            assertTrue(loop.checkStalls(now + LIMIT.toNanos() + 1));
            StorageStalled stalled = assertInstanceOf(StorageStalled.class, loop.failure());
            assertTrue(stalled.getMessage().contains("a log append or trim has not completed"), stalled.getMessage());
            assertFalse(loop.submit(TestUpdates.append(SigningKey.fromSeed(new byte[32]), "a", 2, "y")),
                    "a stopped replica takes nothing more");
        } finally {
            loop.close();
        }
    }

    @Test
    void aStepStuckOnTheDiskStopsTheReplicaNamingTheOperation() throws InterruptedException {
        HungLog log = new HungLog(true);
        ReplicaLoop loop = loopOver(log);
        List<Throwable> seen = new ArrayList<>();
        loop.onFailure(() -> seen.add(loop.failure()));
        try {
            loop.stallLimit(LIMIT);
            loop.submit(TestUpdates.append(SigningKey.fromSeed(new byte[32]), "a", 1, "x"));
            assertTrue(log.entered.await(30, TimeUnit.SECONDS), "the loop's thread is inside the append");
            assertTrue(loop.checkStalls(System.nanoTime() + LIMIT.toNanos() + 1));
            StorageStalled stalled = assertInstanceOf(StorageStalled.class, loop.failure());
            assertTrue(stalled.getMessage().contains("in one step, in ostore.ring.bft.ReplicaLoopStallTest$HungLog.appendAsync"),
                    stalled.getMessage());
            assertTrue(seen.size() == 1 && seen.getFirst() == stalled, "the failure listener ran once: " + seen);
            assertFalse(loop.checkStalls(System.nanoTime() + 2 * LIMIT.toNanos()), "stops once");
        } finally {
            log.release.countDown();
            loop.close();
        }
    }
}
