package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.ring.bft.ReplicaAddress;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.fault.ByzantineTamper;
import ostore.store.HistoryEntry;

/**
 * Everything a run simulates, built from the seed: the ring configuration and keys, one host per
 * replica (two for a Twins identity), the network and the clients. Node ids: replicas
 * {@code 0..n-1}, clients {@code n..}.
 */
final class World {
    private static final long DELAY_MIN_MICROS = 50;
    private static final long DELAY_MAX_MICROS = 2_000;
    private static final long CLOCK_OFFSET_MAX_MICROS = 2_000;
    private static final long CLOCK_RATE_PPM_MAX = 50;

    private final Scenario scenario;
    private final RingConfig config;
    private final SimNetwork network;
    /** Hosts by replica id; a Twins id has two. */
    private final List<List<SimReplicaHost>> hosts = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    /** The Byzantine client, if the scenario has one. */
    private HostileClient hostile;
    private final List<Aguid> objects = new ArrayList<>();
    /** The Byzantine (or Twins) replica id, or -1. */
    private final int faultyId;
    /** The Byzantine replica's tamper (shared by its Twins instances), or null. */
    private ByzantineTamper tamper;

    /** Forged STATE frames put on the wire over all runs of this JVM, so a suite can show the attack ran. */
    static final AtomicLong FORGED_STATES_TOTAL = new AtomicLong();
    /** Of those, the ones whose forged chain starts at the receiver's real state, so only the proof stops them. */
    static final AtomicLong FORGED_CHAINS_TOTAL = new AtomicLong();
    /** Forged SNAPSHOT pages put on the wire over all runs of this JVM. */
    static final AtomicLong FORGED_SNAPSHOTS_TOTAL = new AtomicLong();

    /**
     * What time the modelled costs add, for benchmarks in simulated time; {@link #NONE} in the
     * checking runs. The first {@code bulkClients} clients append {@code bulkBytes} per update.
     */
    record Costs(long transferNanosPerByte, long syncNanosPerByte, int bulkClients, int bulkBytes) {
        static final Costs NONE = new Costs(0, 0, 0, 0);
    }

    private final Costs costs;

    World(Scenario scenario, SplittableRandom random, EventQueue events, Trace trace,
            Function<RingConfig, ReplicaUnderTest.Factory> core, Consumer<Executed> observer,
            SimClient.Workload workload) {
        this(scenario, random, events, trace, core, observer, workload, Costs.NONE);
    }

