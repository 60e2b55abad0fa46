package ostore.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import ostore.bench.etcd.EtcdCluster;

/**
 * Workload (a) of issue 6 against etcd, ostore's nearest peer: {@code clients} threads, each with
 * its own key and its own jetcd client (one gRPC connection, as each {@link LoadDriver} client has
 * its own), each update a Txn "if this key's mod_revision is the one I last wrote, put these 4 KiB"
 * — etcd's form of ostore's compare-version-then-replace. Closed loop, as {@link LoadDriver}: every
 * client waits for its reply before the next update; warm-up first, and the clocks start once every
 * client has finished its warm-up.
 *
 * <p>Usage: {@code EtcdDriver CLIENTS UPDATES_PER_CLIENT [WARMUP_PER_CLIENT [PAYLOAD_BYTES]]}. It
 * starts a three-member {@link EtcdCluster} on loopback (fsync on), runs, prints one row in
 * {@link Result#toLine()}'s shape and stops the cluster. CPU ms/update counts this
 * JVM (the clients) and the three etcd processes, as the embedded ring's rows count clients and
 * replicas together.
 */
public final class EtcdDriver {
    /** How long one Txn may take before the run is declared failed, not hung. */
    private static final Duration TXN_TIMEOUT = Duration.ofSeconds(30);

    /** One run's parameters. */
    public record Workload(List<String> endpoints, int payloadBytes, int clients, int updatesPerClient,
            int warmupPerClient) {
        public Workload {
            endpoints = List.copyOf(endpoints);
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("no etcd endpoints");
            }
            if (payloadBytes < 1 || clients < 1 || updatesPerClient < 1 || warmupPerClient < 0) {
                throw new IllegalArgumentException("payloadBytes (" + payloadBytes + "), clients (" + clients
                        + ") and updatesPerClient (" + updatesPerClient + ") must be >= 1, warmup ("
                        + warmupPerClient + ") >= 0");
            }
        }
    }

    private EtcdDriver() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EtcdDriver CLIENTS UPDATES_PER_CLIENT [WARMUP_PER_CLIENT [PAYLOAD_BYTES]]");
            System.exit(2);
        }
        int clients = Integer.parseInt(args[0]);
        int updates = Integer.parseInt(args[1]);
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int payload = args.length > 3 ? Integer.parseInt(args[3]) : 4096;
        System.out.println(runOnFreshCluster(clients, updates, warmup, payload).toLine());
    }

    /** Starts a three-member cluster, runs the workload against it and stops it, whatever happens. */
    public static Result runOnFreshCluster(int clients, int updates, int warmup, int payload)
            throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start()) {
            return run(cluster, new Workload(cluster.clientEndpoints(), payload, clients, updates, warmup));
        }
    }

    /**
     * Runs the workload against {@code cluster}'s members and returns its summary; throws if any
     * Txn fails or its compare fails (each key has one writer, so a failed compare is a bug, not
     * contention).
     */
    public static Result run(EtcdCluster cluster, Workload w) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(w.clients());
        try {
            // The client JVM's CPU and the three members', as the ring rows count clients and replicas together.
            ClosedLoop.Measured m = ClosedLoop.run(pool, w.clients(), c -> client(w, c), () -> {
                long jvm = LoadDriver.processCpuNanos();
                return jvm < 0 ? -1 : jvm + cluster.cpuTime().toNanos();
            });
            return Result.of("etcd", "a", "txn", w.payloadBytes(), w.clients(), m.perClient(), m.aborts(),
                    m.wallNanos(), m.cpuNanos(), null);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ClosedLoop.Body client(Workload w, int index) {
        return warmedUp -> {
            byte[] bytes = new byte[w.payloadBytes()];
            new SecureRandom().nextBytes(bytes);
            ByteSequence value = ByteSequence.from(bytes);
            ByteSequence key = ByteSequence.from("bench-" + index, StandardCharsets.UTF_8);
            try (Client client = Client.builder().endpoints(w.endpoints().toArray(String[]::new)).build()) {
                KV kv = client.getKVClient();
                long revision = kv.put(key, value).get(TXN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        .getHeader().getRevision();
                for (int i = 0; i < w.warmupPerClient(); i++) {
                    revision = guardedPut(kv, key, revision, value);
                }
                warmedUp.await();
                long[] latencies = new long[w.updatesPerClient()];
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    revision = guardedPut(kv, key, revision, value);
                    latencies[i] = System.nanoTime() - start;
                }
                return ClosedLoop.Outcome.of(latencies);
            }
        };
    }

    /**
     * "If {@code key} was last modified at {@code modRevision}, put {@code value}": returns the
     * key's new mod_revision (the Txn's revision).
     */
    static long guardedPut(KV kv, ByteSequence key, long modRevision, ByteSequence value)
            throws InterruptedException, ExecutionException, TimeoutException {
        TxnResponse r = kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
                .Then(Op.put(key, value, PutOption.DEFAULT))
                .commit()
                .get(TXN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!r.isSucceeded()) {
            throw new IllegalStateException("a guarded put on a private key (" + key + ") failed its compare:"
                    + " mod_revision is no longer " + modRevision);
        }
        return r.getHeader().getRevision();
    }
}
