package ostore.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import ostore.bench.etcd.EtcdCluster;

/**
 * Workloads (a), (b) and (c) of issue 6 against etcd, ostore's nearest peer, measured with the same
 * closed loop ({@link ClosedLoop}) and the same rows ({@link Result}) as ostore's driver. Each client
 * is a thread with its own jetcd client (one gRPC connection, as each ostore client has its own)
 * and waits for each reply before its next request; warm-up first, and the clocks start once
 * every client has finished its warm-up.
 *
 * <ul>
 *   <li>{@code a}: each client its own key; each op a Txn "if this key's mod_revision is the one I
 *       last wrote, put PAYLOAD_BYTES", etcd's form of ostore's compare-version-then-replace
 *       (op {@code txn}). Before the clock, one plain put creates the key, then WARMUP guarded puts.
 *   <li>{@code b}: every client on ONE hot key; each op a Txn "if its mod_revision is the one I last
 *       saw, put; else get it". A failed compare is an abort (counted, and measured like any other
 *       attempt); the Else's get tells the client the current mod_revision, which it adopts before
 *       its next attempt. The driver creates the key before the clients start; each client makes
 *       WARMUP attempts before the clock, as ostore's do. Afterwards the key's etcd {@code version}
 *       must be 1 + the warm-up's commits + the measured commits, or the row fails: its aborts
 *       would be miscounted.
 *   <li>{@code c-latest} / {@code c-old}: each client its own key, prepared before the clock with
 *       {@link WorkloadSpec#preparedVersions()} puts (WARMUP, at least 8), remembering each put's
 *       revision; then WARMUP reads, then the measured ones (op {@code get}, payload = bytes read).
 *       {@code c-latest} is a plain Get, linearizable (etcd's default: it goes through the leader's
 *       read index, as ostore's verified read of the latest version goes to the ring);
 *       {@code c-old} a Get at a revision drawn uniformly from the key's earlier puts. Every read is
 *       checked (value length, mod_revision, version): a wrong read ends the run.
 * </ul>
 *
 * <p>Workload (d) is refused: etcd rejects any request over 1.5 MiB with its default
 * {@code --max-request-bytes} (1,572,864), so 2 MiB updates cannot run against it as shipped, and
 * raising the limit would measure a configuration etcd's documentation advises against (one large
 * entry stalls Raft for every other request). The archive workloads (e) have no etcd counterpart.
 *
 * <p>Usage: {@code EtcdDriver suite SPEC...}, SPEC as {@link WorkloadSpec#parse}. One fresh
 * three-member {@link EtcdCluster} on loopback (fsync on) serves every SPEC, in order; each prints
 * one {@link Result#toLine()} line on stdout (system {@code etcd}) with the GC pauses of this
 * client JVM over that SPEC's measured span (etcd's own Go collector is not visible from here). CPU
 * counts this JVM (the clients) and the three etcd processes, as the embedded ring's rows count
 * clients and replicas together. On any failure it says what failed on stderr, stops the cluster
 * and exits non-zero (2 for a bad command line, before anything starts; 1 for a failed run).
 */
public final class EtcdDriver {
    /** etcd's default {@code --max-request-bytes}: the largest request a member accepts. */
    static final int MAX_REQUEST_BYTES = 1_572_864;
    /** Room in a request for its key, compare and framing besides the payload. */
    private static final int REQUEST_OVERHEAD_BYTES = 1024;