    World(Scenario scenario, SplittableRandom random, EventQueue events, Trace trace,
            Function<RingConfig, ReplicaUnderTest.Factory> core, Consumer<Executed> observer,
            SimClient.Workload workload, Costs costs) {
        this.costs = costs;
        this.scenario = scenario;
        int n = scenario.replicas();
        List<SigningKey> keys = new ArrayList<>();
        List<ReplicaAddress> addresses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(Simulation.keyFrom(random));
            addresses.add(new ReplicaAddress(i, "sim-replica-" + i, 7000 + i, keys.get(i).publicKey()));
        }
        this.config = new RingConfig(1, scenario.f(), addresses, scenario.colors(),
                new RingConfig.Params(8, 1_000, 4, 8, 200_000, 5_000_000, scenario.retainedBelowStable()));
        this.faultyId = scenario.permanentFaults() > 0 ? random.nextInt(n) : -1;
        NetworkFaults faults = new NetworkFaults(n + scenario.clients() + 1, DELAY_MIN_MICROS, DELAY_MAX_MICROS)
                .loss(scenario.loss()).duplication(scenario.duplication()).reorder(scenario.reorder(), 20_000)
                .transferNanosPerByte(costs.transferNanosPerByte());
        this.network = new SimNetwork(events, random.split(), faults);
        ReplicaUnderTest.Factory factory = core.apply(config);
        for (int i = 0; i < n; i++) {
            hosts.add(buildHosts(i, keys.get(i), random, events, factory, observer));
        }
        buildClients(random, events, workload);
    }

    private List<SimReplicaHost> buildHosts(int id, SigningKey key, SplittableRandom random, EventQueue events,
            ReplicaUnderTest.Factory factory, Consumer<Executed> observer) {
        ByzantineTamper tamper = id == faultyId && scenario.byzantine() != null
                ? new ByzantineTamper(scenario.byzantine(), id, key, config, random.split()) : null;
        if (tamper != null) {
            this.tamper = tamper;
        }
        int copies = id == faultyId && scenario.twins() ? 2 : 1;
        List<SimReplicaHost> mine = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            SimClock clock = new SimClock(events, random, CLOCK_OFFSET_MAX_MICROS, CLOCK_RATE_PPM_MAX);
            String name = "r" + id + (copies > 1 ? "twin" + (char) ('a' + c) : "");
            mine.add(new SimReplicaHost(id, name, key, config, events, clock, network, factory, observer, tamper,
                    Simulation.logMedia(scenario), random.split()));
            mine.getLast().syncNanosPerByte(costs.syncNanosPerByte());
            if (copies > 1) {
                mine.getLast().twin();
            }
            if (scenario.storageFaults()) {
                mine.getLast().slowDisk(random.split());
            }
        }
        if (copies == 1) {
            network.attach(id, mine.getFirst()::deliver);
        } else {
            // Twins: each instance hears a different half of the other replicas; both hear clients.
            TreeSet<Integer> heardByA = new TreeSet<>();
            for (int r = 0; r < config.n(); r++) {
                if (r != id && random.nextBoolean()) {
                    heardByA.add(r);
                }
            }
            network.attach(id, (from, frame) -> {
                if (from >= config.n()) {
                    mine.get(0).deliver(from, frame);
                    mine.get(1).deliver(from, frame);
                } else {
                    mine.get(heardByA.contains(from) ? 0 : 1).deliver(from, frame);
                }
            });
        }
        return mine;
    }

    private void buildClients(SplittableRandom random, EventQueue events, SimClient.Workload workload) {
        SigningKey team = Simulation.keyFrom(random);
        List<String> shared = new ArrayList<>();
        for (int s = 0; s < scenario.sharedObjects(); s++) {
            shared.add("shared-" + s);
            objects.add(Aguid.of(team.publicKey(), "shared-" + s));
        }
        ReplyReader replies = new ReplyReader(config);
        SimClient.Params params = new SimClient.Params(scenario.opsPerClient(), 20_000, 100_000, 1_600_000,
                scenario.updateBytes());
        SimClient.Params bulk = new SimClient.Params(scenario.opsPerClient(), 20_000, 100_000, 1_600_000,
                costs.bulkBytes());
        for (int c = 0; c < scenario.clients(); c++) {
            SigningKey own = Simulation.keyFrom(random);
            List<String> names = new ArrayList<>();
            for (int o = 0; o < scenario.ownObjects(); o++) {
                names.add("own-" + o);
                objects.add(Aguid.of(own.publicKey(), "own-" + o));
            }
            clients.add(new SimClient(c, config.n() + c, config.n(), config.f(), own, team, names, shared, network,
                    events, random.split(), replies::read, workload, c < costs.bulkClients() ? bulk : params));
        }
        if (scenario.hostileClient()) {
            hostile = new HostileClient(config.n() + scenario.clients(), config.n(), Simulation.keyFrom(random), network,
                    events, random.split(), workload, 40, 100_000);
        }
    }

    /** The view of every correct replica that is up, by id. */
    SortedMap<Integer, Long> correctViews() {
        SortedMap<Integer, Long> out = new TreeMap<>();
        for (SimReplicaHost h : correctHosts()) {
            if (h.up()) {
                out.put(h.id(), h.view());
            }
        }
        return out;
    }

    RingConfig config() {
        return config;
    }

    SimNetwork network() {
        return network;
    }

    void start() {
        hosts.forEach(h -> h.forEach(SimReplicaHost::start));
        clients.forEach(SimClient::start);
        if (hostile != null) {
            hostile.start();
        }
    }

    /** Correct means neither Byzantine nor a Twin; a crashed replica is correct, only absent. */
    boolean correct(int replica) {
        return replica != faultyId;
    }

    /** Correct replicas that are up, in id order. */
    List<SimReplicaHost> correctHosts() {
        List<SimReplicaHost> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            if (correct(i)) {
                out.add(hosts.get(i).getFirst());
            }
        }
        return out;
    }

    int crashedCount() {
        return (int) correctHosts().stream().filter(h -> !h.up()).count();
    }

    void healAll() {
        network.faults().heal();
        correctHosts().stream().filter(h -> !h.up()).forEach(SimReplicaHost::start);
    }

    boolean clientsFinished() {
        return clients.stream().allMatch(SimClient::finished);
    }

    void stopClients() {
        clients.forEach(SimClient::stopIssuing);
        if (hostile != null) {
            hostile.stop();
        }
    }

    List<Aguid> objects() {
        return List.copyOf(objects);
    }

    SortedMap<Integer, Map<Aguid, List<HistoryEntry>>> correctHistories() {
        SortedMap<Integer, Map<Aguid, List<HistoryEntry>>> out = new TreeMap<>();
        for (SimReplicaHost h : correctHosts()) {
            if (!h.up()) {
                continue;
            }
            Map<Aguid, List<HistoryEntry>> mine = new TreeMap<>();
            for (Aguid a : objects) {
                mine.put(a, h.store().history(a, 0, 0));
            }
            out.put(h.id(), mine);
        }
        return out;
    }

    /** Versions the correct replicas that are up store without a certificate, by replica id (those with any). */
    SortedMap<Integer, Long> uncertifiedAtCorrectReplicas() {
        SortedMap<Integer, Long> out = new TreeMap<>();
        for (SimReplicaHost h : correctHosts()) {
            long n = h.up() ? h.store().uncertifiedCount() : 0;
            if (n > 0) {
                out.put(h.id(), n);
            }
        }
        return out;
    }

    /** Adds this run's forged STATE frames to the JVM-wide totals; called once, when the run ends. */
    void tallyForgeries() {
        if (tamper != null) {
            FORGED_STATES_TOTAL.addAndGet(tamper.forgedStates());
            FORGED_CHAINS_TOTAL.addAndGet(tamper.forgedChains());
            FORGED_SNAPSHOTS_TOTAL.addAndGet(tamper.forgedSnapshots());
        }
    }

    String summary() {
        StringBuilder b = new StringBuilder();
        SimNetwork.Stats s = network.stats();
        if (hostile != null) {
            b.append(hostile.describe()).append("; ");
        }
        b.append("net sent=").append(s.sent).append(" lost=").append(s.lost).append(" dup=").append(s.duplicated)
                .append(" delivered=").append(s.delivered);
        for (List<SimReplicaHost> forId : hosts) {
            for (SimReplicaHost h : forId) {
                b.append("; ").append(h.describe()).append(" rejectedFrames=").append(h.framesRejected());
                if (h.corruptStarts() > 0) {
                    b.append(" corruptStarts=").append(h.corruptStarts());
                }
                if (h.refusedForRoom() > 0) {
                    b.append(" refusedForRoom=").append(h.refusedForRoom());
                }
                if (h.twinHalts() > 0) {
                    b.append(" twinHalted");
                }
                if (h.byzantine()) {
                    b.append(" byzantine=").append(h.tamper().behaviour()).append(" tampered=")
                            .append(h.tamper().tampered()).append(" forgedStates=")
                            .append(h.tamper().forgedStates());
                }
            }
        }
        return b.toString();
    }
}
