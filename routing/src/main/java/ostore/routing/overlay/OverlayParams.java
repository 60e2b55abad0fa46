package ostore.routing.overlay;

/**
 * The neighbour rule's bounds. A joining node links to {@code joinLinks} members: the nearest with
 * room, and one random member with room (a long link, so the overlay's diameter stays logarithmic
 * rather than growing with the square root of its size). No node ever has more than
 * {@code maxDegree} neighbours; one that falls below {@code minDegree} after a departure links to
 * the nearest member with room.
 */
public record OverlayParams(int joinLinks, int minDegree, int maxDegree) {
    /** More neighbours than this would make each gossip round cost more than the filters save. */
    public static final int MAX_DEGREE_LIMIT = 64;

    public OverlayParams {
        if (joinLinks < 1 || minDegree < 1 || joinLinks > maxDegree || minDegree > maxDegree
                || maxDegree > MAX_DEGREE_LIMIT) {
            throw new IllegalArgumentException("joinLinks (" + joinLinks + ") and minDegree (" + minDegree
                    + ") must be in [1, maxDegree (" + maxDegree + ")], maxDegree at most " + MAX_DEGREE_LIMIT);
        }
    }

    public static OverlayParams defaults() {
        return new OverlayParams(3, 2, 8);
    }
}
