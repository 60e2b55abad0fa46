package ostore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import ostore.archive.ArchiveNodes;
import ostore.archive.ArchiveWriter;
import ostore.archive.BlockSink;
import ostore.archive.Progress;
import ostore.archive.RestoreReport;
import ostore.archive.Restorer;
import ostore.archive.RingCertificateChecker;
import ostore.archive.StoreNodes;
import ostore.archive.WriteReport;
import ostore.archive.codec.Codecs;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;
import ostore.archive.store.FileFragmentStore;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import ostore.crypto.VersionRoot;
import ostore.node.storage.RemoteFragmentStore;
import ostore.node.storage.StorageNode;

/**
 * The end-to-end archive driver: real storage nodes on a temporary directory, the real
 * {@link ArchiveWriter} and {@link Restorer}, versions with real roots and real ring certificates.
 * It measures what the codec microbenchmark cannot: hashing every block and fragment, fragment
 * headers, durable writes ({@code fdatasync} per object), manifests and their certificate checks,
 * and, over {@code grpc}, the storage protocol on loopback.
 *
 * <p>Four measurements, each printed as a markdown table row:
 * <ol>
 *   <li>archive one large object (fresh blocks of 64 KiB, generated before the clock starts), MB/s
 *       of object bytes, and the bytes stored per object byte (fragments with headers, manifests on
 *       every node, index entries with certificates);
 *   <li>restore it with every node up, then with m nodes down (the code's worst case), MB/s of
 *       object bytes, every block compared with the original as it arrives; each the fastest of
 *       three restores, and with the process CPU time they took (the machine may be shared);
 *   <li>a second version of the large object with one block changed: what dedup leaves to store;
 *   <li>many small versions (one fresh 4 KiB block each, each the successor of the last): the bytes
 *       stored per version, which is where headers, manifests and certificates dominate.
 * </ol>
 * A smaller object is archived and restored first so the JIT has compiled the hot paths; its bytes
 * are not counted (every figure is a difference of what the nodes hold).
 *
 * <p>Usage: {@code ArchiveDriver file|grpc [OBJECT_MIB [K M [SHARD_KIB [SMALL_VERSIONS [NODES]]]]]},
 * defaults 256, 6 3 (the default code), 1024, 200, k + m. {@code file}: the writer calls
 * {@link FileFragmentStore}s directly, and a node "down" answers every call with an
 * {@link IOException}; {@code grpc}: each node is a {@link StorageNode} on 127.0.0.1 reached through
 * {@link RemoteFragmentStore}, and a node "down" is really stopped. The codec follows
 * {@code -Dostore.codec} ({@code isal}, {@code java}, {@code auto}).
 */
public final class ArchiveDriver {
    private static final int BLOCK_BYTES = 64 << 10;
    private static final int SMALL_BYTES = 4 << 10;
    private static final int WARMUP_MIB = 32;
    /** Restores per measurement; the fastest counts, as the slower ones met other work on the machine. */
    private static final int RESTORES = 3;
    private static final int RING_SIZE = 4;
    private static final int RING_F = 1;
    private static final List<SigningKey> RING = IntStream.range(0, RING_SIZE).mapToObj(i -> seededKey(0x20 + 0x20 * i))
            .toList();
    private static final SigningKey OWNER = seededKey(0xa0);

