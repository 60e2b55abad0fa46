package ostore.routing.locate;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;

/**
 * The messages location needs, one method each, so the same {@link Locator} and
 * {@link PointerPublisher} run over the in-process simulator and over gRPC
 * ({@code ostore.routing.net.GrpcTransport}). Every method returns empty when {@code to} cannot
 * be reached (down, partitioned, too slow); a call from a node to itself is local and sends nothing.
 */
public interface Transport {
    /** Forwards a query for {@code guid} to {@code to}, which answers from its own state. */
    Optional<HopAnswer> forward(NodeId from, NodeId to, Hash32 guid, Set<NodeId> visited);

    /** Asks root {@code to} for the holders it has pointers to. */
    Optional<List<NodeId>> pointers(NodeId from, NodeId to, Hash32 guid);

    /** Asks {@code to} whether it holds {@code guid}. */
    Optional<Boolean> probe(NodeId from, NodeId to, Hash32 guid);

    /** Tells root {@code to} that {@code from} holds {@code guid} (or no longer does); true if delivered. */
    boolean publish(NodeId from, NodeId to, Hash32 guid, boolean holds);

    /** The one-message answer a holder sends the origin at the end of the Bloom path. */
    void reply(NodeId from, NodeId to);
}
