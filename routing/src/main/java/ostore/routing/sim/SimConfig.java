package ostore.routing.sim;

import java.util.Objects;
import ostore.routing.locate.RoutingParams;
import ostore.routing.overlay.OverlayParams;

/**
 * One simulated deployment: {@code nodes} nodes with seeded coordinates, and
 * {@code nodes × itemsPerNode / copies} GUIDs, each stored on {@code copies} distinct random nodes.
 * The same config and seed give the same run, message for message.
 */
public record SimConfig(long seed, int nodes, int itemsPerNode, int copies, RoutingParams routing,
        OverlayParams overlay) {
    public SimConfig {
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(overlay, "overlay");
        if (nodes < 2 || nodes > 100_000) {
            throw new IllegalArgumentException("nodes (" + nodes + ") must be in [2, 100000]");
        }
        if (itemsPerNode < 1 || copies < 1 || copies > nodes) {
            throw new IllegalArgumentException("itemsPerNode (" + itemsPerNode + ") must be >= 1 and copies ("
                    + copies + ") in [1, nodes]");
        }
    }

    /**
     * The figures the tests and the benchmark use: 16 GUIDs per node, 3 copies each, filters sized
     * for 512 GUIDs (a level-2 view through a neighbour of degree 8 summarizes up to 49 nodes),
     * default overlay and routing parameters.
     */
    public static SimConfig standard(long seed, int nodes) {
        return new SimConfig(seed, nodes, 16, 3, RoutingParams.defaults(512), OverlayParams.defaults());
    }

    public int itemCount() {
        return Math.max(1, nodes * itemsPerNode / copies);
    }
}
