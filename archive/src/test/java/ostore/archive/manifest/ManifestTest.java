package ostore.archive.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ostore.archive.IndexEntry;
import ostore.archive.Versions;
import ostore.archive.fragment.CodeParams;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import org.junit.jupiter.api.Test;

class ManifestTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 2, 1, 4);

    /** Seq 1 of 3 blocks (5, 3 and 5 bytes, the last equal to the first): 8 bytes archived, 2 stripes of 8. */
    private static Versions.Version v1() {
        byte[] a = {1, 2, 3, 4, 5};
        return Versions.first(List.of(a, new byte[] {6, 7, 8}, a.clone()));
    }

    private static List<List<Hash32>> fakeNames(long stripes, int shards) {
        List<List<Hash32>> names = new ArrayList<>();
        for (int s = 0; s < stripes; s++) {
            List<Hash32> stripe = new ArrayList<>();
            for (int i = 0; i < shards; i++) {
                stripe.add(Hashing.hash(Domain.ARCHIVE_OBJECT, new byte[] {(byte) s, (byte) i}));
            }
            names.add(stripe);
        }
        return names;
    }

    private static Manifest sample() {
        Versions.Version v = v1();
        ManifestPlan plan = ManifestPlan.of(v.root(), v.entries(), Optional.empty(), CODE, 5);
        return plan.complete(fakeNames(plan.stripeCount(), 3));
    }

    @Test
    void planLaysOutNewBlocksOnceAndInOrder() {
        Versions.Version v = v1();
        ManifestPlan plan = ManifestPlan.of(v.root(), v.entries(), Optional.empty(), CODE, 5);
        assertEquals(8, plan.archivedBytes());
        assertEquals(List.of(0, 1), plan.newBlocks());
        assertEquals(1, plan.stripeCount());
        assertEquals(List.of(new ArchivedBlock(v.entries().get(0).bguid(), 5, 1, 0),
                new ArchivedBlock(v.entries().get(1).bguid(), 3, 1, 5),
                new ArchivedBlock(v.entries().get(0).bguid(), 5, 1, 0)), plan.table());
    }

    @Test
    void encodingIsPinnedAndRoundTrips() {
        Manifest m = sample();
        byte[] bytes = m.encode();
        assertEquals(Manifest.FORMAT, bytes[0]);
        assertArrayEquals(Versions.AGUID.toBytes(), Arrays.copyOfRange(bytes, 1, 33));
        assertEquals("71a761468dfa3c14234be654e6a6cd491aecab3e6c72cc77743a3e492fe55353", m.name().toHex());
        Manifest back = Manifest.decode(bytes);
        assertEquals(m, back);
        assertArrayEquals(bytes, back.encode());
        assertEquals(v1().root().vguid(), back.vguid());
    }

    @Test
    void malformedOrInconsistentManifestsAreRefused() {
        byte[] good = sample().encode();
        assertEquals("manifest has 1 trailing bytes", refuse(Arrays.copyOf(good, good.length + 1)));
        assertEquals("manifest format (2) must be 1", refuse(with(good, 0, 2)));
        assertTrue(refuse(with(good, 5, good[5] ^ 1)).startsWith("manifest names "), "aguid not the root's");
        assertTrue(refuse(with(good, good.length - 1, good[good.length - 1] ^ 1)).startsWith("manifest fragment root "));
        assertEquals("manifest stripes (1) items of at least 108 bytes do not fit in the 100 bytes left", refuse(Arrays.copyOf(good, good.length - 40)));
        // The last placement node of the stripe sits 36 bytes before the fragment root.
        int lastNode = good.length - 32 - 4;
        int firstNode = lastNode - 2 * 36;
        assertEquals("placement nodes [" + good[firstNode + 3] + ", " + good[firstNode + 39] + ", " + good[firstNode + 3]
                + "] must be distinct and >= 0", refuse(with(good, lastNode + 3, good[firstNode + 3])));
        assertEquals("stripe 0 is placed on node 9 of 5", refuse(with(good, lastNode + 3, 9)));
    }

    @Test
    void blockTableMustMatchTheRoot() {
        Manifest m = sample();
        List<ArchivedBlock> blocks = new ArrayList<>(m.blocks());
        ArchivedBlock b = blocks.get(2);
        blocks.set(2, new ArchivedBlock(new ostore.crypto.Bguid(Hash32.of(new byte[32])), 5, 1, 8));
        assertEquals("block table does not hash to the version root's blocks root " + m.root().blocksRoot(),
                assertThrows(IllegalArgumentException.class, () -> new Manifest(m.root(), m.code(), 5, 13, blocks,
                        m.stripes())).getMessage());
        blocks.set(2, new ArchivedBlock(blocks.get(1).bguid(), 3, 1, 5));
        assertEquals("blocks total 11 bytes, the version root 13", assertThrows(IllegalArgumentException.class,
                () -> new Manifest(m.root(), m.code(), 5, 8, blocks, m.stripes())).getMessage());
        blocks.set(2, new ArchivedBlock(b.bguid(), 5, 1, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Manifest(m.root(), m.code(), 5, 8, blocks,
                m.stripes())).getMessage().contains("differs from an earlier block with the same BGUID"));
        assertEquals("0 stripes, but 8 archived bytes in 8-byte stripes need 1", assertThrows(
                IllegalArgumentException.class, () -> new Manifest(m.root(), m.code(), 5, 8, m.blocks(), List.of()))
                .getMessage());
        assertEquals("node count (2) must be at least k + m (3)", assertThrows(IllegalArgumentException.class,
                () -> new Manifest(m.root(), m.code(), 2, 8, m.blocks(), m.stripes())).getMessage());
    }

    @Test
    void planRefusesTooFewNodesAndAForeignPredecessor() {
        Versions.Version v = v1();
        assertEquals("the code 2+1 needs at least 3 storage nodes, there are 2", assertThrows(
                IllegalArgumentException.class, () -> ManifestPlan.of(v.root(), v.entries(), Optional.empty(), CODE, 2))
                .getMessage());
        Versions.Version stranger = Versions.version(2, Optional.of(Versions.first(List.of(new byte[] {9})).root()
                .vguid()), List.of(new byte[] {1}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ManifestPlan.of(stranger.root(),
                stranger.entries(), Optional.of(sample()), CODE, 5)).getMessage().contains("is not the predecessor of"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ManifestPlan.of(v.root(), v.entries().subList(0, 2),
                Optional.empty(), CODE, 5)).getMessage().startsWith("block list (2 blocks, 8 bytes) is not the one"));
    }

    @Test
    void placementIsDeterministicDistinctAndSpread() {
        int[] counts = new int[12];
        for (long stripe = 0; stripe < 600; stripe++) {
            int[] nodes = Placement.stripe(Versions.AGUID, 3, stripe, 9, 12);
            assertArrayEquals(nodes, Placement.stripe(Versions.AGUID, 3, stripe, 9, 12));
            Set<Integer> distinct = new HashSet<>();
            for (int n : nodes) {
                distinct.add(n);
                counts[n]++;
            }
            assertEquals(9, distinct.size());
        }
        for (int c : counts) {
            assertTrue(c > 380 && c < 520, "each node holds about 600 * 9 / 12 = 450 fragments: " + Arrays.toString(counts));
        }
        assertEquals("[4, 2, 5, 0, 1, 6, 8, 7, 3]", Arrays.toString(Placement.rank(Versions.AGUID, 1, 0, 9)));
        assertEquals("placing 9 fragments on distinct nodes needs at least 9 storage nodes, there are 8",
                assertThrows(IllegalArgumentException.class, () -> Placement.stripe(Versions.AGUID, 1, 0, 9, 8))
                        .getMessage());
    }

    @Test
    void fragmentTreeHashesPairsAndCarriesTheOddOneUp() {
        Hash32 a = Hashing.hash(Domain.ARCHIVE_OBJECT, new byte[] {1});
        Hash32 b = Hashing.hash(Domain.ARCHIVE_OBJECT, new byte[] {2});
        Hash32 c = Hashing.hash(Domain.ARCHIVE_OBJECT, new byte[] {3});
        assertEquals(Hashing.hash(Domain.ARCHIVE_FRAGMENT_NODE, new byte[0]), FragmentTree.root(List.of()));
        assertEquals(a, FragmentTree.root(List.of(a)));
        assertEquals(Hashing.hashPair(Domain.ARCHIVE_FRAGMENT_NODE, Hashing.hashPair(Domain.ARCHIVE_FRAGMENT_NODE, a, b), c),
                FragmentTree.root(List.of(a, b, c)));
        assertNotEquals(FragmentTree.root(List.of(a, b)), FragmentTree.root(List.of(b, a)));
    }

    @Test
    void indexEntriesRoundTripAndStayWithinTheStoreLimit() {
        Hash32 name = sample().name();
        IndexEntry e = new IndexEntry(name, Versions.certificate(v1().root(), 3));
        IndexEntry back = IndexEntry.decode(e.encode());
        assertEquals(name, back.manifestName());
        assertArrayEquals(e.certificate(), back.certificate());
        assertEquals(437, e.encode().length, "a 3-signature certificate of a 4-replica ring: a few hundred bytes");
        assertEquals("certificate of 4060 bytes must be 1..4059 to fit an index value", assertThrows(
                IllegalArgumentException.class, () -> new IndexEntry(name, new byte[4060])).getMessage());
        assertEquals("index entry format (7) must be 1", assertThrows(IllegalArgumentException.class,
                () -> IndexEntry.decode(with(e.encode(), 0, 7))).getMessage());
    }

    private static String refuse(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> Manifest.decode(bytes)).getMessage();
    }

    private static byte[] with(byte[] bytes, int at, int value) {
        byte[] b = bytes.clone();
        b[at] = (byte) value;
        return b;
    }
}
