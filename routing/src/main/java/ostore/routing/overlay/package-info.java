/**
 * The overlay: configured membership and a bounded-degree neighbour graph that follows joins and
 * departures. Must never: let a node exceed its maximum degree, or depend on hash-map order.
 */
package ostore.routing.overlay;
