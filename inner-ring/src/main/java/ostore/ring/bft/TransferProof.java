package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.ChainedBatch;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.CommitProof;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.State;

/**
 * What a catching-up replica accepts from a peer's STATE page, and why: it trusts no peer, so a
 * batch is run only once its place in the color's order is proven. Below the page's stable
 * checkpoint (itself proven by 2f+1 signatures, {@link NewViewPlan#validCheckpoint}) the full
 * batches and the bare links must chain from the replica's own state digest to the checkpoint's
 * ({@link StateChain}); above it, each batch needs 2f+1 matching COMMITs under the primary's
 * pre-prepare. Pure checks: they read the lane and change nothing ({@link StateTransfer} acts on
 * what they prove).
 */
final class TransferProof {
    private static final System.Logger LOG = System.getLogger(TransferProof.class.getName());

    private TransferProof() {}

    /** A batch whose place in the color's order is proven, waiting for its payloads to run. */
    sealed interface Verified {
        PrePrepare batch();
    }

    /** Below a stable checkpoint: its chain step leads to {@code state}. */
    record Chained(PrePrepare batch, Hash32 resultsRoot, Hash32 state) implements Verified {}

    /** Above the stable checkpoint: 2f+1 COMMITs. */
    record Committed(CommitProof proof) implements Verified {
        @Override
        public PrePrepare batch() {
            return proof.prePrepare().message();
        }
    }

    /**
     * The full batches of {@code s}, if its full batches and links run from {@code lane}'s next
     * seqno to the checkpoint and chain from its state to the checkpoint's; else null.
     */
    static List<Chained> chain(int replica, Lane lane, State s) {
        if (s.chained().size() + s.links().size() != s.stableSeqno() - lane.executed()) {
            return null;
        }
        List<Chained> full = new ArrayList<>();
        Hash32 state = lane.stateDigest();
        long n = lane.executed() + 1;
        for (ChainedBatch b : s.chained()) {
            if (b.seqno() != n++) {
                return null;
            }
            PrePrepare batch = b.batch(lane.color);
            state = StateChain.chain(state, batch, b.resultsRoot());
            full.add(new Chained(batch, b.resultsRoot(), state));
        }
        for (Message.ChainLink link : s.links()) {
            state = StateChain.chain(state, lane.color, n++, link.batchDigest(), link.resultsRoot());
        }
        if (!state.equals(s.stateDigest())) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: a transferred chain of color {1} does not reach "
                    + "the checkpoint at {2}; dropped", replica, lane.color, s.stableSeqno());
            return null;
        }
        return full;
    }

    /**
     * The commit proofs of {@code proofs} that continue seqno {@code next} without a gap, inside
     * {@code lane}'s window, each valid ({@link #validCommitProof}); the run stops at the first that is not.
     */
    static List<Committed> committed(RingConfig config, Lane lane, List<CommitProof> proofs, long next) {
        List<Committed> out = new ArrayList<>();
        for (CommitProof p : proofs) {
            long seqno = p.prePrepare().message().seqno();
            if (seqno < next) {
                continue;
            }
            if (seqno != next || !validCommitProof(config, p, lane.color) || !lane.inWindow(seqno)) {
                break;
            }
            out.add(new Committed(p));
            next++;
        }
        return out;
    }

    /** Whether {@code p} holds the view's primary's pre-prepare and 2f+1 COMMITs for it from distinct replicas. */
    static boolean validCommitProof(RingConfig config, CommitProof p, int color) {
        PrePrepare pp = p.prePrepare().message();
        if (pp.color() != color || p.prePrepare().sender() != config.primary(pp.view())) {
            return false;
        }
        Hash32 digest = pp.batchDigest();
        Set<Integer> senders = new HashSet<>();
        for (Signed<Commit> c : p.commits()) {
            Commit m = c.message();
            if (m.view() != pp.view() || m.color() != color || m.seqno() != pp.seqno() || !m.batchDigest().equals(digest)) {
                return false;
            }
            senders.add(c.sender());
        }
        return senders.size() >= config.quorum();
    }
}
