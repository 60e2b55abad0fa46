package ostore.crypto;

import static ostore.crypto.ResultFixtures.sha;
import static ostore.crypto.ResultFixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The results tree and its proofs against a reference written differently: the tree split at the
 * largest power of two below its size (the RFC 6962 shape, which is what pairing with an odd last
 * node carried up builds), hashed with the JDK's SHA-256 and the tags spelled out. A proof must
 * lead to the root from its own leaf only, and only with exactly its siblings in their order.
 */
class MerkleProofTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_LEAVES = 33;

    private static List<Hash32> leaves(int n) {
        return IntStream.range(0, n).mapToObj(i -> sha("leaf " + i + " of " + n)).toList();
    }

    private static Hash32 node(Hash32 left, Hash32 right) {
        return sha(tag("ostore/result-node/v1"), left.toBytes(), right.toBytes());
    }

    private static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    private static Hash32 referenceRoot(List<Hash32> leaves) {
        if (leaves.size() == 1) {
            return leaves.getFirst();
        }
        int k = split(leaves.size());
        return node(referenceRoot(leaves.subList(0, k)), referenceRoot(leaves.subList(k, leaves.size())));
    }

    /** The siblings from the leaf up. */
    private static List<Hash32> referencePath(List<Hash32> leaves, int index) {
        if (leaves.size() == 1) {
            return new ArrayList<>();
        }
        int k = split(leaves.size());
        List<Hash32> path;
        if (index < k) {
            path = referencePath(leaves.subList(0, k), index);
            path.add(referenceRoot(leaves.subList(k, leaves.size())));
        } else {
            path = referencePath(leaves.subList(k, leaves.size()), index - k);
            path.add(referenceRoot(leaves.subList(0, k)));
        }
        return path;
    }

    /** From the leaf up, whether the node being proven is the left child at each hashed level. */
    private static List<Boolean> referenceSides(int index, int n) {
        if (n == 1) {
            return new ArrayList<>();
        }
        int k = split(n);
        List<Boolean> sides = index < k ? referenceSides(index, k) : referenceSides(index - k, n - k);
        sides.add(index < k);
        return sides;
    }

    /** The proof's root, or null when the proof's shape is refused. */
    private static Hash32 rootOrNull(MerkleProof proof, Hash32 leaf) {
        try {
            return proof.rootFrom(leaf);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static MerkleProof decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        MerkleProof p = MerkleProof.decode(d);
        d.end("proof");
        return p;
    }

    private static byte[] encode(MerkleProof proof) {
        CanonicalEncoder e = new CanonicalEncoder();
        proof.encodeTo(e);
        return e.toByteArray();
    }

    @Test
    void rootsAndProofsOfEveryLeafMatchTheReference() {
        for (int n = 1; n <= MAX_LEAVES; n++) {
            List<Hash32> leaves = leaves(n);
            Hash32 root = MerkleProof.root(leaves);
            assertEquals(referenceRoot(leaves), root, "root of " + n);
            for (int i = 0; i < n; i++) {
                MerkleProof proof = MerkleProof.of(leaves, i);
                String where = "leaf " + i + " of " + n;
                assertEquals(i, proof.index(), where);
                assertEquals(n, proof.leafCount(), where);
                assertEquals(referencePath(leaves, i), proof.siblings(), where);
                assertEquals(root, proof.rootFrom(leaves.get(i)), where);
                assertEquals(proof, decode(encode(proof)), where);
            }
        }
    }

    @Test
    void aTreeOfOneIsItsLeafAndTheEmptyTreeIsTheHashOfNothing() {
        Hash32 only = sha("only");
        assertEquals(only, MerkleProof.root(List.of(only)));
        MerkleProof proof = MerkleProof.of(List.of(only), 0);
        assertEquals(List.of(), proof.siblings());
        assertEquals(only, proof.rootFrom(only));
        assertEquals(sha(tag("ostore/result-leaf/v1")), MerkleProof.root(List.of()));
        assertThrows(IndexOutOfBoundsException.class, () -> MerkleProof.of(List.of(), 0));
        assertThrows(IndexOutOfBoundsException.class, () -> MerkleProof.of(List.of(only), 1));
    }

    @Test
    void theThirdOfThreeLeavesIsCarriedUpAndHashedWithThePairBeforeIt() {
        List<Hash32> l = leaves(3);
        Hash32 pair = node(l.get(0), l.get(1));
        assertEquals(node(pair, l.get(2)), MerkleProof.root(l));
        assertEquals(List.of(pair), MerkleProof.of(l, 2).siblings());
        assertEquals(List.of(l.get(1), l.get(2)), MerkleProof.of(l, 0).siblings());
    }

    @Test
    void aProofProvesOnlyItsOwnLeaf() {
        for (int n = 1; n <= MAX_LEAVES; n++) {
            List<Hash32> leaves = leaves(n);
            Hash32 root = MerkleProof.root(leaves);
            for (int i = 0; i < n; i++) {
                MerkleProof proof = MerkleProof.of(leaves, i);
                assertNotEquals(root, proof.rootFrom(sha("not a leaf of the tree")), "leaf " + i + " of " + n);
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        assertNotEquals(root, proof.rootFrom(leaves.get(j)), "proof of " + i + " for leaf " + j);
                    }
                }
            }
        }
    }

    @Test
    void changedSwappedOrReplacedSiblingsLeadElsewhere() {
        for (int n = 2; n <= MAX_LEAVES; n++) {
            List<Hash32> leaves = leaves(n);
            Hash32 root = MerkleProof.root(leaves);
            for (int i = 0; i < n; i++) {
                List<Hash32> siblings = MerkleProof.of(leaves, i).siblings();
                for (int s = 0; s < siblings.size(); s++) {
                    List<Hash32> replaced = new ArrayList<>(siblings);
                    replaced.set(s, sha("forged sibling"));
                    assertNotEquals(root, new MerkleProof(i, n, replaced).rootFrom(leaves.get(i)));
                    if (s + 1 < siblings.size()) {
                        List<Hash32> swapped = new ArrayList<>(siblings);
                        swapped.set(s, siblings.get(s + 1));
                        swapped.set(s + 1, siblings.get(s));
                        assertNotEquals(root, new MerkleProof(i, n, swapped).rootFrom(leaves.get(i)),
                                "siblings " + s + " and " + (s + 1) + " of leaf " + i + " of " + n + " swapped");
                    }
                }
            }
        }
    }

    @Test
    void aMissingOrExtraSiblingIsRefusedNamingTheShape() {
        for (int n = 1; n <= MAX_LEAVES; n++) {
            List<Hash32> leaves = leaves(n);
            for (int i = 0; i < n; i++) {
                List<Hash32> siblings = MerkleProof.of(leaves, i).siblings();
                Hash32 leaf = leaves.get(i);
                for (int s = 0; s < siblings.size(); s++) {
                    List<Hash32> missing = new ArrayList<>(siblings);
                    missing.remove(s);
                    MerkleProof p = new MerkleProof(i, n, missing);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.rootFrom(leaf));
                    assertEquals("proof has " + missing.size() + " siblings, too few for leaf " + i + " of " + n,
                            e.getMessage());
                }
                for (int at = 0; at <= siblings.size(); at++) {
                    List<Hash32> extra = new ArrayList<>(siblings);
                    extra.add(at, sha("extra"));
                    MerkleProof p = new MerkleProof(i, n, extra);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.rootFrom(leaf));
                    assertEquals("proof has " + extra.size() + " siblings, but leaf " + i + " of " + n + " needs "
                            + siblings.size(), e.getMessage());
                }
            }
        }
    }

    @Test
    void aWrongIndexIsRefusedOrLeadsElsewhere() {
        for (int n = 2; n <= MAX_LEAVES; n++) {
            List<Hash32> leaves = leaves(n);
            Hash32 root = MerkleProof.root(leaves);
            for (int i = 0; i < n; i++) {
                List<Hash32> siblings = MerkleProof.of(leaves, i).siblings();
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        assertNotEquals(root, rootOrNull(new MerkleProof(j, n, siblings), leaves.get(i)),
                                "leaf " + i + " of " + n + " proven as leaf " + j);
                    }
                }
            }
        }
    }

    /**
     * The index and leaf count only say on which side each sibling goes: the root binds the leaf
     * and the siblings in order, not the position. So another leaf count can lead to the same root,
     * but only when it puts every sibling on the same side, and the leaf is in the tree all the same.
     */
    @Test
    void aWrongLeafCountLeadsToTheRootOnlyWhenItPutsEverySiblingOnTheSameSide() {
        int equivalent = 0;
        for (int n = 1; n <= MAX_LEAVES; n++) {
            List<Hash32> leaves = leaves(n);
            Hash32 root = MerkleProof.root(leaves);
            for (int i = 0; i < n; i++) {
                List<Hash32> siblings = MerkleProof.of(leaves, i).siblings();
                for (int count = i + 1; count <= MAX_LEAVES + 8; count++) {
                    if (count == n) {
                        continue;
                    }
                    Hash32 got = rootOrNull(new MerkleProof(i, count, siblings), leaves.get(i));
                    if (root.equals(got)) {
                        assertEquals(referenceSides(i, n), referenceSides(i, count),
                                "leaf " + i + " of " + n + " proven in a tree of " + count);
                        equivalent++;
                    }
                }
            }
        }
        assertTrue(equivalent > 0, "3 leaves and 2 share a shape for the last leaf");
        List<Hash32> three = leaves(3);
        MerkleProof asIfTwo = new MerkleProof(1, 2, MerkleProof.of(three, 2).siblings());
        assertEquals(MerkleProof.root(three), asIfTwo.rootFrom(three.get(2)));
    }

    @Test
    void theConstructorRefusesIndexesOutsideTheTree() {
        assertEquals("index (0) must be in [0, leafCount (0))",
                assertThrows(IllegalArgumentException.class, () -> new MerkleProof(0, 0, List.of())).getMessage());
        assertEquals("index (-1) must be in [0, leafCount (4))",
                assertThrows(IllegalArgumentException.class, () -> new MerkleProof(-1, 4, List.of())).getMessage());
        assertEquals("index (4) must be in [0, leafCount (4))",
                assertThrows(IllegalArgumentException.class, () -> new MerkleProof(4, 4, List.of())).getMessage());
        assertThrows(NullPointerException.class, () -> new MerkleProof(0, 1, null));
        List<Hash32> mutable = new ArrayList<>(List.of(sha("a")));
        MerkleProof p = new MerkleProof(0, 2, mutable);
        mutable.clear();
        assertEquals(1, p.siblings().size(), "the proof keeps its own copy");
    }

    @Test
    void encodingIsIndexCountAndSiblingsBigEndian() {
        List<Hash32> l = leaves(3);
        MerkleProof proof = MerkleProof.of(l, 2);
        assertEquals("00000002" + "00000003" + "00000001" + node(l.get(0), l.get(1)).toHex(),
                HEX.formatHex(encode(proof)));
        assertEquals("00000000" + "00000001" + "00000000", HEX.formatHex(encode(MerkleProof.of(leaves(1), 0))));
    }

    @Test
    void decodeRefusesMalformedProofs() {
        String sibling = sha("s").toHex();
        assertDecodeFails("000000000000", "proof leaf count needs 4 bytes but 2 are left");
        assertDecodeFails("00000000" + "00000000" + "00000000", "index (0) must be in [0, leafCount (0))");
        assertDecodeFails("00000002" + "00000002" + "00000000", "index (2) must be in [0, leafCount (2))");
        assertDecodeFails("80000000" + "ffffffff" + "00000000", "proof index (2147483648) exceeds 2147483647");
        assertDecodeFails("00000000" + "80000000" + "00000000", "proof leaf count (2147483648) exceeds 2147483647");
        assertDecodeFails("00000000" + "00000002" + "00000002" + sibling,
                "proof siblings (2) items of at least 32 bytes do not fit in the 32 bytes left");
        assertDecodeFails("00000000" + "00000002" + "ffffffff" + sibling,
                "proof siblings (4294967295) items of at least 32 bytes do not fit");
        byte[] good = encode(MerkleProof.of(leaves(5), 4));
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> decode(cut), "first " + len + " bytes");
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertEquals("proof has 1 trailing bytes",
                assertThrows(IllegalArgumentException.class, () -> decode(trailing)).getMessage());
    }

    private static void assertDecodeFails(String hex, String fragment) {
        byte[] bytes = HEX.parseHex(hex);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decode(bytes), hex);
        if (!e.getMessage().contains(fragment)) {
            fail("message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
    }
}
