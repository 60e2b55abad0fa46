package ostore.archive.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import ostore.archive.fragment.CodeParams;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * What a restorer needs to rebuild one archived version, bound to it by the VGUID: the version
 * root itself (whose hash is the VGUID the certificate names), where every block's bytes are
 * archived, and the fragments of the bytes archived with this version. It is deterministic — a
 * function of the version, its block list, the previous version's block table, the code and the
 * number of storage nodes — so every correct replica writes the same bytes under the same name.
 * The certificate is not inside (which 2f+1 signatures a replica holds varies); it travels in the
 * index entry beside the manifest's name.
 *
 * <p>Format 1, {@link CanonicalEncoder}: {@code [u8 format = 1][32 aguid][i64 seq][u32 len, version root]
 * [u8 code id][u32 k][u32 m][u32 shard bytes][u32 node count][i64 archived bytes]
 * [u32 blocks][blocks x (32 bguid, u32 length, i64 archived seq, i64 offset)]
 * [u32 stripes][stripes x (k+m) x (32 fragment name, u32 node)][32 fragment Merkle root]}.
 *
 * <p>Every instance is valid: the block table matches the root (count, size, block-list root), the
 * bytes of this version are laid out in block order without gaps ({@link ManifestPlan}), equal
 * BGUIDs share one location, and there is one stripe per {@code k * shardBytes} archived bytes, each
 * on k+m distinct nodes below {@code nodeCount}.
 */
