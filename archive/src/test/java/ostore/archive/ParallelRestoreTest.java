package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the restorer's parallel fetching and read-ahead could get wrong: a node failing part way,
 * a slow node, corrupt fragments met by concurrent requests, a failed restore leaving requests
 * running, read-ahead running away from the reader. Every test synchronizes with latches on the
 * requests themselves, never with sleeps or timing, and asserts outcomes that a one-at-a-time
 * restore would give too.
 */
class ParallelRestoreTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);
    /** Only a guard against a hung test: every wait below is released by the code under test. */
    private static final long GUARD_SECONDS = 30;

    @TempDir
    Path dir;

    private Cluster cluster;
    private Versions.Version version;
    private Manifest manifest;
    private final Map<Hash32, Integer> stripeOf = new HashMap<>();

    @BeforeEach
    void archiveTenStripes() throws IOException {
        cluster = new Cluster(dir, 9, CODE);
        version = Versions.first(Versions.randomBlocks(21, 59_500, 1024));
        manifest = cluster.archive(version, Optional.empty()).manifest();
        assertEquals(10, manifest.stripes().size());
        for (int s = 0; s < manifest.stripes().size(); s++) {
            for (Hash32 name : manifest.stripes().get(s).names()) {
                stripeOf.put(name, s);
            }
        }
    }

    @Test
    void aNodeThatFailsPartWayIsSkippedFromThenOnAndTheReportIsTheSameEveryTime() throws IOException {
        int victim = manifest.stripes().get(4).node(0);
        List<RestoreReport> reports = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            AtomicBoolean broken = new AtomicBoolean();
            HookedNodes nodes = new HookedNodes(cluster.nodes, (node, name) -> {
                // Serves stripes 0-3, then drops off for good at its first request of stripe 4 or later.
                if (node == victim && (broken.get() || stripeOf.getOrDefault(name, -1) >= 4)) {
                    broken.set(true);
                    throw new IOException("storage node " + node + " dropped off");
                }
            });
            CollectingSink sink = new CollectingSink();
            reports.add(restore(nodes, sink));
            assertArrayEquals(version.content(), sink.committed);
        }
        assertEquals(List.of(victim), reports.getFirst().nodesDown());
        assertEquals(10 * 6, reports.getFirst().fragmentsFetched(), "k fragments per stripe, parity for the lost");
        assertEquals(reports.get(0), reports.get(1));
    }

    @Test
    void aSlowNodeDoesNotHoldBackTheOtherRequestsOfItsStripe() throws IOException {
        StripeFragments stripe0 = manifest.stripes().get(0);
        int slow = stripe0.node(0);
        CountDownLatch others = new CountDownLatch(CODE.dataShards() - 1);
        AtomicBoolean waitedInVain = new AtomicBoolean();
        HookedNodes nodes = new HookedNodes(cluster.nodes, (node, name) -> {
            if (stripeOf.getOrDefault(name, -1) != 0) {
                return;
            }
            if (node == slow) {
                // Answers only once the stripe's other k - 1 fragments were asked for: one at a
                // time (shard 0 first) this would wait out the guard.
                try {
                    waitedInVain.set(!others.await(GUARD_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("interrupted");
                }
            } else {
                others.countDown();
            }
        });
        CollectingSink sink = new CollectingSink();
        RestoreReport report = restore(nodes, sink);
        assertFalse(waitedInVain.get(), "the other fragments of stripe 0 were asked for while node " + slow + " was slow");
        assertArrayEquals(version.content(), sink.committed);
        assertEquals(List.of(), report.nodesDown());
        assertEquals(List.of(), report.corrupt());
    }

    @Test
    void corruptFragmentsMetByConcurrentRequestsAreReportedInStripeAndShardOrder() throws IOException {
        StripeFragments s0 = manifest.stripes().get(0);
        StripeFragments s2 = manifest.stripes().get(2);
        // Damaged in an order unlike the report's, on disk, so the stores find them (and set them aside).
        flipByte(cluster.objectFile(s2.node(3), s2.name(3)));
        flipByte(cluster.objectFile(s0.node(4), s0.name(4)));
        flipByte(cluster.objectFile(s0.node(1), s0.name(1)));

        CollectingSink sink = new CollectingSink();
        RestoreReport report = restore(cluster.nodes, sink);

        assertArrayEquals(version.content(), sink.committed);
        assertEquals(List.of(s0.name(1), s0.name(4), s2.name(3)), report.corrupt().stream().map(CorruptFragment::name)
                .toList());
        assertEquals(List.of(s0.node(1), s0.node(4), s2.node(3)), report.corrupt().stream().map(CorruptFragment::node)
                .toList());
        assertTrue(report.corrupt().stream().allMatch(c -> c.reason().startsWith("the node found it corrupt: ")),
                report.corrupt().toString());
        assertEquals(10 * 6, report.fragmentsFetched());
        for (StripeFragments s : List.of(s0, s2)) {
            for (int shard : s == s0 ? new int[] {1, 4} : new int[] {3}) {
                assertFalse(cluster.stores.get(s.node(shard)).has(s.name(shard)), "set aside by its store");
            }
        }
    }

    @Test
    void aLyingNodeIsReportedTheSameWayEveryTime() throws IOException {
        int liar = manifest.stripes().get(3).node(2);
        cluster.nodes.lying(liar);
        List<RestoreReport> reports = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            CollectingSink sink = new CollectingSink();
            reports.add(restore(cluster.nodes, sink));
            assertArrayEquals(version.content(), sink.committed);
        }
        assertFalse(reports.getFirst().corrupt().isEmpty());
        assertTrue(reports.getFirst().corrupt().stream().allMatch(c -> c.node() == liar && c.reason().contains("hash to")),
                reports.getFirst().corrupt().toString());
        assertEquals(reports.get(0), reports.get(1));
        assertEquals(reports.get(0), reports.get(2));
    }

    @Test
    void aFailedRestoreInterruptsTheRequestsOfItsReadAheadAndWaitsForThem() throws IOException {
        // Stripe 1, read ahead while the sink takes stripe 0, hangs until interrupted.
        HangingStripe hang = new HangingStripe(1);
        HookedNodes nodes = new HookedNodes(cluster.nodes, hang);
        AtomicInteger aborts = new AtomicInteger();
        BlockSink failing = new BlockSink() {
            @Override
            public void begin(VersionRoot root, byte[] certificate) {}

            @Override
            public void accept(long index, Bguid bguid, byte[] bytes) throws IOException {
                try {
                    assertTrue(hang.entered.await(GUARD_SECONDS, TimeUnit.SECONDS), "stripe 1 was read ahead");
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                throw new IOException("sink full");
            }

            @Override
            public void commit() {
                throw new AssertionError("committed");
            }

            @Override
            public void abort() {
                aborts.incrementAndGet();
            }
        };

        IOException e = assertThrows(IOException.class, () -> restore(nodes, failing));

        assertEquals("sink full", e.getMessage());
        assertEquals(1, aborts.get());
        // restore() returned: every request it started has ended, each through its interrupt.
        assertEquals(0, hang.running.get());
        assertTrue(hang.started.get() >= 1);
        assertEquals(hang.started.get(), hang.interrupted.get());
        hang.never.countDown();

        CollectingSink sink = new CollectingSink();
        restore(cluster.nodes, sink);
        assertArrayEquals(version.content(), sink.committed);
    }

    @Test
    void anInterruptedRestoreStopsAbortsItsSinkAndLeavesNoRequestRunning() throws Exception {
        HangingStripe hang = new HangingStripe(1);
        HookedNodes nodes = new HookedNodes(cluster.nodes, hang);
        CollectingSink sink = new CollectingSink();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread restoring = Thread.ofPlatform().start(() -> {
            try {
                restore(nodes, sink);
            } catch (Throwable t) {
                outcome.set(t);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        assertTrue(hang.entered.await(GUARD_SECONDS, TimeUnit.SECONDS), "stripe 1 was asked for");
        restoring.interrupt();
        restoring.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertFalse(restoring.isAlive());
        hang.never.countDown();

        assertTrue(outcome.get() instanceof InterruptedIOException, String.valueOf(outcome.get()));
        assertTrue(stillInterrupted.get(), "the caller's interrupt is kept for it");
        assertEquals(1, sink.aborts);
        assertEquals(0, sink.commits);
        assertEquals(0, hang.running.get(), "restore() returned after every request it started had ended");
        assertTrue(hang.started.get() >= 1);
    }

    @Test
    void readAheadStaysOneStripeAheadAndNoNodeGetsTwoRequestsAtOnce() throws IOException {
        AtomicInteger furthest = new AtomicInteger(-1);
        AtomicIntegerArray inFlight = new AtomicIntegerArray(9);
        List<String> violations = new CopyOnWriteArrayList<>();
        HookedNodes nodes = new HookedNodes(cluster.nodes, (node, name) -> {
            furthest.accumulateAndGet(stripeOf.getOrDefault(name, -1), Math::max);
            if (inFlight.incrementAndGet(node) > 1) {
                violations.add("node " + node + " got a second request while one was in flight");
            }
        });
        nodes.after = (node, name) -> inFlight.decrementAndGet(node);
        Map<Long, Integer> lastStripe = new ConcurrentHashMap<>();
        for (int i = 0; i < manifest.blocks().size(); i++) {
            long end = manifest.blocks().get(i).offset() + manifest.blocks().get(i).length() - 1;
            lastStripe.put((long) i, (int) (end / CODE.stripeBytes()));
        }
        CollectingSink collecting = new CollectingSink();
        BlockSink watching = new BlockSink() {
            @Override
            public void begin(VersionRoot root, byte[] certificate) {
                collecting.begin(root, certificate);
            }

            @Override
            public void accept(long index, Bguid bguid, byte[] bytes) {
                int stripe = lastStripe.get(index);
                if (furthest.get() > stripe + 1) {
                    violations.add("block " + index + " (stripe " + stripe + ") arrived after stripe " + furthest.get()
                            + " was asked for");
                }
                collecting.accept(index, bguid, bytes);
            }

            @Override
            public void commit() {
                collecting.commit();
            }

            @Override
            public void abort() {
                collecting.abort();
            }
        };
        restore(nodes, watching);
        assertArrayEquals(version.content(), collecting.committed);
        assertEquals(List.of(), violations);
        assertEquals(9, furthest.get());
    }

    private RestoreReport restore(ArchiveNodes nodes, BlockSink sink) throws IOException {
        return new Restorer(nodes, Versions.checker()).restore(version.root().aguid(), version.root().seq(), sink,
                Progress.NONE);
    }

    private static void flipByte(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 50);
            b.flip();
            b.put(0, (byte) (b.get(0) ^ 0x40));
            ch.write(b, 50);
        }
    }

    /** A hook under which every request for stripe {@code stripe}'s fragments hangs until interrupted, counted. */
    private final class HangingStripe implements Hook {
        private final int stripe;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch never = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();

        HangingStripe(int stripe) {
            this.stripe = stripe;
        }

        @Override
        public void on(int node, Hash32 name) throws IOException {
            if (stripeOf.getOrDefault(name, -1) != stripe) {
                return;
            }
            started.incrementAndGet();
            running.incrementAndGet();
            entered.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw new InterruptedIOException("request cancelled");
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** Runs before (and optionally after) every fragment read of a node; may throw as the node would. */
    @FunctionalInterface
    private interface Hook {
        void on(int node, Hash32 name) throws IOException;
    }

    /** Real nodes with a hook on every fragment read ({@code get} and {@code getUnverified}). */
    private static final class HookedNodes extends ForwardingArchiveNodes {
        private final Hook before;
        Hook after = (node, name) -> {};

        HookedNodes(ArchiveNodes real, Hook before) {
            super(real);
            this.before = before;
        }

        @Override
        public Optional<byte[]> get(int node, Hash32 name) throws IOException {
            before.on(node, name);
            try {
                return super.get(node, name);
            } finally {
                after.on(node, name);
            }
        }

        @Override
        public Optional<byte[]> getUnverified(int node, Hash32 name) throws IOException {
            before.on(node, name);
            try {
                return super.getUnverified(node, name);
            } finally {
                after.on(node, name);
            }
        }
    }
}
