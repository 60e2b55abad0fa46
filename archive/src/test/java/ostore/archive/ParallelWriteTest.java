package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * stripe and shard order, and the manifest and progress must be what one put at a time gives.
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
}