public record Manifest(VersionRoot root, CodeParams code, int nodeCount, long archivedBytes,
        List<ArchivedBlock> blocks, List<StripeFragments> stripes) {
    public static final int FORMAT = 1;
    /** Encoded bytes per block-table row: bguid, length, archived seq, offset. */
    public static final int BLOCK_ROW_BYTES = Hash32.LENGTH + 4 + 8 + 8;
    /** Encoded bytes per fragment: name and node. */
    public static final int FRAGMENT_ROW_BYTES = Hash32.LENGTH + 4;

    public Manifest {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(code, "code");
        blocks = List.copyOf(blocks);
        stripes = List.copyOf(stripes);
        if (nodeCount < code.totalShards()) {
            throw new IllegalArgumentException("node count (" + nodeCount + ") must be at least k + m ("
                    + code.totalShards() + ")");
        }
        checkBlocks(root, blocks, archivedBytes);
        checkStripes(code, nodeCount, archivedBytes, stripes);
    }

    public Aguid aguid() {
        return root.aguid();
    }

    public long seq() {
        return root.seq();
    }

    public Vguid vguid() {
        return root.vguid();
    }

    /** Every fragment name, stripe by stripe. */
    public List<Hash32> fragmentNames() {
        List<Hash32> all = new ArrayList<>(stripes.size() * code.totalShards());
        stripes.forEach(s -> all.addAll(s.names()));
        return all;
    }

    public Hash32 fragmentsRoot() {
        return FragmentTree.root(fragmentNames());
    }

    public byte[] encode() {
        int k = code.dataShards();
        CanonicalEncoder e = new CanonicalEncoder(512 + blocks.size() * 52 + stripes.size() * 36 * code.totalShards())
                .u8(FORMAT).hash(aguid().hash()).i64(seq()).bytes(root.encode())
                .u8(code.codeId()).u32(k).u32(code.parityShards()).u32(code.shardBytes())
                .u32(nodeCount).i64(archivedBytes).u32(blocks.size());
        for (ArchivedBlock b : blocks) {
            e.hash(b.bguid().hash()).u32(b.length()).i64(b.archivedSeq()).i64(b.offset());
        }
        e.u32(stripes.size());
        for (StripeFragments s : stripes) {
            for (int i = 0; i < s.names().size(); i++) {
                e.hash(s.name(i)).u32(s.node(i));
            }
        }
        return e.hash(fragmentsRoot()).toByteArray();
    }

    /** The manifest's object name. */
    public Hash32 name() {
        return ArchiveNames.objectName(encode());
    }

    /**
     * Parses and validates a format 1 manifest.
     *
     * @throws IllegalArgumentException naming the first thing that is malformed or inconsistent
     */
    public static Manifest decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("manifest format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("manifest format (" + format + ") must be " + FORMAT);
        }
        Aguid aguid = new Aguid(d.hash("manifest aguid"));
        long seq = d.i64("manifest seq");
        VersionRoot root = VersionRoots.decode(d.bytes("manifest version root"));
        if (!root.aguid().equals(aguid) || root.seq() != seq) {
            throw new IllegalArgumentException("manifest names " + aguid + " seq " + seq + " but its version root is "
                    + root.aguid() + " seq " + root.seq());
        }
        int codeId = d.u8("manifest code id");
        CodeParams code = new CodeParams(codeId, d.u32AtMost("manifest k", 256), d.u32AtMost("manifest m", 256),
                d.u32AtMost("manifest shard bytes", Integer.MAX_VALUE));
        int nodeCount = d.u32AtMost("manifest node count", Integer.MAX_VALUE);
        long archivedBytes = d.u63("manifest archived bytes");
        int blockCount = d.count("manifest blocks", 52);
        List<ArchivedBlock> blocks = new ArrayList<>(blockCount);
        for (int i = 0; i < blockCount; i++) {
            blocks.add(new ArchivedBlock(new Bguid(d.hash("block bguid")), d.u32AtMost("block length",
                    Integer.MAX_VALUE), d.i64("block archived seq"), d.i64("block offset")));
        }
        int shards = code.totalShards();
        int stripeCount = d.count("manifest stripes", 36 * shards);
        List<StripeFragments> stripes = new ArrayList<>(stripeCount);
        for (int s = 0; s < stripeCount; s++) {
            List<Hash32> names = new ArrayList<>(shards);
            int[] nodes = new int[shards];
            for (int i = 0; i < shards; i++) {
                names.add(d.hash("fragment name"));
                nodes[i] = d.u32AtMost("fragment node", Integer.MAX_VALUE);
            }
            stripes.add(StripeFragments.of(names, nodes));
        }
        Hash32 fragmentsRoot = d.hash("manifest fragment root");
        d.end("manifest");
        Manifest m = new Manifest(root, code, nodeCount, archivedBytes, blocks, stripes);
        if (!m.fragmentsRoot().equals(fragmentsRoot)) {
            throw new IllegalArgumentException("manifest fragment root " + fragmentsRoot + " is not the root "
                    + m.fragmentsRoot() + " of its fragment names");
        }
        return m;
    }

    private static void checkBlocks(VersionRoot root, List<ArchivedBlock> blocks, long archivedBytes) {
        if (blocks.size() != root.blockCount()) {
            throw new IllegalArgumentException("block table has " + blocks.size() + " blocks, the version root "
                    + root.blockCount());
        }
        long size = 0;
        long next = 0;
        Map<Bguid, ArchivedBlock> first = new HashMap<>();
        List<BlockListHash.Entry> entries = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            ArchivedBlock b = blocks.get(i);
            if (b.offset() > Long.MAX_VALUE - b.length()) {
                throw new IllegalArgumentException("block " + i + " ends past 2^63 (offset " + b.offset() + ", length "
                        + b.length() + ")");
            }
            entries.add(new BlockListHash.Entry(b.bguid(), b.length()));
            size += b.length();
            ArchivedBlock earlier = first.putIfAbsent(b.bguid(), b);
            if (earlier != null) {
                if (!earlier.equals(b)) {
                    throw new IllegalArgumentException("block " + i + " (" + b.bguid() + ") differs from an earlier block"
                            + " with the same BGUID in length or location");
                }
            } else if (b.archivedSeq() > root.seq()) {
                throw new IllegalArgumentException("block " + i + " is archived in seq " + b.archivedSeq()
                        + ", after this version's seq " + root.seq());
            } else if (b.archivedSeq() == root.seq()) {
                if (b.offset() != next) {
                    throw new IllegalArgumentException("block " + i + " is archived at offset " + b.offset()
                            + ", expected " + next + " (new blocks are laid out in order)");
                }
                next += b.length();
            }
        }
        if (next != archivedBytes) {
            throw new IllegalArgumentException("new blocks take " + next + " bytes but the manifest archives "
                    + archivedBytes);
        }
        if (size != root.size()) {
            throw new IllegalArgumentException("blocks total " + size + " bytes, the version root " + root.size());
        }
        if (!BlockListHash.root(entries).equals(root.blocksRoot())) {
            throw new IllegalArgumentException("block table does not hash to the version root's blocks root "
                    + root.blocksRoot());
        }
    }

    private static void checkStripes(CodeParams code, int nodeCount, long archivedBytes,
            List<StripeFragments> stripes) {
        if (stripes.size() != code.stripeCount(archivedBytes)) {
            throw new IllegalArgumentException(stripes.size() + " stripes, but " + archivedBytes + " archived bytes in "
                    + code.stripeBytes() + "-byte stripes need " + code.stripeCount(archivedBytes));
        }
        for (int s = 0; s < stripes.size(); s++) {
            StripeFragments f = stripes.get(s);
            if (f.names().size() != code.totalShards()) {
                throw new IllegalArgumentException("stripe " + s + " has " + f.names().size() + " fragments, not k + m ("
                        + code.totalShards() + ")");
            }
            for (int n : f.nodes()) {
                if (n >= nodeCount) {
                    throw new IllegalArgumentException("stripe " + s + " is placed on node " + n + " of " + nodeCount);
                }
            }
        }
    }
}
