package ostore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import ostore.archive.ArchiveWriter;
import ostore.archive.Progress;
import ostore.archive.RestoreReport;
import ostore.archive.Restorer;
import ostore.archive.WriteReport;
import ostore.archive.codec.Codecs;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;
import ostore.archive.store.FileFragmentStore;
import ostore.bench.ArchiveBenchNodes.Stored;
import ostore.bench.ArchiveVersions.CheckingSink;
import ostore.bench.ArchiveVersions.Obj;
import ostore.bench.ArchiveVersions.Version;
import ostore.crypto.Vguid;
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
 *
 * <p>{@code ArchiveDriver results file|grpc OBJECT_MIB K M SHARD_KIB} prints the same kind of
 * measurements as {@link Result} lines for the benchmark suite instead: see {@link ArchiveResults}.
 */
public final class ArchiveDriver {
    private static final int BLOCK_BYTES = ArchiveVersions.BLOCK_BYTES;
    private static final int SMALL_BYTES = ArchiveVersions.SMALL_BYTES;
    private static final int WARMUP_MIB = 32;
    /** Restores per measurement; the fastest counts, as the slower ones met other work on the machine. */
    private static final int RESTORES = 3;

    private ArchiveDriver() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("results")) {
            ArchiveResults.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length < 1 || !Set.of("file", "grpc").contains(args[0])) {
            System.err.println("usage: ArchiveDriver file|grpc [OBJECT_MIB [K M [SHARD_KIB [SMALL_VERSIONS [NODES]]]]]"
                    + "\n       ArchiveDriver results file|grpc OBJECT_MIB K M SHARD_KIB");
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
        try (ArchiveBenchNodes nodes = ArchiveBenchNodes.open(grpc, dir, nodeCount)) {
            run(nodes, code, (long) objectMib << 20, smallVersions, grpc ? "gRPC loopback" : "files");
        } finally {
            ArchiveBenchNodes.deleteTree(dir);
        }
    }

    private static void run(ArchiveBenchNodes nodes, CodeParams code, long objectBytes, int smallVersions,
            String transport) throws IOException {
        String codeName = code.dataShards() + "+" + code.parityShards() + ", " + (code.shardBytes() >> 10) + " KiB shards, "
                + nodes.count() + " nodes";
        String codec = Codecs.open(code.dataShards(), code.parityShards()).description();
        ArchiveWriter writer = new ArchiveWriter(nodes.all(), code);
        Restorer restorer = new Restorer(nodes.all(), ArchiveVersions.ringChecker());

        Obj warm = ArchiveVersions.object("bench/warm-up",
                ArchiveVersions.blocks(7, (long) WARMUP_MIB << 20, BLOCK_BYTES));
        Version w1 = warm.version(1, Optional.empty(), warm.blocks());
        writer.write(w1.root(), w1.entries(), w1.source(), Optional.empty(), w1.certificate(), Progress.NONE);
        restorer.restore(w1.root().aguid(), 1, new CheckingSink(w1.blocks()), Progress.NONE);

        // The large object.
        Obj large = ArchiveVersions.object("bench/large", ArchiveVersions.blocks(11, objectBytes, BLOCK_BYTES));
        Version v1 = large.version(1, Optional.empty(), large.blocks());
        Stored before = nodes.stored();
        long c0 = LoadDriver.processCpuNanos();
        long t0 = System.nanoTime();
        WriteReport r1 = writer.write(v1.root(), v1.entries(), v1.source(), Optional.empty(), v1.certificate(),
                Progress.NONE);
        long archiveNanos = System.nanoTime() - t0;
        long archiveCpu = LoadDriver.processCpuNanos() - c0;
        Stored afterLarge = nodes.stored();
        Stored large1 = afterLarge.minus(before);

        // One block changed: dedup stores that block's stripe and a new manifest.
        List<byte[]> changed = new ArrayList<>(large.blocks());
        int middle = changed.size() / 2;
        changed.set(middle, ArchiveVersions.blocks(13, changed.get(middle).length, BLOCK_BYTES).getFirst());
        Version v2 = large.version(2, Optional.of(v1.root().vguid()), changed);
        WriteReport r2 = writer.write(v2.root(), v2.entries(), v2.source(), Optional.of(r1.manifest()),
                v2.certificate(), Progress.NONE);
        Stored afterSecond = nodes.stored();
        Stored large2 = afterSecond.minus(afterLarge);

        // Small versions, each one fresh 4 KiB block.
        Obj small = ArchiveVersions.object("bench/small", ArchiveVersions.blocks(17, (long) smallVersions * SMALL_BYTES,
                SMALL_BYTES));
        Optional<Manifest> previous = Optional.empty();
        Optional<Vguid> predecessor = Optional.empty();
        long smallManifests = 0;
        long t1 = System.nanoTime();
        for (int i = 0; i < smallVersions; i++) {
            Version v = small.version(i + 1, predecessor, List.of(small.blocks().get(i)));
            WriteReport r = writer.write(v.root(), v.entries(), v.source(), previous, v.certificate(), Progress.NONE);
            smallManifests += manifestCopies(r);
            previous = Optional.of(r.manifest());
            predecessor = Optional.of(v.root().vguid());
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
                (double) large1.total() / objectBytes, (double) (manifestCopies(r1) + large1.index()) / objectBytes);
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
                large2.objects() - manifestCopies(r2), (double) large2.total() / changedBytes);
        System.out.printf(Locale.ROOT, "| %s | %d+%d | %d (4 KiB objects rewritten) | %d | %d | %d | %.1f | %.0f |%n",
                transport, code.dataShards(), code.parityShards(), smallVersions, SMALL_BYTES,
                smallStored.total() / smallVersions, (smallStored.objects() - smallManifests) / smallVersions, (double) smallStored.total() / ((long) smallVersions * SMALL_BYTES),
                smallVersions / (smallNanos / 1e9));
    }

    /** How long a restore took, in wall and process CPU time. */
    private record Timed(long nanos, long cpu) {}

    /** The fastest of {@link #RESTORES} restores of {@code v}, each checked block by block. */
    private static Timed restoreBest(Restorer restorer, Version v, long objectBytes) throws IOException {
        Timed best = null;
        for (int i = 0; i < RESTORES; i++) {
            long c = LoadDriver.processCpuNanos();
            long t = System.nanoTime();
            RestoreReport r = restorer.restore(v.root().aguid(), v.root().seq(), new CheckingSink(v.blocks()),
                    Progress.NONE);
            Timed timed = new Timed(System.nanoTime() - t, LoadDriver.processCpuNanos() - c);
            if (r.bytes() != objectBytes) {
                throw new IllegalStateException("restored " + r.bytes() + " bytes of " + objectBytes);
            }
            if (best == null || timed.nanos < best.nanos) {
                best = timed;
            }
        }
        return best;
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
}
