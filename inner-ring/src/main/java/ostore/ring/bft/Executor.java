package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.ring.bft.Message.PrePrepare;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.VersionStore;

/**
 * Runs committed batches against the version store, deterministically, and turns each outcome
 * into a {@link ResultLeaf}. Store positions pack (seqno, index in batch), so replay after a crash
 * knows from the store alone which updates of a batch it already applied.
 */
final class Executor {
    private final VersionStore store;

    Executor(VersionStore store) {
        this.store = store;
    }

    /**
     * @param outcomes per update, what its apply returned here, or null where the outcome was read
     *     back from what an earlier apply recorded ({@link #replay}, {@link #readBack}): a reply is
     *     built from it without reading the store again
     */
    record Executed(List<ResultLeaf> leaves, List<Outcome> outcomes, Hash32 resultsRoot) {
        List<Hash32> leafHashes() {
            return leaves.stream().map(ResultLeaf::hash).toList();
        }
    }

    /**
     * The store position of update {@code index} of batch {@code seqno}, within the batch's color:
     * the store keeps a position per color, so positions of different colors never compare.
     */
    static long storePosition(long seqno, int index) {
        SafetyViolation.check(index >= 0 && index < RingConfig.MAX_BATCH_LIMIT,
                () -> "update " + index + " of batch " + seqno + " is outside 0.." + (RingConfig.MAX_BATCH_LIMIT - 1));
        return seqno * RingConfig.MAX_BATCH_LIMIT + index;
    }

    /** The last store position batch {@code seqno} can take (its updates' positions are below it). */
    static long lastPosition(long seqno) {
        return storePosition(seqno, RingConfig.MAX_BATCH_LIMIT - 1);
    }

    /**
     * True if {@code color}'s store has applied writes of a batch after {@code seqno} (a crash
     * kept them though their records were lost, or they ran before a checkpoint was adopted): its
     * digest is then not the one of the state after {@code seqno}.
     */
    boolean storePast(int color, long seqno) {
        return appliedPosition(color) > lastPosition(seqno);
    }

    /** Makes everything applied durable; a stable checkpoint may then trim the log. */
    void sync() {
        store.sync();
    }

    Hash32 storeDigest(int color) {
        return store.storeDigest(color);
    }

    long uncertifiedCount() {
        return store.uncertifiedCount();
    }

    long appliedPosition(int color) {
        return store.appliedPosition(color);
    }

    /** Applies every update of {@code batch} in order; {@code payloads} must hold each one. */
    Executed execute(PrePrepare batch, Function<Hash32, AuthenticatedUpdate> payloads) {
        List<ResultLeaf> leaves = new ArrayList<>(batch.digests().size());
        List<Outcome> outcomes = new ArrayList<>(batch.digests().size());
        for (int i = 0; i < batch.digests().size(); i++) {
            AuthenticatedUpdate u = payloads.apply(batch.digests().get(i));
            long position = storePosition(batch.seqno(), i);
            Outcome outcome = store.apply(u, batch.timestampMicros(), batch.color(), position);
            leaves.add(leaf(u, outcome, batch.timestampMicros()));
            outcomes.add(outcome);
        }
        return new Executed(leaves, outcomes, root(leaves));
    }

    /**
     * Runs {@code batch} against a store that may have applied some or all of it already: a crash
     * can keep the store's writes (the process died, the page cache did not) yet lose the log's
     * EXECUTED record, or lose unsynced store writes the log still covers. Updates past the
     * store's applied position are applied; the outcomes of the others are read back from what
     * their apply recorded (history by nonce, or the nonce's refusal), so the results, and the
     * results root the ring signs, come out the same either way.
     *
     * @throws IllegalStateException if the store claims an update applied but holds no outcome for it
     */
    Executed replay(PrePrepare batch, Function<Hash32, AuthenticatedUpdate> payloads) {
        long applied = appliedPosition(batch.color());
        if (batch.digests().isEmpty() || storePosition(batch.seqno(), 0) > applied) {
            return execute(batch, payloads);
        }
        List<ResultLeaf> leaves = new ArrayList<>(batch.digests().size());
        List<Outcome> outcomes = new ArrayList<>(batch.digests().size());
        for (int i = 0; i < batch.digests().size(); i++) {
            AuthenticatedUpdate u = payloads.apply(batch.digests().get(i));
            long position = storePosition(batch.seqno(), i);
            if (position > applied) {
                Outcome outcome = store.apply(u, batch.timestampMicros(), batch.color(), position);
                leaves.add(leaf(u, outcome, batch.timestampMicros()));
                outcomes.add(outcome);
            } else {
                leaves.add(recordedLeaf(u, batch, position));
                outcomes.add(null);
            }
        }
        return new Executed(leaves, outcomes, root(leaves));
    }

