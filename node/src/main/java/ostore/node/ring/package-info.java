/**
 * A ring replica as a server process: the gRPC transport between replicas (frames as opaque bytes,
 * verified before they are queued for the replica), the ring status service, forwarding of updates
 * that reached only this replica, the ring configuration's conversion to the core's
 * {@code RingConfig}, and {@link ostore.node.ring.EmbeddedRing}, the 3f+1 replicas in one process
 * that {@code ostore up} and the tests run.
 *
 * <p>Must never decide protocol outcomes (the core does) or trust a peer's status answers for
 * anything but display.
 */
package ostore.node.ring;
