package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.StripeFragments;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores and writes with nodes down, corrupt, truncated or lying fragments, and too few left. */
class ArchiveFaultTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);

    @TempDir
    Path dir;

    private Cluster cluster;
    private Versions.Version version;
    private WriteReport written;

    @BeforeEach
    void archiveTenStripes() throws IOException {
        cluster = new Cluster(dir, 9, CODE);
        version = Versions.first(Versions.randomBlocks(7, 59_500, 1024));
        written = cluster.archive(version, Optional.empty());
        assertEquals(10, written.manifest().stripes().size());
    }

    @Test
    void restoresWithEveryChoiceOfThreeNodesDown() throws IOException {
        int patterns = 0;
        for (int a = 0; a < 9; a++) {
            for (int b = a + 1; b < 9; b++) {
                for (int c = b + 1; c < 9; c++) {
                    cluster.nodes.heal().down(a, b, c);
                    CollectingSink sink = new CollectingSink();
                    RestoreReport report = cluster.restore(version, sink);
                    assertArrayEquals(version.content(), sink.committed, "down: " + a + "," + b + "," + c);
                    assertEquals(List.of(a, b, c), report.nodesDown());
                    patterns++;
                }
            }
        }
        assertEquals(84, patterns);
    }

    @Test
    void corruptAndTruncatedFragmentsAreSkippedReportedAndQuarantined() throws IOException {
        StripeFragments stripe0 = written.manifest().stripes().get(0);
        flipByte(cluster.objectFile(stripe0.node(0), stripe0.name(0)), 100);
        truncate(cluster.objectFile(stripe0.node(1), stripe0.name(1)), 500);
        StripeFragments stripe7 = written.manifest().stripes().get(7);
        truncate(cluster.objectFile(stripe7.node(5), stripe7.name(5)), 0);

        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(version, sink);

        assertArrayEquals(version.content(), sink.committed);
        Set<String> corrupt = new TreeSet<>();
        report.corrupt().forEach(c -> corrupt.add(c.node() + ":" + c.name()));
        assertEquals(Set.of(stripe0.node(0) + ":" + stripe0.name(0), stripe0.node(1) + ":" + stripe0.name(1),
                stripe7.node(5) + ":" + stripe7.name(5)), corrupt);
        assertTrue(report.corrupt().getFirst().reason().contains("corrupt"), report.corrupt().getFirst().reason());
        assertEquals(10 * 6, report.fragmentsFetched(), "k verified fragments per stripe, parity standing in for the bad");
        try (var q = Files.list(dir.resolve("node-" + stripe0.node(0)).resolve("quarantine"))) {
            assertEquals(1, q.count(), "the store set the corrupt fragment aside");
        }
    }

    @Test
    void aLyingNodeIsCaughtByTheRestorerItself() throws IOException {
        int liar = written.manifest().stripes().get(0).node(0);
        cluster.nodes.lying(liar);
        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(version, sink);
        assertArrayEquals(version.content(), sink.committed);
        assertFalse(report.corrupt().isEmpty());
        assertTrue(report.corrupt().stream().allMatch(c -> c.node() == liar && c.reason().contains("hash to")),
                report.corrupt().toString());
    }

    @Test
    void fewerThanKGoodFragmentsFailsClearlyAndTheSinkKeepsNothing() throws IOException {
        StripeFragments stripe4 = written.manifest().stripes().get(4);
        for (int shard = 0; shard < 4; shard++) {
            if (shard % 2 == 0) {
                Files.delete(cluster.objectFile(stripe4.node(shard), stripe4.name(shard)));
            } else {
                flipByte(cluster.objectFile(stripe4.node(shard), stripe4.name(shard)), 7);
            }
        }
        CollectingSink sink = new CollectingSink();
        TooFewFragmentsException e = assertThrows(TooFewFragmentsException.class, () -> cluster.restore(version, sink));
        assertEquals(4, e.stripe());
        assertEquals(5, e.good());
        assertEquals(6, e.needed());
        assertEquals(1, e.seq());
        assertTrue(e.getMessage().startsWith("cannot rebuild stripe 4 of " + Versions.AGUID + " seq 1: 5 good fragments"
                + " found, 6 needed"), e.getMessage());
        assertEquals(1, sink.begins);
        assertEquals(1, sink.aborts);
        assertEquals(0, sink.commits);
        assertNull(sink.committed);
    }

    @Test
    void writeToleratesMNodesDownAndReportsWhatIsMissing() throws IOException {
        Versions.Version v2 = Versions.next(version, Versions.randomBlocks(8, 30_000, 1024));
        cluster.nodes.down(2, 5, 8);
        WriteReport report = cluster.archive(v2, Optional.of(written.manifest()));
        assertFalse(report.complete());
        assertEquals(List.of(2, 5, 8), report.nodesDown());
        assertEquals(List.of(0, 1, 3, 4, 6, 7), report.manifestNodes());
        int stripes = report.manifest().stripes().size();
        assertEquals(stripes * 9, report.fragmentsPlaced() + report.unplaced().size());
        assertEquals(stripes * 3, report.unplaced().size(), "each stripe has exactly 3 fragments on the 3 down nodes");
        for (WriteReport.Unplaced u : report.unplaced()) {
            assertTrue(Set.of(2, 5, 8).contains(u.node()));
            assertEquals(u.name(), report.manifest().stripes().get((int) u.stripe()).name(u.shard()));
        }
        CollectingSink sink = new CollectingSink();
        cluster.restore(v2, sink);
        assertArrayEquals(v2.content(), sink.committed, "restorable with the same 3 nodes still down");
    }

    @Test
    void writeFailsClearlyWithMoreThanMNodesDown() {
        Versions.Version v2 = Versions.next(version, Versions.randomBlocks(9, 30_000, 1024));
        cluster.nodes.down(0, 1, 2, 3);
        ArchiveException e = assertThrows(ArchiveException.class,
                () -> cluster.archive(v2, Optional.of(written.manifest())));
        assertTrue(e.getMessage().matches("stripe 0 of .* seq 2 was stored on [0-5] of 9 nodes, at least k = 6 needed"
                + " \\(nodes down: .*\\)"), e.getMessage());
    }

    @Test
    void anIndexEntryWithAnotherVersionsCertificateIsRefused() throws IOException {
        Versions.Version v2 = Versions.next(version, Versions.randomBlocks(10, 100, 1024));
        Hash32 key = ArchiveNames.indexKey(Versions.AGUID, 2);
        byte[] forged = new IndexEntry(written.manifestName(), Versions.certificate(version.root(), 3)).encode();
        for (int node = 0; node < 9; node++) {
            cluster.nodes.addIndex(node, key, forged);
        }
        ArchiveException e = assertThrows(ArchiveException.class, () -> cluster.restore(v2, new CollectingSink()));
        assertTrue(e.getMessage().contains("no verified archive manifest for " + Versions.AGUID + " seq 2: 1 index"
                + " entries found on 9 of 9 storage nodes"), e.getMessage());
        assertTrue(e.getMessage().contains("certificate is for " + Versions.AGUID + " seq 1"), e.getMessage());
    }

    @Test
    void aVersionNeverArchivedIsNotFound() {
        Versions.Version v2 = Versions.next(version, Versions.randomBlocks(11, 100, 1024));
        cluster.nodes.down(3);
        ArchiveException e = assertThrows(ArchiveException.class, () -> cluster.restore(v2, new CollectingSink()));
        assertEquals("no verified archive manifest for " + Versions.AGUID + " seq 2: 0 index entries found on 8 of 9"
                + " storage nodes (down: [3])", e.getMessage());
    }

    @Test
    void certificatesWithDifferentSignersBothLeadToTheOneManifest() throws IOException {
        byte[] other = Versions.certificate(version.root(), 1, 2, 3);
        WriteReport again = new ArchiveWriter(cluster.nodes, CODE).write(version.root(), version.entries(),
                version.source(), Optional.empty(), other, Progress.NONE);
        assertEquals(written.manifestName(), again.manifestName());
        assertEquals(2, cluster.nodes.index(0, ArchiveNames.indexKey(Versions.AGUID, 1)).size());
        CollectingSink sink = new CollectingSink();
        cluster.restore(version, sink);
        assertArrayEquals(version.content(), sink.committed);
    }

    @Test
    void aSourceThatReturnsWrongBytesFailsTheWriteBeforeAnyManifestIsIndexed() throws IOException {
        Versions.Version v2 = Versions.next(version, Versions.randomBlocks(12, 20_000, 1024));
        ArchiveWriter writer = new ArchiveWriter(cluster.nodes, CODE);
        ArchiveException e = assertThrows(ArchiveException.class, () -> writer.write(v2.root(), v2.entries(),
                (bguid, length) -> new byte[length], Optional.of(written.manifest()), v2.certificate(), Progress.NONE));
        assertEquals("block 0 from the source is not block " + v2.entries().getFirst().bguid() + " of 1024 bytes (1024"
                + " bytes)", e.getMessage());
        for (int node = 0; node < 9; node++) {
            assertTrue(cluster.nodes.index(node, ArchiveNames.indexKey(Versions.AGUID, 2)).isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> writer.write(v2.root(), v2.entries(), v2.source(),
                Optional.empty(), new byte[IndexEntry.MAX_CERTIFICATE_BYTES + 1], Progress.NONE));
    }

    static void flipByte(Path file, int at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[at] ^= 1;
        Files.write(file, b);
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }
}
