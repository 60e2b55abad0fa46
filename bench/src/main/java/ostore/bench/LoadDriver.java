package ostore.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import ostore.api.v1.Comparison;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.Predicates;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.node.Node;
import ostore.node.NodeConfig;
import ostore.node.ring.EmbeddedRing;
import ostore.ring.log.LogStores;
import ostore.store.Limits;

/**
 * The end-to-end driver of ostore: closed-loop clients that use the SDK against a ring (or one
 * node), measuring each operation from submit to verified reply. Every client waits for its reply
 * before its next operation, so the figures are latencies under that concurrency, not a saturation
 * throughput.
 *
 * <p>Usage: {@code LoadDriver TARGET SPEC...}, each SPEC a {@link WorkloadSpec}
 * ({@code WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES}) run in order by
 * {@link RingWorkloads}, one {@link Result} line each on stdout, and for update workloads on a ring
 * one {@link RingPhases.Breakdown phases} line. TARGET is {@code suite} or {@code embedded-ring} (a
 * 4-replica ring, f = 1, started in this JVM on free loopback ports over a temporary directory
 * removed afterwards, of {@code -Dostore.bench.colors} colors (default 4) and no storage nodes, so
 * it measures the ring's update path, not archiving behind it; clients send to every replica and
 * accept f+1 matching signed replies), {@code embedded} (a single node: a ring of one, f = 0, reached
 * by its address alone) or
 * {@code host:port} (a running node). Embedded, the CPU figure covers clients and servers together
 * and the GC pauses are those of their one JVM.
 *
 * <p>Workloads (a) and (d) are this class's: each client has its own key and object and sends
 * predicate-guarded updates of one of three shapes: {@code replace-block} ("if the latest version
 * is N, replace block 0 with these bytes"; the default for (a), whose 4 KiB object is one block),
 * {@code replace} ("if the latest version is N, make these bytes the content": truncate and append
 * in one update, so the object keeps its size; the default for (d), as 2 MiB is more than one
 * block) or {@code append} ("if the latest version is N, append these bytes": the object grows as a
 * log does); {@code -Dostore.bench.shape} sets one for both. Every update carries fresh content
 * (the payload with a counter in its first bytes), so no update is stored as a copy of the one
 * before. The hot object (b) and the reads (c) are {@link RingWorkloads}'.
 */
public final class LoadDriver {
    /**
     * One run of disjoint guarded updates.
     *
     * @param workload the row's workload id ({@code a} or {@code d}), from the spec that asked for it
     */
    public record Workload(String workload, Connector connector, Shape shape, int payloadBytes, int clients,
            int updatesPerClient, int warmupPerClient) {
        public Workload {
            java.util.Objects.requireNonNull(workload, "workload");
            java.util.Objects.requireNonNull(connector, "connector");
            java.util.Objects.requireNonNull(shape, "shape");
            if (payloadBytes < 1 || clients < 1 || updatesPerClient < 1 || warmupPerClient < 0) {
                throw new IllegalArgumentException("payloadBytes (" + payloadBytes + "), clients (" + clients
                        + ") and updatesPerClient (" + updatesPerClient + ") must be >= 1, warmup >= 0");
            }
        }
    }

    /** Opens a client, writing as {@code key}, to the node or ring under test. */
    @FunctionalInterface
    public interface Connector {
        OstoreClient connect(SigningKey key);
    }

    /** What each update does to its object. */
    public enum Shape {
        REPLACE,
        REPLACE_BLOCK,
        APPEND;

        /** As the command line and the rows name it: {@code replace}, {@code replace-block}, {@code append}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Numbers every update's content, so no two updates of a run carry the same bytes. */
    private static final AtomicLong UPDATES = new AtomicLong();

    private static final String USAGE = "usage: LoadDriver suite|embedded-ring|embedded|HOST:PORT SPEC..., SPEC = "
            + WorkloadSpec.FORMAT + ", WORKLOAD one of " + String.join(", ", WorkloadSpec.WORKLOADS);

