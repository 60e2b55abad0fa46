/**
 * Runs an inner-ring {@link ostore.ring.bft.Replica} in a real process: one thread that owns the
 * replica and delivers to it, one at a time, client updates, verified peer frames and timers on
 * the real clock. The network and the client connections stay behind two small interfaces that
 * the node implements with gRPC, so this package has no wire format and no RPC library in it.
 *
 * <p>Must never let a second thread touch the replica, block its thread on the network, or hand
 * it a frame whose signature has not been checked.
 */
package ostore.ring.runtime;
