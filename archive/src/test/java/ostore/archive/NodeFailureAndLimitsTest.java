package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.ManifestPlan;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that fail with unchecked exceptions count as down for the call; manifests are refused if
 * their code is outside the reader's limits; a manifest too large for a node is refused before any
 * upload, permanently.
 */
class NodeFailureAndLimitsTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);

    @TempDir
    Path dir;

    @Test
    void nodesThrowingUncheckedExceptionsAreTreatedAsDown() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(31, 30_000, 1024));
            cluster.nodes.refusing(2);
            WriteReport w = cluster.archive(v, Optional.empty());
            assertEquals(List.of(2), w.nodesDown());

            // With node 2's fragments missing, two more nodes failing leaves exactly k per stripe.
            cluster.nodes.heal().refusing(0).crashing(4);
            CollectingSink sink = new CollectingSink();
            RestoreReport r = cluster.restore(v, sink);
            assertArrayEquals(v.content(), sink.committed);
            assertEquals(List.of(0, 4), r.nodesDown());

            cluster.nodes.heal().crashing(5);
            ScrubReport s = new Scrubber(cluster.nodes, Versions.checker()).scrub(v.root().aguid(), 1);
            assertTrue(s.lost().isEmpty(), s.toString());
            assertEquals(List.of(5), s.nodesDown());
            // Node 2 missed the write; the scrub put its fragments and manifest back.
            assertTrue(s.repaired().stream().allMatch(x -> x.node() == 2 || x.relocated()), s.toString());
            assertTrue(s.manifestCopiesAdded() >= 1, s.toString());

            cluster.nodes.heal().crashing(0, 1).refusing(3);
            Restorer restorer = new Restorer(cluster.nodes, Versions.checker());
            assertEquals(w.manifestName(), restorer.manifest(v.root().aguid(), 1).name());
        }
    }

    @Test
    void aManifestWhoseCodeIsOutsideTheLimitsIsRejected() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(32, 5000, 1024));
            cluster.archive(v, Optional.empty());
            for (CodeLimits limits : List.of(new CodeLimits(8, 1 << 20), new CodeLimits(32, 999))) {
                ArchiveException e = assertThrows(ArchiveException.class, () -> new Restorer(cluster.nodes,
                        Versions.checker(), limits).restore(v.root().aguid(), 1, new CollectingSink(), Progress.NONE));
                assertTrue(e.getMessage().contains("allowed here") || e.getMessage().contains("shards a stripe may have"),
                        e.getMessage());
                assertThrows(ArchiveException.class,
                        () -> new Scrubber(cluster.nodes, Versions.checker(), limits).scrub(v.root().aguid(), 1));
            }
            CollectingSink sink = new CollectingSink();
            new Restorer(cluster.nodes, Versions.checker(), CodeLimits.admitting(CODE)).restore(v.root().aguid(), 1,
                    sink, Progress.NONE);
            assertArrayEquals(v.content(), sink.committed);
        }
        assertThrows(IllegalArgumentException.class, () -> new CodeLimits(257, 1));
        assertThrows(IllegalArgumentException.class, () -> new CodeLimits(32, FragmentStore.MAX_OBJECT_BYTES));
    }

    @Test
    void theManifestSizeIsCheckedBeforeAnyUploadAndThatFailureIsPermanent() {
        CodeParams tiny = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 1, 255, 1);
        Versions.Version v = Versions.first(Versions.randomBlocks(33, 8000, 8000));
        CountingNodes nodes = new CountingNodes(256);
        ArchiveException e = assertThrows(ArchiveException.class, () -> new ArchiveWriter(nodes, tiny)
                .write(v.root(), v.entries(), v.source(), Optional.empty(), v.certificate(), Progress.NONE));
        assertTrue(e.permanent(), e.getMessage());
        assertTrue(e.getMessage().contains("more than a storage node holds"), e.getMessage());
        assertEquals(0, nodes.calls.get());
        assertFalse(new ArchiveException("transient").permanent());
    }

    @Test
    void thePlannedManifestSizeIsTheEncodedSize() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v1 = Versions.first(Versions.randomBlocks(34, 12_345, 1000));
            List<byte[]> blocks = new ArrayList<>(Versions.randomBlocks(34, 12_345, 1000));
            blocks.add(Versions.randomBlocks(35, 777, 1000).getFirst());
            Versions.Version v2 = Versions.next(v1, blocks);
            WriteReport r1 = cluster.archive(v1, Optional.empty());
            WriteReport r2 = cluster.archive(v2, Optional.of(r1.manifest()));
            assertEquals(r1.manifest().encode().length,
                    ManifestPlan.of(v1.root(), v1.entries(), Optional.empty(), CODE, 9).manifestBytes());
            assertEquals(r2.manifest().encode().length,
                    ManifestPlan.of(v2.root(), v2.entries(), Optional.of(r1.manifest()), CODE, 9).manifestBytes());
        }
    }

    /** Nodes that hold nothing and count the calls made to them. */
    private static final class CountingNodes implements ArchiveNodes {
        final int count;
        final AtomicInteger calls = new AtomicInteger();

        CountingNodes(int count) {
            this.count = count;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public boolean put(int node, Hash32 name, byte[] bytes) {
            calls.incrementAndGet();
            return true;
        }

        @Override
        public Optional<byte[]> get(int node, Hash32 name) {
            calls.incrementAndGet();
            return Optional.empty();
        }

        @Override
        public boolean has(int node, Hash32 name) {
            calls.incrementAndGet();
            return false;
        }

        @Override
        public boolean addIndex(int node, Hash32 key, byte[] value) {
            calls.incrementAndGet();
            return true;
        }

        @Override
        public List<byte[]> index(int node, Hash32 key) {
            calls.incrementAndGet();
            return List.of();
        }
    }
}
