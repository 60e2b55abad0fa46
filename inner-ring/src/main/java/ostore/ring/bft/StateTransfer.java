package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.CommitProof;
import ostore.ring.bft.Message.FetchPayloads;
import ostore.ring.bft.Message.FetchState;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.State;
import ostore.ring.bft.TransferProof.Chained;
import ostore.ring.bft.TransferProof.Committed;
import ostore.ring.bft.TransferProof.Verified;
import ostore.store.AuthenticatedUpdate;

/**
 * Catching up a replica that missed batches, from the log suffix its peers still hold. A peer
 * answers FETCH-STATE with a page ({@link StateServer}): its stable checkpoint (2f+1 signatures),
 * batches from the asked seqno on with their results roots, in full as far as the page has room
 * and as bare links after that, the batches committed above the checkpoint with their commit
 * proofs, and payloads as far as they fit. The receiver trusts no peer: the full batches and the
 * links must chain from its own state digest to the checkpoint's, and each batch above it needs
 * 2f+1 matching COMMITs, before anything is logged or applied ({@link TransferProof}). Batches so
 * verified wait in {@link #verified} until their payloads are held (fetched with FETCH-PAYLOADS
 * when the page had no room for them), run in order, and then the replica asks the same peer for
 * the next page.
 *
 * <p>Peers keep {@link RingConfig.Params#retainedBelowStable()} batches under their stable checkpoint. A
 * replica whose next batch lies below that at f+1 peers cannot catch up from logs: the color is
 * stranded, and {@link SnapshotTransfer} installs a peer's version store state at its stable
 * checkpoint; this class then carries on from there.
 */
final class StateTransfer {
    private static final System.Logger LOG = System.getLogger(StateTransfer.class.getName());
    /** Digests asked for in one FETCH-PAYLOADS (32 bytes each). */
    static final int FETCH_DIGESTS_MAX = 4096;

    private final Replica r;
    private final StateServer server;
    /** Per color, the peers that said they no longer hold this replica's next batch. */
    private final Map<Integer, Set<Integer>> cannotServe = new HashMap<>();
    /** Per color, verified batches from its next seqno on, in order, not yet run. */
    private final Map<Integer, ArrayDeque<Verified>> verified = new HashMap<>();
    /** Colors whose latest verified committed batch is executing: when it is done, the next page is asked for. */
    private final Set<Integer> handedOff = new HashSet<>();
    /** Per color, the peer whose page {@link #verified} came from: asked for payloads and the next page. */
    private final Map<Integer, Integer> source = new HashMap<>();
    /**
     * Per color, the verified batch below the stable checkpoint whose BATCH record is appended and
     * may not be durable yet (seqno and log tag): it runs once the record is ({@link #durable}).
     */
    private final Map<Integer, long[]> logging = new HashMap<>();
    /** Colors one of whose fetched payloads the log had no room for since the last round ({@link #fetch}). */
    private final Set<Integer> refusedForRoom = new HashSet<>();

    StateTransfer(Replica r, int pageBytes) {
        this.r = r;
        this.server = new StateServer(r, pageBytes);
    }

