package ostore.routing.overlay;

import ostore.routing.NodeId;

/**
 * How far apart two nodes are (milliseconds of round trip, or any consistent measure). The overlay
 * prefers near neighbours, so filters summarize what is close and a Bloom hit is a cheap fetch.
 * The simulator derives it from seeded coordinates; a deployment would measure it.
 */
@FunctionalInterface
public interface LinkCost {
    double cost(NodeId a, NodeId b);
}
