package ostore.routing.locate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.WireFormatException;
import ostore.routing.filter.AttenuatedFilter;
import ostore.routing.filter.GuidFilter;
import ostore.routing.gossip.Advertisement;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.gossip.GossipRejectedException;
import ostore.routing.gossip.GossipRejectedException.Reason;
import ostore.routing.overlay.Membership;

/**
 * One node's location state: its own filter over its {@link Inventory}, the attenuated filter each
 * neighbour last advertised, and the pointers it keeps as a rendezvous root. Single-threaded and
 * clock-free: its owner calls {@link #tick} once per gossip round, so the simulator and a real
 * node drive it alike.
 *
 * <p>How inventory changes reach the filters within bounded time: an insert is put into the
 * node's own filter at once ({@link #stored}); a delete cannot be (Bloom filters do not remove), so
 * the filter is rebuilt from the inventory every {@link RoutingParams#rebuildEveryRounds()} rounds.
 * Level i of a neighbour's view lags by i rounds, so any change is everywhere within
 * {@link RoutingParams#filterStalenessRounds()} rounds. A stale hit costs a probe, never a wrong
 * answer. Counting filters would remove deletes at once but cost four times the bits on every
 * gossip message, and Guava has none.
 *
 * <p>Neighbours: the owner configures them, optionally with standby links
 * ({@link #setNeighbours(SortedSet, SortedMap)}, from {@code Overlay.standby}). A configured
 * neighbour not heard from (no advertisement accepted) for {@link RoutingParams#viewTtlRounds()}
 * rounds is silent, exactly when its view lapses; while it is, its standby links are neighbours
 * too, so a neighbour down for good does not cut this node's degree below the overlay's minimum
 * (where its former neighbours have room).
 * The node keeps advertising to the silent one, and the round after it is heard again the standby
 * links are dropped. Both ends of a standby link see the same neighbour fall silent, so both add
 * the link within a round or two of each other; until the second does, the first's gossip to it
 * is refused as from a non-neighbour and changes nothing.
 */
public final class RoutingNode {
    private static final System.Logger LOG = System.getLogger(RoutingNode.class.getName());

    private final NodeId id;
    private final RoutingParams params;
    private final Inventory inventory;
    private final TreeSet<NodeId> neighbours = new TreeSet<>();
    private final TreeSet<NodeId> configured = new TreeSet<>();
    private final TreeMap<NodeId, SortedSet<NodeId>> standby = new TreeMap<>();
    private final Map<NodeId, Long> lastHeard = new HashMap<>();
    private final TreeMap<NodeId, View> views = new TreeMap<>();
    private final Map<Hash32, TreeMap<NodeId, Long>> pointers = new HashMap<>();
    private GuidFilter own;
    private long round;

    /** A neighbour's last accepted advertisement and the local round it arrived in. */
    private record View(long senderRound, long receivedRound, AttenuatedFilter filter) {}

    public RoutingNode(NodeId id, RoutingParams params, Inventory inventory) {
        this.id = Objects.requireNonNull(id, "id");
        this.params = Objects.requireNonNull(params, "params");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        rebuild();
    }

    public NodeId id() {
        return id;
    }

    public long round() {
        return round;
    }

    /** Starts round {@code r}: drops silent neighbours' views, rebuilds the filter when due, expires pointers. */
    public void tick(long r) {
        if (r < round) {
            throw new IllegalArgumentException("round (" + r + ") must not go back from " + round);
        }
        round = r;
        views.values().removeIf(v -> round - v.receivedRound >= params.viewTtlRounds());
        relink();
        if (round % params.rebuildEveryRounds() == 0) {
            rebuild();
        }
        pointers.values().forEach(holders -> holders.values().removeIf(at -> round - at >= params.pointerTtlRounds()));
        pointers.values().removeIf(Map::isEmpty);
    }

    /** The inventory gained {@code guid}: it is in the node's own filter from now on. */
    public void stored(Hash32 guid) {
        own.put(guid);
    }

    /** Rebuilds the node's own filter from the inventory, dropping deleted GUIDs. */
    public void rebuild() {
        GuidFilter fresh = GuidFilter.empty(params.filter());
        inventory.forEach(fresh::put);
        own = fresh;
    }

