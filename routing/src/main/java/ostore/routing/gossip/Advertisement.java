package ostore.routing.gossip;

import java.util.Objects;
import ostore.routing.NodeId;
import ostore.routing.filter.AttenuatedFilter;

/**
 * One gossip message: {@code sender} tells its neighbour {@code recipient} what lies through it,
 * as of the sender's gossip round {@code round}. Level 0 is the sender's own filter; level i the
 * union of level i - 1 of what the sender's other neighbours advertised to it (never what the
 * recipient itself advertised, so a node does not hear its own items echoed back one level
 * deeper). Naming the recipient keeps one advertisement from being replayed to another node, and
 * the round lets the recipient refuse a stale one.
 */
public record Advertisement(NodeId sender, NodeId recipient, long round, AttenuatedFilter filter) {
    public Advertisement {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(filter, "filter");
        if (round < 0) {
            throw new IllegalArgumentException("round (" + round + ") must be >= 0");
        }
        if (sender.equals(recipient)) {
            throw new IllegalArgumentException("a node (" + sender + ") does not advertise to itself");
        }
    }
}
