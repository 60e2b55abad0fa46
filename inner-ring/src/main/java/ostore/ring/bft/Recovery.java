package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.PrePrepare;
import ostore.store.AuthenticatedUpdate;

/**
 * Rebuilds a replica from its log at start: its view, every color's stable checkpoint, the
 * pre-prepares it accepted and the batches it prepared and committed (so it cannot contradict
 * itself), and its payloads; then it re-applies the executed batches the store lost with its
 * unsynced writes, checking that they give the results it logged before.
 */
final class Recovery {
    private record ExecutedBatch(Hash32 resultsRoot, Hash32 stateDigest) {}

    /**
     * Batches the log names committed (COMMIT-PROOF, COMMITTED or BATCH) above the execution point,
     * for replay where no slot holds them: received by state transfer, or at or below a checkpoint
     * adopted ahead of the store (ADOPTED), whose slots the window no longer keeps.
     */
    private final Map<Long, PrePrepare> committedAhead = new HashMap<>();

    private final Replica r;
    private final Executor executor;
    private final Certifier certifier;

    Recovery(Replica r, Executor executor, Certifier certifier) {
        this.r = r;
        this.executor = executor;
        this.certifier = certifier;
    }

    void run() {
        Signed<Message.NewView> started = null;
        LogRecords.View last = null;
        for (ReplicaLog.Logged logged : r.rlog.readAll(r.rlog.controlColor())) {
            if (logged.record() instanceof LogRecords.View v && (last == null || v.view() >= last.view())) {
                last = v;
            } else if (logged.record() instanceof LogRecords.Started s) {
                started = s.newView();
            }
        }
        r.rlog.restoreControl(last, started);
        r.state.recovered(last == null ? 0 : last.view(), last != null && last.changing());
        for (Lane lane : r.state.lanes()) {
            committedAhead.clear();
            Map<Long, ExecutedBatch> executed = load(lane);
            if (r.snapshotTransfer.interrupted(lane)) {
                continue;
            }
            replay(lane, executed);
            r.executeReady(lane);
        }
        if (started != null && started.message().view() == r.state.view() && !r.state.viewChanging()) {
            // The view began with this NEW-VIEW: its re-proposals stand, whether accepted before the crash or not.
            r.viewChanger.restartedIn(started);
        }
        if (r.isPrimary() && !r.state.viewChanging()) {
            requeuePending();
        }
    }