    public boolean holds(Hash32 guid) {
        return inventory.holds(guid);
    }

    /** Replaces the neighbour set, with no standby links; views of nodes no longer neighbours are dropped. */
    public void setNeighbours(SortedSet<NodeId> next) {
        setNeighbours(next, Collections.emptySortedMap());
    }

    /**
     * Replaces the configured neighbours and their standby links: {@code standby.get(x)} are the
     * nodes to link to while configured neighbour x is silent. Views of nodes no longer neighbours
     * are dropped; a newly configured neighbour counts as heard now.
     */
    public void setNeighbours(SortedSet<NodeId> next, SortedMap<NodeId, ? extends SortedSet<NodeId>> links) {
        if (next.contains(id)) {
            throw new IllegalArgumentException(id + " cannot be its own neighbour");
        }
        for (Map.Entry<NodeId, ? extends SortedSet<NodeId>> e : links.entrySet()) {
            if (!next.contains(e.getKey())) {
                throw new IllegalArgumentException("standby links for " + e.getKey() + ", not a neighbour of " + id);
            }
            if (e.getValue().contains(id) || e.getValue().contains(e.getKey())) {
                throw new IllegalArgumentException("standby links for " + e.getKey() + " name " + id
                        + " or the neighbour itself");
            }
        }
        configured.clear();
        configured.addAll(next);
        standby.clear();
        links.forEach((x, partners) -> standby.put(x, Collections.unmodifiableSortedSet(new TreeSet<>(partners))));
        lastHeard.keySet().retainAll(configured);
        for (NodeId n : configured) {
            lastHeard.putIfAbsent(n, round);
        }
        relink();
    }

