/**
 * The routing layer over gRPC: {@link ostore.routing.net.RoutingServer} hosts one node behind
 * {@code ostore.routing.v1.Routing}, {@link ostore.routing.net.GrpcTransport} is the
 * {@link ostore.routing.locate.Transport} to the other members, and
 * {@link ostore.routing.net.GossipSigner} signs what changes a node's state. Protobuf types never
 * leave this package. Must never: accept gossip or a pointer not signed by a member's configured
 * key, let a refused message change anything, or make a call without a deadline.
 */
package ostore.routing.net;