    /**
     * Reads the color's log. Checkpoints trim it in place, so besides the records above the latest
     * STABLE it holds those of the batches kept below it (their COMMIT-PROOF and EXECUTED records,
     * or BATCH records from state transfer or from logs that older versions rewrote), older STABLE
     * records and records of batches that no longer matter; the history is rebuilt from them once
     * the latest stable checkpoint is known.
     */
    private Map<Long, ExecutedBatch> load(Lane lane) {
        Map<Long, ExecutedBatch> executed = new HashMap<>();
        Map<Long, PrePrepare> committed = new HashMap<>();
        long now = r.env.nowMicros();
        for (ReplicaLog.Logged logged : r.rlog.readAll(lane.color)) {
            long at = logged.position();
            switch (logged.record()) {
                case LogRecords.Payload p -> {
                    AuthenticatedUpdate u = r.verifierDecode(p.signedUpdate());
                    r.state.restoreHeld(u.digest(), new ReplicaState.Payload(p.signedUpdate(), u), now);
                    lane.positions().notePayload(u.digest(), at);
                }
                case LogRecords.Accepted a -> {
                    lane.positions().noteRecord(a.prePrepare().message().seqno(), at);
                    if (a.prePrepare().message().seqno() > lane.stable()) {
                        lane.slot(a.prePrepare().message().seqno()).accept(a.prePrepare());
                    }
                }
                case LogRecords.Prepared p -> {
                    lane.positions().noteRecord(p.proof().prePrepare().message().seqno(), at);
                    if (p.proof().prePrepare().message().seqno() > lane.stable()) {
                        lane.slot(p.proof().prePrepare().message().seqno()).setPrepared(p.proof());
                    }
                }
                case LogRecords.Committed c -> {
                    long seqno = c.prePrepare().message().seqno();
                    lane.positions().noteRecord(seqno, at);
                    committed.put(seqno, c.prePrepare().message());
                    if (seqno > lane.stable()) {
                        lane.slot(seqno).commit(c.prePrepare(), c.commits());
                    }
                }
                case LogRecords.Executed e -> {
                    lane.positions().noteRecord(e.seqno(), at);
                    executed.put(e.seqno(), new ExecutedBatch(e.resultsRoot(), e.stateDigest()));
                }
                case LogRecords.Batch b -> {
                    long seqno = b.batch().seqno();
                    lane.positions().noteRecord(seqno, at);
                    committed.putIfAbsent(seqno, b.batch());
                    executed.put(seqno, new ExecutedBatch(b.resultsRoot(), b.stateDigest()));
                }
                case LogRecords.Stable s -> restoreStable(lane, s);
                case LogRecords.Adopted a -> lane.restoredAdopted(a.seqno(), a.stateDigest(), a.proof());
                case LogRecords.View v -> throw new IllegalStateException("a view record in color " + lane.color);
                case LogRecords.Started s -> throw new IllegalStateException("a NEW-VIEW record in color " + lane.color);
            }
        }
        committed.forEach((seqno, batch) -> {
            if (seqno > lane.executed()) {
                committedAhead.put(seqno, batch);
            }
        });
        restoreHistory(lane, committed, executed);
        // Every logged payload came back as pending; those of batches at or below the stable
        // checkpoint ran already, and a primary would otherwise order them again (harmless by the
        // nonce rule, but wasted).
        committed.forEach((seqno, batch) -> {
            if (seqno <= lane.stable()) {
                r.state.executed(batch.digests());
            }
        });
        return executed;
    }

    /**
     * Rebuilds the history kept for lagging peers: the run of batches up to the stable checkpoint
     * that the log holds as committed and executed, each chaining to the next and the last to the
     * checkpoint's state, at most {@link RingConfig.Params#retainedBelowStable()} of them, or down to
     * the oldest batch that left a version uncertified ({@link Checkpointer#historyFloor}). A
     * checkpoint adopted ahead of the store (ADOPTED) may lie above the execution point the log
     * proves (its last STABLE): the run then ends there, at that state, and the batches above it,
     * logged as run by state transfer, run again through {@link #replay} and join the history then.
     */
    private void restoreHistory(Lane lane, Map<Long, PrePrepare> committed, Map<Long, ExecutedBatch> executed) {
        long floor = Checkpointer.historyFloor(lane, r.config, certifier);
        long top = Math.min(lane.stable(), lane.executed());
        Hash32 expected = top == lane.stable() ? lane.stableDigest() : lane.stateDigest();
        ArrayDeque<Lane.Executed> run = new ArrayDeque<>();
        for (long n = top; n > floor && n > 0; n--) {
            PrePrepare batch = committed.get(n);
            ExecutedBatch done = executed.get(n);
            if (batch == null || done == null || !done.stateDigest().equals(expected)) {
                break;
            }
            run.addFirst(new Lane.Executed(batch, done.resultsRoot(), done.stateDigest()));
            ExecutedBatch before = executed.get(n - 1);
            if (before == null || !StateChain.chain(before.stateDigest(), batch, done.resultsRoot()).equals(done.stateDigest())) {
                // The state before batch n is unknown or does not chain to it: the run ends here.
                break;
            }
            expected = before.stateDigest();
        }
        lane.restoreHistory(run);
    }

    private void restoreStable(Lane lane, LogRecords.Stable s) {
        lane.restoredCheckpoint(s.seqno(), s.stateDigest(), s.proof());
    }

