package ostore.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
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
 * The end-to-end update driver: {@code clients} threads, each with its own key and object, send
 * predicate-guarded updates through the SDK and measure each from submit to verified reply. Two
 * shapes: {@code replace} ("if the latest version is N, make these bytes the content": truncate and
 * append in one update, so the object keeps its size, as in Pond's update benchmark) and {@code append} ("if the latest version
 * is N, append these bytes": the object grows by a block per update, as a log does). Every client waits for its reply before
 * the next update (closed loop), so the figures are latencies under that concurrency, not a
 * saturation throughput.
 *
 * <p>Usage: {@code LoadDriver TARGET replace|append PAYLOAD_BYTES CLIENTS UPDATES_PER_CLIENT [WARMUP_PER_CLIENT]},
 * where TARGET is {@code host:port}, {@code embedded} (a single node started in this JVM on a free
 * loopback port over a temporary data directory, removed afterwards) or {@code embedded-ring} (a
 * 4-replica ring, f = 1, likewise, of {@code -Dostore.bench.colors} colors (default 4) and no storage
 * nodes; clients send to every replica and accept f+1 matching signed replies). Embedded, the CPU
 * figure covers clients and servers together.
 */
public final class LoadDriver {
    /** One run's parameters. */
    public record Workload(Connector connector, Shape shape, int payloadBytes, int clients, int updatesPerClient,
            int warmupPerClient) {
        public Workload {
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
        APPEND
    }

    private LoadDriver() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: LoadDriver TARGET replace|append PAYLOAD_BYTES CLIENTS UPDATES_PER_CLIENT"
                    + " [WARMUP_PER_CLIENT]");
            System.exit(2);
        }
        Shape shape = Shape.valueOf(args[1].toUpperCase(java.util.Locale.ROOT));
        int payload = Integer.parseInt(args[2]);
        int clients = Integer.parseInt(args[3]);
        int updates = Integer.parseInt(args[4]);
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        Path data = Files.createTempDirectory("ostore-load");
        try {
            switch (args[0]) {
                case "embedded" -> {
                    try (Node node = Node.start(NodeConfig.defaults(data, 0))) {
                        String address = node.address();
                        report(key -> OstoreClient.connect(address, key), shape, payload, clients, updates, warmup);
                    }
                }
                case "embedded-ring" -> {
                    int colors = Integer.getInteger("ostore.bench.colors", EmbeddedRing.DEFAULT_COLORS);
                    // No storage nodes: this measures the ring's update path, not archiving behind it.
                    try (EmbeddedRing ring = EmbeddedRing.start(data, NodeConfig.DEFAULT_HOST, 0, Limits.DEFAULT,
                            LogStores.Preference.AUTO, 0, colors)) {
                        RingSpec spec = ring.spec();
                        report(key -> OstoreClient.connectRing(spec, key, RingPolicy.DEFAULT), shape, payload,
                                clients, updates, warmup);
                        if (Boolean.getBoolean("ostore.bench.phases")) {
                            // Warm-up included: the replicas count from their start.
                            System.out.println("phases " + RingPhases.markdownRow(colors, RingPhases.read(spec)));
                        }
                    }
                }
                default -> report(key -> OstoreClient.connect(args[0], key), shape, payload, clients, updates,
                        warmup);
            }
        } finally {
            deleteTree(data);
        }
    }

    private static void report(Connector connector, Shape shape, int payload, int clients, int updates,
            int warmup) throws Exception {
        System.out.println(run(new Workload(connector, shape, payload, clients, updates, warmup)).toLine());
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Runs the workload and returns its row; throws if any update fails or aborts. */
    public static Result run(Workload w) throws Exception {
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
            return Result.of("ostore", w.payloadBytes() > 64 << 10 ? "d" : "a",
                    w.shape().name().toLowerCase(Locale.ROOT), w.payloadBytes(), w.clients(), m.perClient(),
                    m.aborts(), m.wallNanos(), m.cpuNanos(), null);
        } finally {
            measuring.set(false);
            pool.shutdownNow();
        }
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

    private static long guardedUpdate(OstoreClient client, Shape shape, Aguid aguid, long seq, byte[] payload) {
        UpdateResult r = client.submit(Updates.forObject(aguid)
                .when(Predicates.version(Comparison.EQ, seq))
                .then(shape == Shape.APPEND
                        ? List.of(Actions.append(payload))
                        : List.of(Actions.truncate(0), Actions.append(payload)))
                .build());
        return requireCommitted(r).root().seq();
    }

    private static UpdateResult requireCommitted(UpdateResult r) {
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