    private ArchiveDriver() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Set.of("file", "grpc").contains(args[0])) {
            System.err.println("usage: ArchiveDriver file|grpc [OBJECT_MIB [K M [SHARD_KIB [SMALL_VERSIONS [NODES]]]]]");
            System.exit(2);
        }
        boolean grpc = args[0].equals("grpc");
        int objectMib = intArg(args, 1, 256);
        int k = intArg(args, 2, CodeParams.DEFAULT.dataShards());
        int m = intArg(args, 3, CodeParams.DEFAULT.parityShards());
        int shardKib = intArg(args, 4, CodeParams.DEFAULT.shardBytes() >> 10);
        int smallVersions = intArg(args, 5, 200);
        int nodeCount = intArg(args, 6, k + m);
        CodeParams code = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, k, m, shardKib << 10);
        if (objectMib < 1 || smallVersions < 1 || nodeCount < k + m) {
            throw new IllegalArgumentException("OBJECT_MIB (" + objectMib + ") and SMALL_VERSIONS (" + smallVersions
                    + ") must be >= 1, NODES (" + nodeCount + ") >= k + m");
        }
        Path dir = Files.createTempDirectory("ostore-archive-bench-");
        try (Nodes nodes = grpc ? Nodes.grpc(dir, nodeCount) : Nodes.files(dir, nodeCount)) {
            run(nodes, code, (long) objectMib << 20, smallVersions, grpc ? "gRPC loopback" : "files");
        } finally {
            deleteTree(dir);
        }
    }

    private static void run(Nodes nodes, CodeParams code, long objectBytes, int smallVersions, String transport)
            throws IOException {
        String codeName = code.dataShards() + "+" + code.parityShards() + ", " + (code.shardBytes() >> 10) + " KiB shards, "
                + nodes.count() + " nodes";
        String codec = Codecs.open(code.dataShards(), code.parityShards()).description();
        ArchiveWriter writer = new ArchiveWriter(nodes.all(), code);
        Restorer restorer = new Restorer(nodes.all(), new RingCertificateChecker(
                RING.stream().map(SigningKey::publicKey).toList(), RING_F));

        Obj warm = new Obj(Aguid.of(OWNER.publicKey(), "bench/warm-up"), blocks(7, (long) WARMUP_MIB << 20, BLOCK_BYTES));
        Version w1 = warm.version(1, Optional.empty(), warm.blocks);
        writer.write(w1.root, w1.entries, w1.source(), Optional.empty(), w1.certificate, Progress.NONE);
        restorer.restore(w1.root.aguid(), 1, new CheckingSink(w1.blocks), Progress.NONE);

        // The large object.
        Obj large = new Obj(Aguid.of(OWNER.publicKey(), "bench/large"), blocks(11, objectBytes, BLOCK_BYTES));
        Version v1 = large.version(1, Optional.empty(), large.blocks);
        Stored before = nodes.stored();
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        WriteReport r1 = writer.write(v1.root, v1.entries, v1.source(), Optional.empty(), v1.certificate,
                Progress.NONE);
        long archiveNanos = System.nanoTime() - t0;
        long archiveCpu = cpuNanos() - c0;
        Stored afterLarge = nodes.stored();
        Stored large1 = afterLarge.minus(before);

        // One block changed: dedup stores that block's stripe and a new manifest.
        List<byte[]> changed = new ArrayList<>(large.blocks);
        int middle = changed.size() / 2;
        changed.set(middle, blocks(13, changed.get(middle).length, BLOCK_BYTES).getFirst());
        Version v2 = large.version(2, Optional.of(v1.root.vguid()), changed);
        WriteReport r2 = writer.write(v2.root, v2.entries, v2.source(), Optional.of(r1.manifest()), v2.certificate,
                Progress.NONE);
        Stored afterSecond = nodes.stored();
        Stored large2 = afterSecond.minus(afterLarge);

        // Small versions, each one fresh 4 KiB block.
        Obj small = new Obj(Aguid.of(OWNER.publicKey(), "bench/small"), blocks(17, (long) smallVersions * SMALL_BYTES,
                SMALL_BYTES));
        Optional<Manifest> previous = Optional.empty();
        Optional<Vguid> predecessor = Optional.empty();
        long smallManifests = 0;
        long t1 = System.nanoTime();
        for (int i = 0; i < smallVersions; i++) {
            Version v = small.version(i + 1, predecessor, List.of(small.blocks.get(i)));
            WriteReport r = writer.write(v.root, v.entries, v.source(), previous, v.certificate, Progress.NONE);
            smallManifests += manifestCopies(r);
            previous = Optional.of(r.manifest());
            predecessor = Optional.of(v.root.vguid());
        }
        long smallNanos = System.nanoTime() - t1;
        Stored smallStored = nodes.stored().minus(afterSecond);

        // Restores: all nodes up, then m down; each the best of RESTORES (the machine is shared).
        Timed allUp = restoreBest(restorer, v1, objectBytes);
        for (int node = 0; node < code.parityShards(); node++) {
            nodes.down(node);
        }
        Timed degraded = restoreBest(restorer, v1, objectBytes);
        long restoreNanos = allUp.nanos;
        long degradedNanos = degraded.nanos;

        System.out.println("codec: " + codec + "; transport: " + transport + "; code " + codeName);
        System.out.println();
        System.out.println("| transport | code | object | archive MB/s | restore MB/s, all up | restore MB/s, "
                + code.parityShards() + " nodes down | stored / object bytes | of which manifests + index |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        System.out.printf(Locale.ROOT, "| %s | %d+%d | %d MiB | %.0f | %.0f | %.0f | %.3f | %.4f |%n", transport,
                code.dataShards(), code.parityShards(), objectBytes >> 20, mbPerSecond(objectBytes, archiveNanos),
                mbPerSecond(objectBytes, restoreNanos), mbPerSecond(objectBytes, degradedNanos),
                (double) large1.total() / objectBytes, (double) (manifestCopies(r1) + large1.index) / objectBytes);
        System.out.printf(Locale.ROOT, "%nCPU time of the process (all threads, storage nodes included), MB of object"
                + " bytes per CPU second: archive %.0f, restore all up %.0f, restore %d nodes down %.0f (restores: best"
                + " of %d by wall time)%n", mbPerSecond(objectBytes, archiveCpu), mbPerSecond(objectBytes, allUp.cpu),
                code.parityShards(), mbPerSecond(objectBytes, degraded.cpu), RESTORES);
        System.out.println();
        System.out.println("| transport | code | versions | new bytes per version | stored per version | of which fragments"
                + " | stored / new bytes | versions/s |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        long changedBytes = changed.get(middle).length;
        System.out.printf(Locale.ROOT, "| %s | %d+%d | 1 (one block of %d MiB changed) | %d | %d | %d | %.1f | — |%n",
                transport, code.dataShards(), code.parityShards(), objectBytes >> 20, changedBytes, large2.total(),
                large2.objects - manifestCopies(r2), (double) large2.total() / changedBytes);
        System.out.printf(Locale.ROOT, "| %s | %d+%d | %d (4 KiB objects rewritten) | %d | %d | %d | %.1f | %.0f |%n",
                transport, code.dataShards(), code.parityShards(), smallVersions, SMALL_BYTES,
                smallStored.total() / smallVersions, (smallStored.objects - smallManifests) / smallVersions, (double) smallStored.total() / ((long) smallVersions * SMALL_BYTES),
                smallVersions / (smallNanos / 1e9));
    }

    /** How long a restore took, in wall and process CPU time. */
    private record Timed(long nanos, long cpu) {}

    /** The fastest of {@link #RESTORES} restores of {@code v}, each checked block by block. */
    private static Timed restoreBest(Restorer restorer, Version v, long objectBytes) throws IOException {
        Timed best = null;
        for (int i = 0; i < RESTORES; i++) {
            long c = cpuNanos();
            long t = System.nanoTime();
            RestoreReport r = restorer.restore(v.root.aguid(), v.root.seq(), new CheckingSink(v.blocks), Progress.NONE);
            Timed timed = new Timed(System.nanoTime() - t, cpuNanos() - c);
            if (r.bytes() != objectBytes) {
                throw new IllegalStateException("restored " + r.bytes() + " bytes of " + objectBytes);
            }
            if (best == null || timed.nanos < best.nanos) {
                best = timed;
            }
        }
        return best;
    }

    /** CPU time of this process so far, every thread (the storage nodes' too, since they run here). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The bytes of every copy of the write's manifest (the rest of its objects are fragments). */
    private static long manifestCopies(WriteReport report) {
        return (long) report.manifest().encode().length * report.manifestNodes().size();
    }

    private static double mbPerSecond(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /** {@code size} seeded random bytes in blocks of {@code blockSize}, every block distinct. */
    private static List<byte[]> blocks(long seed, long size, int blockSize) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> blocks = new ArrayList<>();
        for (long at = 0; at < size; at += blockSize) {
            byte[] b = new byte[(int) Math.min(blockSize, size - at)];
            random.nextBytes(b);
            blocks.add(b);
        }
        return blocks;
    }

    private static SigningKey seededKey(int first) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (first + i);
        }
        return SigningKey.fromSeed(seed);
    }

    /** An object's name and its first version's blocks. */
    private record Obj(Aguid aguid, List<byte[]> blocks) {
        Version version(long seq, Optional<Vguid> predecessor, List<byte[]> content) {
            List<BlockListHash.Entry> entries = new ArrayList<>(content.size());
            long size = 0;
            for (byte[] b : content) {
                entries.add(new BlockListHash.Entry(Bguid.ofBlock(b), b.length));
                size += b.length;
            }
            VersionRoot root = new VersionRoot(aguid, seq, predecessor, size, content.size(),
                    BlockListHash.root(entries), 1_900_000_000_000_000L + seq, Acl.ownerOnly(OWNER.publicKey()),
                    Hashing.hash(Domain.UPDATE, (aguid + "/" + seq).getBytes()));
            return new Version(root, entries, content, certificate(root));
        }
    }

    /** A version as the archive sees it: certified root, block list and bytes. */
    private record Version(VersionRoot root, List<BlockListHash.Entry> entries, List<byte[]> blocks,
            byte[] certificate) {
        /** Looks blocks up by BGUID, as a version store does; the writer asks in block order. */
        ostore.archive.BlockSource source() {
            java.util.Map<Bguid, byte[]> byBguid = new java.util.HashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                byBguid.put(entries.get(i).bguid(), blocks.get(i));
            }
            return (bguid, length) -> byBguid.get(bguid);
        }
    }

    /**
     * The certificate a 4-replica ring (f = 1) gives a committed update: a result leaf for the
     * root, in a one-leaf result tree, signed by 2f + 1 replicas.
     */
    private static byte[] certificate(VersionRoot root) {
        ResultLeaf leaf = new ResultLeaf(root.updateDigest(), ResultLeaf.COMMITTED, 0, root.aguid(), root.seq(),
                root.vguid().hash(), root.timestampMicros());
        List<Hash32> leaves = List.of(leaf.hash());
        ResultStatement statement = new ResultStatement(0, 0, root.seq(), MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i = 0; i < 2 * RING_F + 1; i++) {
            signatures.add(new Certificate.Signature(i, RING.get(i).sign(Domain.RING_MESSAGE, statement.signedBytes(i))));
        }
        return new Certificate(statement, leaf, MerkleProof.of(leaves, 0), signatures).encode();
    }

    /** Takes a restored version block by block and compares it with the original. */
    private static final class CheckingSink implements BlockSink {
        private final List<byte[]> expected;
        private long next;

        CheckingSink(List<byte[]> expected) {
            this.expected = expected;
        }

        @Override
        public void begin(VersionRoot root, byte[] certificate) {
            next = 0;
        }

        @Override
        public void accept(long index, Bguid bguid, byte[] bytes) {
            if (index != next || !Arrays.equals(bytes, expected.get((int) index))) {
                throw new IllegalStateException("restored block " + index + " (expected block " + next
                        + ") differs from the archived one");
            }
            next++;
        }

        @Override
        public void commit() {
            if (next != expected.size()) {
                throw new IllegalStateException("restore committed after " + next + " of " + expected.size() + " blocks");
            }
        }

        @Override
        public void abort() {}
    }

    /**
     * Bytes the nodes hold on disk: {@code objects} (fragments and manifests, each with its header)
     * and {@code index} (index entries: manifest name and certificate).
     */
    private record Stored(long objects, long index) {
        long total() {
            return objects + index;
        }

        Stored minus(Stored other) {
            return new Stored(objects - other.objects, index - other.index);
        }
    }

    /** The storage nodes under test and the switches that take them down. */
    private interface Nodes extends AutoCloseable {
        ArchiveNodes all();

        int count();

        void down(int node) throws IOException;

        Stored stored() throws IOException;

        @Override
        void close() throws IOException;

        static Nodes files(Path dir, int count) throws IOException {
            List<FileFragmentStore> stores = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                stores.add(FileFragmentStore.open(dir.resolve("node-" + i)));
            }
            Set<Integer> down = java.util.concurrent.ConcurrentHashMap.newKeySet();
            ArchiveNodes all = new SwitchableNodes(new StoreNodes(stores), down);
            return new Nodes() {
                @Override
                public ArchiveNodes all() {
                    return all;
                }

                @Override
                public int count() {
                    return count;
                }

                @Override
                public void down(int node) {
                    down.add(node);
                }

                @Override
                public Stored stored() throws IOException {
                    return measure(dir, count);
                }

                @Override
                public void close() throws IOException {
                    for (FileFragmentStore s : stores) {
                        s.close();
                    }
                }
            };
        }

        static Nodes grpc(Path dir, int count) throws IOException {
            List<StorageNode> servers = new ArrayList<>();
            List<RemoteFragmentStore> clients = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    servers.add(StorageNode.start(dir.resolve("node-" + i), "127.0.0.1", 0));
                    clients.add(RemoteFragmentStore.connect(servers.getLast().address()));
                }
            } catch (IOException | RuntimeException e) {
                clients.forEach(RemoteFragmentStore::close);
                servers.forEach(StorageNode::close);
                throw e;
            }
            ArchiveNodes all = new StoreNodes(clients);
            return new Nodes() {
                @Override
                public ArchiveNodes all() {
                    return all;
                }

                @Override
                public int count() {
                    return count;
                }

                @Override
                public void down(int node) {
                    servers.get(node).close();
                }

                @Override
                public Stored stored() throws IOException {
                    return measure(dir, count);
                }

                @Override
                public void close() {
                    clients.forEach(RemoteFragmentStore::close);
                    servers.forEach(StorageNode::close);
                }
            };
        }

        private static Stored measure(Path dir, int count) throws IOException {
            long objects = 0;
            long index = 0;
            for (int i = 0; i < count; i++) {
                objects += treeBytes(dir.resolve("node-" + i).resolve("objects"));
                index += treeBytes(dir.resolve("node-" + i).resolve("index"));
            }
            return new Stored(objects, index);
        }
    }

    private static long treeBytes(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            long sum = 0;
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
