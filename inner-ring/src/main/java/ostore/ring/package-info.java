/**
 * The inner ring: a ring of n = 3f+1 replicas (f = 0, a ring of one, is the single node) orders
 * submitted updates and executes them, per color in sequence order, against each replica's version
 * store, so every correct replica reaches the same state. The replica core is {@code
 * ostore.ring.bft}; its driver in a real process, {@code ostore.ring.runtime}; the shared log each
 * replica writes its records to, {@code ostore.ring.log}.
 *
 * <p>A replica must never execute an update that is not durable in its log, never execute out of
 * order, never parse wire formats (the node's decoder does), and never go on after an execution
 * failed: a replica that cannot execute deterministically must stop.
 */
package ostore.ring;
