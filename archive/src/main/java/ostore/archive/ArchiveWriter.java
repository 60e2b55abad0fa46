package ostore.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.codec.Codecs;
import ostore.archive.codec.ErasureCodec;
import ostore.archive.fragment.CodeParams;
import ostore.archive.fragment.Fragment;
import ostore.archive.manifest.ArchivedBlock;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.ManifestPlan;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;

/**
 * Archives one certified version: its new bytes cut into stripes of k shards, each stripe
 * erasure-coded into k + m fragments stored on the stripe's placed nodes, then the manifest stored
 * on every reachable node with an index entry (manifest name + certificate) under the version's
 * index key. It streams: it holds one stripe's shards and one block at a time, never the version.
 *
 * <p>The write rule under node failures: a node that fails once is not asked again in this write.
 * A stripe needs at least k fragments stored, or the write fails with {@link ArchiveException}
 * (those k alone could rebuild it, but any further loss would not be survivable, and placement
 * being deterministic, a fragment is never sent elsewhere: a scrub moves it later). The manifest and
 * index entry need at least m + 1 nodes. Short of full success the report lists what is missing.
 * Writing again is harmless: every object is content-addressed and every entry is a set member.
 *
 * <p>Thread-safe only in the sense that separate {@link #write} calls share nothing but the codec.
 */
public final class ArchiveWriter {
    private static final Logger LOG = Logger.getLogger(ArchiveWriter.class.getName());
    private final ArchiveNodes nodes;
    private final CodeParams code;
    private final ErasureCodec codec;

