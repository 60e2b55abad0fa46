package ostore.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * index key. It streams: it holds at most two stripes (one being filled while the fragments of the
 * one before are stored, k + m puts at once on their nodes) and one block, never the version.
 *
 * <p>The index entry is the commit point: a node is given it only once every stripe's fragments
 * and the manifest copies are durable (each put returns after its node synced it), so an entry
 * never names a manifest whose fragments could still be lost. Nothing else needs an order, so the
 * manifest is stored while the last stripe's fragments are: their names are computed here as the
 * puts start (the manifest lists them), and a write takes two rounds of node syncs after its last
 * stripe, not three. A write that fails after that may leave a manifest copy without an index
 * entry, which is as harmless as the fragments it leaves: content-addressed and never indexed.
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
        // Puts run on their own threads, a stripe's k + m at once; close() waits for any still in flight.
        try (ExecutorService puts = Executors.newVirtualThreadPerTaskExecutor()) {
            Run run = new Run(plan, progress, puts);
            for (int index : plan.newBlocks()) {
                ArchivedBlock b = plan.table().get(index);
                run.append(readBlock(source, index, b));
            }
            // The last stripe's names are known as soon as its puts have hashed it, before they return.
            List<List<Hash32>> fragmentNames = run.names();
            Manifest manifest = plan.complete(fragmentNames);
            byte[] bytes = manifest.encode();
            assert bytes.length == manifestBytes : bytes.length + " manifest bytes, planned " + manifestBytes;
            Hash32 name = ArchiveNames.objectName(bytes);
            List<Future<Stored>> copies = storeManifest(name, bytes, run.down, puts);
            run.finish();
            List<Integer> holders = addIndex(root, name, new IndexEntry(name, certificate).encode(), copies, run.down,
                    puts);
            return new WriteReport(manifest, name, plan.archivedBytes(), run.placed, run.unplaced, holders,
                    List.copyOf(run.down));
        }
    }

    private static byte[] readBlock(BlockSource source, int index, ArchivedBlock b) throws IOException {
        byte[] bytes = source.read(b.bguid(), b.length());
        if (bytes == null || bytes.length != b.length() || !Bguid.ofBlock(bytes).equals(b.bguid())) {
            throw new ArchiveException("block " + index + " from the source is not block " + b.bguid() + " of "
                    + b.length() + " bytes" + (bytes == null ? " (null)" : " (" + bytes.length + " bytes)"));
        }
        return bytes;
    }

    /**
     * Starts storing the manifest on every node not known to be down, all nodes at once; element i
     * is node i's answer, null for a node not asked.
     */
    private List<Future<Stored>> storeManifest(Hash32 name, byte[] bytes, Set<Integer> down, ExecutorService puts) {
        List<Future<Stored>> answers = new ArrayList<>();
        for (int node = 0; node < nodes.count(); node++) {
            int n = node;
            answers.add(down.contains(node) ? null : puts.submit(() -> stored(n, "a manifest", name,
                    () -> nodes.put(n, name, bytes))));
        }
        return answers;
    }

    /**
     * Adds the index entry, all nodes at once, on every node that stored its manifest copy and
     * failed nothing else in this write (the last stripe's fragments included, all durable by now);
     * the answers are taken in node order, so the report does not depend on which came first.
     */
    private List<Integer> addIndex(VersionRoot root, Hash32 name, byte[] entry, List<Future<Stored>> copies,
            Set<Integer> down, ExecutorService puts) throws ArchiveException {
        Hash32 key = ArchiveNames.indexKey(root.aguid(), root.seq());
        String[] problems = new String[nodes.count()];
        // Every copy's answer first: no index entry goes out while any manifest copy is still being stored.
        List<Stored> stored = new ArrayList<>();
        for (Future<Stored> copy : copies) {
            stored.add(copy == null ? null : await(copy));
        }
        List<Future<Stored>> answers = new ArrayList<>();
        for (int node = 0; node < nodes.count(); node++) {
            Stored copy = stored.get(node);
            answers.add(null);
            if (copy == null || down.contains(node)) {
                continue;
            }
            if (copy.problem() != null) {
                if (copy.nodeFailed()) {
                    down.add(node);
                }
                problems[node] = copy.problem();
                continue;
            }
            int n = node;
            answers.set(node, puts.submit(() -> stored(n, "an index entry", name, () -> nodes.addIndex(n, key, entry))));
        }
        List<Integer> holders = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int node = 0; node < nodes.count(); node++) {
            if (answers.get(node) != null) {
                Stored s = await(answers.get(node));
                if (s.problem() == null) {
                    holders.add(node);
                    continue;
                }
                if (s.nodeFailed()) {
                    down.add(node);
                }
                problems[node] = s.problem();
            }
            if (problems[node] != null) {
                failures.add("node " + node + ": " + problems[node]);
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

    /** One call on one node that stores something; its answer does not matter, only that it did not fail. */
    @FunctionalInterface
    private interface NodeCall {
        boolean run() throws IOException;
    }

    /** Runs {@code call} on node {@code node} as a put task: never throws; a full index key leaves the node up. */
    private Stored stored(int node, String what, Hash32 name, NodeCall call) {
        try {
            call.run();
            return new Stored(name, null, false);
        } catch (IOException e) {
            return new Stored(name, e.getMessage(), true);
        } catch (IllegalStateException e) {
            return new Stored(name, e.getMessage(), false);
        } catch (RuntimeException e) {
            // One node's broken answer is that node's failure, not the write's; logged as a bug may be behind it.
            LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly storing " + what, e);
            return new Stored(name, e.toString(), true);
        }
    }

    /** The answer of a put task, which never throws; waits for it however long the node's own deadline lets it run. */
    private static <T> T await(Future<T> answer) throws ArchiveException {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while storing fragments", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a put task failed", e.getCause());
        }
    }

    /**
     * One write's stripe buffer and bookkeeping. The stripe being filled is k + m fragment-sized
     * arrays, the shards at {@link Fragment#HEADER_BYTES}: parity is coded in place and a header
     * written in front of each, so the arrays are the fragments' encodings, never copied. When a
     * stripe is full its k + m puts start, each hashing and storing one fragment, and the next stripe
     * is filled meanwhile; before its own puts start, the previous stripe's answers are taken (in
     * shard order), so at most one stripe is in flight and a node that failed is not asked again.
     */
    private final class Run {
        final ManifestPlan plan;
        final Progress progress;
        final ExecutorService puts;
        final List<List<Hash32>> names = new ArrayList<>();
        final List<WriteReport.Unplaced> unplaced = new ArrayList<>();
        final Set<Integer> down = new TreeSet<>();
        byte[][] fragments;
        InFlight inFlight;
        /** The last stripe's fragment names, each known once its put task has hashed it. */
        List<CompletableFuture<Hash32>> lastNames = List.of();
        int placed;
        long stripe;
        int stripeData;
        int shardLength;
        int filled;

        Run(ManifestPlan plan, Progress progress, ExecutorService puts) {
            this.plan = plan;
            this.progress = progress;
            this.puts = puts;
            progress.update(0, plan.archivedBytes());
            startStripe();
        }

        void startStripe() {
            if (stripe < plan.stripeCount()) {
                stripeData = code.stripeDataBytes(plan.archivedBytes(), stripe);
                shardLength = code.shardLength(stripeData);
                filled = 0;
                // Fresh arrays (zero, so the padding is): the previous stripe's are still being stored.
                fragments = new byte[code.totalShards()][Fragment.HEADER_BYTES + shardLength];
            }
        }

        void append(byte[] block) throws ArchiveException {
            int at = 0;
            while (at < block.length) {
                int shard = filled / shardLength;
                int within = filled % shardLength;
                int n = Math.min(block.length - at, Math.min(shardLength - within, stripeData - filled));
                System.arraycopy(block, at, fragments[shard], Fragment.HEADER_BYTES + within, n);
                at += n;
                filled += n;
                if (filled == stripeData) {
                    flush();
                }
            }
        }

        /**
         * Every stripe's fragment names, once every stripe is flushed: those taken from the answers
         * so far and the last stripe's as its puts name them, without waiting for those puts.
         */
        List<List<Hash32>> names() throws ArchiveException {
            assert stripe == plan.stripeCount() : stripe + " of " + plan.stripeCount() + " stripes flushed";
            List<List<Hash32>> all = new ArrayList<>(names);
            if (inFlight != null) {
                List<Hash32> last = new ArrayList<>(lastNames.size());
                for (CompletableFuture<Hash32> name : lastNames) {
                    last.add(await(name));
                }
                all.add(last);
            }
            return all;
        }

        void finish() throws ArchiveException {
            assert stripe == plan.stripeCount() : stripe + " of " + plan.stripeCount() + " stripes written";
            takeInFlight();
            progress.update(plan.archivedBytes(), plan.archivedBytes());
        }

        private void flush() throws ArchiveException {
            codec.encodeParity(fragments, Fragment.HEADER_BYTES, shardLength);
            for (int i = 0; i < code.totalShards(); i++) {
                Fragment.writeHeader(fragments[i], code.codeId(), code.dataShards(), code.parityShards(), i, stripe,
                        stripeData);
            }
            takeInFlight();
            int[] placement = plan.placement(stripe);
            // The last stripe's puts name their fragments first, so the manifest need not wait for them.
            boolean last = stripe == plan.stripeCount() - 1;
            List<CompletableFuture<Hash32>> named = new ArrayList<>(last ? code.totalShards() : 0);
            List<Future<Stored>> answers = new ArrayList<>(code.totalShards());
            for (int i = 0; i < code.totalShards(); i++) {
                byte[] bytes = fragments[i];
                int node = placement[i];
                boolean skip = down.contains(node);
                if (last) {
                    CompletableFuture<Hash32> name = new CompletableFuture<>();
                    named.add(name);
                    answers.add(puts.submit(() -> storeNamed(node, bytes, skip, name)));
                } else {
                    answers.add(puts.submit(() -> store(node, bytes, skip)));
                }
            }
            lastNames = named;
            inFlight = new InFlight(stripe, stripeData, placement, answers);
            fragments = null;
            stripe++;
            startStripe();
        }

        /** Takes the answers of the stripe in flight, if any: its names, what was not placed, progress. */
        private void takeInFlight() throws ArchiveException {
            if (inFlight == null) {
                return;
            }
            InFlight f = inFlight;
            inFlight = null;
            List<Hash32> stripeNames = new ArrayList<>(code.totalShards());
            int stored = 0;
            for (int i = 0; i < code.totalShards(); i++) {
                Stored s = await(f.answers.get(i));
                stripeNames.add(s.name);
                if (s.problem == null) {
                    stored++;
                } else {
                    if (s.nodeFailed) {
                        down.add(f.placement[i]);
                    }
                    unplaced.add(new WriteReport.Unplaced(f.stripe, i, f.placement[i], s.name, s.problem));
                }
            }
            if (stored < code.dataShards()) {
                throw new ArchiveException("stripe " + f.stripe + " of " + plan.root().aguid() + " seq "
                        + plan.root().seq() + " was stored on " + stored + " of " + code.totalShards()
                        + " nodes, at least k = " + code.dataShards() + " needed (nodes down: " + down + ")");
            }
            placed += stored;
            names.add(stripeNames);
            progress.update(f.stripe * code.stripeBytes() + f.stripeData, plan.archivedBytes());
        }

        /**
         * Stores one fragment on its node, unless that node failed earlier in this write, and names
         * it: the node computes the name as it stores ({@link ArchiveNodes#putNamed}), so the happy
         * path hashes the fragment once. A name from a node is checked against the bytes' only when
         * the put failed (then computed here); a wrong one from a faulty wrapper would make this
         * version's manifest name a fragment that does not exist, which the restore reports as missing.
         */
        private Stored store(int node, byte[] bytes, boolean skip) {
            if (skip) {
                return new Stored(ArchiveNames.objectName(bytes), "node " + node + " is down", false);
            }
            try {
                return new Stored(nodes.putNamed(node, bytes), null, false);
            } catch (IOException e) {
                return new Stored(ArchiveNames.objectName(bytes), "node " + node + ": " + e.getMessage(), true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly storing a fragment", e);
                return new Stored(ArchiveNames.objectName(bytes), "node " + node + ": " + e, true);
            }
        }

        /**
         * As {@link #store}, for the last stripe: names the fragment here first and publishes the
         * name through {@code named}, then stores it under that name (the node checks it).
         */
        private Stored storeNamed(int node, byte[] bytes, boolean skip, CompletableFuture<Hash32> named) {
            Hash32 name;
            try {
                name = ArchiveNames.objectName(bytes);
            } catch (RuntimeException | Error e) {
                named.completeExceptionally(e);
                throw e;
            }
            named.complete(name);
            if (skip) {
                return new Stored(name, "node " + node + " is down", false);
            }
            try {
                nodes.put(node, name, bytes);
                return new Stored(name, null, false);
            } catch (IOException e) {
                return new Stored(name, "node " + node + ": " + e.getMessage(), true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly storing a fragment", e);
                return new Stored(name, "node " + node + ": " + e, true);
            }
        }
    }

    /** A stripe whose puts are running. */
    private record InFlight(long stripe, int stripeData, int[] placement, List<Future<Stored>> answers) {}

    /** What one put gave: the object's name, null or why it was not stored, and whether the node failed. */
    private record Stored(Hash32 name, String problem, boolean nodeFailed) {}
}
