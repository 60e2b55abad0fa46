/**
 * The shared log: totally ordered records per color (a group of objects that need a mutual order),
 * durable before an append returns, readable and subscribable by position, trimmed after a
 * checkpoint. Two stores implement it behind {@link ostore.ring.log.LogStore}: llpl over
 * libpmemobj (persistent memory, or a regular file synced with fdatasync) and a pure-Java segment
 * file store for machines without libpmemobj. {@link ostore.ring.log.GroupCommitter} batches
 * concurrent appends so a batch costs one flush.
 *
 * <p>This package owns log positions and the on-media formats of both stores. It must never
 * interpret record payloads (they are opaque bytes to it), never hand out a record it could not
 * verify, and never serve a position below a color's trim point.
 */
package ostore.ring.log;
