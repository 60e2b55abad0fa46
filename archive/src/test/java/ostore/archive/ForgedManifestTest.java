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
import java.util.Random;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.ArchivedBlock;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.ManifestPlan;
import ostore.archive.manifest.StripeFragments;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests with a valid certificate (copied from a real index entry) but invented fragments or
 * block locations, planted so they rank first: restore, the manifest lookup, dedup and scrub all
 * get past them to the real manifest and report them.
 */
class ForgedManifestTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);

    @TempDir
    Path dir;

    private Cluster cluster;
    private Versions.Version v1;
    private Versions.Version v2;
    /** The manifests the cluster will write for v1 and v2 (deterministic), learned on a scratch cluster. */
    private Manifest m1;
    private Manifest m2;

    @BeforeEach
    void versions() throws IOException {
        cluster = new Cluster(dir.resolve("real"), 9, CODE);
        v1 = Versions.first(Versions.randomBlocks(21, 20_000, 1000));
        List<byte[]> changed = new ArrayList<>(Versions.randomBlocks(21, 20_000, 1000));
        changed.set(3, Versions.randomBlocks(22, 1000, 1000).getFirst());
        v2 = Versions.next(v1, changed);
        try (Cluster scratch = new Cluster(dir.resolve("scratch"), 9, CODE)) {
            m1 = scratch.archive(v1, Optional.empty()).manifest();
            m2 = scratch.archive(v2, Optional.of(m1)).manifest();
        }
    }

    /** v's planned manifest with fragment names nobody stored. */
    private static Manifest withInventedFragments(Versions.Version v, Optional<Manifest> previous) {
        ManifestPlan plan = ManifestPlan.of(v.root(), v.entries(), previous, CODE, 9);
        Random random = new Random(99);
        List<List<Hash32>> names = new ArrayList<>();
        for (long s = 0; s < plan.stripeCount(); s++) {
            List<Hash32> stripe = new ArrayList<>();
            for (int i = 0; i < CODE.totalShards(); i++) {
                byte[] b = new byte[Hash32.LENGTH];
                random.nextBytes(b);
                stripe.add(Hash32.of(b));
            }
            names.add(stripe);
        }
        return plan.complete(names);
    }

    /** Stores {@code forged} on {@code holders} and lists it under its version's key on every node. */
    private void plant(Manifest forged, byte[] certificate, int... holders) throws IOException {
        byte[] bytes = forged.encode();
        for (int node : holders) {
            cluster.nodes.put(node, ArchiveNames.objectName(bytes), bytes);
        }
        byte[] entry = new IndexEntry(ArchiveNames.objectName(bytes), certificate).encode();
        for (int node = 0; node < 9; node++) {
            cluster.nodes.addIndex(node, ArchiveNames.indexKey(forged.aguid(), forged.seq()), entry);
        }
    }

    private Restorer restorer() {
        return new Restorer(cluster.nodes, Versions.checker());
    }

    @Test
    void aForgedManifestPlantedFirstIsRejectedAndTheRestoreIsExact() throws IOException {
        Manifest forged = withInventedFragments(v1, Optional.empty());
        plant(forged, v1.certificate(), 0);
        WriteReport real = cluster.archive(v1, Optional.empty());

        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(v1, sink);

        assertArrayEquals(v1.content(), sink.committed);
        assertEquals(real.manifestName(), report.manifestName());
        assertEquals(1, report.rejected().size());
        assertEquals(forged.name(), report.rejected().getFirst().name());
        assertTrue(report.rejected().getFirst().reason().contains("cannot rebuild stripe 0"),
                report.rejected().getFirst().reason());
        assertEquals(real.manifestName(), restorer().manifest(Versions.AGUID, 1).name());
        assertEquals(real.manifestName(), restorer().verifiedManifest(Versions.AGUID, 1).name());
    }

    @Test
    void theScrubberLeavesAForgedManifestAloneAndNeverSpreadsIt() throws IOException {
        Manifest forged = withInventedFragments(v1, Optional.empty());
        plant(forged, v1.certificate(), 0);
        WriteReport real = cluster.archive(v1, Optional.empty());
        cluster.wipe(5);

        ScrubReport report = new Scrubber(cluster.nodes, Versions.checker()).scrub(Versions.AGUID, 1);

        assertEquals(real.manifestName(), report.manifestName());
        assertEquals(List.of(forged.name()), report.rejected().stream().map(RejectedManifest::name).toList());
        assertTrue(report.healthy(), report.toString());
        assertEquals(1, report.manifestCopiesAdded());
        for (int node = 1; node < 9; node++) {
            assertFalse(cluster.nodes.has(node, forged.name()), "forged manifest copied to node " + node);
        }
        assertTrue(cluster.nodes.has(5, real.manifestName()));
    }

    @Test
    void anEarlierVersionsForgedManifestDoesNotBreakALaterRestore() throws IOException {
        plant(withInventedFragments(v1, Optional.empty()), v1.certificate(), 0, 1, 2);
        WriteReport r1 = cluster.archive(v1, Optional.empty());
        WriteReport r2 = cluster.archive(v2, Optional.of(r1.manifest()));
        assertEquals(1000, r2.archivedBytes());

        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(v2, sink);

        assertArrayEquals(v2.content(), sink.committed);
        assertEquals(r2.manifestName(), report.manifestName());
    }

    @Test
    void aForgedManifestWhoseEarlierRowsPointElsewhereIsRejected() throws IOException {
        WriteReport r1 = cluster.archive(v1, Optional.empty());
        Manifest real2 = m2;
        // Same fragments, but blocks 0 and 1 (both archived in seq 1, 1000 bytes each) swap places.
        List<ArchivedBlock> rows = new ArrayList<>(real2.blocks());
        ArchivedBlock b0 = rows.get(0);
        ArchivedBlock b1 = rows.get(1);
        rows.set(0, new ArchivedBlock(b0.bguid(), b0.length(), 1, b1.offset()));
        rows.set(1, new ArchivedBlock(b1.bguid(), b1.length(), 1, b0.offset()));
        Manifest forged = new Manifest(real2.root(), CODE, 9, real2.archivedBytes(), rows, real2.stripes());
        plant(forged, v2.certificate(), 0, 1, 2, 3, 4, 5, 6, 7, 8);
        WriteReport r2 = cluster.archive(v2, Optional.of(r1.manifest()));
        assertEquals(real2.blocks(), r2.manifest().blocks());

        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(v2, sink);

        assertArrayEquals(v2.content(), sink.committed);
        assertEquals(List.of(forged.name()), report.rejected().stream().map(RejectedManifest::name).toList());
        assertTrue(report.rejected().getFirst().reason().contains("no manifest of seq 1 yields its bytes"),
                report.rejected().getFirst().reason());
        assertEquals(r2.manifestName(), restorer().manifest(Versions.AGUID, 2).name());
    }

    @Test
    void aRowAtAnOffsetNearTwoToTheSixtyThreeIsRefusedNotOverflowed() throws IOException {
        WriteReport r1 = cluster.archive(v1, Optional.empty());
        Manifest real2 = m2;
        List<ArchivedBlock> rows = new ArrayList<>(real2.blocks());
        ArchivedBlock b0 = rows.get(0);
        // Fits the decode check exactly (offset + length = 2^63 - 1): the reader must refuse it.
        rows.set(0, new ArchivedBlock(b0.bguid(), b0.length(), 1, Long.MAX_VALUE - b0.length()));
        Manifest forged = new Manifest(real2.root(), CODE, 9, real2.archivedBytes(), rows, real2.stripes());
        plant(forged, v2.certificate(), 0, 1, 2, 3, 4, 5, 6, 7, 8);
        cluster.archive(v2, Optional.of(r1.manifest()));

        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(v2, sink);
        assertArrayEquals(v2.content(), sink.committed);
        assertEquals(List.of(forged.name()), report.rejected().stream().map(RejectedManifest::name).toList());

        // One past that no longer decodes as a manifest at all.
        ArchivedBlock past = new ArchivedBlock(b0.bguid(), b0.length(), 1, Long.MAX_VALUE - b0.length() + 1);
        rows.set(0, past);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Manifest(real2.root(), CODE, 9, real2.archivedBytes(), rows, real2.stripes()));
        assertTrue(e.getMessage().contains("ends past 2^63"), e.getMessage());
    }

    @Test
    void theStripeReaderComparesWithoutOverflow() throws IOException {
        WriteReport r1 = cluster.archive(v1, Optional.empty());
        FetchLog log = new FetchLog();
        StripeReader reader = new StripeReader(r1.manifest(), new FragmentFetcher(cluster.nodes, log), log);
        ArchiveException e = assertThrows(ArchiveException.class, () -> reader.read(Long.MAX_VALUE - 2, 10));
        assertTrue(e.getMessage().contains("lie past the 20000 bytes archived"), e.getMessage());
        assertArrayEquals(java.util.Arrays.copyOfRange(v1.content(), 19_990, 20_000), reader.read(19_990, 10));
    }

    @Test
    void dedupFromAVerifiedManifestArchivesOnlyTheChangedBlock() throws IOException {
        Manifest forged = withInventedFragments(v1, Optional.empty());
        plant(forged, v1.certificate(), 0, 1, 2, 3, 4, 5, 6, 7, 8);
        WriteReport r1 = cluster.archive(v1, Optional.empty());

        Manifest previous = restorer().verifiedManifest(Versions.AGUID, 1);
        assertEquals(r1.manifestName(), previous.name());
        WriteReport r2 = cluster.archive(v2, Optional.of(previous));

        assertEquals(1000, r2.archivedBytes());
        CollectingSink sink = new CollectingSink();
        cluster.restore(v2, sink);
        assertArrayEquals(v2.content(), sink.committed);
    }

    @Test
    void aManifestPlacingFragmentsPastTheLastNodeDoesNotThrow() throws IOException {
        // The real fragment names, placed as if there were 12 nodes: shards 0..2 on nodes 9..11.
        List<StripeFragments> stripes = new ArrayList<>();
        for (StripeFragments s : m1.stripes()) {
            List<Integer> nodes = new ArrayList<>(s.nodes());
            for (int i = 0; i < 3; i++) {
                nodes.set(i, 9 + i);
            }
            stripes.add(new StripeFragments(s.names(), nodes));
        }
        Manifest wide = new Manifest(m1.root(), CODE, 12, m1.archivedBytes(), m1.blocks(), stripes);
        plant(wide, v1.certificate(), 0, 1, 2, 3, 4, 5, 6, 7, 8);
        cluster.archive(v1, Optional.empty());

        CollectingSink sink = new CollectingSink();
        RestoreReport report = cluster.restore(v1, sink);
        assertArrayEquals(v1.content(), sink.committed);
        ScrubReport scrub = new Scrubber(cluster.nodes, Versions.checker()).scrub(Versions.AGUID, 1);
        assertTrue(scrub.lost().isEmpty(), scrub.toString());
        assertEquals(wide.name(), report.manifestName());
        assertTrue(report.nodesDown().isEmpty());
    }
}
