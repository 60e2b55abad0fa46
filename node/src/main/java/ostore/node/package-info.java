/**
 * The ostore server process: {@link ostore.node.Node} wires the version store, the ring and the
 * gRPC service together from a {@link ostore.node.NodeConfig}.
 *
 * <p>Owns: process lifecycle (start, graceful stop), the data directory layout ({@code versions/},
 * {@code log/}) and the listening address. Must never: hold domain logic (the version store and the
 * ring own it) or let protobuf types past the {@code wire}, {@code service} and {@code storage}
 * packages.
 */
package ostore.node;
