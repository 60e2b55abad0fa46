package ostore.bench;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import ostore.client.OstoreClient;
import ostore.client.RingSpec;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;

/**
 * The ostore side of the end-to-end suite: runs {@link WorkloadSpec}s in order against one ring
 * (or node), each with a fresh set of clients, and prints each one's {@link Result} line and, for
 * update workloads on a ring, its {@link RingPhases.Breakdown phases} line. One ring serves every
 * row, so the rows differ only in their workload, not in a ring started anew for each.
 *
 * <ul>
 *   <li>{@code a}, {@code d}: guarded updates of disjoint objects, one per client
 *       ({@link LoadDriver#run}); (d) is the same with 2 MiB payloads.
 *   <li>{@code b}: every client writes as one key to one hot object, created before the clock. A
 *       client keeps the last version it saw and sends "if the latest version is that, replace
 *       block 0" (the object is one 4 KiB block); an abort is verified like a commit and carries the latest root, so the client
 *       adopts its seq and tries again. Every attempt is a measured op; the aborts are the
 *       contention. After the span, a probe that cannot hold ("version == 0") returns the object's
 *       latest seq through the ring, which must be the creation plus every commit counted (warm-up
 *       and measured): aborts miscounted as commits, or the reverse, fail the run.
 *   <li>{@code c-latest}, {@code c-old}: each client prepares its own object of
 *       {@link WorkloadSpec#preparedVersions V} versions, each of fresh random content, before the clock, then
 *       reads the latest version, or one of the V-1 earlier ones chosen uniformly at random, by
 *       seq. Reads are the SDK's verified reads (root, block list and bytes checked, and against a
 *       ring a ring certificate); a read of another seq or length fails the run.
 * </ul>
 */
final class RingWorkloads {
    /**
     * What workload (b) left behind, for checking: the seq the object was created at, the commits
     * of the warm-up, and the object's latest seq after the span as the ring reported it.
     */
    record HotObject(long createdSeq, long warmupCommits, long finalSeq) {}

    /** One spec's outcome: its row, its phases (null for reads or off a ring) and for (b) its object. */
    record SpecRun(WorkloadSpec spec, Result result, RingPhases.Breakdown phases, HotObject hot) {}

    private RingWorkloads() {}