    /** The neighbours now: the configured ones, plus the standby links of each silent one. */
    private void relink() {
        TreeSet<NodeId> next = new TreeSet<>(configured);
        for (Map.Entry<NodeId, SortedSet<NodeId>> e : standby.entrySet()) {
            if (silent(e.getKey())) {
                next.addAll(e.getValue());
            }
        }
        next.remove(id);
        if (!next.equals(neighbours)) {
            TreeSet<NodeId> added = new TreeSet<>(next);
            added.removeAll(neighbours);
            TreeSet<NodeId> dropped = new TreeSet<>(neighbours);
            dropped.removeAll(next);
            if (!neighbours.isEmpty() && (!added.isEmpty() || !dropped.isEmpty()) && !standby.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "{0}: round {1,number,#}: standby links {2} added, {3} dropped",
                        id, round, added, dropped);
            }
            neighbours.clear();
            neighbours.addAll(next);
        }
        views.keySet().retainAll(neighbours);
    }

    private boolean silent(NodeId configuredNeighbour) {
        Long heard = lastHeard.get(configuredNeighbour);
        return heard != null && round - heard >= params.viewTtlRounds();
    }

    /** The neighbours gossiped with now, standby links of silent neighbours included. */
    public SortedSet<NodeId> neighbours() {
        return Collections.unmodifiableSortedSet(neighbours);
    }

    /** The neighbours the owner configured, silent ones included. */
    public SortedSet<NodeId> configuredNeighbours() {
        return Collections.unmodifiableSortedSet(configured);
    }

    /** The standby links the owner configured, by the neighbour whose silence activates them. */
    public SortedMap<NodeId, SortedSet<NodeId>> standbyLinks() {
        return Collections.unmodifiableSortedMap(standby);
    }

    /** Neighbours whose advertisement is current, for tests and statistics. */
    public int viewCount() {
        return views.size();
    }

    /**
     * What this node tells {@code neighbour} this round: its own filter, then level by level the
     * union of what its other neighbours advertised one level shallower.
     */
    public Advertisement advertisementFor(NodeId neighbour) {
        if (!neighbours.contains(neighbour)) {
            throw new IllegalArgumentException(neighbour + " is not a neighbour of " + id);
        }
        List<GuidFilter> levels = new ArrayList<>(params.depth());
        levels.add(own.copy());
        for (int level = 1; level < params.depth(); level++) {
            GuidFilter union = GuidFilter.empty(params.filter());
            for (Map.Entry<NodeId, View> e : views.entrySet()) {
                if (!e.getKey().equals(neighbour)) {
                    union.putAll(e.getValue().filter.level(level - 1));
                }
            }
            levels.add(union);
        }
        return new Advertisement(id, neighbour, round, new AttenuatedFilter(levels));
    }

    /**
     * Accepts a neighbour's encoded advertisement. Every check runs before anything is stored.
     *
     * @throws GossipRejectedException if the bytes are malformed, the sender is not a member or
     *     not a neighbour, the message is for another node, or it is not newer than the last one
     */
    public Advertisement receive(byte[] gossip, Membership membership) {
        Advertisement ad;
        try {
            ad = GossipCodec.decode(gossip, params.filter(), params.depth());
        } catch (WireFormatException e) {
            throw refuse(Reason.MALFORMED, "malformed gossip: " + e.getMessage(), e);
        }
        if (!membership.contains(ad.sender())) {
            throw refuse(Reason.NOT_A_MEMBER, "gossip from " + ad.sender() + ", not a member at epoch "
                    + membership.epoch(), null);
        }
        if (!ad.recipient().equals(id)) {
            throw refuse(Reason.WRONG_RECIPIENT, "gossip from " + ad.sender() + " is for " + ad.recipient(), null);
        }
        if (!neighbours.contains(ad.sender())) {
            throw refuse(Reason.NOT_A_NEIGHBOUR, "gossip from " + ad.sender() + ", a member but not a neighbour", null);
        }
        View last = views.get(ad.sender());
        if (last != null && ad.round() <= last.senderRound) {
            throw refuse(Reason.STALE, "gossip from " + ad.sender() + " of round " + ad.round()
                    + ", not after its round " + last.senderRound, null);
        }
        views.put(ad.sender(), new View(ad.round(), round, ad.filter()));
        if (lastHeard.containsKey(ad.sender())) {
            lastHeard.put(ad.sender(), round);
        }
        return ad;
    }

    private GossipRejectedException refuse(Reason reason, String message, Throwable cause) {
        LOG.log(System.Logger.Level.WARNING, "{0} refused {1}: {2}", id, reason, message);
        return new GossipRejectedException(reason, message, cause);
    }

    /**
     * Answers a query: checks the own filter and, on a hit, the inventory (the probe that catches
     * a false positive); ranks neighbours not in {@code visited} whose filters match, lowest level
     * first, then by id.
     */
    public HopAnswer hop(Hash32 guid, Set<NodeId> visited) {
        boolean hit = own.mightContain(guid);
        boolean holds = hit && inventory.holds(guid);
        int consulted = 1;
        List<HopAnswer.Candidate> candidates = new ArrayList<>();
        for (Map.Entry<NodeId, View> e : views.entrySet()) {
            if (visited.contains(e.getKey())) {
                continue;
            }
            int level = e.getValue().filter.firstLevelContaining(guid);
            consulted += level < 0 ? params.depth() : level + 1;
            if (level >= 0) {
                candidates.add(new HopAnswer.Candidate(e.getKey(), level));
            }
        }
        candidates.sort(Comparator.comparingInt(HopAnswer.Candidate::level).thenComparing(HopAnswer.Candidate::node));
        return new HopAnswer(hit, holds, consulted, candidates);
    }

    /** The holders this node, as a root, has fresh pointers to, sorted. */
    public List<NodeId> pointers(Hash32 guid) {
        TreeMap<NodeId, Long> holders = pointers.get(guid);
        return holders == null ? List.of() : List.copyOf(holders.keySet());
    }

    /** Records (or refreshes) that {@code holder} holds {@code guid}, or forgets it. */
    public void pointer(Hash32 guid, NodeId holder, boolean holds) {
        if (holds) {
            pointers.computeIfAbsent(guid, g -> new TreeMap<>()).put(holder, round);
        } else {
            TreeMap<NodeId, Long> holders = pointers.get(guid);
            if (holders != null) {
                holders.remove(holder);
                if (holders.isEmpty()) {
                    pointers.remove(guid);
                }
            }
        }
    }

    /** Pointers held as a root, over all GUIDs. */
    public int pointerCount() {
        return pointers.values().stream().mapToInt(Map::size).sum();
    }
}
