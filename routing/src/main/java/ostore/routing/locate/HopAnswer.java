package ostore.routing.locate;

import java.util.List;
import java.util.Objects;
import ostore.routing.NodeId;

/**
 * What a node says when a query reaches it: whether its own filter matched, whether it really
 * holds the GUID (the probe), and its neighbours whose attenuated filters match, most promising
 * (lowest level) first.
 *
 * @param filtersConsulted its own filter plus every neighbour level read
 */
public record HopAnswer(boolean ownFilterHit, boolean holds, int filtersConsulted, List<Candidate> candidates) {
    public HopAnswer {
        candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
        if (holds && !ownFilterHit) {
            throw new IllegalArgumentException("a node holding the GUID must match it in its own filter");
        }
    }

    /** A neighbour whose filter matched first at {@code level} (0: the neighbour itself). */
    public record Candidate(NodeId node, int level) {
        public Candidate {
            Objects.requireNonNull(node, "node");
        }
    }
}
