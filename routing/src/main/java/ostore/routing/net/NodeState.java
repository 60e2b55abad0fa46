package ostore.routing.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.gossip.Advertisement;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.locate.HopAnswer;
import ostore.routing.locate.RoutingNode;
import ostore.routing.overlay.Membership;

/**
 * A {@link RoutingNode} shared by the gRPC handlers, the gossip thread and local lookups.
 * {@code RoutingNode} is single-threaded by design, so every use of it goes through one monitor
 * here; nothing in this class does I/O while holding it (the inventory aside, which a probe must
 * read), so a slow neighbour never blocks the node's answers. The member table sits beside it and
 * is swapped whole.
 */
final class NodeState implements GrpcTransport.Local {
    private final RoutingNode node;
    private volatile Members members;

    /** A table with its membership computed once, since every lookup and refusal check reads it. */
    record Members(MemberTable table, Membership membership) {
        static Members of(MemberTable table) {
            return new Members(table, table.membership());
        }
    }

    NodeState(RoutingNode node, MemberTable table) {
        this.node = Objects.requireNonNull(node, "node");
        this.members = Members.of(table);
    }

    NodeId id() {
        return node.id();
    }

    MemberTable table() {
        return members.table();
    }

    Membership membership() {
        return members.membership();
    }

    /** Installs a newer table; neighbours no longer in it are dropped with their views. */
    synchronized void setMembers(MemberTable table) {
        MemberTable current = members.table();
        if (table.epoch() <= current.epoch()) {
            throw new IllegalArgumentException("member table epoch (" + table.epoch() + ") must be after the current "
                    + current.epoch());
        }
        Member me = table.member(node.id()).orElseThrow(() -> new IllegalArgumentException(
                "member table at epoch " + table.epoch() + " does not list this node " + node.id()));
        if (!me.key().equals(current.member(node.id()).orElseThrow().key())) {
            throw new IllegalArgumentException("member table at epoch " + table.epoch() + " gives this node " + node.id()
                    + " another key");
        }
        members = Members.of(table);
        TreeSet<NodeId> kept = new TreeSet<>(node.configuredNeighbours());
        kept.removeIf(n -> !table.contains(n));
        TreeMap<NodeId, SortedSet<NodeId>> links = new TreeMap<>();
        node.standbyLinks().forEach((x, partners) -> {
            TreeSet<NodeId> live = new TreeSet<>(partners);
            live.removeIf(n -> !table.contains(n));
            if (kept.contains(x) && !live.isEmpty()) {
                links.put(x, live);
            }
        });
        node.setNeighbours(kept, links);
    }

    synchronized void setNeighbours(SortedSet<NodeId> next, SortedMap<NodeId, ? extends SortedSet<NodeId>> standby) {
        MemberTable table = members.table();
        for (NodeId n : next) {
            if (!table.contains(n)) {
                throw new IllegalArgumentException("neighbour " + n + " is not a member at epoch " + table.epoch());
            }
        }
        for (SortedSet<NodeId> partners : standby.values()) {
            for (NodeId n : partners) {
                if (!table.contains(n)) {
                    throw new IllegalArgumentException("standby link " + n + " is not a member at epoch " + table.epoch());
                }
            }
        }
        node.setNeighbours(next, standby);
    }

    synchronized SortedSet<NodeId> neighbours() {
        return new TreeSet<>(node.neighbours());
    }

    /** Starts round {@code r} and encodes this round's advertisement for each neighbour. */
    synchronized List<GrpcTransport.Outgoing> startRound(long r) {
        node.tick(r);
        List<GrpcTransport.Outgoing> out = new ArrayList<>(node.neighbours().size());
        for (NodeId n : node.neighbours()) {
            Advertisement ad = node.advertisementFor(n);
            out.add(new GrpcTransport.Outgoing(n, GossipCodec.encode(ad)));
        }
        return out;
    }

    /** Advances the node to round {@code r} without advertising (the round a server starts at). */
    synchronized void tick(long r) {
        node.tick(r);
    }

    /** Hands a neighbour's advertisement, already authenticated, to the node, which checks the rest. */
    synchronized Advertisement receive(byte[] advertisement) {
        return node.receive(advertisement, members.membership());
    }

    synchronized long round() {
        return node.round();
    }

    synchronized void stored(Hash32 guid) {
        node.stored(guid);
    }

    synchronized int viewCount() {
        return node.viewCount();
    }

    synchronized int pointerCount() {
        return node.pointerCount();
    }

    @Override
    public synchronized HopAnswer hop(Hash32 guid, Set<NodeId> visited) {
        return node.hop(guid, visited);
    }

    @Override
    public synchronized List<NodeId> pointers(Hash32 guid) {
        return node.pointers(guid);
    }

    @Override
    public synchronized boolean holds(Hash32 guid) {
        return node.holds(guid);
    }

    @Override
    public synchronized void pointer(Hash32 guid, NodeId holder, boolean holds) {
        node.pointer(guid, holder, holds);
    }
}
