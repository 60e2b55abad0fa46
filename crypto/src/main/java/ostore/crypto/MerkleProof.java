package ostore.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The results Merkle tree of a batch and a proof that one leaf is in it. The tree is built as
 * {@link BlockListHash} builds its tree: pairs hashed under {@link Domain#RESULT_NODE}, an odd last
 * node carried up unchanged; the empty tree's root is {@code H(RESULT_LEAF tag)} of no bytes. The
 * proof lists only the siblings actually hashed, so {@code index} and {@code leafCount} say where
 * each one goes. Encoding: {@code [u32 index][u32 leaf count][u32 n][n x 32 sibling]}.
 */
public record MerkleProof(int index, int leafCount, List<Hash32> siblings) {
    public MerkleProof {
        siblings = List.copyOf(siblings);
        if (leafCount < 1 || index < 0 || index >= leafCount) {
            throw new IllegalArgumentException("index (" + index + ") must be in [0, leafCount (" + leafCount + "))");
        }
    }

    public static Hash32 root(List<Hash32> leaves) {
        if (leaves.isEmpty()) {
            return Hashing.hash(Domain.RESULT_LEAF, new byte[0]);
        }
        List<Hash32> level = leaves;
        while (level.size() > 1) {
            level = parents(level);
        }
        return level.getFirst();
    }

    /** The proof for {@code leaves.get(index)}. */
    public static MerkleProof of(List<Hash32> leaves, int index) {
        Objects.checkIndex(index, leaves.size());
        List<Hash32> siblings = new ArrayList<>();
        List<Hash32> level = leaves;
        for (int i = index; level.size() > 1; i /= 2) {
            int sibling = i ^ 1;
            if (sibling < level.size()) {
                siblings.add(level.get(sibling));
            }
            level = parents(level);
        }
        return new MerkleProof(index, leaves.size(), siblings);
    }

    /**
     * The root this proof leads to from {@code leaf}.
     *
     * @throws IllegalArgumentException if the proof has too many or too few siblings for its shape
     */
    public Hash32 rootFrom(Hash32 leaf) {
        Hash32 node = leaf;
        int used = 0;
        for (int i = index, size = leafCount; size > 1; i /= 2, size = (size + 1) / 2) {
            int sibling = i ^ 1;
            if (sibling >= size) {
                continue;
            }
            if (used == siblings.size()) {
                throw new IllegalArgumentException("proof has " + siblings.size() + " siblings, too few for leaf "
                        + index + " of " + leafCount);
            }
            Hash32 s = siblings.get(used++);
            node = (i & 1) == 0 ? Hashing.hashPair(Domain.RESULT_NODE, node, s)
                    : Hashing.hashPair(Domain.RESULT_NODE, s, node);
        }
        if (used != siblings.size()) {
            throw new IllegalArgumentException("proof has " + siblings.size() + " siblings, but leaf " + index
                    + " of " + leafCount + " needs " + used);
        }
        return node;
    }

    public void encodeTo(CanonicalEncoder e) {
        e.u32(index).u32(leafCount).u32(siblings.size());
        siblings.forEach(e::hash);
    }

    public static MerkleProof decode(CanonicalDecoder d) {
        int index = d.u32AtMost("proof index", Integer.MAX_VALUE);
        int count = d.u32AtMost("proof leaf count", Integer.MAX_VALUE);
        int n = d.count("proof siblings", Hash32.LENGTH);
        List<Hash32> siblings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            siblings.add(d.hash("proof sibling"));
        }
        return new MerkleProof(index, count, siblings);
    }

    private static List<Hash32> parents(List<Hash32> level) {
        List<Hash32> next = new ArrayList<>((level.size() + 1) / 2);
        for (int i = 0; i + 1 < level.size(); i += 2) {
            next.add(Hashing.hashPair(Domain.RESULT_NODE, level.get(i), level.get(i + 1)));
        }
        if (level.size() % 2 == 1) {
            next.add(level.getLast());
        }
        return next;
    }
}
