package ostore.ring.bft;

import java.util.ArrayDeque;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.PrePrepare;

/**
 * One color's proposal cursor: where the primary proposes next, the digests waiting for a batch,
 * the NEW-VIEW's re-proposals it may not propose over, and the timestamps batches may not go back
 * before. Part of a {@link Lane} (which alone checks proposals against the watermark window and
 * moves the cursor when a view starts); every field is private and changes only through the
 * transitions below.
 */
final class Proposals {
    private final int color;
    /** The primary's digests not yet in a batch, in arrival order. */
    private final ArrayDeque<Hash32> queue = new ArrayDeque<>();
    private long nextSeqno = 1;
    /**
     * The highest seqno of this color that the NEW-VIEW starting the current view re-proposed (0
     * if none): up to it, pre-prepares of this view come only from that NEW-VIEW.
     */
    private long newViewTop;
    private long lastProposedTimestamp = Long.MIN_VALUE;
    private boolean batchTimerArmed;

    Proposals(int color) {
        this.color = color;
    }

    long nextSeqno() {
        return nextSeqno;
    }

    long newViewTop() {
        return newViewTop;
    }

    long lastProposedTimestamp() {
        return lastProposedTimestamp;
    }

    int queued() {
        return queue.size();
    }

    /** Proposals start above {@code seqno}: it is settled, or ordered already. */
    void proposeAbove(long seqno) {
        nextSeqno = Math.max(nextSeqno, seqno + 1);
    }

    /** Takes the next seqno for a batch stamped {@code timestampMicros}, which may not go back in time. */
    long take(long timestampMicros) {
        SafetyViolation.check(timestampMicros >= lastProposedTimestamp, () -> "a proposal stamped "
                + timestampMicros + " before the last one, " + lastProposedTimestamp);
        lastProposedTimestamp = timestampMicros;
        return nextSeqno++;
    }

    /** A batch stamped {@code timestampMicros} was proposed before (by this or an earlier primary). */
    void proposedBefore(long timestampMicros) {
        lastProposedTimestamp = Math.max(lastProposedTimestamp, timestampMicros);
    }

    /** The NEW-VIEW that started the current view re-proposed {@code batch}. */
    void reproposed(PrePrepare batch) {
        SafetyViolation.check(batch.color() == color, () -> "a re-proposal of color " + batch.color()
                + " in color " + color);
        proposeAbove(batch.seqno());
        newViewTop = Math.max(newViewTop, batch.seqno());
        proposedBefore(batch.timestampMicros());
    }

    /** A view began: nothing is queued, nothing re-proposed yet, and proposals restart right above {@code settled}. */
    void restartAbove(long settled) {
        nextSeqno = settled + 1;
        newViewTop = 0;
        queue.clear();
    }

    void enqueue(Hash32 digest) {
        queue.add(digest);
    }

    /** The oldest queued digest, taken off the queue, or null. */
    Hash32 pollQueued() {
        return queue.poll();
    }

    /** A view change began: the queue was the old primary's. */
    void clearQueue() {
        queue.clear();
    }

    /** Marks the batch timer armed; false if it was already. */
    boolean armBatchTimer() {
        if (batchTimerArmed) {
            return false;
        }
        batchTimerArmed = true;
        return true;
    }

    void batchTimerFired() {
        batchTimerArmed = false;
    }

    /** The next proposal lies above the NEW-VIEW's re-proposals. */
    void invariants() {
        SafetyViolation.check(newViewTop < nextSeqno, () -> "color " + color + " would propose at " + nextSeqno
                + ", at or below the NEW-VIEW's re-proposal " + newViewTop);
    }
}
