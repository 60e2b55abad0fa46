package ostore.routing.locate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.overlay.Membership;

/**
 * {@code locate(guid)}: the Bloom path first, then the deterministic fallback.
 *
 * <p>Bloom path: the origin checks its own filter (and on a hit its inventory), then its
 * neighbours' attenuated filters level by level, and forwards to the neighbour whose filter
 * matches at the lowest level; that node does the same, never revisiting a node, for at most
 * {@link RoutingParams#hopLimit()} forwards. Each forward is also the probe: the receiver checks
 * its inventory on a hit of its own filter, so a false positive is seen there and the query moves
 * on. A neighbour found down is passed over for the next candidate.
 *
 * <p>Fallback: the GUID's rendezvous ranking over the membership ({@link Rendezvous}); roots are
 * asked in rank order, down ones skipped, at most {@link RoutingParams#fallbackRanks()}, and each
 * holder they point to is probed until one confirms. Any holder that published under the same
 * rule ({@link PointerPublisher}) is found while one of its roots is up, whatever the filters say.
 *
 * <p>Forwarding is recursive in the protocol (each node forwards the query itself); the loop runs
 * here so one call drives it, and each step is one {@link Transport#forward} from the node the
 * query is at.
 */
public final class Locator {
    private final RoutingParams params;
    private final Transport transport;

    public Locator(RoutingParams params, Transport transport) {
        this.params = Objects.requireNonNull(params, "params");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** Finds a holder of {@code guid} for {@code origin}, a member of {@code membership}. */
    public Route locate(NodeId origin, Hash32 guid, Membership membership) {
        if (!membership.contains(origin)) {
            throw new IllegalArgumentException("origin " + origin + " is not a member at epoch " + membership.epoch());
        }
        Walk walk = new Walk(origin, guid);
        walk.bloomPath();
        if (walk.holder != null) {
            if (!walk.holder.equals(origin)) {
                transport.reply(walk.holder, origin);
                walk.messages++;
            }
            return walk.route(false);
        }
        walk.fallback(membership);
        return walk.route(true);
    }

    /** The state of one lookup; every loop in it is bounded by a parameter or the membership. */
    private final class Walk {
        private final NodeId origin;
        private final Hash32 guid;
        private final Set<NodeId> visited = new HashSet<>();
        private final List<NodeId> path = new ArrayList<>();
        private NodeId holder;
        private int hops;
        private int messages;
        private int filters;
        private int falsePositives;
        private int rootsAsked;

        Walk(NodeId origin, Hash32 guid) {
            this.origin = origin;
            this.guid = guid;
        }

        void bloomPath() {
            NodeId at = origin;
            visited.add(at);
            path.add(at);
            HopAnswer answer = transport.forward(origin, origin, guid, Set.copyOf(visited))
                    .orElseThrow(() -> new IllegalStateException("origin " + origin + " cannot reach itself"));
            while (true) {
                filters += answer.filtersConsulted();
                if (answer.holds()) {
                    holder = at;
                    return;
                }
                if (answer.ownFilterHit()) {
                    falsePositives++;
                }
                if (hops == params.hopLimit()) {
                    return;
                }
                Optional<Next> next = forwardFrom(at, answer);
                if (next.isEmpty()) {
                    return;
                }
                at = next.get().node;
                answer = next.get().answer;
                hops++;
                path.add(at);
            }
        }

        private record Next(NodeId node, HopAnswer answer) {}

        private Optional<Next> forwardFrom(NodeId at, HopAnswer answer) {
            for (HopAnswer.Candidate c : answer.candidates()) {
                if (!visited.add(c.node())) {
                    continue;
                }
                messages++;
                Optional<HopAnswer> reached = transport.forward(at, c.node(), guid, Set.copyOf(visited));
                if (reached.isPresent()) {
                    return Optional.of(new Next(c.node(), reached.get()));
                }
            }
            return Optional.empty();
        }

        void fallback(Membership membership) {
            Set<NodeId> probed = new HashSet<>(visited);
            for (NodeId root : Rendezvous.rank(guid, membership.members(), params.fallbackRanks())) {
                Optional<List<NodeId>> holders = ask(root);
                if (holders.isEmpty()) {
                    continue;
                }
                rootsAsked++;
                for (NodeId h : holders.get()) {
                    if (membership.contains(h) && probed.add(h) && probe(h)) {
                        holder = h;
                        return;
                    }
                }
            }
        }

        private Optional<List<NodeId>> ask(NodeId root) {
            boolean remote = !root.equals(origin);
            if (remote) {
                messages++;
            }
            Optional<List<NodeId>> holders = transport.pointers(origin, root, guid);
            if (remote && holders.isPresent()) {
                messages++;
            }
            return holders;
        }

        private boolean probe(NodeId h) {
            messages++;
            Optional<Boolean> held = transport.probe(origin, h, guid);
            if (held.isPresent()) {
                messages++;
            }
            return held.orElse(false);
        }

        Route route(boolean usedFallback) {
            return new Route(guid, origin, holder, path, hops, messages, filters, falsePositives, usedFallback,
                    rootsAsked);
        }
    }
}
