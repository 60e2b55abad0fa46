package ostore.ring.bft;

/**
 * A replica timer: what it is for and, where there is one per color or per request, which.
 * Equal keys name the same timer, so re-arming one replaces it.
 */
public record TimerKey(Kind kind, long discriminator) {
    public enum Kind {
        /** The primary's bounded wait before it closes a batch (discriminator: color). */
        BATCH,
        /** A backup waiting too long for a request to be ordered suspects the primary. */
        VIEW_CHANGE,
        /** Waiting for NEW-VIEW after voting for a view change (discriminator: the view). */
        NEW_VIEW,
        /** Re-asking peers for payloads or state that did not arrive (discriminator: color). */
        FETCH,
        /** Periodic retransmission of this replica's latest protocol messages. */
        RETRANSMIT
    }

    public TimerKey {
        java.util.Objects.requireNonNull(kind, "kind");
    }
}
