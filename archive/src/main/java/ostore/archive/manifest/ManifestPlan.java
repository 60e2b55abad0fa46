package ostore.archive.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import ostore.archive.fragment.CodeParams;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;

/**
 * The deterministic part of archiving a version, decided before any byte is read: the block table
 * and which blocks are new. The dedup rule: a block whose BGUID appears in the previous version's
 * table (seq - 1) keeps the location that table gives; a BGUID met earlier in this version keeps
 * its first location; every other block is new, and new blocks are laid out back to back, in block
 * order, from offset 0 of this version's archived byte stream, which is cut into stripes.
 */
public final class ManifestPlan {
    private final VersionRoot root;
    private final CodeParams code;
    private final int nodeCount;
    private final List<ArchivedBlock> table;
    private final List<Integer> newBlocks;
    private final long archivedBytes;

    private ManifestPlan(VersionRoot root, CodeParams code, int nodeCount, List<ArchivedBlock> table,
            List<Integer> newBlocks, long archivedBytes) {
        this.root = root;
        this.code = code;
        this.nodeCount = nodeCount;
        this.table = table;
        this.newBlocks = newBlocks;
        this.archivedBytes = archivedBytes;
    }

    /**
     * Plans the archive of {@code root} with block list {@code blocks}.
     *
     * @param previous the manifest of version {@code seq - 1}, for dedup; empty for seq 1 or when it
     *     is not archived (then every block is archived again)
     * @throws IllegalArgumentException if the blocks do not match the root, {@code previous} is not
     *     the predecessor's manifest, or there are fewer than k + m nodes
     */
    public static ManifestPlan of(VersionRoot root, List<BlockListHash.Entry> blocks, Optional<Manifest> previous,
            CodeParams code, int nodeCount) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(code, "code");
        checkBlockList(root, blocks);
        if (nodeCount < code.totalShards()) {
            throw new IllegalArgumentException("the code " + code.dataShards() + "+" + code.parityShards()
                    + " needs at least " + code.totalShards() + " storage nodes, there are " + nodeCount);
        }
        Map<Bguid, ArchivedBlock> known = new HashMap<>();
        previous.ifPresent(p -> {
            checkPredecessor(root, p);
            p.blocks().forEach(b -> known.putIfAbsent(b.bguid(), b));
        });
        List<ArchivedBlock> table = new ArrayList<>(blocks.size());
        List<Integer> fresh = new ArrayList<>();
        long offset = 0;
        for (BlockListHash.Entry e : blocks) {
            ArchivedBlock earlier = known.get(e.bguid());
            if (earlier != null && earlier.length() == e.length()) {
                table.add(new ArchivedBlock(e.bguid(), e.length(), earlier.archivedSeq(), earlier.offset()));
                continue;
            }
            ArchivedBlock b = new ArchivedBlock(e.bguid(), e.length(), root.seq(), offset);
            known.put(e.bguid(), b);
            fresh.add(table.size());
            table.add(b);
            offset += e.length();
        }
        return new ManifestPlan(root, code, nodeCount, List.copyOf(table), List.copyOf(fresh), offset);
    }

    public VersionRoot root() {
        return root;
    }

    public CodeParams code() {
        return code;
    }

    public int nodeCount() {
        return nodeCount;
    }

    public List<ArchivedBlock> table() {
        return table;
    }

    /** Indexes into {@link #table()} of the blocks whose bytes this version archives, in stream order. */
    public List<Integer> newBlocks() {
        return newBlocks;
    }

    /** The length of this version's archived byte stream. */
    public long archivedBytes() {
        return archivedBytes;
    }

    public long stripeCount() {
        return code.stripeCount(archivedBytes);
    }

    /**
     * The exact length of the manifest {@link #complete} will encode, known before any fragment is
     * written (every field but the fragment names is fixed by the plan, and names are 32 bytes), so
     * a writer can refuse a version whose manifest no storage node would hold before uploading.
     */
    public long manifestBytes() {
        long fixed = 1 + Hash32.LENGTH + 8 + 4 + root.encode().length + 1 + 4 + 4 + 4 + 4 + 8 + 4 + 4 + Hash32.LENGTH;
        return fixed + (long) table.size() * Manifest.BLOCK_ROW_BYTES
                + stripeCount() * code.totalShards() * Manifest.FRAGMENT_ROW_BYTES;
    }

    /** The storage node of each of the k + m fragments of {@code stripe}. */
    public int[] placement(long stripe) {
        return Placement.stripe(root.aguid(), root.seq(), stripe, code.totalShards(), nodeCount);
    }

    /** The manifest, once every stripe's fragment names are known (stripe by stripe, shard by shard). */
    public Manifest complete(List<List<Hash32>> fragmentNames) {
        if (fragmentNames.size() != stripeCount()) {
            throw new IllegalArgumentException(fragmentNames.size() + " stripes of names for " + stripeCount()
                    + " stripes");
        }
        List<StripeFragments> stripes = new ArrayList<>(fragmentNames.size());
        for (int s = 0; s < fragmentNames.size(); s++) {
            stripes.add(StripeFragments.of(fragmentNames.get(s), placement(s)));
        }
        return new Manifest(root, code, nodeCount, archivedBytes, table, stripes);
    }

    private static void checkBlockList(VersionRoot root, List<BlockListHash.Entry> blocks) {
        long size = 0;
        for (BlockListHash.Entry e : blocks) {
            size += e.length();
        }
        if (blocks.size() != root.blockCount() || size != root.size()
                || !BlockListHash.root(blocks).equals(root.blocksRoot())) {
            throw new IllegalArgumentException("block list (" + blocks.size() + " blocks, " + size
                    + " bytes) is not the one version root " + root.vguid() + " names (" + root.blockCount()
                    + " blocks, " + root.size() + " bytes, blocks root " + root.blocksRoot() + ")");
        }
    }

    private static void checkPredecessor(VersionRoot root, Manifest previous) {
        boolean chained = root.predecessor().isPresent() && root.predecessor().get().equals(previous.vguid());
        if (!previous.aguid().equals(root.aguid()) || previous.seq() != root.seq() - 1 || !chained) {
            throw new IllegalArgumentException("previous manifest (" + previous.aguid() + " seq " + previous.seq()
                    + ", vguid " + previous.vguid() + ") is not the predecessor of " + root.aguid() + " seq "
                    + root.seq());
        }
    }
}
