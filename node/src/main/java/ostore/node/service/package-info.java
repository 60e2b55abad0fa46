/**
 * The gRPC {@code ostore.v1.ObjectStore} service: admits updates into the ring and serves reads,
 * history and watches from the version store, with flow control on every server stream.
 *
 * <p>Owns: the mapping of every failure to a gRPC status and message, and the wire form of replies.
 * Must never: apply an update itself (only the ring executes), send a stack trace to a client, or
 * buffer a whole large version in memory.
 */
package ostore.node.service;
