package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.ring.bft.RingConfig;
import ostore.ring.log.LogStoreConfig;
import ostore.store.HistoryEntry;

/**
 * One seeded run of the whole ring and its clients in one thread: build the world from the seed,
 * inject the scenario's faults for a while, heal, let every request finish, then check. The
 * online checkers (agreement, validity) run after every execution; the others at the end.
 */
final class Simulation {
    /** What a finished run reports; the trace hash is what "same seed, same run" compares. */
    record Result(long seed, Scenario scenario, String traceHash, long events, long simulatedMicros, String summary) {}

    static final long SETTLE_MICROS = 5_000_000;
    /**
     * How long after the settle period correct replicas get to certify every version they store:
     * several retransmission rounds at their longest back-off.
     */
    static final long CERTIFY_MICROS = 30_000_000;

    private final long seed;
    private final Scenario scenario;
    private final SplittableRandom random;
    private final Trace trace = new Trace();
    private final EventQueue events = new EventQueue(trace);
    private final World world;
    private final AgreementChecker agreement;
    private final ValidityChecker validity;
    private final List<ClientOp> ops = new ArrayList<>();

    private Simulation(long seed, Function<RingConfig, ReplicaUnderTest.Factory> core) {
        this(seed, Scenario.forSeed(seed), core);
    }

    private Simulation(long seed, Scenario scenario, Function<RingConfig, ReplicaUnderTest.Factory> core) {
        this.seed = seed;
        this.scenario = scenario;
        this.random = new SplittableRandom(seed);
        this.agreement = new AgreementChecker(seed);
        this.validity = new ValidityChecker(seed);
        this.world = new World(scenario, random, events, trace, core, this::onExecuted, new SimClient.Workload() {
            @Override
            public void signed(ostore.ring.SubmittedUpdate update) {
                validity.registerSigned(update);
            }

            @Override
            public void invoked(ClientOp op) {
                ops.add(op);
            }
        });
    }

    static Result run(long seed, Function<RingConfig, ReplicaUnderTest.Factory> core) {
        return run(seed, Scenario.forSeed(seed), core);
    }

    /** Runs {@code seed} with {@code scenario} (a seed as an earlier suite drew it, see {@link Scenario#forSeed}). */
    static Result run(long seed, Scenario scenario, Function<RingConfig, ReplicaUnderTest.Factory> core) {
        Simulation s = new Simulation(seed, scenario, core);
        try {
            return s.run();
        } catch (SimulationFailure e) {
            throw s.withTail(e);
        } catch (RuntimeException | AssertionError e) {
            SimulationFailure f = new SimulationFailure("robustness (the replica core threw)", seed, s.events.step(),
                    e + " at " + e.getStackTrace()[0]);
            f.initCause(e);
            throw s.withTail(f);
        } finally {
            s.world.tallyForgeries();
        }
    }

    /**
     * The trace hash and event count of a run, whether or not its checks pass: what the
     * determinism test compares, so it holds even for seeds that find a bug.
     */
    static String fingerprint(long seed, Function<RingConfig, ReplicaUnderTest.Factory> core) {
        Simulation s = new Simulation(seed, core);
        String outcome;
        try {
            s.run();
            outcome = "passed";
        } catch (RuntimeException | AssertionError e) {
            outcome = e.getClass().getSimpleName();
        }
        return s.trace.hashHex() + " events=" + s.events.step() + " " + outcome;
    }

