/**
 * Location: a node's state ({@link ostore.routing.locate.RoutingNode}), the lookup
 * ({@link ostore.routing.locate.Locator}) with its Bloom path and rendezvous fallback, the
 * holders' pointer publishing, and the {@link ostore.routing.locate.Transport} seam the simulator
 * and a gRPC service implement. Must never: report a holder that did not confirm holding the GUID,
 * or loop without a bound (hop limit, rank limit, membership size).
 */
package ostore.routing.locate;
