package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.StripeFragments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrub finds lost and corrupt fragments and regenerates them; restore then survives further losses. */
class ScrubberTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);

    @TempDir
    Path dir;

    @Test
    void repairsALostNodeInPlaceAndTheVersionSurvivesThreeOtherNodesDown() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(41, 40_000, 1024));
            WriteReport w = cluster.archive(v, Optional.empty());
            Scrubber scrubber = new Scrubber(cluster.nodes, Versions.checker());
            assertTrue(scrubber.scrub(Versions.AGUID, 1).repaired().isEmpty());

            cluster.wipe(4);
            StripeFragments s2 = w.manifest().stripes().get(2);
            int shard = s2.nodes().indexOf(4) == 0 ? 1 : 0;
            ArchiveFaultTest.flipByte(cluster.objectFile(s2.node(shard), s2.name(shard)), 40);

            ScrubReport report = scrubber.scrub(Versions.AGUID, 1);
            int onNode4 = (int) w.manifest().stripes().stream().filter(s -> s.nodes().contains(4)).count();
            assertEquals(onNode4 + 1, report.repaired().size());
            assertTrue(report.repaired().stream().noneMatch(ScrubReport.Repair::relocated));
            assertEquals(1, report.manifestCopiesAdded());
            assertEquals(1, report.indexEntriesAdded());
            assertTrue(report.healthy());
            assertEquals(1, report.corrupt().size());

            ScrubReport clean = scrubber.scrub(Versions.AGUID, 1);
            assertTrue(clean.repaired().isEmpty() && clean.corrupt().isEmpty());
            assertEquals(w.manifest().stripes().size() * 9, clean.fragmentsGood());

            int[] others = {0, 1, 2, 3, 5, 6, 7, 8};
            for (int skip = 0; skip < others.length; skip += 3) {
                cluster.nodes.heal().down(others[skip], others[(skip + 1) % 8], others[(skip + 2) % 8]);
                CollectingSink sink = new CollectingSink();
                cluster.restore(v, sink);
                assertArrayEquals(v.content(), sink.committed);
            }
        }
    }

    @Test
    void aFragmentWhoseNodeIsDownIsRegeneratedElsewhereAndFoundThere() throws IOException {
        try (Cluster cluster = new Cluster(dir, 11, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(42, 20_000, 1024));
            WriteReport w = cluster.archive(v, Optional.empty());
            int lost = w.manifest().stripes().get(0).node(0);
            cluster.wipe(lost);
            cluster.nodes.down(lost);

            ScrubReport report = new Scrubber(cluster.nodes, Versions.checker()).scrub(Versions.AGUID, 1);
            assertTrue(report.healthy());
            assertFalse(report.repaired().isEmpty());
            for (ScrubReport.Repair r : report.repaired()) {
                StripeFragments s = w.manifest().stripes().get((int) r.stripe());
                assertTrue(r.relocated());
                assertFalse(s.nodes().contains(r.node()), "a relocated fragment goes to a node outside the stripe");
            }
            ScrubReport again = new Scrubber(cluster.nodes, Versions.checker()).scrub(Versions.AGUID, 1);
            assertTrue(again.repaired().isEmpty(), "relocated fragments are found where the repair put them");

            int[] twoMore = w.manifest().stripes().get(0).nodes().stream().filter(n -> n != lost).limit(2)
                    .mapToInt(Integer::intValue).toArray();
            cluster.nodes.down(twoMore);
            CollectingSink sink = new CollectingSink();
            RestoreReport restored = cluster.restore(v, sink);
            assertArrayEquals(v.content(), sink.committed);
            assertEquals(3, restored.nodesDown().size());
        }
    }

    @Test
    void aStripeBelowKIsReportedLost() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(43, 12_000, 1024));
            WriteReport w = cluster.archive(v, Optional.empty());
            StripeFragments s1 = w.manifest().stripes().get(1);
            for (int shard = 0; shard < 4; shard++) {
                java.nio.file.Files.delete(cluster.objectFile(s1.node(shard), s1.name(shard)));
            }
            ScrubReport report = new Scrubber(cluster.nodes, Versions.checker()).scrub(Versions.AGUID, 1);
            assertEquals(java.util.List.of(new ScrubReport.LostStripe(1, 5, 6)), report.lost());
            assertFalse(report.healthy());
        }
    }
}
