package ostore.routing.locate;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;

/**
 * How one lookup went, for the caller and for {@code ostore locate}: where the GUID was found (if
 * anywhere), the overlay path the query took, and what it cost.
 *
 * @param holder the node that confirmed holding the GUID, or null
 * @param path the nodes the query visited on the Bloom path, origin first
 * @param hops overlay forwards on the Bloom path (0: the origin holds it)
 * @param messages every message sent: forwards (also to nodes found down), the reply to the
 *     origin, and on the fallback each request and reply to a root or a holder
 * @param filtersConsulted Bloom filters read, own and neighbours' levels, on every node visited
 * @param falsePositives filter hits a probe showed were not held (a node's own filter matched,
 *     the node did not hold it)
 * @param usedFallback the filters did not lead to a holder and rendezvous roots were asked
 * @param rootsAsked roots that answered on the fallback
 */
public record Route(Hash32 guid, NodeId origin, NodeId holder, List<NodeId> path, int hops, int messages,
        int filtersConsulted, int falsePositives, boolean usedFallback, int rootsAsked) {
    public Route {
        Objects.requireNonNull(guid, "guid");
        Objects.requireNonNull(origin, "origin");
        path = List.copyOf(path);
    }

    public Optional<NodeId> found() {
        return Optional.ofNullable(holder);
    }

    /** Found by following the filters within {@code maxHops} hops, without the fallback. */
    public boolean bloomWithin(int maxHops) {
        return holder != null && !usedFallback && hops <= maxHops;
    }
}
