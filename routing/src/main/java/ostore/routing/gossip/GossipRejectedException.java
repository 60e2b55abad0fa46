package ostore.routing.gossip;

import java.util.Objects;

/**
 * A gossip message a node refused. The node's state is exactly as before the message; the
 * {@link Reason} lets a transport count refusals by cause and the message names the sender and
 * the rule broken, for the log line.
 */
public final class GossipRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why; stable codes for logs and metrics. */
    public enum Reason {
        /** Not a valid message of the overlay's format, shape or depth. */
        MALFORMED,
        /** The sender is not in the membership this node knows. */
        NOT_A_MEMBER,
        /** The sender is a member but not one of this node's neighbours. */
        NOT_A_NEIGHBOUR,
        /** The message names another node as its recipient. */
        WRONG_RECIPIENT,
        /** The sender already advertised a round at least as recent. */
        STALE
    }

    private final Reason reason;

    public GossipRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public GossipRejectedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