    /** Re-applies the logged-as-executed batches, in order, that the store no longer holds. */
    private void replay(Lane lane, Map<Long, ExecutedBatch> executed) {
        for (long n = lane.executed() + 1; executed.containsKey(n); n++) {
            Slot slot = lane.slotAt(n);
            PrePrepare batch = slot != null && slot.committed() ? slot.committedBatch() : committedAhead.get(n);
            if (batch == null) {
                throw new IllegalStateException("color " + lane.color + " batch " + n
                        + " is logged as executed but not as committed");
            }
            ExecutedBatch logged = executed.get(n);
            Executor.Executed again = executor.replay(batch, d -> r.state.payload(d).update());
            if (!again.resultsRoot().equals(logged.resultsRoot())) {
                throw new IllegalStateException("color " + lane.color + " batch " + n + " replayed to results root "
                        + again.resultsRoot() + ", not the logged " + logged.resultsRoot() + ": execution is not deterministic");
            }
            Hash32 state = StateChain.chain(lane.stateDigest(), batch, logged.resultsRoot());
            if (!state.equals(logged.stateDigest())) {
                throw new IllegalStateException("color " + lane.color + " batch " + n + " does not chain to its logged state");
            }
            r.advance(lane, batch, state, logged.resultsRoot());
            r.recovered(lane, batch, again);
            // The store's digest is this batch's only while the store has applied nothing past it.
            if (lane.executedEndsInterval() && n > lane.stable()
                    && !executor.storePast(lane.color, n)) {
                lane.votedCheckpoint(n, Message.Checkpoint.digest(lane.color, n, state,
                        executor.storeDigest(lane.color)));
            }
        }
        // The store may run ahead of the EXECUTED records (they are appended without waiting), but
        // only over batches logged as committed: those run again after recovery, through replay
        // (from their slots, or by state transfer below a checkpoint adopted ahead of the store).
        long committed = lane.executed();
        while (lane.slotAt(committed + 1) != null && lane.slotAt(committed + 1).committed()
                || committedAhead.containsKey(committed + 1)) {
            committed++;
        }
        long lastLogged = Executor.lastPosition(committed);
        if (executor.appliedPosition(lane.color) > lastLogged) {
            throw new IllegalStateException("the version store applied position " + executor.appliedPosition(lane.color)
                    + " lies beyond color " + lane.color + "'s last batch logged as committed (" + committed + ")");
        }
    }

    private void requeuePending() {
        java.util.Set<Hash32> ordered = new java.util.HashSet<>();
        for (Lane lane : r.state.lanes()) {
            for (Slot s : lane.slots().values()) {
                // A batch committed through state transfer has no accepted pre-prepare, only its commit
                // proof; a NEW-VIEW's re-proposal may wait for payloads beside an older accepted one.
                PrePrepare pp = s.committed() ? s.committedBatch() : null;
                if (!s.committed()) {
                    for (Signed<PrePrepare> held : java.util.Arrays.asList(s.accepted(), s.awaitingPayloads())) {
                        if (held != null && (pp == null || held.message().view() > pp.view())) {
                            pp = held.message();
                        }
                    }
                }
                if (pp == null) {
                    continue;
                }
                lane.proposals().proposedBefore(pp.timestampMicros());
                // Only this view's batches (or committed ones) hold a seqno and their updates: one
                // accepted in an earlier view and not re-proposed in this one is void, and counting
                // it would leave a gap no batch fills and its updates never proposed.
                if (s.committed() || pp.view() == r.state.view()) {
                    ordered.addAll(pp.digests());
                    lane.proposals().proposeAbove(s.seqno);
                }
            }
            lane.proposals().proposeAbove(lane.executed());
        }
        for (Hash32 d : List.copyOf(r.state.pending().keySet())) {
            if (!ordered.contains(d)) {
                r.state.laneOf(d).proposals().enqueue(d);
            }
        }
        for (Lane lane : r.state.lanes()) {
            r.agreement.proposeReady(lane, true);
        }
    }
}
