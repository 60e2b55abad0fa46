package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.ChainedBatch;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.CommitProof;
import ostore.ring.bft.Message.FetchState;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.State;
import ostore.store.AuthenticatedUpdate;

/**
 * Catching up a replica that missed batches, from the log suffix its peers still hold. A peer
 * answers FETCH-STATE with its stable checkpoint (2f+1 signatures), the batches from the asked
 * seqno up to it with their results roots, and the batches committed above it with their commit
 * proofs. The receiver trusts no peer: the batches below the checkpoint must chain from its own
 * state digest to the checkpoint's, and each batch above it needs 2f+1 matching COMMITs, before
 * anything is logged or applied.
 *
 * <p>Peers keep {@link Replica#RETAINED_BELOW_STABLE} batches under their stable checkpoint. A
 * replica whose next batch lies below that at f+1 peers cannot catch up from logs; it needs the
 * version store's state, which this class does not transfer: it reports the color as stranded.
 */
final class StateTransfer {
    private static final System.Logger LOG = System.getLogger(StateTransfer.class.getName());

    private final Replica r;
    private final Executor executor;
    /** Per color, the peers that said they no longer hold this replica's next batch. */
    private final Map<Integer, Set<Integer>> cannotServe = new HashMap<>();

    StateTransfer(Replica r, Executor executor) {
        this.r = r;
        this.executor = executor;
    }

    /** Asks every peer for what follows this replica's last executed batch of {@code lane}. */
    void fetch(Lane lane) {
        r.broadcast(new FetchState(lane.color, lane.executed + 1));
    }

    /** True once f+1 peers said they no longer hold the batches this replica needs next. */
    boolean stranded(int color) {
        return cannotServe.getOrDefault(color, Set.of()).size() >= r.config.weakQuorum();
    }

    // ---- serving ----

    void onFetchState(int from, FetchState m) {
        if (m.color() >= r.lanes.length || from == r.id) {
            return;
        }
        Lane lane = r.lanes[m.color()];
        if (m.fromSeqno() > lane.executed + 1) {
            // The peer executed more than this replica: a replica that slept through its timers learns it here.
            fetch(lane);
        }
        if (lane.behind() || m.fromSeqno() > lane.executed && !hasCommitProof(lane, m.fromSeqno())) {
            return;
        }
        State answer = answer(lane, m.fromSeqno());
        if (answer != null) {
            r.env.send(from, Frames.encode(answer, r.id, r.key()));
        }
    }

    private static boolean hasCommitProof(Lane lane, long seqno) {
        Slot s = lane.slots.get(seqno);
        return s != null && s.commitProof() != null;
    }

    /** What this replica can send from {@code from} on; null if it lacks a payload it should hold. */
    private State answer(Lane lane, long from) {
        long firstRetained = lane.history.isEmpty() ? lane.stable + 1 : Math.min(lane.history.firstKey(), lane.stable + 1);
        List<ChainedBatch> chained = new ArrayList<>();
        Set<Hash32> digests = new LinkedHashSet<>();
        if (from >= firstRetained) {
            for (long n = from; n <= lane.stable; n++) {
                Lane.Executed e = lane.history.get(n);
                chained.add(new ChainedBatch(n, e.batch().timestampMicros(), e.batch().digests(), e.resultsRoot()));
                digests.addAll(e.batch().digests());
            }
        }
        List<CommitProof> committed = new ArrayList<>();
        for (long n = Math.max(from, lane.stable + 1); hasCommitProof(lane, n); n++) {
            CommitProof p = lane.slots.get(n).commitProof();
            committed.add(p);
            digests.addAll(p.prePrepare().message().digests());
        }
        List<byte[]> payloads = new ArrayList<>();
        for (Hash32 d : digests) {
            Replica.Payload p = r.payloads.get(d);
            if (p == null) {
                LOG.log(System.Logger.Level.ERROR, "replica {0}: color {1} keeps a batch ordering {2} without its "
                        + "payload; it cannot serve state", r.id, lane.color, d);
                return null;
            }
            payloads.add(p.signedUpdate());
        }
        return new State(lane.color, lane.stable, lane.stableDigest, lane.stableProof, firstRetained, chained,
                committed, payloads);
    }

    // ---- receiving ----

    void onState(int from, State s) {
        if (s.color() >= r.lanes.length) {
            return;
        }
        Lane lane = r.lanes[s.color()];
        long before = lane.executed;
        if (s.stableSeqno() > lane.stable
                && !NewViewPlan.validCheckpoint(r.config, s.color(), s.stableSeqno(), s.stateDigest(), s.checkpointProof())) {
            return;
        }
        Map<Hash32, Replica.Payload> offered = verifyPayloads(s.payloads());
        if (s.stableSeqno() <= lane.executed) {
            r.checkpointer.adopt(lane, s.stableSeqno(), s.stateDigest(), s.checkpointProof());
        } else {
            if (s.firstRetained() > lane.executed + 1) {
                noteCannotServe(from, lane, s);
                r.checkpointer.adopt(lane, s.stableSeqno(), s.stateDigest(), s.checkpointProof());
                return;
            }
            if (!applyChain(lane, s, offered)) {
                return;
            }
        }
        for (CommitProof p : s.committed()) {
            if (!acceptCommitted(lane, p, offered)) {
                break;
            }
        }
        r.executeReady(lane);
        if (lane.executed > before) {
            cannotServe.remove(lane.color);
            if (lane.behind()) {
                fetch(lane);
            }
        }
    }

