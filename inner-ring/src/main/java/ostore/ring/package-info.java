/**
 * The inner ring: it orders submitted updates through the shared log ({@code ostore.ring.log}) and
 * executes them, in log order and on one thread, against the version store, so every replica
 * reaches the same state. {@link ostore.ring.LocalRing} is the single-replica ring; the BFT ring
 * implements the same {@link ostore.ring.Ring} for n = 3f+1.
 *
 * <p>It must never execute an update that is not durable in the log, never execute out of log
 * order, never parse wire formats (the node's {@link ostore.ring.RecordDecoder} does), and never go
 * on after an execution failed: a replica that cannot execute deterministically must stop.
 */
package ostore.ring;
