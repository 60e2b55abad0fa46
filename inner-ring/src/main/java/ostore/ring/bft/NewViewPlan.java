package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.ColorState;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
import ostore.ring.bft.Message.PreparedProof;
import ostore.ring.bft.Message.ViewChange;

/**
 * What a set of 2f+1 VIEW-CHANGEs implies for the new view, computed the same way by the new
 * primary and by every backup checking its NEW-VIEW: per color, the highest stable checkpoint,
 * and for each seqno above it up to the highest prepared one, the batch prepared in the highest
 * view, else a no-op. Also the checks that make a VIEW-CHANGE's proofs acceptable.
 */
final class NewViewPlan {
    /** The checkpoint a color starts the new view from. */
    record Start(int color, long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {}

    final List<Start> starts = new ArrayList<>();
    final List<PrePrepare> prePrepares = new ArrayList<>();

    static NewViewPlan compute(RingConfig config, long view, List<Signed<ViewChange>> viewChanges) {
        NewViewPlan plan = new NewViewPlan();
        for (int color = 0; color < config.colors(); color++) {
            ColorState start = null;
            TreeMap<Long, PrePrepare> best = new TreeMap<>();
            for (Signed<ViewChange> vc : viewChanges) {
                ColorState cs = vc.message().colors().get(color);
                if (start == null || cs.stableSeqno() > start.stableSeqno()) {
                    start = cs;
                }
                for (PreparedProof p : cs.prepared()) {
                    PrePrepare pp = p.prePrepare().message();
                    PrePrepare seen = best.get(pp.seqno());
                    if (seen == null || seen.view() < pp.view()) {
                        best.put(pp.seqno(), pp);
                    }
                }
            }
            int planned = color;
            SafetyViolation.check(start != null, () -> "a NEW-VIEW plan with no VIEW-CHANGE for color " + planned);
            plan.starts.add(new Start(color, start.stableSeqno(), start.stateDigest(), start.checkpointProof()));
            long last = best.isEmpty() ? start.stableSeqno() : Math.max(start.stableSeqno(), best.lastKey());
            for (long n = start.stableSeqno() + 1; n <= last; n++) {
                PrePrepare pp = best.get(n);
                plan.prePrepares.add(pp == null ? new PrePrepare(view, color, n, 0, List.of())
                        : new PrePrepare(view, color, n, pp.timestampMicros(), pp.digests()));
            }
        }
        return plan;
    }

    /** True if every proof in {@code vc} holds up; a faulty replica's VIEW-CHANGE is dropped. */
    static boolean valid(RingConfig config, Signed<ViewChange> vc) {
        ViewChange m = vc.message();
        if (m.colors().size() != config.colors()) {
            return false;
        }
        for (int color = 0; color < config.colors(); color++) {
            ColorState cs = m.colors().get(color);
            if (cs.color() != color
                    || !validCheckpoint(config, color, cs.stableSeqno(), cs.stateDigest(), cs.checkpointProof())
                    || !validPrepared(config, m.newView(), cs)) {
                return false;
            }
        }
        return true;
    }

    /**
     * True if {@code proof} holds 2f+1 distinct replicas' CHECKPOINTs for exactly this (color,
     * seqno, digest), all with the same store digest.
     */
    static boolean validCheckpoint(RingConfig config, int color, long seqno, Hash32 digest,
            List<Signed<Checkpoint>> proof) {
        if (seqno == 0) {
            return digest.equals(Lane.ZERO) && proof.isEmpty();
        }
        Set<Integer> senders = new HashSet<>();
        for (Signed<Checkpoint> c : proof) {
            Checkpoint m = c.message();
            if (m.color() != color || m.seqno() != seqno || !m.stateDigest().equals(digest)
                    || !m.storeDigest().equals(proof.getFirst().message().storeDigest())) {
                return false;
            }
            senders.add(c.sender());
        }
        return senders.size() >= config.quorum();
    }

    private static boolean validPrepared(RingConfig config, long newView, ColorState cs) {
        Set<Long> seqnos = new HashSet<>();
        for (PreparedProof p : cs.prepared()) {
            PrePrepare pp = p.prePrepare().message();
            int primary = config.primary(pp.view());
            boolean inWindow = pp.seqno() > cs.stableSeqno()
                    && pp.seqno() <= cs.stableSeqno() + config.params().watermarkWindow();
            if (pp.view() >= newView || p.prePrepare().sender() != primary || pp.color() != cs.color() || !inWindow
                    || !seqnos.add(pp.seqno())) {
                return false;
            }
            Set<Integer> senders = new HashSet<>();
            for (Signed<Prepare> s : p.prepares()) {
                Prepare v = s.message();
                if (s.sender() == primary || v.view() != pp.view() || v.color() != pp.color() || v.seqno() != pp.seqno()
                        || !v.batchDigest().equals(pp.batchDigest())) {
                    return false;
                }
                senders.add(s.sender());
            }
            if (senders.size() < 2 * config.f()) {
                return false;
            }
        }
        return true;
    }
}