    /** Parses every spec, so a bad one fails before anything runs; none at all is an error too. */
    static List<WorkloadSpec> parse(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no SPEC given: name at least one " + WorkloadSpec.FORMAT);
        }
        Set<String> known = Set.copyOf(WorkloadSpec.WORKLOADS);
        return args.stream().map(a -> WorkloadSpec.parse(a, known)).toList();
    }

    /**
     * Runs {@code specs} in order, printing each one's lines on {@code out} as soon as it is done.
     *
     * @param ring the ring whose phases to report, or null (a single node has none)
     * @param gc where each span's GC pauses come from, or null for none
     */
    static List<SpecRun> runAll(LoadDriver.Connector connector, RingSpec ring, GcPauses gc, List<WorkloadSpec> specs,
            PrintStream out) throws Exception {
        List<SpecRun> runs = new ArrayList<>();
        for (WorkloadSpec spec : specs) {
            System.err.println("running " + spec);
            SpecRun run = run(connector, ring, gc, spec);
            out.println(run.result().toLine());
            if (run.phases() != null) {
                out.println(run.phases().toLine());
            }
            out.flush();
            runs.add(run);
        }
        return runs;
    }

    /** Runs one spec; its phases are the replicas' counters over it, set-up and warm-up included. */
    static SpecRun run(LoadDriver.Connector connector, RingSpec ring, GcPauses gc, WorkloadSpec spec)
            throws Exception {
        boolean reads = spec.workload().startsWith("c-");
        RingPhases.Snapshot before = ring == null || reads ? null : RingPhases.read(ring);
        Result result;
        HotObject hot = null;
        switch (spec.workload()) {
            case "a", "d" -> result = LoadDriver.run(new LoadDriver.Workload(spec.workload(), connector,
                    LoadDriver.shapeProperty(spec.workload()), spec.payloadBytes(), spec.clients(), spec.opsPerClient(),
                    spec.warmupPerClient()), gc);
            case "b" -> {
                HotRun h = hot(connector, gc, spec);
                result = h.result();
                hot = h.object();
            }
            case "c-latest", "c-old" -> result = reads(connector, gc, spec, spec.workload().equals("c-old"));
            default -> throw new IllegalArgumentException("unknown workload '" + spec.workload() + "' in " + spec
                    + "; this driver runs " + String.join(", ", WorkloadSpec.WORKLOADS));
        }
        RingPhases.Breakdown phases = before == null ? null
                : RingPhases.Breakdown.between(spec, before, RingPhases.read(ring));
        return new SpecRun(spec, result, phases, hot);
    }

    private record HotRun(Result result, HotObject object) {}

    private static HotRun hot(LoadDriver.Connector connector, GcPauses gc, WorkloadSpec spec) throws Exception {
        SigningKey key = SigningKey.generate(new SecureRandom());
        byte[] payload = randomBytes(new SplittableRandom(new SecureRandom().nextLong()), spec.payloadBytes());
        Aguid aguid;
        long created;
        try (OstoreClient setup = connector.connect(key)) {
            aguid = setup.aguidOf("hot");
            created = LoadDriver.requireCommitted(setup.put("hot", payload)).root().seq();
        }
        AtomicLong warmupCommits = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(spec.clients());
        Result result;
        try {
            ClosedLoop.Measured m = ClosedLoop.run(pool, spec.clients(),
                    c -> hotClient(connector, key, aguid, created, payload, spec, warmupCommits),
                    LoadDriver::processCpuNanos);
            result = LoadDriver.result(spec.workload(), LoadDriver.Shape.REPLACE_BLOCK.label(), spec.payloadBytes(),
                    spec.clients(), m, gc);
        } finally {
            pool.shutdownNow();
        }
        long finalSeq;
        try (OstoreClient probe = connector.connect(key)) {
            // seq 0 is never the latest of an existing object: this aborts and reports the latest root.
            UpdateResult r = LoadDriver.submitGuarded(probe, LoadDriver.Shape.REPLACE, aguid, 0, payload);
            if (r.committed() || r.root() == null) {
                throw new IllegalStateException("the probe 'version == 0' of the hot object " + aguid + " did not"
                        + " abort with its latest root: " + r.entry());
            }
            finalSeq = r.root().seq();
        }
        long expected = created + warmupCommits.get() + result.ops() - result.aborts();
        if (finalSeq != expected) {
            throw new IllegalStateException("the hot object is at seq " + finalSeq + ", but created at seq " + created
                    + " with " + warmupCommits.get() + " warm-up and " + (result.ops() - result.aborts())
                    + " measured commits counted it should be at " + expected);
        }
        System.err.println("b: " + result.aborts() + " of " + result.ops() + " attempts aborted; hot object at seq "
                + finalSeq);
        return new HotRun(result, new HotObject(created, warmupCommits.get(), finalSeq));
    }

    /**
     * One client of the hot object: {@code warmup} attempts, then the measured ones, each "if the
     * latest is the last seq I saw, replace block 0", adopting the latest seq on an abort.
     */
    private static ClosedLoop.Body hotClient(LoadDriver.Connector connector, SigningKey key, Aguid aguid, long created,
            byte[] payload, WorkloadSpec spec, AtomicLong warmupCommits) {
        return warmedUp -> {
            try (OstoreClient client = connector.connect(key)) {
                long[] seen = {created};
                long commits = 0;
                for (int i = 0; i < spec.warmupPerClient(); i++) {
                    if (attempt(client, aguid, seen, payload)) {
                        commits++;
                    }
                }
                warmupCommits.addAndGet(commits);
                warmedUp.await();
                long[] latencies = new long[spec.opsPerClient()];
                long aborts = 0;
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    boolean committed = attempt(client, aguid, seen, payload);
                    latencies[i] = System.nanoTime() - start;
                    if (!committed) {
                        aborts++;
                    }
                }
                return new ClosedLoop.Outcome(latencies, aborts);
            }
        };
    }

    /** One guarded replace of the hot object; updates {@code seen[0]} to the seq it learned and says whether it committed. */
    private static boolean attempt(OstoreClient client, Aguid aguid, long[] seen, byte[] payload) {
        UpdateResult r = LoadDriver.submitGuarded(client, LoadDriver.Shape.REPLACE_BLOCK, aguid, seen[0], payload);
        if (r.root() == null) {
            throw new IllegalStateException("the hot object " + aguid + " is missing: " + r.entry());
        }
        if (!r.committed() && r.root().seq() <= seen[0]) {
            // "version == seen" failed, so the latest cannot be seen or older.
            throw new IllegalStateException("an abort of 'version == " + seen[0] + "' reports latest seq "
                    + r.root().seq() + ": " + r.entry());
        }
        seen[0] = r.root().seq();
        return r.committed();
    }

    private static Result reads(LoadDriver.Connector connector, GcPauses gc, WorkloadSpec spec, boolean old)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(spec.clients());
        try {
            ClosedLoop.Measured m = ClosedLoop.run(pool, spec.clients(), c -> reader(connector, spec, c, old),
                    LoadDriver::processCpuNanos);
            return LoadDriver.result(spec.workload(), "get", spec.payloadBytes(), spec.clients(), m, gc);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ClosedLoop.Body reader(LoadDriver.Connector connector, WorkloadSpec spec, int index, boolean old) {
        return warmedUp -> {
            SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
            try (OstoreClient client = connector.connect(SigningKey.generate(new SecureRandom()))) {
                String name = "read-" + index;
                Aguid aguid = client.aguidOf(name);
                long latest = LoadDriver.requireCommitted(
                        client.put(name, randomBytes(random, spec.payloadBytes()))).root().seq();
                for (int v = 1; v < spec.preparedVersions(); v++) {
                    latest = LoadDriver.guardedUpdate(client, LoadDriver.Shape.REPLACE, aguid, latest,
                            randomBytes(random, spec.payloadBytes()));
                }
                for (int i = 0; i < spec.warmupPerClient(); i++) {
                    read(client, aguid, old ? 1 + random.nextLong(latest - 1) : latest, latest, spec.payloadBytes());
                }
                warmedUp.await();
                long[] latencies = new long[spec.opsPerClient()];
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    read(client, aguid, old ? 1 + random.nextLong(latest - 1) : latest, latest, spec.payloadBytes());
                    latencies[i] = System.nanoTime() - start;
                }
                return ClosedLoop.Outcome.of(latencies);
            }
        };
    }

    /**
     * A verified read of version {@code seq} (the latest one, by the latest selector, when it is
     * {@code latest}); throws unless it is that seq with {@code bytes} bytes.
     */
    private static void read(OstoreClient client, Aguid aguid, long seq, long latest, int bytes) {
        VerifiedVersion v = client.read(aguid, seq == latest ? Selectors.latest() : Selectors.seq(seq));
        if (v.root().seq() != seq || v.data() == null || v.data().length != bytes) {
            throw new IllegalStateException("a read of " + aguid + (seq == latest ? " (latest)" : "") + " wanted seq "
                    + seq + " of " + bytes + " bytes, got seq " + v.root().seq() + " of "
                    + (v.data() == null ? "no" : Integer.toString(v.data().length)) + " bytes");
        }
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