    private EtcdDriver() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The command line: returns the exit status. Every SPEC is checked before the cluster starts,
     * so a bad one costs nothing.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !args[0].equals("suite")) {
            err.println("usage: EtcdDriver suite SPEC...   (SPEC = WORKLOAD:CLIENTS:OPS_PER_CLIENT:"
                    + "WARMUP_PER_CLIENT:PAYLOAD_BYTES, WORKLOAD one of a, b, c-latest, c-old)");
            return 2;
        }
        List<WorkloadSpec> specs = new ArrayList<>();
        try {
            for (int i = 1; i < args.length; i++) {
                specs.add(parseSpec(args[i]));
            }
        } catch (IllegalArgumentException e) {
            err.println("EtcdDriver: " + e.getMessage());
            return 2;
        }
        try (GcPauses gc = GcPauses.start(); EtcdCluster cluster = EtcdCluster.start()) {
            suite(cluster, specs, gc, r -> {
                out.println(r.toLine());
                out.flush();
            });
            return 0;
        } catch (Exception e) {
            err.println("EtcdDriver: " + e.getMessage());
            e.printStackTrace(err);
            return 1;
        }
    }

    /** A SPEC this driver can run against etcd; throws {@link IllegalArgumentException} saying why not. */
    public static WorkloadSpec parseSpec(String text) {
        String workload = text.split(":", -1)[0];
        if (workload.equals("e") || workload.startsWith("e-")) {
            throw new IllegalArgumentException("spec '" + text + "': workload " + workload + " (archive restore)"
                    + " has no etcd counterpart: etcd keeps no erasure-coded archive (ArchiveDriver measures it"
                    + " for ostore alone)");
        }
        WorkloadSpec spec = WorkloadSpec.parse(text);
        if (spec.workload().equals("d")) {
            throw new IllegalArgumentException("spec '" + text + "': workload d (2 MiB updates) is ostore only:"
                    + " etcd refuses requests over 1.5 MiB (its default --max-request-bytes, " + MAX_REQUEST_BYTES
                    + "), and raising that limit would measure a configuration etcd advises against");
        }
        if (spec.payloadBytes() > MAX_REQUEST_BYTES - REQUEST_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("spec '" + text + "': PAYLOAD_BYTES " + spec.payloadBytes()
                    + " does not fit one etcd request (default --max-request-bytes " + MAX_REQUEST_BYTES + ", of"
                    + " which " + REQUEST_OVERHEAD_BYTES + " are kept for the key and the compare)");
        }
        return spec;
    }

    /**
     * Runs {@code specs} in order on {@code cluster}, handing each row to {@code rows} as soon as it
     * is measured, and returns them all. Spec number {@code i} uses keys under {@code spec<i>/}, so
     * specs on one cluster never share a key. A failure ends the suite with an exception naming
     * the SPEC.
     *
     * @param gc this JVM's pause recorder, or {@code null} for rows without GC pauses
     */
    public static List<Result> suite(EtcdCluster cluster, List<WorkloadSpec> specs, GcPauses gc,
            Consumer<Result> rows) throws Exception {
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            WorkloadSpec spec = specs.get(i);
            Result r;
            try {
                r = run(cluster, spec, i, gc);
            } catch (Exception e) {
                throw new Exception("SPEC " + i + " (" + spec + ") failed against etcd: " + e, e);
            }
            rows.accept(r);
            results.add(r);
        }
        return results;
    }

    /** Workload (a) on a fresh three-member cluster, stopped afterwards whatever happens. */
    public static Result runOnFreshCluster(int clients, int updates, int warmup, int payload) throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start()) {
            return run(cluster, new WorkloadSpec("a", clients, updates, warmup, payload), 0, null);
        }
    }

    /**
     * Runs one SPEC as spec number {@code index} of a suite and returns its row.
     *
     * @param gc this JVM's pause recorder, or {@code null} for a row without GC pauses
     */
    static Result run(EtcdCluster cluster, WorkloadSpec spec, int index, GcPauses gc) throws Exception {
        parseSpec(spec.toString()); // the same refusals as on the command line
        List<String> endpoints = cluster.clientEndpoints();
        ClosedLoop.Body[] bodies = new ClosedLoop.Body[spec.clients()];
        AtomicLong warmupCommits = new AtomicLong();
        for (int c = 0; c < bodies.length; c++) {
            ByteSequence key = key(index, spec.workload(), c);
            bodies[c] = switch (spec.workload()) {
                case "a" -> disjointUpdates(spec, endpoints, key);
                case "b" -> hotKeyUpdates(spec, endpoints, hotKey(index), warmupCommits);
                case "c-latest", "c-old" -> reads(spec, endpoints, key, spec.workload().equals("c-old"));
                default -> throw new IllegalStateException("no etcd body for workload " + spec.workload());
            };
        }
        if (spec.workload().equals("b")) {
            try (Client client = connect(endpoints)) {
                EtcdOps.await(client.getKVClient().put(hotKey(index), payload(spec.payloadBytes())));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(spec.clients());
        try {
            // The client JVM's CPU and the three members', as the ring rows count clients and replicas together.
            ClosedLoop.Measured m = ClosedLoop.run(pool, spec.clients(), c -> bodies[c], () -> {
                long jvm = LoadDriver.processCpuNanos();
                return jvm < 0 ? -1 : jvm + cluster.cpuTime().toNanos();
            });
            GcPauses.Summary pauses = gc == null ? null : gc.between(m.from(), m.to());
            if (spec.workload().equals("b")) {
                checkHotKey(endpoints, hotKey(index), warmupCommits.get(), m);
            }
            return Result.of("etcd", spec.workload(), spec.updates() ? "txn" : "get", spec.payloadBytes(),
                    spec.clients(), m.perClient(), m.aborts(), m.wallNanos(), m.cpuNanos(), pauses);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The hot key's version (etcd counts a key's puts) must be its creation, plus every warm-up
     * commit, plus every measured commit: otherwise the aborts this row reports are miscounted.
     */
    private static void checkHotKey(List<String> endpoints, ByteSequence key, long warmupCommits,
            ClosedLoop.Measured m) throws Exception {
        long ops = m.perClient().stream().mapToLong(l -> l.length).sum();
        long expected = 1 + warmupCommits + (ops - m.aborts());
        try (Client client = connect(endpoints)) {
            long version = EtcdOps.current(client.getKVClient(), key).getVersion();
            if (version != expected) {
                throw new IllegalStateException("hot key " + EtcdOps.name(key) + " is at version " + version
                        + ", not 1 + " + warmupCommits + " warm-up commits + " + (ops - m.aborts())
                        + " measured commits = " + expected + ": the row's aborts would be miscounted");
            }
        }
    }

    /** Client {@code client}'s own key in spec number {@code index}. */
    static ByteSequence key(int index, String workload, int client) {
        return ByteSequence.from("spec" + index + "/" + workload + "/" + client, StandardCharsets.UTF_8);
    }

    /** The one key every client of a (b) spec number {@code index} updates. */
    static ByteSequence hotKey(int index) {
        return ByteSequence.from("spec" + index + "/b/hot", StandardCharsets.UTF_8);
    }

    /**
     * "If {@code key} was last modified at {@code modRevision}, put {@code value}": returns the
     * key's new mod_revision; throws if the compare fails (on a private key that is a bug, not
     * contention).
     */
    static long guardedPut(KV kv, ByteSequence key, long modRevision, ByteSequence value) throws Exception {
        EtcdOps.Attempt a = EtcdOps.guardedPut(kv, key, modRevision, value);
        if (!a.committed()) {
            throw new IllegalStateException("a guarded put on a private key (" + EtcdOps.name(key) + ") failed its compare:"
                    + " mod_revision is no longer " + modRevision + " but " + a.modRevision());
        }
        return a.modRevision();
    }

    private static ClosedLoop.Body disjointUpdates(WorkloadSpec spec, List<String> endpoints, ByteSequence key) {
        return warmedUp -> {
            ByteSequence value = payload(spec.payloadBytes());
            try (Client client = connect(endpoints)) {
                KV kv = client.getKVClient();
                long revision = EtcdOps.await(kv.put(key, value)).getHeader().getRevision();
                for (int i = 0; i < spec.warmupPerClient(); i++) {
                    revision = guardedPut(kv, key, revision, value);
                }
                warmedUp.await();
                long[] latencies = new long[spec.opsPerClient()];
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    revision = guardedPut(kv, key, revision, value);
                    latencies[i] = System.nanoTime() - start;
                }
                return ClosedLoop.Outcome.of(latencies);
            }
        };
    }

    private static ClosedLoop.Body hotKeyUpdates(WorkloadSpec spec, List<String> endpoints, ByteSequence key,
            AtomicLong warmupCommits) {
        return warmedUp -> {
            ByteSequence value = payload(spec.payloadBytes());
            try (Client client = connect(endpoints)) {
                KV kv = client.getKVClient();
                long seen = EtcdOps.current(kv, key).getModRevision();
                // WARMUP attempts, as ostore's hot clients make; the commits among them are counted
                // so the key's version can be checked afterwards.
                for (int i = 0; i < spec.warmupPerClient(); i++) {
                    EtcdOps.Attempt a = EtcdOps.guardedPut(kv, key, seen, value);
                    seen = a.modRevision();
                    if (a.committed()) {
                        warmupCommits.incrementAndGet();
                    }
                }
                warmedUp.await();
                long[] latencies = new long[spec.opsPerClient()];
                long aborts = 0;
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    EtcdOps.Attempt a = EtcdOps.guardedPut(kv, key, seen, value);
                    latencies[i] = System.nanoTime() - start;
                    seen = a.modRevision();
                    aborts += a.committed() ? 0 : 1;
                }
                return new ClosedLoop.Outcome(latencies, aborts);
            }
        };
    }

    private static ClosedLoop.Body reads(WorkloadSpec spec, List<String> endpoints, ByteSequence key, boolean old) {
        return warmedUp -> {
            ByteSequence value = payload(spec.payloadBytes());
            SplittableRandom random = new SplittableRandom();
            try (Client client = connect(endpoints)) {
                KV kv = client.getKVClient();
                long[] revisions = new long[spec.preparedVersions()];
                for (int v = 0; v < revisions.length; v++) {
                    revisions[v] = EtcdOps.await(kv.put(key, value)).getHeader().getRevision();
                }
                for (int i = 0; i < spec.warmupPerClient(); i++) {
                    int v = old ? random.nextInt(revisions.length - 1) : revisions.length - 1;
                    EtcdOps.check(EtcdOps.get(kv, key, old ? revisions[v] : 0), key, revisions[v], v + 1,
                            spec.payloadBytes());
                }
                warmedUp.await();
                long[] latencies = new long[spec.opsPerClient()];
                for (int i = 0; i < latencies.length; i++) {
                    // An earlier put (never the latest) for c-old: etcd's form of ostore's read by seq.
                    int v = old ? random.nextInt(revisions.length - 1) : revisions.length - 1;
                    long start = System.nanoTime();
                    KeyValue read = EtcdOps.get(kv, key, old ? revisions[v] : 0);
                    latencies[i] = System.nanoTime() - start;
                    EtcdOps.check(read, key, revisions[v], v + 1, spec.payloadBytes());
                }
                return ClosedLoop.Outcome.of(latencies);
            }
        };
    }

    private static Client connect(List<String> endpoints) {
        return Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    }

    private static ByteSequence payload(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return ByteSequence.from(b);
    }
}
