package ostore.crypto;

import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle root over a version's block list. Leaves are {@code H(leaf tag || u64 index || u32
 * length || BGUID)}, so a block's position and length are bound as well as its bytes; interior
 * nodes hash two children, an odd last node is carried up unchanged. The empty list has the root
 * {@code H(leaf tag)} of no bytes.
 */
public final class BlockListHash {
    private BlockListHash() {}

    /** One block of a version: its name and length in bytes. */
    public record Entry(Bguid bguid, int length) {
        public Entry {
            java.util.Objects.requireNonNull(bguid, "bguid");
            if (length < 0) {
                throw new IllegalArgumentException("block length (" + length + ") must be >= 0");
            }
        }
    }

    public static Hash32 root(List<Entry> blocks) {
        if (blocks.isEmpty()) {
            return Hashing.hash(Domain.BLOCK_LIST_LEAF, new byte[0]);
        }
        List<Hash32> level = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Entry b = blocks.get(i);
            byte[] leaf = new CanonicalEncoder(44).i64(i).u32(b.length()).hash(b.bguid().hash()).toByteArray();
            level.add(Hashing.hash(Domain.BLOCK_LIST_LEAF, leaf));
        }
        while (level.size() > 1) {
            List<Hash32> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                next.add(Hashing.hashPair(Domain.BLOCK_LIST_NODE, level.get(i), level.get(i + 1)));
            }
            if (level.size() % 2 == 1) {
                next.add(level.getLast());
            }
            level = next;
        }
        return level.getFirst();
    }
}
