package ostore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import ostore.archive.ArchiveWriter;
import ostore.archive.Progress;
import ostore.archive.RestoreReport;
import ostore.archive.Restorer;
import ostore.archive.WriteReport;
import ostore.archive.codec.Codecs;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;
import ostore.bench.ArchiveVersions.CheckingSink;
import ostore.bench.ArchiveVersions.Obj;
import ostore.bench.ArchiveVersions.Version;
import ostore.crypto.Vguid;

/**
 * The archive's rows for the benchmark suite (issue 6, workload e and Pond's archive figures), as
 * {@link Result} lines on stdout: the same nodes, objects and checks as {@link ArchiveDriver}'s
 * tables, but every measured operation kept, so the report can give p50/p95/p99 and CPU per
 * operation beside the ring's and etcd's rows instead of one best-of-three figure.
 *
 * <p>Rows (system {@code ostore}, one client, no aborts):
 * <ul>
 *   <li>{@code e-all-up} / {@code e-m-down}, op {@code restore}, payload = the large object's bytes:
 *       {@link Plan#restores} restores of a large object with every node up, then with m nodes down
 *       (the code's worst case: with k + m nodes every stripe loses m fragments). One op per
 *       restore, so the row's MB/s is the restore throughput;
 *   <li>{@code e-small}, op {@code restore}, payload 4096: each of {@link Plan#smallVersions}
 *       versions of a 4 KiB object restored once, m nodes down (Pond's archive retrieval,
 *       30–70 ms);
 *   <li>{@code pond-archive}, op {@code archive}, payload 4096 and 2097152: one version of that
 *       size archived (blocks hashed, erasure-coded, fragments and manifest written durably, index
 *       entries on the nodes), each the successor of the last with fresh content (Pond's archive
 *       phase, 4.5 ms for 4 kB).
 * </ul>
 * Every restored block is compared with the original as it arrives and a restore must deliver the
 * version's size: a wrong byte ends the run with an exception, never a timed row. Versions,
 * certificates and their blocks are made before the clock starts; warm-up versions of each kind
 * (and a degraded restore once the nodes are down) run first, unmeasured, so the JIT has compiled
 * the paths each row times: {@link Plan#smallWarmupVersions} small ones (hundreds: the gRPC client and
 * server paths take that many archives, 27 calls each, before C2 is done with them; ten left the row
 * measuring the compiler, more than half its latency and two thirds of its CPU). Latencies are wall time; CPU is the whole process's (the storage nodes
 * run in it); GC pauses are those of this JVM inside each row's span.
 *
 * <p>Usage: {@code ArchiveDriver results file|grpc OBJECT_MIB K M SHARD_KIB} (or this class's
 * {@code main} with the same arguments after {@code results}); k + m nodes.
 */
public final class ArchiveResults {
    static final String SYSTEM = "ostore";
    /** Pond's large update, and the payload of the large {@code pond-archive} row. */
    static final int LARGE_UPDATE_BYTES = 2 << 20;

    /**
     * How much one run measures.
     *
     * @param objectBytes the large object restored in {@code e-all-up} and {@code e-m-down}
     * @param restores restores of it per row
     * @param smallVersions measured 4 KiB versions: archived for one row, restored for another
     * @param largeArchives measured 2 MiB versions archived
     * @param warmupVersions unmeasured 2 MiB versions archived before the measured ones
     * @param smallWarmupVersions unmeasured 4 KiB versions archived before the measured ones (and
     *     before the 2 MiB row, which so finds the transport's paths compiled too)
     * @param warmupBytes the object archived and restored (all up, then degraded) to warm up
     */
    record Plan(CodeParams code, long objectBytes, int restores, int smallVersions, int largeArchives,
            int warmupVersions, int smallWarmupVersions, long warmupBytes) {
        Plan {
            Objects.requireNonNull(code, "code");
            if (objectBytes < 1 || restores < 1 || smallVersions < 1 || largeArchives < 1 || warmupVersions < 1
                    || smallWarmupVersions < 1 || warmupBytes < 1) {
                throw new IllegalArgumentException("every size and count of a plan must be >= 1: " + objectBytes
                        + " object bytes, " + restores + " restores, " + smallVersions + " small versions, "
                        + largeArchives + " 2 MiB archives, " + warmupVersions + " and " + smallWarmupVersions
                        + " warm-up versions (2 MiB, 4 KiB), " + warmupBytes
                        + " warm-up bytes");
            }
            if (code.parityShards() < 1) {
                throw new IllegalArgumentException("the e-m-down row needs m >= 1 parity shards, the code has "
                        + code.parityShards());
            }
        }

        /**
         * What the suite runs: 5 restores per row, 50 small versions after 400 unmeasured, 10 of 2 MiB
         * after 10, a 32 MiB warm-up.
         */
        static Plan standard(CodeParams code, long objectBytes) {
            return new Plan(code, objectBytes, 5, 50, 10, 10, 400, 32L << 20);
        }
    }

