package ostore.routing.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.locate.HopAnswer;
import ostore.routing.locate.RoutingNode;
import ostore.routing.locate.Transport;
import ostore.routing.overlay.LinkCost;

/**
 * The simulator's {@link Transport}: nodes are objects in one map, a message is a method call, and
 * every message is counted with a modelled one-way delay ({@value #BASE_DELAY_MS} ms plus
 * {@value #DELAY_PER_UNIT_MS} ms per unit of distance between the nodes' seeded coordinates in the
 * unit square). A message to a node that is down or gone is counted and costs a
 * {@value #TIMEOUT_MS} ms timeout instead of an answer.
 */
public final class SimNetwork implements Transport, LinkCost {
    public static final double BASE_DELAY_MS = 1;
    public static final double DELAY_PER_UNIT_MS = 50;
    public static final double TIMEOUT_MS = 200;

    private final Map<NodeId, RoutingNode> nodes = new HashMap<>();
    private final Map<NodeId, double[]> coordinates = new HashMap<>();
    private final Set<NodeId> down = new HashSet<>();
    private long messages;
    private double delayMs;
    private long publishMessages;

    void add(RoutingNode node, double x, double y) {
        nodes.put(node.id(), node);
        coordinates.put(node.id(), new double[] {x, y});
    }

    void remove(NodeId id) {
        nodes.remove(id);
        down.remove(id);
    }

    void setDown(NodeId id, boolean isDown) {
        if (isDown) {
            down.add(id);
        } else {
            down.remove(id);
        }
    }

    boolean isUp(NodeId id) {
        return nodes.containsKey(id) && !down.contains(id);
    }

    RoutingNode node(NodeId id) {
        return nodes.get(id);
    }

    /** Lookup messages (forwards, replies, root and probe requests and answers) since the start. */
    public long messages() {
        return messages;
    }

    /** The summed modelled delay of those messages. */
    public double delayMs() {
        return delayMs;
    }

    /** Pointer publish messages since the start, counted apart from lookups. */
    public long publishMessages() {
        return publishMessages;
    }

    @Override
    public double cost(NodeId a, NodeId b) {
        double[] p = coordinates.get(a);
        double[] q = coordinates.get(b);
        return BASE_DELAY_MS + DELAY_PER_UNIT_MS * Math.hypot(p[0] - q[0], p[1] - q[1]);
    }

    /** Counts one message from {@code from} to {@code to}; true if {@code to} is up to answer it. */
    private boolean send(NodeId from, NodeId to) {
        messages++;
        if (!isUp(to)) {
            delayMs += TIMEOUT_MS;
            return false;
        }
        delayMs += cost(from, to);
        return true;
    }

    /** Counts the answer to a request {@link #send} delivered. */
    private void answer(NodeId from, NodeId to) {
        messages++;
        delayMs += cost(from, to);
    }

    @Override
    public Optional<HopAnswer> forward(NodeId from, NodeId to, Hash32 guid, Set<NodeId> visited) {
        if (!from.equals(to) && !send(from, to)) {
            return Optional.empty();
        }
        return Optional.of(nodes.get(to).hop(guid, visited));
    }

    @Override
    public Optional<List<NodeId>> pointers(NodeId from, NodeId to, Hash32 guid) {
        if (from.equals(to)) {
            return Optional.of(nodes.get(to).pointers(guid));
        }
        if (!send(from, to)) {
            return Optional.empty();
        }
        answer(to, from);
        return Optional.of(nodes.get(to).pointers(guid));
    }

    @Override
    public Optional<Boolean> probe(NodeId from, NodeId to, Hash32 guid) {
        if (!send(from, to)) {
            return Optional.empty();
        }
        answer(to, from);
        return Optional.of(nodes.get(to).holds(guid));
    }

    @Override
    public boolean publish(NodeId from, NodeId to, Hash32 guid, boolean holds) {
        publishMessages++;
        if (!isUp(to)) {
            return false;
        }
        nodes.get(to).pointer(guid, from, holds);
        return true;
    }

    @Override
    public void reply(NodeId from, NodeId to) {
        answer(from, to);
    }
}
