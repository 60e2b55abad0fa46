package ostore.store;

import java.util.Objects;

/**
 * An update that breaks a state-free rule (a limit, a malformed field, a bad creation). The
 * message names the field path and the limit, e.g. {@code clauses (65) exceeds the maximum of 64};
 * the edge turns it into a gRPC status and the store into {@link Outcome.Rejected}.
 */
public final class InvalidUpdateException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final Outcome.Rejection reason;

    public InvalidUpdateException(String field, Outcome.Rejection reason, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.field = Objects.requireNonNull(field, "field");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The path of the offending field, e.g. {@code clauses[2].actions[0].replace_block.data}. */
    public String field() {
        return field;
    }

    /** The rejection the store records for this update. */
    public Outcome.Rejection reason() {
        return reason;
    }

    /** The same problem as a store outcome. */
    public Outcome.Rejected toRejected() {
        return new Outcome.Rejected(reason, getMessage());
    }
}
