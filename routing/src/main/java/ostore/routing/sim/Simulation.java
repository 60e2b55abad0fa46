package ostore.routing.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.gossip.Advertisement;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.gossip.GossipRejectedException;
import ostore.routing.locate.Locator;
import ostore.routing.locate.PointerPublisher;
import ostore.routing.locate.Route;
import ostore.routing.locate.RoutingNode;
import ostore.routing.locate.SetInventory;
import ostore.routing.overlay.Membership;
import ostore.routing.overlay.Overlay;

/**
 * A deterministic, single-threaded simulation of an overlay of {@link RoutingNode}s: joins,
 * departures, failures, gossip rounds (every advertisement really encoded and decoded, so its
 * bytes are measured and its checks run), pointer publishing and lookups, all driven by one seeded
 * generator. Nothing reads a clock; the same {@link SimConfig} gives the same run.
 *
 * <p>A failed node is down but keeps its state (a crash it recovers from, or a partition); a node
 * that leaves is gone from the membership with everything it held.
 */
public final class Simulation {
    private final SimConfig config;
    private final SplittableRandom rng;
    private final SimNetwork network = new SimNetwork();
    private final Overlay overlay;
    private final Locator locator;
    private final PointerPublisher publisher;
    private final Map<NodeId, SetInventory> inventories = new HashMap<>();
    private final List<Hash32> items = new ArrayList<>();
    private final Map<Hash32, TreeSet<NodeId>> holders = new HashMap<>();
    private long round;
    private int nextNode;
    private long gossipBytesLastRound;
    private int gossipMessagesLastRound;
    private long gossipRejected;
    private boolean standbyLinks;

    private Simulation(SimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.rng = new SplittableRandom(config.seed());
        this.overlay = new Overlay(config.overlay(), network);
        this.locator = new Locator(config.routing(), network);
        this.publisher = new PointerPublisher(config.routing(), network);
    }

    /**
     * Joins {@code config.nodes()} nodes one by one, stores every item on its copies, and gossips
     * depth + 1 rounds so every filter level is filled.
     */
    public static Simulation start(SimConfig config) {
        Simulation sim = new Simulation(config);
        for (int i = 0; i < config.nodes(); i++) {
            sim.join();
        }
        List<NodeId> members = new ArrayList<>(sim.overlay.membership().members());
        for (int j = 0; j < config.itemCount(); j++) {
            Hash32 guid = Bguid.ofBlock(("ostore-sim/item/" + config.seed() + "/" + j).getBytes(StandardCharsets.UTF_8))
                    .hash();
            sim.items.add(guid);
            TreeSet<NodeId> chosen = new TreeSet<>();
            while (chosen.size() < config.copies()) {
                chosen.add(members.get(sim.rng.nextInt(members.size())));
            }
            chosen.forEach(n -> sim.store(n, guid));
        }
        sim.rounds(config.routing().depth() + 1);
        return sim;
    }

    public SimConfig config() {
        return config;
    }

    public SimNetwork network() {
        return network;
    }

    public Overlay overlay() {
        return overlay;
    }

    public Membership membership() {
        return overlay.membership();
    }

    public long round() {
        return round;
    }

    public List<Hash32> items() {
        return List.copyOf(items);
    }

    public RoutingNode node(NodeId id) {
        return network.node(id);
    }

    public boolean isUp(NodeId id) {
        return network.isUp(id);
    }

    /** The members holding {@code guid}, up or down. */
    public SortedSet<NodeId> holders(Hash32 guid) {
        return new TreeSet<>(holders.getOrDefault(guid, new TreeSet<>()));
    }

    /** Members that are up, sorted. */
    public List<NodeId> upMembers() {
        return overlay.membership().members().stream().filter(network::isUp).toList();
    }

    /** A new node with the next index and seeded coordinates; it joins the overlay and holds nothing yet. */
    public NodeId join() {
        NodeId id = new NodeId(Bguid.ofBlock(("ostore-sim/node/" + config.seed() + "/" + nextNode++)
                .getBytes(StandardCharsets.UTF_8)).hash());
        SetInventory inventory = new SetInventory();
        RoutingNode node = new RoutingNode(id, config.routing(), inventory);
        node.tick(round);
        inventories.put(id, inventory);
        network.add(node, rng.nextDouble(), rng.nextDouble());
        syncNeighbours(overlay.join(id, rng));
        return id;
    }

    /** {@code id} leaves for good: out of the membership, its links repaired, its holdings gone. */
    public void leave(NodeId id) {
        SortedSet<NodeId> touched = overlay.leave(id);
        network.remove(id);
        inventories.remove(id).forEach(g -> holders.get(g).remove(id));
        syncNeighbours(touched);
    }

    /** {@code id} stops answering and gossiping, keeping its state. */
    public void fail(NodeId id) {
        network.setDown(id, true);
    }

    public void recover(NodeId id) {
        network.setDown(id, false);
        network.node(id).tick(round);
    }

    /**
     * From now on every node also gets the overlay's standby links ({@link Overlay#standby}), so
     * a neighbour that stays silent is bridged over as real servers given them do. Off by default,
     * so the benchmark's figures are the plain overlay's.
     */
    public void useStandbyLinks() {
        standbyLinks = true;
        syncNeighbours(overlay.membership().members());
    }

    /** {@code holder} stores {@code guid}: its filter has it at once, its roots are told. */
    public void store(NodeId holder, Hash32 guid) {
        inventories.get(holder).add(guid);
        network.node(holder).stored(guid);
        holders.computeIfAbsent(guid, g -> new TreeSet<>()).add(holder);
        publisher.publish(holder, guid, true, overlay.membership());
    }