    public ArchiveWriter(ArchiveNodes nodes, CodeParams code) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.code = Objects.requireNonNull(code, "code");
        if (nodes.count() < code.totalShards()) {
            throw new IllegalArgumentException("the code " + code.dataShards() + "+" + code.parityShards()
                    + " needs at least " + code.totalShards() + " storage nodes, there are " + nodes.count());
        }
        this.codec = Codecs.open(code.dataShards(), code.parityShards());
    }

    /**
     * Archives version {@code root}.
     *
     * @param blocks the version's block list (checked against the root)
     * @param source the block bytes (checked against their BGUIDs)
     * @param previous the manifest of seq - 1 for dedup, empty for seq 1 or if it is not archived.
     *     Its block table is trusted as it is: blocks it lists are not archived again but pointed at
     *     where it says. So it must be one this caller wrote itself ({@link WriteReport#manifest()})
     *     or verified by restoring ({@link Restorer#verifiedManifest}); a manifest merely read from
     *     storage nodes could be a forgery with a valid certificate whose rows point at nothing, and
     *     this version would inherit the damage. {@link Restorer#manifest} checks less (see there).
     * @param certificate the version's certificate bytes, stored in the index entry
     * @throws ArchiveException if a stripe could not be stored on k nodes or the manifest on m + 1;
     *     {@linkplain ArchiveException#permanent() permanent} if the manifest would exceed what a
     *     storage node holds (checked before anything is uploaded)
     * @throws IOException if the source fails
     */
    public WriteReport write(VersionRoot root, List<BlockListHash.Entry> blocks, BlockSource source,
            Optional<Manifest> previous, byte[] certificate, Progress progress) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(progress, "progress");
        if (certificate.length == 0 || certificate.length > IndexEntry.MAX_CERTIFICATE_BYTES) {
            throw new IllegalArgumentException("certificate of " + certificate.length + " bytes must be 1.."
                    + IndexEntry.MAX_CERTIFICATE_BYTES + " to fit an index value");
        }
        ManifestPlan plan = ManifestPlan.of(root, blocks, previous, code, nodes.count());
        long manifestBytes = plan.manifestBytes();
        if (manifestBytes > FragmentStore.MAX_OBJECT_BYTES) {
            // Known from the plan alone: fail before a single fragment is uploaded, and for good.
            throw ArchiveException.permanent("the manifest of " + root.aguid() + " seq " + root.seq() + " would take "
                    + manifestBytes + " bytes (" + plan.table().size() + " blocks, " + plan.stripeCount()
                    + " stripes), more than a storage node holds (" + FragmentStore.MAX_OBJECT_BYTES
                    + "); a larger shard size makes fewer stripes");
        }
        Run run = new Run(plan, progress);
        for (int index : plan.newBlocks()) {
            ArchivedBlock b = plan.table().get(index);
            run.append(readBlock(source, index, b));
        }
        run.finish();
        Manifest manifest = plan.complete(run.names);
        byte[] bytes = manifest.encode();
        assert bytes.length == manifestBytes : bytes.length + " manifest bytes, planned " + manifestBytes;
        Hash32 name = ArchiveNames.objectName(bytes);
        List<Integer> holders = storeManifest(root, name, bytes, new IndexEntry(name, certificate).encode(), run.down);
        return new WriteReport(manifest, name, plan.archivedBytes(), run.placed, run.unplaced, holders,
                List.copyOf(run.down));
    }

    private static byte[] readBlock(BlockSource source, int index, ArchivedBlock b) throws IOException {
        byte[] bytes = source.read(b.bguid(), b.length());
        if (bytes == null || bytes.length != b.length() || !Bguid.ofBlock(bytes).equals(b.bguid())) {
            throw new ArchiveException("block " + index + " from the source is not block " + b.bguid() + " of "
                    + b.length() + " bytes" + (bytes == null ? " (null)" : " (" + bytes.length + " bytes)"));
        }
        return bytes;
    }

    private List<Integer> storeManifest(VersionRoot root, Hash32 name, byte[] bytes, byte[] entry, Set<Integer> down)
            throws ArchiveException {
        Hash32 key = ArchiveNames.indexKey(root.aguid(), root.seq());
        List<Integer> holders = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int node = 0; node < nodes.count(); node++) {
            if (down.contains(node)) {
                continue;
            }
            try {
                nodes.put(node, name, bytes);
                nodes.addIndex(node, key, entry);
                holders.add(node);
            } catch (IOException e) {
                down.add(node);
                failures.add("node " + node + ": " + e.getMessage());
            } catch (IllegalStateException e) {
                failures.add("node " + node + ": " + e.getMessage());
            } catch (RuntimeException e) {
                // One node's broken answer is that node's failure, not the write's; logged as a bug may be behind it.
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly storing a manifest", e);
                down.add(node);
                failures.add("node " + node + ": " + e);
            }
        }
        int needed = code.parityShards() + 1;
        if (holders.size() < needed) {
            throw new ArchiveException("the manifest of " + root.aguid() + " seq " + root.seq() + " reached "
                    + holders.size() + " storage nodes, at least m + 1 = " + needed + " needed: "
                    + String.join("; ", failures));
        }
        return holders;
    }

    /** One write's stripe buffer and bookkeeping. */
    private final class Run {
        final ManifestPlan plan;
        final Progress progress;
        final byte[][] shards;
        final List<List<Hash32>> names = new ArrayList<>();
        final List<WriteReport.Unplaced> unplaced = new ArrayList<>();
        final Set<Integer> down = new TreeSet<>();
        int placed;
        long stripe;
        int stripeData;
        int shardLength;
        int filled;

        Run(ManifestPlan plan, Progress progress) {
            this.plan = plan;
            this.progress = progress;
            int largest = plan.archivedBytes() == 0 ? 0 : code.shardLength(code.stripeDataBytes(plan.archivedBytes(), 0));
            this.shards = new byte[code.totalShards()][largest];
            progress.update(0, plan.archivedBytes());
            startStripe();
        }

        void startStripe() {
            if (stripe < plan.stripeCount()) {
                stripeData = code.stripeDataBytes(plan.archivedBytes(), stripe);
                shardLength = code.shardLength(stripeData);
                filled = 0;
                for (int i = 0; i < code.dataShards(); i++) {
                    Arrays.fill(shards[i], 0, shardLength, (byte) 0);
                }
            }
        }

        void append(byte[] block) throws ArchiveException {
            int at = 0;
            while (at < block.length) {
                int shard = filled / shardLength;
                int within = filled % shardLength;
                int n = Math.min(block.length - at, Math.min(shardLength - within, stripeData - filled));
                System.arraycopy(block, at, shards[shard], within, n);
                at += n;
                filled += n;
                if (filled == stripeData) {
                    flush();
                }
            }
        }

        void finish() {
            assert stripe == plan.stripeCount() : stripe + " of " + plan.stripeCount() + " stripes written";
            progress.update(plan.archivedBytes(), plan.archivedBytes());
        }

        private void flush() throws ArchiveException {
            codec.encodeParity(shards, 0, shardLength);
            int[] placement = plan.placement(stripe);
            List<Hash32> stripeNames = new ArrayList<>(code.totalShards());
            int stored = 0;
            for (int i = 0; i < code.totalShards(); i++) {
                byte[] bytes = new Fragment(code.codeId(), code.dataShards(), code.parityShards(), i, stripe, stripeData,
                        Arrays.copyOf(shards[i], shardLength)).encode();
                Hash32 name = ArchiveNames.objectName(bytes);
                stripeNames.add(name);
                String problem = put(placement[i], name, bytes);
                if (problem == null) {
                    stored++;
                } else {
                    unplaced.add(new WriteReport.Unplaced(stripe, i, placement[i], name, problem));
                }
            }
            if (stored < code.dataShards()) {
                throw new ArchiveException("stripe " + stripe + " of " + plan.root().aguid() + " seq " + plan.root().seq()
                        + " was stored on " + stored + " of " + code.totalShards() + " nodes, at least k = "
                        + code.dataShards() + " needed (nodes down: " + down + ")");
            }
            placed += stored;
            names.add(stripeNames);
            long done = stripe * code.stripeBytes() + stripeData;
            stripe++;
            progress.update(done, plan.archivedBytes());
            startStripe();
        }

        private String put(int node, Hash32 name, byte[] bytes) {
            if (down.contains(node)) {
                return "node " + node + " is down";
            }
            try {
                nodes.put(node, name, bytes);
                return null;
            } catch (IOException e) {
                down.add(node);
                return "node " + node + ": " + e.getMessage();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly storing a fragment", e);
                down.add(node);
                return "node " + node + ": " + e;
            }
        }
    }
}