    /**
     * The outcomes of {@code batch}, which the store applied whole, read back from what it
     * recorded; writes nothing.
     *
     * @throws IllegalStateException if the store has not applied all of the batch
     */
    Executed readBack(PrePrepare batch, Function<Hash32, AuthenticatedUpdate> payloads) {
        long applied = appliedPosition(batch.color());
        long last = storePosition(batch.seqno(), Math.max(0, batch.digests().size() - 1));
        if (last > applied) {
            throw new IllegalStateException("color " + batch.color() + " batch " + batch.seqno() + " ends at store"
                    + " position " + last + ", past the applied " + applied + ": it cannot be read back");
        }
        List<ResultLeaf> leaves = new ArrayList<>(batch.digests().size());
        for (int i = 0; i < batch.digests().size(); i++) {
            leaves.add(recordedLeaf(payloads.apply(batch.digests().get(i)), batch, storePosition(batch.seqno(), i)));
        }
        return new Executed(leaves, java.util.Collections.nCopies(leaves.size(), null), root(leaves));
    }

    private static Hash32 root(List<ResultLeaf> leaves) {
        return MerkleProof.root(leaves.stream().map(ResultLeaf::hash).toList());
    }

    /** The leaf an applied update's outcome gave, rebuilt from what the store recorded. */
    private ResultLeaf recordedLeaf(AuthenticatedUpdate u, PrePrepare batch, long position) {
        Optional<HistoryEntry> entry = store.findByNonce(u.update().aguid(), u.writer(), u.update().nonce());
        if (entry.isPresent() && entry.get().updateDigest().equals(u.digest())) {
            HistoryEntry h = entry.get();
            return h.committed()
                    ? new ResultLeaf(u.digest(), ResultLeaf.COMMITTED, 0, u.update().aguid(), h.seq(),
                            h.vguid().orElseThrow().hash(), h.timestampMicros())
                    : new ResultLeaf(u.digest(), ResultLeaf.ABORTED, 0, u.update().aguid(), h.seq(),
                            ResultLeaf.NO_VGUID, h.timestampMicros());
        }
        // Not in history: its apply refused it, and the store answers the nonce with that refusal.
        Outcome.Rejected refused = store.precheck(u).orElseThrow(() -> new IllegalStateException("color "
                + batch.color() + " batch " + batch.seqno() + ": the store applied position " + position
                + " but records no outcome for update " + u.digest()));
        return leaf(u, refused, batch.timestampMicros());
    }

    /**
     * The signed result of one update. A commit or abort carries the timestamp recorded with it (the
     * version root's, or the history entry's), not the batch's: when an update is ordered a second
     * time (its cached reply was evicted, or the replica restarted) the store returns the first
     * outcome, and its leaf — and so any certificate built from it — must name that version exactly.
     */
    static ResultLeaf leaf(AuthenticatedUpdate u, Outcome outcome, long batchTimestampMicros) {
        return switch (outcome) {
            case Outcome.Committed c -> new ResultLeaf(u.digest(), ResultLeaf.COMMITTED, 0, u.update().aguid(),
                    c.version().root().seq(), c.version().vguid().hash(), c.version().root().timestampMicros());
            case Outcome.Aborted a -> new ResultLeaf(u.digest(), ResultLeaf.ABORTED, 0, u.update().aguid(),
                    a.entry().seq(), ResultLeaf.NO_VGUID, a.entry().timestampMicros());
            case Outcome.Rejected r -> new ResultLeaf(u.digest(), ResultLeaf.REJECTED, r.reason().code(),
                    u.update().aguid(), 0, ResultLeaf.NO_VGUID, batchTimestampMicros);
        };
    }
}