    /** {@code holder} deletes {@code guid}: gone from its inventory now, from filters by the next rebuild. */
    public void delete(NodeId holder, Hash32 guid) {
        inventories.get(holder).remove(guid);
        holders.get(guid).remove(holder);
        publisher.publish(holder, guid, false, overlay.membership());
    }

    public void rounds(int count) {
        for (int i = 0; i < count; i++) {
            gossipRound();
        }
    }

    /**
     * One gossip round: every up node ticks, then every up node encodes an advertisement for each
     * neighbour (all computed before any is delivered), and up recipients decode and check them.
     * Holders republish their pointers when the round is due.
     */
    public void gossipRound() {
        round++;
        List<NodeId> up = upMembers();
        up.forEach(id -> network.node(id).tick(round));
        List<Advertisement> ads = new ArrayList<>();
        for (NodeId id : up) {
            for (NodeId n : network.node(id).neighbours()) {
                ads.add(network.node(id).advertisementFor(n));
            }
        }
        gossipBytesLastRound = 0;
        gossipMessagesLastRound = 0;
        for (Advertisement ad : ads) {
            byte[] bytes = GossipCodec.encode(ad);
            gossipBytesLastRound += bytes.length;
            gossipMessagesLastRound++;
            if (network.isUp(ad.recipient())) {
                deliverGossip(ad.recipient(), bytes);
            }
        }
        if (round % config.routing().republishEveryRounds() == 0) {
            up.forEach(id -> publisher.republish(id, inventories.get(id), overlay.membership()));
        }
    }

    /** Hands gossip bytes to {@code to}; a refusal is counted and changes nothing. Returns whether accepted. */
    public boolean deliverGossip(NodeId to, byte[] bytes) {
        try {
            network.node(to).receive(bytes, overlay.membership());
            return true;
        } catch (GossipRejectedException e) {
            gossipRejected++;
            return false;
        }
    }

    public long gossipBytesLastRound() {
        return gossipBytesLastRound;
    }

    public int gossipMessagesLastRound() {
        return gossipMessagesLastRound;
    }

    public long gossipRejected() {
        return gossipRejected;
    }

    /** Mean bytes of filters a node keeps: its own and every level of every neighbour's view. */
    public double filterBytesPerNode() {
        List<NodeId> up = upMembers();
        long levels = 0;
        for (NodeId id : up) {
            levels += 1 + (long) network.node(id).viewCount() * config.routing().depth();
        }
        return up.isEmpty() ? 0 : (double) levels * config.routing().filter().byteCount() / up.size();
    }

    public Route locate(NodeId origin, Hash32 guid) {
        return locator.locate(origin, guid, overlay.membership());
    }

    /**
     * {@code count} lookups of random items from random up origins. An item with no holder up is
     * not looked up but counted unavailable; at most {@code 10 × count} draws are made.
     */
    public LookupStats lookups(int count) {
        List<NodeId> up = upMembers();
        int done = 0;
        int unavailable = 0;
        StatsBuilder b = new StatsBuilder();
        for (int draw = 0; draw < 10 * count && done < count; draw++) {
            Hash32 guid = items.get(rng.nextInt(items.size()));
            NodeId origin = up.get(rng.nextInt(up.size()));
            if (holders.getOrDefault(guid, new TreeSet<>()).stream().noneMatch(network::isUp)) {
                unavailable++;
                continue;
            }
            long messagesBefore = network.messages();
            double delayBefore = network.delayMs();
            Route r = locate(origin, guid);
            assert network.messages() - messagesBefore == r.messages() : "route and network disagree on messages";
            b.add(r, r.found().map(h -> !inventories.get(h).holds(guid)).orElse(false),
                    network.delayMs() - delayBefore);
            done++;
        }
        return b.build(done, unavailable);
    }

    private void syncNeighbours(SortedSet<NodeId> touched) {
        // Standby links depend on the neighbours' neighbours, so with them every node is resynced.
        for (NodeId n : standbyLinks ? overlay.membership().members() : touched) {
            if (network.node(n) != null) {
                if (standbyLinks) {
                    network.node(n).setNeighbours(overlay.neighbours(n), overlay.standby(n));
                } else {
                    network.node(n).setNeighbours(overlay.neighbours(n));
                }
            }
        }
    }

    /** Accumulates {@link LookupStats}. */
    private static final class StatsBuilder {
        private int found;
        private int wrong;
        private int fallback;
        private final int[] within = new int[4];
        private long hops;
        private long messages;
        private long filters;
        private long falsePositives;
        private double delayMs;

        void add(Route r, boolean wrongHolder, double delay) {
            if (r.found().isPresent()) {
                found++;
            }
            if (wrongHolder) {
                wrong++;
            }
            if (r.usedFallback()) {
                fallback++;
            }
            for (int h = 1; h <= 3; h++) {
                if (r.bloomWithin(h)) {
                    within[h]++;
                }
            }
            hops += r.hops();
            messages += r.messages();
            filters += r.filtersConsulted();
            falsePositives += r.falsePositives();
            delayMs += delay;
        }

        LookupStats build(int lookups, int unavailable) {
            return new LookupStats(lookups, found, unavailable, wrong, fallback, within[1], within[2], within[3],
                    hops, messages, filters, falsePositives, delayMs);
        }
    }
}