    private LoadDriver() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println(USAGE);
            System.exit(2);
        }
        List<WorkloadSpec> specs;
        try {
            specs = RingWorkloads.parse(List.of(args).subList(1, args.length));
            shapeProperty("a"); // a mistyped shape fails here, before anything starts
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Path data = Files.createTempDirectory("ostore-load");
        int status = 0;
        try (GcPauses gc = GcPauses.start()) {
            switch (args[0]) {
                case "suite", "embedded-ring" -> {
                    int colors = Integer.getInteger("ostore.bench.colors", EmbeddedRing.DEFAULT_COLORS);
                    try (EmbeddedRing ring = startRing(data, colors)) {
                        RingSpec spec = ring.spec();
                        RingWorkloads.runAll(key -> OstoreClient.connectRing(spec, key, RingPolicy.DEFAULT), spec,
                                gc, specs, System.out);
                    }
                }
                case "embedded" -> {
                    try (Node node = Node.start(NodeConfig.defaults(data, 0))) {
                        String address = node.address();
                        RingWorkloads.runAll(key -> OstoreClient.connect(address, key), null, gc, specs, System.out);
                    }
                }
                default -> RingWorkloads.runAll(key -> OstoreClient.connect(args[0], key), null, gc, specs,
                        System.out);
            }
        } catch (Exception e) {
            System.err.println("LoadDriver: " + e);
            e.printStackTrace();
            status = 1;
        } finally {
            ArchiveBenchNodes.deleteTree(data);
        }
        System.out.flush();
        // Exit explicitly: a thread some library left running must not keep a failed (or finished)
        // driver alive until the suite's time limit.
        System.exit(status);
    }

    /**
     * The benchmark's ring: 3f+1 replicas (f = 1) in this JVM on free loopback ports under
     * {@code dir}, with {@code colors} colors and no storage nodes.
     */
    static EmbeddedRing startRing(Path dir, int colors) throws IOException {
        return EmbeddedRing.start(dir, NodeConfig.DEFAULT_HOST, 0, Limits.DEFAULT, LogStores.Preference.AUTO, 0,
                colors);
    }


    /**
     * The update shape of {@code workload}: {@code -Dostore.bench.shape} if set, else replace-block
     * for (a) and replace for (d).
     */
    static Shape shapeProperty(String workload) {
        String shape = System.getProperty("ostore.bench.shape", workload.equals("a") ? "replace-block" : "replace");
        for (Shape s : Shape.values()) {
            if (s.label().equals(shape)) {
                return s;
            }
        }
        throw new IllegalArgumentException("-Dostore.bench.shape is '" + shape + "', not replace, replace-block or"
                + " append");
    }

