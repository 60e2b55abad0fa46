package ostore.node.wire;

import java.util.Objects;

/**
 * A request the edge cannot accept as it stands: its bytes do not parse, a field has the
 * wrong shape, or the signature does not verify. The message is {@code "<field path>: <problem>"}
 * so a client sees exactly which part of its request to fix.
 */
public final class BadRequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final boolean unauthenticated;

    public BadRequestException(String field, String problem) {
        this(field, problem, false);
    }

    private BadRequestException(String field, String problem, boolean unauthenticated) {
        super(Objects.requireNonNull(field, "field") + ": " + Objects.requireNonNull(problem, "problem"));
        this.field = field;
        this.unauthenticated = unauthenticated;
    }

    /** A well-formed update whose signature does not verify under the key it names. */
    static BadRequestException badSignature(String problem) {
        return new BadRequestException("signature", problem, true);
    }

    /** The path of the offending field, e.g. {@code clauses[1].predicate}. */
    public String field() {
        return field;
    }

    /** True when the update is well formed but not signed by the key it names. */
    public boolean unauthenticated() {
        return unauthenticated;
    }
}
