package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import ostore.archive.fragment.CodeParams;
import ostore.archive.fragment.Fragment;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer stores a stripe's k + m fragments at once and fills the next stripe meanwhile: a node
 * failing part way must still be asked no more, the report must list what was not placed in
 * stripe and shard order, and the manifest and progress must be what one put at a time gives. The
 * manifest copies are stored while the last stripe's fragments are, and no index entry is added
 * before every fragment and manifest copy is stored.
 */
class ParallelWriteTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);

    @TempDir
    Path dir;

    @Test
    void aNodeThatFailsPartWayIsNotAskedAgainAndTheReportFollowsStripeOrder() throws IOException {
        Versions.Version version = Versions.first(Versions.randomBlocks(23, 59_500, 1024));
        WriteReport healthy;
        try (Cluster reference = new Cluster(dir.resolve("reference"), 9, CODE)) {
            healthy = reference.archive(version, Optional.empty());
        }
        assertTrue(healthy.complete());

        try (Cluster cluster = new Cluster(dir.resolve("failing"), 9, CODE)) {
            int victim = healthy.manifest().stripes().get(3).node(0);
            AtomicBoolean broken = new AtomicBoolean();
            AtomicInteger askedAfterFailing = new AtomicInteger();
            ArchiveNodes nodes = new ForwardingArchiveNodes(cluster.nodes) {
                @Override
                public Hash32 putNamed(int node, byte[] bytes) throws IOException {
                    if (node == victim) {
                        if (broken.get()) {
                            askedAfterFailing.incrementAndGet();
                        }
                        if (broken.get() || Fragment.checkEncoded(bytes).stripeIndex() >= 3) {
                            broken.set(true);
                            throw new IOException("storage node " + node + " dropped off");
                        }
                    }
                    return super.putNamed(node, bytes);
                }
            };
            List<long[]> progress = new ArrayList<>();
            WriteReport report = new ArchiveWriter(nodes, CODE).write(version.root(), version.entries(),
                    version.source(), Optional.empty(), version.certificate(),
                    (done, total) -> progress.add(new long[] {done, total}));

            assertEquals(0, askedAfterFailing.get(), "a node that failed is not asked again in the same write");
            assertArrayEquals(healthy.manifest().encode(), report.manifest().encode(), "the same manifest");
            assertEquals(List.of(victim), report.nodesDown());
            assertFalse(report.manifestNodes().contains(victim));
            List<Long> unplacedStripes = report.unplaced().stream().map(WriteReport.Unplaced::stripe).toList();
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), unplacedStripes);
            assertTrue(report.unplaced().getFirst().reason().contains("dropped off"), report.unplaced().toString());
            assertTrue(report.unplaced().subList(1, 7).stream().allMatch(u -> u.reason().equals("node " + victim
                    + " is down")), report.unplaced().toString());
            for (WriteReport.Unplaced u : report.unplaced()) {
                assertEquals(victim, u.node());
                assertEquals(healthy.manifest().stripes().get((int) u.stripe()).name(u.shard()), u.name());
            }
            assertEquals(10 * 9 - 7, report.fragmentsPlaced());

            // Progress: from 0, one update per stripe as its fragments are stored, then the total again.
            long total = report.archivedBytes();
            assertEquals(12, progress.size());
            assertArrayEquals(new long[] {0, total}, progress.getFirst());
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress never goes back");
                assertEquals(total, progress.get(i)[1]);
            }
            assertArrayEquals(new long[] {total, total}, progress.getLast());
            assertEquals(Math.min(total, 6000), progress.get(1)[0]);

            CollectingSink sink = new CollectingSink();
            cluster.restore(version, sink);
            assertArrayEquals(version.content(), sink.committed);
        }
    }

    @Test
    void theManifestIsStoredWithTheLastStripeAndIndexedOnlyOnceAllIsStored() throws Exception {
        Versions.Version version = Versions.first(Versions.randomBlocks(29, 20_000, 1024));
        WriteReport healthy;
        try (Cluster reference = new Cluster(dir.resolve("reference"), 9, CODE)) {
            healthy = reference.archive(version, Optional.empty());
        }
        int stripes = healthy.manifest().stripes().size();
        assertTrue(stripes > 1, stripes + " stripes");

        try (Cluster cluster = new Cluster(dir.resolve("overlapping"), 9, CODE)) {
            CountDownLatch manifestPut = new CountDownLatch(1);
            AtomicInteger stored = new AtomicInteger();
            List<Integer> storedBeforeIndex = Collections.synchronizedList(new ArrayList<>());
            ArchiveNodes nodes = new ForwardingArchiveNodes(cluster.nodes) {
                @Override
                public boolean put(int node, Hash32 name, byte[] bytes) throws IOException {
                    if (name.equals(healthy.manifestName())) {
                        manifestPut.countDown();
                    } else if (Fragment.checkEncoded(bytes).stripeIndex() == stripes - 1) {
                        // Held until a manifest copy is on its way: the write must not wait for this put first.
                        try {
                            if (!manifestPut.await(30, TimeUnit.SECONDS)) {
                                throw new IOException("no manifest copy was stored while the last stripe was");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                    }
                    boolean created = super.put(node, name, bytes);
                    stored.incrementAndGet();
                    return created;
                }

                @Override
                public Hash32 putNamed(int node, byte[] bytes) throws IOException {
                    Hash32 name = super.putNamed(node, bytes);
                    stored.incrementAndGet();
                    return name;
                }

                @Override
                public boolean addIndex(int node, Hash32 key, byte[] value) throws IOException {
                    storedBeforeIndex.add(stored.get());
                    return super.addIndex(node, key, value);
                }
            };
            WriteReport report = new ArchiveWriter(nodes, CODE).write(version.root(), version.entries(),
                    version.source(), Optional.empty(), version.certificate(), Progress.NONE);

            assertTrue(report.complete(), report.toString());
            assertArrayEquals(healthy.manifest().encode(), report.manifest().encode(), "the same manifest");
            assertEquals(Collections.nCopies(9, stripes * 9 + 9), storedBeforeIndex,
                    "every fragment and manifest copy stored before any index entry");
            CollectingSink sink = new CollectingSink();
            cluster.restore(version, sink);
            assertArrayEquals(version.content(), sink.committed);
        }
    }
}