    /**
     * Runs the workload and returns its row, with the GC pauses {@code gc} saw in the measured span
     * (none when null); throws if any update fails or aborts (each object has one writer, so an
     * abort is a bug, not contention).
     */
    public static Result run(Workload w, GcPauses gc) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(w.clients() + 1);
        AtomicBoolean measuring = new AtomicBoolean(true);
        int bulkBytes = Integer.getInteger("ostore.bench.bulk-bytes", 0);
        Future<Long> bulk = bulkBytes > 0 ? pool.submit(bulkWriter(w, bulkBytes, measuring)) : null;
        try {
            ClosedLoop.Measured m = ClosedLoop.run(pool, w.clients(), c -> client(w, c), LoadDriver::processCpuNanos);
            measuring.set(false);
            if (bulk != null) {
                System.err.println("bulk writer: " + bulk.get() + " updates of " + bulkBytes + " bytes alongside");
            }
            return result(w.workload(), w.shape().label(), w.payloadBytes(), w.clients(), m,
                    gc);
        } finally {
            measuring.set(false);
            pool.shutdownNow();
        }
    }

    /** The ostore row for a measured span, with the GC pauses {@code gc} (if any) saw in it. */
    static Result result(String workload, String op, long payloadBytes, int clients, ClosedLoop.Measured m,
            GcPauses gc) throws InterruptedException {
        return Result.of("ostore", workload, op, payloadBytes, clients, m.perClient(), m.aborts(), m.wallNanos(),
                m.cpuNanos(), gc == null ? null : gc.between(m.from(), m.to()));
    }

    /**
     * With {@code -Dostore.bench.bulk-bytes=N}: one more client replacing its own object with N
     * bytes, back to back, while the measured clients run (not measured itself). In a ring of one
     * color every small update may queue behind a large one; with more colors only those that
     * share the large object's color do, which is what colors are for. With
     * {@code -Dostore.bench.bulk-interval-ms=T} it starts one update every T ms at most (open loop),
     * so the large updates cost the same CPU whatever the colors and only their blocking shows.
     */
    private static Callable<Long> bulkWriter(Workload w, int bytes, AtomicBoolean running) {
        long intervalNanos = Long.getLong("ostore.bench.bulk-interval-ms", 0) * 1_000_000;
        return () -> {
            byte[] payload = new byte[bytes];
            new SecureRandom().nextBytes(payload);
            long done = 0;
            try (OstoreClient client = w.connector().connect(SigningKey.generate(new SecureRandom()))) {
                Aguid aguid = client.aguidOf("bulk");
                long seq = requireCommitted(client.put("bulk", payload)).root().seq();
                long next = System.nanoTime();
                while (running.get()) {
                    seq = guardedUpdate(client, Shape.REPLACE, aguid, seq, payload);
                    done++;
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            return done;
        };
    }

    private static ClosedLoop.Body client(Workload w, int index) {
        return warmedUp -> {
            SigningKey key = SigningKey.generate(new SecureRandom());
            byte[] payload = new byte[w.payloadBytes()];
            new SecureRandom().nextBytes(payload);
            try (OstoreClient client = w.connector().connect(key)) {
                String name = "bench-" + index;
                Aguid aguid = client.aguidOf(name);
                long seq = requireCommitted(client.put(name, payload)).root().seq();
                for (int i = 0; i < w.warmupPerClient(); i++) {
                    seq = guardedUpdate(client, w.shape(), aguid, seq, payload);
                }
                warmedUp.await();
                long[] latencies = new long[w.updatesPerClient()];
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    seq = guardedUpdate(client, w.shape(), aguid, seq, payload);
                    latencies[i] = System.nanoTime() - start;
                }
                return ClosedLoop.Outcome.of(latencies);
            }
        };
    }

    /**
     * Sends "if the latest version is {@code seq}, apply the shape with {@code payload}" to an
     * object that has one writer; returns the new seq, and throws if it aborted.
     */
    static long guardedUpdate(OstoreClient client, Shape shape, Aguid aguid, long seq, byte[] payload) {
        return requireCommitted(submitGuarded(client, shape, aguid, seq, payload)).root().seq();
    }

    /** Sends "if the latest version is {@code seq}, apply the shape with {@code payload}"; an abort is a result. */
    static UpdateResult submitGuarded(OstoreClient client, Shape shape, Aguid aguid, long seq, byte[] payload) {
        byte[] fresh = payload.clone();
        long n = UPDATES.incrementAndGet();
        for (int i = 0; i < Math.min(Long.BYTES, fresh.length); i++) {
            fresh[i] = (byte) (n >>> (8 * i));
        }
        return client.submit(Updates.forObject(aguid)
                .when(Predicates.version(Comparison.EQ, seq))
                .then(switch (shape) {
                    case APPEND -> List.of(Actions.append(fresh));
                    case REPLACE_BLOCK -> List.of(Actions.replaceBlock(0, fresh));
                    case REPLACE -> List.of(Actions.truncate(0), Actions.append(fresh));
                })
                .build());
    }

    static UpdateResult requireCommitted(UpdateResult r) {
        if (!r.committed()) {
            throw new IllegalStateException("a guarded update on a private object aborted: " + r.entry());
        }
        return r;
    }

    /** This JVM's CPU time so far, in nanoseconds, or -1 where the JVM cannot tell. */
    static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}