    private Result run() {
        world.start();
        Nemesis nemesis = new Nemesis(scenario, world, events, random.split(), trace);
        nemesis.start();
        runUntil(scenario.faultPhaseMicros(), () -> false);
        nemesis.stop();
        world.healAll();
        long healedAt = events.nowMicros();
        long deadline = healedAt + scenario.quietMicrosMax();
        runUntil(deadline, world::clientsFinished);
        new LivenessChecker(seed).checkRequestsComplete(ops, events.nowMicros() - healedAt, events.step());
        world.stopClients();
        runUntil(events.nowMicros() + SETTLE_MICROS, () -> false);
        long settledAt = events.nowMicros();
        runUntil(settledAt + CERTIFY_MICROS, () -> world.uncertifiedAtCorrectReplicas().isEmpty());
        new LivenessChecker(seed).checkEveryVersionCertified(world.uncertifiedAtCorrectReplicas(),
                events.nowMicros() - settledAt, events.step());
        if (scenario.hostileClient() && scenario.onlyClientsFaulty()) {
            new LivenessChecker(seed).checkNoViewChange(world.correctViews(), events.step());
        }
        endChecks();
        return new Result(seed, scenario, trace.hashHex(), events.step(), events.nowMicros(), world.summary());
    }

    private void runUntil(long untilMicros, java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            if (events.step() >= scenario.eventsMax()) {
                throw new SimulationFailure("liveness (event budget)", seed, events.step(), "the run used "
                        + scenario.eventsMax() + " events by " + events.nowMicros() + " us without finishing; "
                        + ops.stream().filter(op -> !op.done()).count() + " requests pending; " + world.summary());
            }
            if (events.pendingCount() == 0) {
                return;
            }
            events.runNext();
            if (events.nowMicros() >= untilMicros) {
                return;
            }
        }
    }

    private void onExecuted(Executed e) {
        trace.record(events.nowMicros(), e.toString());
        if (world.correct(e.replica())) {
            agreement.onExecuted(e, events.step());
            validity.onExecuted(e, events.step());
        }
    }

    private void endChecks() {
        List<Aguid> objects = world.objects();
        SortedMap<Integer, Map<Aguid, List<HistoryEntry>>> histories = world.correctHistories();
        agreement.checkHistories(histories, objects, events.step());
        validity.checkHistories(histories, events.step());
        Map<Aguid, List<HistoryEntry>> longest = new TreeMap<>();
        for (Aguid a : objects) {
            for (Map<Aguid, List<HistoryEntry>> h : histories.values()) {
                List<HistoryEntry> mine = h.getOrDefault(a, List.of());
                if (mine.size() > longest.getOrDefault(a, List.of()).size()) {
                    longest.put(a, mine);
                }
            }
        }
        new LinearizabilityChecker(seed).check(ops, longest, events.step());
        new LivenessChecker(seed).checkReplicasCaughtUp(histories, objects, events.step());
    }

    private SimulationFailure withTail(SimulationFailure e) {
        StringBuilder b = new StringBuilder();
        b.append("\n  scenario: ").append(scenario).append("\n  state: ").append(world.summary());
        b.append("\n  last events:");
        for (String line : trace.tail()) {
            b.append("\n    ").append(line);
        }
        return new SimulationFailure(e, b.toString());
    }

    /** The ring and shared-log sizing every simulated replica uses. */
    static LogStoreConfig logConfig(int ringColors) {
        return new LogStoreConfig(ringColors + 1, 1 << 20, 8L << 20, 1 << 16);
    }

    /**
     * An empty log media for a replica of {@code scenario}: unbounded, or of {@link
     * Scenario#logBytes} in 32 units with records of up to a quarter of it, as {@link
     * LogStoreConfig#forPool} sizes a small llpl pool.
     */
    static MemoryLogStore.Media logMedia(Scenario scenario) {
        if (scenario.logBytes() == 0) {
            return new MemoryLogStore.Media(logConfig(scenario.colors()));
        }
        return new MemoryLogStore.Media(new LogStoreConfig(scenario.colors() + 1, (int) (scenario.logBytes() / 4),
                scenario.logBytes(), 4096), scenario.logBytes());
    }

    static SigningKey keyFrom(SplittableRandom random) {
        byte[] seedBytes = new byte[SigningKey.SEED_LENGTH];
        random.nextBytes(seedBytes);
        return SigningKey.fromSeed(seedBytes);
    }
}