    private void noteCannotServe(int from, Lane lane, State s) {
        Set<Integer> peers = cannotServe.computeIfAbsent(lane.color, c -> new HashSet<>());
        if (peers.add(from) && peers.size() == r.config.weakQuorum()) {
            LOG.log(System.Logger.Level.ERROR, "replica {0}: color {1} executed only {2}, but peers keep batches "
                    + "from {3} on (stable {4}): the version store must be restored from a peer's state or the "
                    + "archive before this color can catch up", r.id, lane.color, lane.executed, s.firstRetained(),
                    s.stableSeqno());
        }
    }

    /** The offered payloads whose client signatures verify, by digest; the rest are dropped. */
    private Map<Hash32, Replica.Payload> verifyPayloads(List<byte[]> signedUpdates) {
        Map<Hash32, Replica.Payload> out = new HashMap<>();
        for (byte[] bytes : signedUpdates) {
            try {
                AuthenticatedUpdate u = r.verifierDecode(bytes);
                out.put(u.digest(), new Replica.Payload(bytes, u));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: dropped a transferred payload: {1}", r.id,
                        e.getMessage());
            }
        }
        return out;
    }

    private Replica.Payload payload(Hash32 digest, Map<Hash32, Replica.Payload> offered) {
        Replica.Payload p = r.payloads.get(digest);
        return p != null ? p : offered.get(digest);
    }

    /**
     * Checks that {@code s}'s batches run from this replica's next seqno to the checkpoint and chain
     * from its state to the checkpoint's, then logs and applies them in order.
     */
    private boolean applyChain(Lane lane, State s, Map<Hash32, Replica.Payload> offered) {
        List<ChainedBatch> chained = s.chained();
        if (chained.size() != s.stableSeqno() - lane.executed) {
            return false;
        }
        List<Hash32> states = new ArrayList<>();
        Hash32 state = lane.stateDigest;
        for (int i = 0; i < chained.size(); i++) {
            ChainedBatch b = chained.get(i);
            if (b.seqno() != lane.executed + 1 + i || !b.digests().stream().allMatch(d -> payload(d, offered) != null)) {
                return false;
            }
            state = Lane.chain(state, b.batch(lane.color), b.resultsRoot());
            states.add(state);
        }
        if (!state.equals(s.stateDigest())) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: a transferred chain of color {1} does not reach "
                    + "the checkpoint at {2}; dropped", r.id, lane.color, s.stableSeqno());
            return false;
        }
        if (s.stableSeqno() > lane.stable) {
            lane.makeStable(s.stableSeqno(), s.stateDigest(), s.checkpointProof());
        }
        for (int i = 0; i < chained.size(); i++) {
            applyOne(lane, chained.get(i), states.get(i), offered);
        }
        if (lane.executed == lane.stable) {
            r.checkpointer.caughtUp(lane);
        }
        return true;
    }

    private void applyOne(Lane lane, ChainedBatch b, Hash32 state, Map<Hash32, Replica.Payload> offered) {
        PrePrepare batch = b.batch(lane.color);
        hold(lane, batch, offered);
        r.rlog.append(lane.color, ReplicaLog.batch(batch, b.resultsRoot(), state));
        Executor.Executed done = executor.execute(batch, d -> r.payloads.get(d).update());
        if (!done.resultsRoot().equals(b.resultsRoot())) {
            throw new IllegalStateException("color " + lane.color + " batch " + b.seqno() + " executed to results root "
                    + done.resultsRoot() + ", not the ring's " + b.resultsRoot() + ": execution is not deterministic");
        }
        r.finishBatch(lane, batch, done);
    }

    /** Logs and keeps the payloads {@code batch} orders that this replica does not hold yet. */
    private void hold(Lane lane, PrePrepare batch, Map<Hash32, Replica.Payload> offered) {
        for (Hash32 d : batch.digests()) {
            if (!r.payloads.containsKey(d)) {
                Replica.Payload p = offered.get(d);
                r.rlog.append(lane.color, ReplicaLog.payload(p.signedUpdate()));
                r.payloads.put(d, p);
            }
        }
    }

    /** Commits a batch above the stable checkpoint on the strength of its 2f+1 COMMITs. */
    private boolean acceptCommitted(Lane lane, CommitProof p, Map<Hash32, Replica.Payload> offered) {
        PrePrepare pp = p.prePrepare().message();
        if (!validCommitProof(p, lane.color) || !pp.digests().stream().allMatch(d -> payload(d, offered) != null)) {
            return false;
        }
        if (pp.seqno() <= lane.executed || !lane.inWindow(pp.seqno(), r.config.params().watermarkWindow())) {
            return pp.seqno() <= lane.executed;
        }
        Slot slot = lane.slot(pp.seqno());
        if (!slot.committed()) {
            hold(lane, pp, offered);
            r.rlog.append(lane.color, ReplicaLog.committed(p.prePrepare()));
            slot.commit(p.prePrepare(), p.commits());
        }
        // Only a primary whose key another replica also uses (Twins) can see its own seqno committed under it.
        lane.nextSeqno = Math.max(lane.nextSeqno, pp.seqno() + 1);
        return true;
    }

    private boolean validCommitProof(CommitProof p, int color) {
        PrePrepare pp = p.prePrepare().message();
        if (pp.color() != color || p.prePrepare().sender() != r.config.primary(pp.view())) {
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
        return senders.size() >= r.config.quorum();
    }
}
