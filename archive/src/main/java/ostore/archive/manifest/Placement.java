package ostore.archive.manifest;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;

/**
 * Which storage node holds which fragment: rendezvous (highest-random-weight) hashing. For stripe
 * {@code s} of version {@code seq} of {@code aguid}, node {@code n} weighs the first 8 bytes (unsigned)
 * of {@code H(ARCHIVE_PLACEMENT, aguid || i64 seq || i64 s || u32 n)}; nodes ranked by falling weight
 * (ties to the lower index), and shard {@code i} goes to the i-th. So every replica computes the same
 * placement, the k+m fragments of a stripe land on k+m distinct nodes, stripes spread evenly, and
 * adding a node moves only the fragments it now wins. The ranks past k+m are where a repair puts a
 * fragment whose node is gone.
 */
public final class Placement {
    private Placement() {}

    /** All {@code nodeCount} node indexes, best first, for one stripe. */
    public static int[] rank(Aguid aguid, long seq, long stripe, int nodeCount) {
        if (nodeCount < 1) {
            throw new IllegalArgumentException("node count (" + nodeCount + ") must be >= 1");
        }
        long[] weights = new long[nodeCount];
        ByteBuffer key = ByteBuffer.allocate(Hash32.LENGTH + 8 + 8 + 4);
        key.put(aguid.toBytes()).putLong(seq).putLong(stripe);
        for (int n = 0; n < nodeCount; n++) {
            key.putInt(Hash32.LENGTH + 16, n);
            Hash32 h = Hashing.hash(Domain.ARCHIVE_PLACEMENT, key.array());
            long w = 0;
            for (int i = 0; i < 8; i++) {
                w = w << 8 | Byte.toUnsignedInt(h.byteAt(i));
            }
            weights[n] = w;
        }
        Integer[] order = new Integer[nodeCount];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingLong(n -> weights[n]).reversed()
                .thenComparingInt(n -> n));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /**
     * The nodes of the {@code shards} fragments of one stripe: the first {@code shards} of {@link #rank}.
     *
     * @throws IllegalArgumentException if there are fewer nodes than shards
     */
    public static int[] stripe(Aguid aguid, long seq, long stripe, int shards, int nodeCount) {
        if (nodeCount < shards) {
            throw new IllegalArgumentException("placing " + shards + " fragments on distinct nodes needs at least "
                    + shards + " storage nodes, there are " + nodeCount);
        }
        return Arrays.copyOf(rank(aguid, seq, stripe, nodeCount), shards);
    }
}
