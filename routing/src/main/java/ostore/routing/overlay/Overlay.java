package ostore.routing.overlay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import ostore.routing.NodeId;

/**
 * The membership and the neighbour graph over it: bounded degree, near links plus one long link
 * per join ({@link OverlayParams}). Not a full mesh, so a location query really travels hop by hop
 * and a filter level really summarizes nodes further away.
 *
 * <p>Deterministic: every choice is ordered by link cost, then node id, and the one random choice
 * per join comes from the caller's generator, so a seeded simulation replays exactly. Edges are
 * symmetric; a node's gossip goes to exactly its neighbours.
 */
public final class Overlay {
    private final OverlayParams params;
    private final LinkCost cost;
    private final TreeMap<NodeId, TreeSet<NodeId>> edges = new TreeMap<>();
    private Membership membership = Membership.empty();

    public Overlay(OverlayParams params, LinkCost cost) {
        this.params = Objects.requireNonNull(params, "params");
        this.cost = Objects.requireNonNull(cost, "cost");
    }

    public Membership membership() {
        return membership;
    }

    public OverlayParams params() {
        return params;
    }

    /** {@code node}'s neighbours, sorted; empty for a non-member. */
    public SortedSet<NodeId> neighbours(NodeId node) {
        TreeSet<NodeId> n = edges.get(node);
        return n == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(n);
    }

    /**
     * Adds {@code node} and links it to up to {@link OverlayParams#joinLinks()} members with room:
     * the nearest ones, and one chosen by {@code rng} among the rest.
     *
     * @return every node whose neighbour set changed, the joiner included
     */
    public SortedSet<NodeId> join(NodeId node, RandomGenerator rng) {
        membership = membership.with(node);
        edges.put(node, new TreeSet<>());
        List<NodeId> room = byCost(node, membership.members().stream()
                .filter(m -> !m.equals(node) && edges.get(m).size() < params.maxDegree()).toList());
        TreeSet<NodeId> touched = new TreeSet<>();
        touched.add(node);
        int near = Math.min(room.size(), params.joinLinks() > 1 ? params.joinLinks() - 1 : 1);
        for (int i = 0; i < near; i++) {
            link(edges, node, room.get(i), touched);
        }
        if (params.joinLinks() > 1 && room.size() > near) {
            link(edges, node, room.get(near + rng.nextInt(room.size() - near)), touched);
        }
        return touched;
    }

    /**
     * Removes {@code node} and its links; each former neighbour left below
     * {@link OverlayParams#minDegree()} links to the nearest members with room.
     *
     * @return every remaining node whose neighbour set changed
     */
    public SortedSet<NodeId> leave(NodeId node) {
        membership = membership.without(node);
        TreeSet<NodeId> former = edges.remove(node);
        TreeSet<NodeId> touched = new TreeSet<>(former);
        for (NodeId n : former) {
            edges.get(n).remove(node);
        }
        for (NodeId n : former) {
            repair(edges, n, membership.members(), touched);
        }
        return touched;
    }

    /**
     * The links {@link #leave}'s repair would add if {@code departed} left, restricted to its own
     * former neighbours, as a symmetric map (each end lists the other). Nothing changes here.
     *
     * <p>Why restricted: a node that is down for good is noticed only by its neighbours (their
     * gossip to it fails and its gossip to them stops), so only they can act on it without a
     * membership change. Linking them among themselves by the departure rule, computed on the
     * configured graph every node shares, gives both ends of each new link the same answer without
     * a message. See {@link #standby}.
     */
    public SortedMap<NodeId, SortedSet<NodeId>> bridges(NodeId departed) {
        TreeSet<NodeId> former = edges.get(departed);
        if (former == null) {
            throw new IllegalArgumentException(departed + " is not a member");
        }
        // The repair reads and links only former neighbours, so only their sets are copied.
        Map<NodeId, TreeSet<NodeId>> after = new HashMap<>();
        for (NodeId n : former) {
            TreeSet<NodeId> links = new TreeSet<>(edges.get(n));
            links.remove(departed);
            after.put(n, links);
        }
        TreeSet<NodeId> touched = new TreeSet<>();
        for (NodeId n : former) {
            repair(after, n, former, touched);
        }
        TreeMap<NodeId, SortedSet<NodeId>> added = new TreeMap<>();
        for (NodeId n : touched) {
            TreeSet<NodeId> fresh = new TreeSet<>(after.get(n));
            fresh.removeAll(edges.get(n));
            if (!fresh.isEmpty()) {
                added.put(n, Collections.unmodifiableSortedSet(fresh));
            }
        }
        return Collections.unmodifiableSortedMap(added);
    }

    /**
     * {@code node}'s standby links: for each neighbour x, the other neighbours of x that
     * {@link #bridges}(x) links {@code node} to, because x's departure would leave {@code node} or
     * them below {@link OverlayParams#minDegree()} (neighbours with no such link are absent). A routing node uses them while that neighbour is silent
     * and drops them when it is heard again, so a neighbour down for good does not leave it with
     * too few links for multi-hop routing, yet the graph returns to its configured shape.
     * Symmetric: if b is a's standby for x, a is b's standby for x.
     */
    public SortedMap<NodeId, SortedSet<NodeId>> standby(NodeId node) {
        TreeMap<NodeId, SortedSet<NodeId>> out = new TreeMap<>();
        for (NodeId x : neighbours(node)) {
            SortedSet<NodeId> partners = bridges(x).get(node);
            if (partners != null) {
                out.put(x, partners);
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** Hop distances from {@code from} to every member it reaches within {@code maxHops}. */
    public Map<NodeId, Integer> distances(NodeId from, int maxHops) {
        Map<NodeId, Integer> dist = new HashMap<>();
        if (!edges.containsKey(from)) {
            return dist;
        }
        ArrayDeque<NodeId> queue = new ArrayDeque<>();
        dist.put(from, 0);
        queue.add(from);
        while (!queue.isEmpty()) {
            NodeId n = queue.poll();
            int d = dist.get(n);
            if (d == maxHops) {
                continue;
            }
            for (NodeId m : edges.get(n)) {
                if (dist.putIfAbsent(m, d + 1) == null) {
                    queue.add(m);
                }
            }
        }
        return dist;
    }

    /** Links {@code n}, while below the minimum degree, to the nearest of {@code candidates} with room. */
    private void repair(Map<NodeId, TreeSet<NodeId>> graph, NodeId n, Collection<NodeId> candidates,
            TreeSet<NodeId> touched) {
        if (graph.get(n).size() >= params.minDegree()) {
            return;
        }
        List<NodeId> room = byCost(n, candidates.stream()
                .filter(m -> !m.equals(n) && !graph.get(n).contains(m) && graph.get(m).size() < params.maxDegree())
                .toList());
        for (int i = 0; i < room.size() && graph.get(n).size() < params.minDegree(); i++) {
            link(graph, n, room.get(i), touched);
        }
    }

    private List<NodeId> byCost(NodeId from, List<NodeId> nodes) {
        List<NodeId> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.<NodeId>comparingDouble(m -> cost.cost(from, m)).thenComparing(m -> m));
        return sorted;
    }

    private void link(Map<NodeId, TreeSet<NodeId>> graph, NodeId a, NodeId b, TreeSet<NodeId> touched) {
        assert !a.equals(b) && graph.get(a).size() < params.maxDegree() && graph.get(b).size() < params.maxDegree();
        graph.get(a).add(b);
        graph.get(b).add(a);
        touched.add(a);
        touched.add(b);
    }
}