    /**
     * Asks every peer for what follows this replica's last executed batch of {@code lane}, and
     * for the payloads its verified batches still lack.
     */
    void fetch(Lane lane) {
        if (lane.executed() < lane.stable()) {
            // Peers that executed as far but missed votes may not know this checkpoint is stable,
            // and only a peer that does can send the batches up to it: pass its 2f+1 votes on (a
            // vote's signer has it; one sent back to it is dropped there as a replay).
            lane.stableProof().forEach(v -> r.relayFrame(v.frameUnsafe(), v.sender()));
        }
        if (r.snapshotTransfer.active(lane.color) || stranded(lane.color)) {
            r.snapshotTransfer.pursue(lane);
            return;
        }
        boolean refused = refusedForRoom.remove(lane.color);
        if (lane.behind() && (refused && !missing(lane).isEmpty() || !roomToCatchUp(0))) {
            // Its log is too full to hold the payloads or the records of the batches up to the stable
            // checkpoint, and only running them would let a checkpoint trim it: a snapshot brings the
            // color to the stable checkpoint with nothing of them logged, and its install rewrites the
            // color's log.
            LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1} executed only {2} and is stable at {3}, and"
                    + " its log has no room for the batches in between: installing a peer''s store snapshot", r.id,
                    lane.color, lane.executed(), lane.stable());
            r.snapshotTransfer.pursue(lane);
            return;
        }
        r.broadcast(new FetchState(lane.color, lane.executed() + 1));
        List<Hash32> missing = missing(lane);
        if (!missing.isEmpty()) {
            r.broadcast(new FetchPayloads(missing));
        }
    }

    /**
     * A snapshot brought {@code lane} to a stable checkpoint ({@link SnapshotTransfer}): forget
     * what was known of the log below it, and fetch what follows.
     */
    void installed(Lane lane) {
        cannotServe.remove(lane.color);
        verified.remove(lane.color);
        source.remove(lane.color);
        r.executeReady(lane);
        fetch(lane);
    }

    /** True once f+1 peers said they no longer hold the batches this replica needs next. */
    boolean stranded(int color) {
        return cannotServe.getOrDefault(color, Set.of()).size() >= r.config.weakQuorum();
    }

    /** Payloads the verified batches of {@code color} still wait for, to be kept across a log trim. */
    Set<Hash32> awaited(int color) {
        Set<Hash32> out = new HashSet<>();
        for (Verified v : verified.getOrDefault(color, new ArrayDeque<>())) {
            out.addAll(v.batch().digests());
        }
        return out;
    }

    // ---- serving ----

    void onFetchState(int from, FetchState m) {
        if (m.color() >= r.state.colors() || from == r.id) {
            return;
        }
        Lane lane = r.state.lane(m.color());
        if (m.fromSeqno() > lane.executed() + 1) {
            // The peer executed more than this replica: a replica that slept through its timers learns it here.
            fetch(lane);
        }
        if (lane.behind() || m.fromSeqno() > lane.executed() && !StateServer.hasCommitProof(lane, m.fromSeqno())) {
            return;
        }
        State page = server.page(lane, m.fromSeqno());
        if (page != null) {
            r.env.send(from, Frames.encode(page, r.id, r.key()));
        }
    }

    /** The payloads a peer asked for that this replica holds, as many as one page has room for. */
    List<byte[]> payloadsFor(List<Hash32> digests) {
        return server.payloads(digests);
    }

    // ---- receiving ----

    void onState(int from, State s) {
        if (s.color() >= r.state.colors() || r.snapshotTransfer.active(s.color())) {
            return;
        }
        Lane lane = r.state.lane(s.color());
        // Every STATE must prove its checkpoint, whatever this replica's own stable point: the chain of
        // batches below is checked against this digest, so a digest the sender chose would let one
        // Byzantine peer feed a lagging replica batches no quorum ordered.
        if (!NewViewPlan.validCheckpoint(r.config, s.color(), s.stableSeqno(), s.stateDigest(), s.checkpointProof())) {
            return;
        }
        ArrayDeque<Verified> proven = new ArrayDeque<>();
        if (s.stableSeqno() <= lane.executed()) {
            r.checkpointer.adopt(lane, s.stableSeqno(), s.stateDigest(), s.checkpointProof());
            if (lane.behind()) {
                // Its checkpoint lies below what this replica executed and its commit proofs below this
                // replica's stable one, where they prove nothing it can use: it cannot serve either.
                noteCannotServe(from, lane, s);
                return;
            }
        } else {
            if (s.firstRetained() > lane.executed() + 1) {
                noteCannotServe(from, lane, s);
                r.checkpointer.adopt(lane, s.stableSeqno(), s.stateDigest(), s.checkpointProof());
                return;
            }
            List<Chained> chained = TransferProof.chain(r.id, lane, s);
            if (chained == null) {
                return;
            }
            proven.addAll(chained);
            if (s.stableSeqno() > lane.stable()) {
                r.checkpointer.adoptAhead(lane, s.stableSeqno(), s.stateDigest(), s.checkpointProof());
            }
        }
        if (s.links().isEmpty()) {
            proven.addAll(TransferProof.committed(r.config, lane, s.committed(), lane.executed() + 1 + proven.size()));
        }
        if (proven.isEmpty()) {
            return;
        }
        verified.put(lane.color, proven);
        source.put(lane.color, from);
        holdOffered(lane, s.payloads());
        drain(lane);
    }

    /** Payloads fetched for verified batches (FETCH-PAYLOADS answered); true if any was awaited here. */
    boolean onPayloads(List<ReplicaState.Payload> fetched) {
        Set<Lane> touched = new java.util.LinkedHashSet<>();
        for (ReplicaState.Payload p : fetched) {
            int color = r.config.colorOf(p.update().update().aguid());
            if (!r.state.holds(p.update().digest()) && awaited(color).contains(p.update().digest())) {
                hold(r.state.lane(color), p);
                touched.add(r.state.lane(color));
            }
        }
        touched.forEach(this::drain);
        return !touched.isEmpty();
    }

    private void noteCannotServe(int from, Lane lane, State s) {
        Set<Integer> peers = cannotServe.computeIfAbsent(lane.color, c -> new HashSet<>());
        if (peers.add(from) && peers.size() == r.config.weakQuorum()) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1} executed only {2} and is stable at {3}, but "
                    + "f+1 peers cannot send the batches in between (the last said it keeps batches from {4} on, "
                    + "stable {5}): installing a peer''s store snapshot", r.id, lane.color, lane.executed(), lane.stable(),
                    s.firstRetained(), s.stableSeqno());
            r.snapshotTransfer.pursue(lane);
        }
    }

    /** The offered payloads whose client signatures verify, by digest; the rest are dropped. */
    private Map<Hash32, ReplicaState.Payload> verifyPayloads(List<byte[]> signedUpdates) {
        Map<Hash32, ReplicaState.Payload> out = new HashMap<>();
        for (byte[] bytes : signedUpdates) {
            try {
                AuthenticatedUpdate u = r.verifierDecode(bytes);
                out.put(u.digest(), new ReplicaState.Payload(bytes, u));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: dropped a transferred payload: {1}", r.id,
                        e.getMessage());
            }
        }
        return out;
    }

    private void holdOffered(Lane lane, List<byte[]> signedUpdates) {
        Set<Hash32> awaited = awaited(lane.color);
        for (ReplicaState.Payload p : verifyPayloads(signedUpdates).values()) {
            if (awaited.contains(p.update().digest()) && !r.state.holds(p.update().digest())) {
                hold(lane, p);
            }
        }
    }

    /**
     * Logs (without waiting: the BATCH or COMMIT-PROOF record that orders it comes after it in the
     * log, so is durable only once it is) and keeps a payload a verified batch orders, if the log
     * has room for it ({@link Replica#roomForUpdate}); else the batch waits for it, fetched again.
     */
    private void hold(Lane lane, ReplicaState.Payload p) {
        if (!r.roomForUpdate(p.signedUpdate().length)) {
            refusedForRoom.add(lane.color);
            return;
        }
        lane.positions().notePayload(p.update().digest(), r.rlog.nextPosition(lane.color));
        r.rlog.appendPipelined(lane.color, LogRecords.payload(p.signedUpdate()));
        r.state.holdForBatch(p.update().digest(), p);
    }

    /** Log records became durable: runs the verified batches that waited for their BATCH records. */
    void durable() {
        for (Integer color : List.copyOf(logging.keySet())) {
            long[] pending = logging.get(color);
            if (r.rlog.isDurable(pending[1])) {
                drain(r.state.lane(color));
            }
        }
    }

    /**
     * A batch of {@code lane} finished executing: go on with the verified batches waiting behind
     * it and, if it was one this transfer handed to execution, ask for the next page once they
     * are done; if the color is behind with nothing to run, ask again (an answer to an earlier
     * request may have been dropped because it no longer started at the next batch).
     */
    void afterExecuted(Lane lane) {
        boolean handed = handedOff.remove(lane.color);
        if (verified.containsKey(lane.color) || handed) {
            drain(lane, handed);
        } else if (lane.behind() && !lane.executing() && !r.snapshotTransfer.active(lane.color)) {
            fetch(lane);
        }
    }

    /** Runs the verified batches of {@code lane} in order while their payloads are held. */
    private void drain(Lane lane) {
        drain(lane, false);
    }

    private void drain(Lane lane, boolean progressed) {
        ArrayDeque<Verified> queue = verified.getOrDefault(lane.color, new ArrayDeque<>());
        long before = lane.executed();
        boolean ranCommitted = progressed;
        // Not while a batch executes (the next runs after it) or a snapshot replaces the color's store.
        while (!queue.isEmpty() && !lane.executing() && !r.snapshotTransfer.active(lane.color)) {
            Verified v = queue.peekFirst();
            long seqno = v.batch().seqno();
            if (seqno <= lane.executed()) {
                queue.pollFirst();
                continue;
            }
            if (seqno != lane.executed() + 1) {
                queue.clear();
                break;
            }
            if (!v.batch().digests().stream().allMatch(r.state::holds)) {
                if (!refusedForRoom.contains(lane.color)) {
                    askForPayloads(lane);
                }
                // Else the log was too full to hold one that came: asking again now would be a loop
                // with the peer that answers, each round trip a payload dropped (2 MiB, say); the
                // retransmission round asks again, or installs a snapshot (fetch).
                break;
            }
            if (v instanceof Chained c && !logged(lane, c)) {
                // Runs when its BATCH record is durable (durable()): the store must never hold a
                // batch the log cannot name after a crash.
                break;
            }
            queue.pollFirst();
            switch (v) {
                case Chained c -> {
                    logging.remove(lane.color);
                    r.executeTransferred(lane, c.batch(), c.resultsRoot());
                    handedOff.add(lane.color);
                }
                case Committed c -> {
                    if (!commit(lane, c.proof())) {
                        queue.clear();
                    }
                    ranCommitted = true;
                    if (lane.executing() || lane.executed() < c.batch().seqno()) {
                        // Running, or waiting for its COMMIT-PROOF to be durable: the next page is asked
                        // for once it ran (afterExecuted).
                        handedOff.add(lane.color);
                    }
                }
            }
        }
        if (queue.isEmpty()) {
            verified.remove(lane.color);
        }
        r.executeReady(lane);
        if (lane.executed() > before || progressed) {
            cannotServe.remove(lane.color);
            if (queue.isEmpty() && (lane.behind() || ranCommitted)) {
                askSource(lane, new FetchState(lane.color, lane.executed() + 1));
            }
        }
    }

    /** The payloads the verified batches of {@code lane} lack, in order, at most {@link #FETCH_DIGESTS_MAX}. */
    private List<Hash32> missing(Lane lane) {
        List<Hash32> out = new ArrayList<>();
        for (Verified v : verified.getOrDefault(lane.color, new ArrayDeque<>())) {
            for (Hash32 d : v.batch().digests()) {
                if (!r.state.holds(d) && !out.contains(d)) {
                    out.add(d);
                    if (out.size() == FETCH_DIGESTS_MAX) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    private void askForPayloads(Lane lane) {
        List<Hash32> missing = missing(lane);
        if (!missing.isEmpty()) {
            askSource(lane, new FetchPayloads(missing));
        }
    }

    /**
     * Whether the log has room for {@code bytes} more of what catching up logs (a verified batch's
     * BATCH or COMMIT-PROOF record): below {@link ReplicaLog#VOTE_SHARE}, as for ordering; the rest
     * is kept for the records that let a checkpoint trim the log.
     */
    private boolean roomToCatchUp(int bytes) {
        return r.rlog.roomFor(bytes, ReplicaLog.VOTE_SHARE);
    }

    /** Asks the peer the last page came from; the retransmission rounds ask everyone if it does not answer. */
    private void askSource(Lane lane, Message m) {
        Integer peer = source.get(lane.color);
        if (peer == null || peer == r.id) {
            r.broadcast(m);
        } else {
            r.env.send(peer, Frames.encode(m, r.id, r.key()));
        }
    }

    /**
     * Appends {@code c}'s BATCH record once, without waiting; @return whether it is durable, so
     * the batch may run.
     */
    private boolean logged(Lane lane, Chained c) {
        long[] pending = logging.get(lane.color);
        if (pending == null || pending[0] != c.batch().seqno()) {
            byte[] record = LogRecords.batch(c.batch(), c.resultsRoot(), c.state());
            if (!roomToCatchUp(record.length)) {
                // The next round installs a snapshot instead (fetch).
                return false;
            }
            lane.positions().noteRecord(c.batch().seqno(), r.rlog.nextPosition(lane.color));
            long tag = r.rlog.appendPipelined(lane.color, record);
            pending = new long[] {c.batch().seqno(), tag};
            logging.put(lane.color, pending);
        }
        return r.rlog.isDurable(pending[1]);
    }

    /** Commits a batch above the stable checkpoint on the strength of its 2f+1 COMMITs; false if out of the window now. */
    private boolean commit(Lane lane, CommitProof p) {
        PrePrepare pp = p.prePrepare().message();
        if (!lane.inWindow(pp.seqno())) {
            return false;
        }
        Slot slot = lane.slot(pp.seqno());
        if (!slot.committed()) {
            byte[] record = LogRecords.committed(p.prePrepare(), p.commits());
            if (!roomToCatchUp(record.length)) {
                // Left for later: a replica that falls behind meanwhile installs a snapshot (fetch).
                return true;
            }
            // Runs once the record is durable, like a batch committed here (BatchExecution).
            long tag = r.rlog.appendAbout(lane, pp.seqno(), record);
            slot.commit(p.prePrepare(), p.commits(), tag);
        }
        // Only a primary whose key another replica also uses (Twins) can see its own seqno committed under it.
        lane.proposals().proposeAbove(pp.seqno());
        r.executeReady(lane);
        return true;
    }
}
