package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.ArchivedBlock;
import ostore.archive.store.FragmentStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unchanged blocks are archived once; every writer produces the same manifest and fragments. */
class DedupAndDeterminismTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 4, 2, 700);

    @TempDir
    Path dir;

    @Test
    void aSecondVersionArchivesOnlyItsNewBlocksAndStillRestoresExactly() throws IOException {
        try (Cluster cluster = new Cluster(dir, 6, CODE)) {
            List<byte[]> blocks1 = Versions.randomBlocks(21, 20 * 1000, 1000);
            Versions.Version v1 = Versions.first(blocks1);
            WriteReport w1 = cluster.archive(v1, Optional.empty());

            List<byte[]> blocks2 = new ArrayList<>(blocks1);
            byte[] fresh = Versions.randomBlocks(22, 1000, 1000).getFirst();
            blocks2.set(5, fresh);
            blocks2.remove(12);
            blocks2.add(fresh.clone());
            blocks2.add(Versions.randomBlocks(23, 333, 1000).getFirst());
            Versions.Version v2 = Versions.next(v1, blocks2);
            Restorer restorer = new Restorer(cluster.nodes, Versions.checker());
            assertEquals(w1.manifest(), restorer.manifest(Versions.AGUID, 1), "what a restarted writer dedups against");
            WriteReport w2 = cluster.archive(v2, Optional.of(restorer.manifest(Versions.AGUID, 1)));

            assertEquals(1000 + 333, w2.archivedBytes(), "the block used twice is archived once, the others not again");
            List<ArchivedBlock> table = w2.manifest().blocks();
            assertEquals(new ArchivedBlock(v2.entries().get(0).bguid(), 1000, 1, 0), table.get(0));
            assertEquals(new ArchivedBlock(v2.entries().get(5).bguid(), 1000, 2, 0), table.get(5));
            assertEquals(table.get(5), table.get(table.size() - 2), "a repeated new block keeps its first location");
            assertEquals(new ArchivedBlock(v2.entries().getLast().bguid(), 333, 2, 1000), table.getLast());
            assertEquals(new ArchivedBlock(v2.entries().get(12).bguid(), 1000, 1, 13 * 1000), table.get(12));

            cluster.nodes.down(0, 3);
            CollectingSink sink2 = new CollectingSink();
            RestoreReport r2 = cluster.restore(v2, sink2);
            assertArrayEquals(v2.content(), sink2.committed);
            assertEquals(v2.entries().stream().map(e -> e.bguid()).toList(), sink2.committedBlocks);
            assertTrue(r2.fragmentsFetched() > 4, "blocks of seq 1 come from seq 1's stripes");
            CollectingSink sink1 = new CollectingSink();
            cluster.restore(v1, sink1);
            assertArrayEquals(v1.content(), sink1.committed);
        }
    }

    @Test
    void twoWritersOfOneVersionProduceIdenticalManifestsAndFragments() throws IOException {
        Versions.Version v1 = Versions.first(Versions.randomBlocks(31, 9_000, 1000));
        Versions.Version v2 = Versions.next(v1, Versions.randomBlocks(32, 5_000, 1000));
        try (Cluster a = new Cluster(dir.resolve("a"), 6, CODE); Cluster b = new Cluster(dir.resolve("b"), 6, CODE)) {
            WriteReport a1 = a.archive(v1, Optional.empty());
            WriteReport b1 = b.archive(v1, Optional.empty());
            WriteReport a2 = a.archive(v2, Optional.of(a1.manifest()));
            WriteReport b2 = b.archive(v2, Optional.of(b1.manifest()));
            assertArrayEquals(a1.manifest().encode(), b1.manifest().encode());
            assertArrayEquals(a2.manifest().encode(), b2.manifest().encode());
            assertEquals(a2.manifestName(), b2.manifestName());
            for (int node = 0; node < 6; node++) {
                assertEquals(a.stores.get(node).list(null, 1000), b.stores.get(node).list(null, 1000),
                        "node " + node + " holds the same objects in both clusters");
            }
            FragmentStore.Usage before = a.stores.get(0).usage();
            WriteReport again = a.archive(v2, Optional.of(a1.manifest()));
            assertEquals(a2.manifestName(), again.manifestName());
            assertEquals(before, a.stores.get(0).usage(), "a second replica's write adds no objects");
        }
    }
}