    /** One measured operation, the {@code i}th of its row. */
    @FunctionalInterface
    private interface Op {
        void run(int i) throws IOException;
    }

    private ArchiveResults() {}

    public static void main(String[] args) {
        String usage = "usage: ArchiveDriver results file|grpc OBJECT_MIB K M SHARD_KIB";
        if (args.length != 5 || !Set.of("file", "grpc").contains(args[0])) {
            System.err.println(usage);
            System.exit(2);
        }
        Plan plan;
        try {
            int objectMib = positive(args[1], "OBJECT_MIB");
            int k = positive(args[2], "K");
            int m = positive(args[3], "M");
            int shardKib = positive(args[4], "SHARD_KIB");
            plan = Plan.standard(new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, k, m, shardKib << 10),
                    (long) objectMib << 20);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + usage);
            System.exit(2);
            return;
        }
        boolean grpc = args[0].equals("grpc");
        try (GcPauses gc = GcPauses.start()) {
            System.err.println("archive results: codec " + Codecs.open(plan.code().dataShards(),
                    plan.code().parityShards()).description() + "; transport " + (grpc ? "gRPC loopback" : "files")
                    + "; code " + plan.code().dataShards() + "+" + plan.code().parityShards() + ", "
                    + (plan.code().shardBytes() >> 10) + " KiB shards; collector " + GcPauses.collector());
            for (Result r : run(grpc, plan, gc)) {
                System.out.println(r.toLine());
            }
        } catch (Exception e) {
            System.err.println("ArchiveDriver results failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static int positive(String arg, String name) {
        int v;
        try {
            v = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " (" + arg + ") is not a whole number");
        }
        if (v < 1) {
            throw new IllegalArgumentException(name + " (" + arg + ") must be >= 1");
        }
        return v;
    }

    /**
     * Runs {@code plan} on k + m fresh nodes in a temporary directory (deleted after) and returns
     * its rows: e-all-up, e-m-down, e-small, pond-archive 4096, pond-archive 2097152.
     *
     * @param gc the recorder whose pauses go into each row, or {@code null} for rows without them
     */
    static List<Result> run(boolean grpc, Plan plan, GcPauses gc) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ostore-archive-results-");
        try (ArchiveBenchNodes nodes = ArchiveBenchNodes.open(grpc, dir, plan.code().totalShards())) {
            return run(nodes, plan, gc);
        } finally {
            ArchiveBenchNodes.deleteTree(dir);
        }
    }

    private static List<Result> run(ArchiveBenchNodes nodes, Plan plan, GcPauses gc)
            throws IOException, InterruptedException {
        ArchiveWriter writer = new ArchiveWriter(nodes.all(), plan.code());
        Restorer restorer = new Restorer(nodes.all(), ArchiveVersions.ringChecker());
        int blockBytes = ArchiveVersions.BLOCK_BYTES;

        Obj warm = ArchiveVersions.object("bench/warm-up",
                ArchiveVersions.blocks(7, plan.warmupBytes(), blockBytes));
        Version warmVersion = warm.version(1, Optional.empty(), warm.blocks());
        archive(writer, warmVersion, Optional.empty());
        restore(restorer, warmVersion, false);

        // Pond's archive phase: chains of fresh versions, the first warmupVersions unmeasured.
        int smallCount = plan.smallWarmupVersions() + plan.smallVersions();
        List<Version> small = chain(ArchiveVersions.object("bench/small", ArchiveVersions.blocks(17,
                (long) smallCount * ArchiveVersions.SMALL_BYTES, ArchiveVersions.SMALL_BYTES)), 1);
        Result archiveSmall = archiveChain(writer, small, plan.smallWarmupVersions(), gc);
        int largeCount = plan.warmupVersions() + plan.largeArchives();
        List<Version> updates = chain(ArchiveVersions.object("bench/2mib", ArchiveVersions.blocks(19,
                (long) largeCount * LARGE_UPDATE_BYTES, blockBytes)), LARGE_UPDATE_BYTES / blockBytes);
        Result archiveLarge = archiveChain(writer, updates, plan.warmupVersions(), gc);

        // The large object, restored with all nodes up and then with m down.
        Obj large = ArchiveVersions.object("bench/large", ArchiveVersions.blocks(11, plan.objectBytes(), blockBytes));
        Version v1 = large.version(1, Optional.empty(), large.blocks());
        archive(writer, v1, Optional.empty());
        String restoreOp = PageCache.canDrop() ? "restore, cold cache" : "restore, page cache";
        Result allUp = measure(gc, "e-all-up", restoreOp, v1.bytes(), plan.restores(), PageCache::drop,
                i -> restore(restorer, v1, false));
        for (int node = 0; node < plan.code().parityShards(); node++) {
            nodes.down(node);
        }
        restore(restorer, warmVersion, true);
        restore(restorer, small.getFirst(), true);
        Result mDown = measure(gc, "e-m-down", restoreOp, v1.bytes(), plan.restores(), PageCache::drop,
                i -> restore(restorer, v1, true));
        List<Version> measuredSmall = small.subList(plan.smallWarmupVersions(), small.size());
        Result smallDown = measure(gc, "e-small", restoreOp, ArchiveVersions.SMALL_BYTES, measuredSmall.size(),
                PageCache::drop, i -> restore(restorer, measuredSmall.get(i), true));
        return List.of(allUp, mDown, smallDown, archiveSmall, archiveLarge);
    }

    /**
     * Versions 1, 2, ... of {@code obj}, each the successor of the last, each made of the next
     * {@code blocksPerVersion} of the object's blocks (so no version shares a block with another).
     */
    private static List<Version> chain(Obj obj, int blocksPerVersion) {
        List<Version> versions = new ArrayList<>();
        Optional<Vguid> predecessor = Optional.empty();
        for (int at = 0; at + blocksPerVersion <= obj.blocks().size(); at += blocksPerVersion) {
            Version v = obj.version(versions.size() + 1, predecessor, obj.blocks().subList(at, at + blocksPerVersion));
            versions.add(v);
            predecessor = Optional.of(v.root().vguid());
        }
        return versions;
    }

    /** Archives {@code versions} in order, the first {@code warmup} unmeasured; the row times the rest. */
    private static Result archiveChain(ArchiveWriter writer, List<Version> versions, int warmup, GcPauses gc)
            throws IOException, InterruptedException {
        // The manifest of the version before, which the writer takes for dedup (as the ring's archiver does).
        AtomicReference<Manifest> previous = new AtomicReference<>();
        for (int i = 0; i < warmup; i++) {
            previous.set(archive(writer, versions.get(i), Optional.ofNullable(previous.get())).manifest());
        }
        List<Version> measured = versions.subList(warmup, versions.size());
        return measure(gc, "pond-archive", "archive", measured.getFirst().bytes(), measured.size(), () -> { },
                i -> previous.set(archive(writer, measured.get(i), Optional.ofNullable(previous.get())).manifest()));
    }

    /** Archives {@code v}; a write that did not reach every node ends the run (all nodes are up here). */
    private static WriteReport archive(ArchiveWriter writer, Version v, Optional<Manifest> previous)
            throws IOException {
        WriteReport r = writer.write(v.root(), v.entries(), v.source(), previous, v.certificate(), Progress.NONE);
        if (!r.complete()) {
            throw new IllegalStateException("archiving " + v.root().aguid() + " seq " + v.root().seq()
                    + " with every node up left fragments unplaced " + r.unplaced() + " or nodes down "
                    + r.nodesDown());
        }
        return r;
    }

    /**
     * Restores {@code v}, comparing every block with the original; {@code degraded}: some node must
     * have been met down, or the row would be labelled with a failure it never met (and the reverse).
     */
    private static void restore(Restorer restorer, Version v, boolean degraded) throws IOException {
        RestoreReport r = restorer.restore(v.root().aguid(), v.root().seq(), new CheckingSink(v.blocks()),
                Progress.NONE);
        if (r.bytes() != v.bytes()) {
            throw new IllegalStateException("restored " + r.bytes() + " bytes of " + v.root().aguid() + " seq "
                    + v.root().seq() + ", which has " + v.bytes());
        }
        if (degraded == r.nodesDown().isEmpty()) {
            throw new IllegalStateException("restoring " + v.root().aguid() + " seq " + v.root().seq() + " met nodes "
                    + r.nodesDown() + " down, expected " + (degraded ? "some" : "none"));
        }
    }

    /**
     * Runs {@code count} ops back to back and makes their row, each op timed alone: {@code before}
     * runs ahead of each, outside its time and CPU, which count only the ops (one client: the
     * row's wall time is their sum).
     */
    private static Result measure(GcPauses gc, String workload, String op, long payloadBytes, int count,
            Before before, Op body) throws IOException, InterruptedException {
        long[] latencies = new long[count];
        long wall = 0;
        long cpu = 0;
        Instant from = Instant.now();
        for (int i = 0; i < count; i++) {
            before.run();
            long cpu0 = LoadDriver.processCpuNanos();
            long start = System.nanoTime();
            body.run(i);
            latencies[i] = System.nanoTime() - start;
            cpu += LoadDriver.processCpuNanos() - cpu0;
            wall += latencies[i];
        }
        Instant to = Instant.now();
        return Result.of(SYSTEM, workload, op, payloadBytes, 1, List.of(latencies), 0, wall, cpu,
                gc == null ? null : gc.between(from, to));
    }

    /** What runs ahead of each measured op, untimed. */
    @FunctionalInterface
    private interface Before {
        void run() throws IOException, InterruptedException;
    }
}
