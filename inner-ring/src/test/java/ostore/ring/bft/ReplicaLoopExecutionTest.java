package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.ring.Clock;
import ostore.ring.SubmittedUpdate;
import ostore.ring.runtime.ReplicaLoop;
import ostore.store.AuthenticatedUpdate;
import ostore.store.ForwardingVersionStore;
import ostore.store.HistoryEntry;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.VersionStore;
import ostore.store.rocks.RocksVersionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four replicas driven by real {@link ReplicaLoop}s on their own threads, wired in memory: batches
 * are written to the store on the loops' apply threads, colors in parallel, and a store that fails
 * while applying stops its replica (fail-stop) while the other three go on.
 */
@Timeout(120)
class ReplicaLoopExecutionTest {
    private static final int COLORS = 3;
    private static final long WAIT_NANOS = 60_000_000_000L;

    @TempDir
    Path dir;

    /** Records which threads applied updates, and fails every apply once {@code failing} is set. */
    private static final class WatchedStore extends ForwardingVersionStore {
        final Set<String> applyThreads = new CopyOnWriteArraySet<>();
        final AtomicBoolean failing = new AtomicBoolean();

        WatchedStore(VersionStore delegate) {
            super(delegate);
        }

        @Override
        public Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position) {
            applyThreads.add(Thread.currentThread().getName());
            if (failing.get()) {
                throw new IllegalStateException("the disk under the version store is gone");
            }
            return super.apply(update, timestampMicros, color, position);
        }
    }

    /** The ring: loops, stores, and which replicas answered each update. */
    private final class Ring implements AutoCloseable {
        final RingConfig config;
        final List<WatchedStore> stores = new ArrayList<>();
        final AtomicReferenceArray<ReplicaLoop> loops = new AtomicReferenceArray<>(4);
        final Map<Hash32, Set<Integer>> answered = new ConcurrentHashMap<>();
        final Set<Integer> failed = new CopyOnWriteArraySet<>();

        Ring() {
            List<SigningKey> keys = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                keys.add(RingHarness.key(i));
            }
            config = RingHarness.config(COLORS, RingConfig.Params.DEFAULT);
            for (int i = 0; i < 4; i++) {
                stores.add(new WatchedStore(RocksVersionStore.open(dir.resolve("r" + i), Limits.DEFAULT)));
            }
            for (int i = 0; i < 4; i++) {
                int id = i;
                ReplicaLoop.Peers peers = (to, frame) -> {
                    ReplicaLoop target = loops.get(to);
                    if (target != null) {
                        try {
                            target.receive(frame);
                        } catch (FrameException e) {
                            throw new AssertionError("a correct replica sent a bad frame", e);
                        }
                    }
                };
                ReplicaLoop.Replies replies = (digest, reply, outcome) ->
                        answered.computeIfAbsent(digest, d -> new CopyOnWriteArraySet<>()).add(id);
                ReplicaLoop loop = ReplicaLoop.start(config, id, Clock.SYSTEM, peers, replies,
                        ReplicaLoop.DEFAULT_INBOX_CAPACITY, env -> new Replica(config, id, keys.get(id),
                                new MemorySharedLog(COLORS + 1), stores.get(id), TestUpdates.VERIFIER, env));
                loop.onFailure(() -> failed.add(id));
                loops.set(id, loop);
            }
        }

        void submitToAll(SubmittedUpdate u) {
            for (int i = 0; i < 4; i++) {
                loops.get(i).submit(u);
            }
        }

        /** Waits (bounded) until every update has replies from all of {@code replicas}. */
        void awaitAnswers(List<SubmittedUpdate> us, Set<Integer> replicas) throws InterruptedException {
            await(() -> us.stream().allMatch(u -> answered.getOrDefault(u.decoded().digest(), Set.of())
                    .containsAll(replicas)), "every update answered by replicas " + replicas);
        }

        @Override
        public void close() {
            for (int i = 0; i < 4; i++) {
                loops.get(i).close();
            }
            stores.forEach(VersionStore::close);
        }
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Three updates on each of several objects, whose AGUIDs spread over the colors. */
    private static List<List<SubmittedUpdate>> updatesPerObject(RingConfig config) {
        SigningKey client = SigningKey.fromSeed(new byte[32]);
        List<List<SubmittedUpdate>> out = new ArrayList<>();
        Set<Integer> colors = new java.util.HashSet<>();
        for (int k = 0; out.size() < 6 || colors.size() < COLORS; k++) {
            List<SubmittedUpdate> object = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                object.add(TestUpdates.append(client, "object-" + k, n, "data " + k + "/" + n));
            }
            colors.add(config.colorOf(object.getFirst().decoded().update().aguid()));
            out.add(object);
        }
        return out;
    }

    private static List<HistoryEntry> history(VersionStore store, SubmittedUpdate u) {
        Aguid aguid = u.decoded().update().aguid();
        return store.history(aguid, 0, 0);
    }

    @Test
    void batchesOfEveryColorRunOnApplyThreadsAndEveryReplicaAgrees() throws InterruptedException {
        try (Ring ring = new Ring()) {
            List<List<SubmittedUpdate>> objects = updatesPerObject(ring.config);
            List<SubmittedUpdate> all = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                // One update of each object per round: the next is sent once the ring answered the last.
                List<SubmittedUpdate> round = new ArrayList<>();
                for (List<SubmittedUpdate> o : objects) {
                    round.add(o.get(n));
                }
                round.forEach(ring::submitToAll);
                ring.awaitAnswers(round, Set.of(0, 1, 2, 3));
                all.addAll(round);
            }
            for (List<SubmittedUpdate> o : objects) {
                List<HistoryEntry> expected = history(ring.stores.get(0), o.getFirst());
                assertEquals(3, expected.size(), "three commits on " + o.getFirst().decoded().update().aguid());
                for (int i = 1; i < 4; i++) {
                    assertEquals(expected, history(ring.stores.get(i), o.getFirst()), "replica " + i + "'s history");
                }
            }
            for (int i = 0; i < 4; i++) {
                Set<String> threads = ring.stores.get(i).applyThreads;
                assertTrue(!threads.isEmpty(), "replica " + i + " applied something");
                for (String t : threads) {
                    assertTrue(t.startsWith("replica-" + i + "-apply-"), "replica " + i + " applied on " + t);
                }
            }
            assertEquals(Set.of(), ring.failed);
            assertEquals(objects.size() * 3, all.size());
        }
    }

    @Test
    void aStoreFailingWhileApplyingStopsItsReplicaAndTheOthersGoOn() throws InterruptedException {
        try (Ring ring = new Ring()) {
            List<List<SubmittedUpdate>> objects = updatesPerObject(ring.config);
            ring.stores.get(3).failing.set(true);
            List<SubmittedUpdate> first = objects.stream().map(List::getFirst).toList();
            first.forEach(ring::submitToAll);
            ring.awaitAnswers(first, Set.of(0, 1, 2));
            // The failure is recorded first, then the listener runs on the loop's thread: wait for both.
            await(() -> ring.loops.get(3).failure() != null && !ring.failed.isEmpty(), "replica 3 stops");
            Throwable failure = ring.loops.get(3).failure();
            assertNotNull(failure);
            assertTrue(String.valueOf(failure.getMessage()).contains("the disk under the version store is gone"),
                    String.valueOf(failure));
            assertEquals(Set.of(3), ring.failed, "only replica 3 stopped, and its listener ran");
            assertTrue(!ring.loops.get(3).submit(objects.getFirst().get(1)), "a stopped replica takes no update");
            // Two thirds of the ring are enough: the next updates still commit on 0, 1 and 2.
            List<SubmittedUpdate> second = objects.stream().map(o -> o.get(1)).toList();
            second.forEach(ring::submitToAll);
            ring.awaitAnswers(second, Set.of(0, 1, 2));
        }
    }
}
