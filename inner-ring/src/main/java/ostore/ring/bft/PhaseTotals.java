package ostore.ring.bft;

/**
 * Where a replica's time went for the updates it executed, summed since it started: the phase
 * breakdown of Pond's table (check, serialize/order, apply, archive, sign), from this replica's
 * side. Check (the client signature, at the edge) and archive (queued behind the update path) are
 * measured outside the core. Informational only: the figures come from the replica's own clock and
 * never influence what it does.
 *
 * @param updates updates executed
 * @param batches batches executed
 * @param orderMicros summed over updates: from the update's arrival at this replica to the start
 *     of its batch's execution (agreement, logging, batching and waiting for earlier batches)
 * @param applyNanos summed over batches: running the batch against the version store
 * @param signNanos summed over batches: signing the batch's results, encoding and handing out the replies
 */
public record PhaseTotals(long updates, long batches, long orderMicros, long applyNanos, long signNanos) {
    public static final PhaseTotals ZERO = new PhaseTotals(0, 0, 0, 0, 0);

    PhaseTotals plus(long updates, long orderMicros, long applyNanos, long signNanos) {
        return new PhaseTotals(this.updates + updates, batches + 1, this.orderMicros + orderMicros,
                this.applyNanos + applyNanos, this.signNanos + signNanos);
    }
}
