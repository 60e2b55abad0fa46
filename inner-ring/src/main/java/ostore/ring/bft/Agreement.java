package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
import ostore.ring.bft.Message.PreparedProof;

/**
 * One replica's part in PBFT's normal case, per color: as primary it cuts batches and proposes
 * them (PRE-PREPARE); as backup it accepts the primary's pre-prepare once it holds every payload
 * the batch orders and sends PREPARE; a slot is prepared at 2f matching PREPAREs (then COMMIT) and
 * committed at 2f+1 matching COMMITs (then execution, {@link BatchExecution}). Each step's record is
 * appended to the log before what depends on it is sent ({@link OutputGate}). Part of {@link
 * Replica}, on its thread; it changes the lanes only through their transitions.
 */
final class Agreement {
    private static final System.Logger LOG = System.getLogger(Agreement.class.getName());

    private final Replica r;

    Agreement(Replica r) {
        this.r = r;
    }

    /**
     * Cuts batches while there are digests, room in the window and fewer than
     * {@link RingConfig.Params#maxBatchesInFlight} unexecuted batches; a partial batch only when
     * forced. Updates held back by the in-flight limit are proposed when a batch executes.
     */
    void proposeReady(Lane lane, boolean force) {
        // Seqnos at or below the stable checkpoint are settled (state transfer may have run the
        // batches up to it without this primary proposing any), and so are those at or below one
        // adopted while a batch ran: propose above them. A new primary whose NEW-VIEW started a
        // color at a checkpoint above the batch it was running once proposed a fresh batch at a
        // seqno it had committed (the simulator's seed 7301; the safety check stopped it).
        Proposals p = lane.proposals();
        p.proposeAbove(lane.settledThrough());
        // A primary behind the stable checkpoint cannot tell which of its requests executed already.
        while (r.state.orders() && !lane.behind() && p.queued() > 0 && lane.inWindow(p.nextSeqno())
                && p.nextSeqno() - 1 - lane.executed() < r.config.params().maxBatchesInFlight() && roomToVote()) {
            // An empty pipeline proposes at once: holding the batch open could only add latency, and
            // under load the in-flight limit gathers updates into the next batch anyway.
            boolean idle = p.nextSeqno() - 1 == lane.executed();
            if (p.queued() < r.config.params().maxBatchSize() && !force && !idle) {
                if (p.armBatchTimer()) {
                    r.env.setTimer(new TimerKey(TimerKey.Kind.BATCH, lane.color), r.config.params().batchWaitMicros());
                }
                return;
            }
            List<Hash32> digests = new ArrayList<>();
            while (p.queued() > 0 && digests.size() < r.config.params().maxBatchSize()) {
                Hash32 d = p.pollQueued();
                if (r.state.pending().containsKey(d) && !digests.contains(d)) {
                    digests.add(d);
                }
            }
            if (!digests.isEmpty()) {
                long ts = proposalTimestamp(lane);
                propose(lane, new PrePrepare(r.state.view(), lane.color, lane.takeSeqno(ts), ts, digests));
            }
        }
    }

    /**
     * Whether the log has room for this replica to take part in ordering another batch: below
     * {@link ReplicaLog#VOTE_SHARE}. Past it the replica neither proposes nor accepts a new batch
     * (each would log a pre-prepare, and then a prepared and a committed record), so the rest of
     * the log is kept for what frees it: the stable checkpoint record a trim waits for, and the
     * view records. A slot it accepted before still gets its prepared and committed records.
     */
    private boolean roomToVote() {
        return r.rlog.roomFor(0, ReplicaLog.VOTE_SHARE);
    }

    /** Never below a batch ordered before, or backups would refuse it (a new primary's clock may lag). */
    private long proposalTimestamp(Lane lane) {
        Proposals p = lane.proposals();
        return Math.max(Math.max(r.env.nowMicros(), p.lastProposedTimestamp()), lane.timestampFloor(p.nextSeqno()));
    }

    /**
     * Ends the checkpoint interval of {@code lane}, which went a retransmission round without
     * executing, with an empty batch, if this primary's log is past the share where it refuses new
     * updates ({@link ReplicaLog#ADMIT_SHARE}) and it has nothing else to propose there: an empty
     * batch ends an interval ({@link Lane#executedBatch}), so the checkpoint, and the trim of the
     * log below it, come without waiting for more updates. Without it a ring whose replicas all
     * refuse new updates for want of log space could wait for good for a trim that only more updates
     * would bring (a color keeps its batches since its last checkpoint, payloads and all, in every
     * replica's log).
     */
    void closeIdleInterval(Lane lane) {
        if (r.rlog.roomFor(0, ReplicaLog.ADMIT_SHARE)) {
            return;
        }
        Proposals p = lane.proposals();
        p.proposeAbove(lane.settledThrough());
        if (!r.state.orders() || lane.behind() || p.queued() > 0 || lane.executed() <= lane.stable()
                || lane.executedEndsInterval() || p.nextSeqno() - 1 != lane.executed() || !lane.inWindow(p.nextSeqno())
                || !roomToVote()) {
            return;
        }
        long ts = proposalTimestamp(lane);
        propose(lane, new PrePrepare(r.state.view(), lane.color, lane.takeSeqno(ts), ts, List.of()));
    }

    void propose(Lane lane, PrePrepare pp) {
        Signed<PrePrepare> signed = r.sign(pp);
        r.rlog.appendAbout(lane, pp.seqno(), LogRecords.accepted(signed));
        lane.slot(pp.seqno()).accept(signed);
        r.broadcastFrame(signed.frameUnsafe());
        checkPrepared(lane, lane.slot(pp.seqno()));
    }

    void onPrePrepare(Signed<PrePrepare> s) {
        PrePrepare pp = s.message();
        if (pp.view() != r.state.view() || r.state.viewChanging() || s.sender() != r.config.primary(r.state.view())
                || pp.color() >= r.state.colors()) {
            return;
        }
        Lane lane = r.state.lane(pp.color());
        if (!lane.inWindow(pp.seqno()) || !timestampAcceptable(lane, pp)) {
            return;
        }
        if (pp.seqno() <= lane.proposals().newViewTop()) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: primary {1} sent a plain pre-prepare at color {2} seqno"
                    + " {3}, which the NEW-VIEW of view {4} re-proposed; refused", r.id, s.sender(), pp.color(), pp.seqno(),
                    r.state.view());
            return;
        }
        Slot slot = lane.slot(pp.seqno());
        if (slot.committed()) {
            return;
        }
        Signed<PrePrepare> waiting = slot.awaitingPayloads();
        if (waiting != null && waiting.message().view() == pp.view()) {
            // Waiting for payloads already: the same batch again changes nothing, another is equivocation.
            return;
        }
        if (slot.accepted() != null && slot.accepted().message().view() == pp.view()) {
            if (!slot.accepted().message().batchDigest().equals(pp.batchDigest())) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: primary {1} equivocated at color {2} seqno {3}",
                        r.id, s.sender(), pp.color(), pp.seqno());
            }
            return;
        }
        acceptWhenHeld(lane, slot, s);
    }

    private boolean timestampAcceptable(Lane lane, PrePrepare pp) {
        long skew = Math.abs(pp.timestampMicros() - r.env.nowMicros());
        return pp.digests().size() == pp.digests().stream().distinct().count()
                && skew <= r.config.params().maxSkewMicros() && pp.timestampMicros() >= lane.timestampFloor(pp.seqno());
    }

    /** Accepts {@code s} once every payload it orders is held; asks the sender for the rest. */
    void acceptWhenHeld(Lane lane, Slot slot, Signed<PrePrepare> s) {
        if (slot.contradicts(s.message())) {
            // Settled otherwise while its payloads were fetched (a commit proof from a peer): the
            // primary sent different batches for one seqno.
            LOG.log(System.Logger.Level.WARNING, "replica {0}: primary {1} equivocated at color {2} seqno {3}",
                    r.id, s.sender(), lane.color, s.message().seqno());
            slot.stopAwaiting();
            return;
        }
        List<Hash32> missing = s.message().digests().stream().filter(d -> !r.state.holds(d)).toList();
        if (!missing.isEmpty()) {
            r.payloadFetcher.await(lane, slot, s, missing);
            return;
        }
        if (!ordersOnlyItsColor(s.message())) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: primary {1} ordered updates of another color in color"
                    + " {2} seqno {3}; refused", r.id, s.sender(), lane.color, s.message().seqno());
            slot.stopAwaiting();
            return;
        }
        if (!roomToVote()) {
            // Like a slow replica: the others order it without this one, which catches up later.
            slot.stopAwaiting();
            return;
        }
        r.rlog.appendAbout(lane, slot.seqno, LogRecords.accepted(s));
        slot.accept(s);
        if (s.sender() != r.id) {
            PrePrepare pp = s.message();
            Signed<Prepare> p = r.sign(new Prepare(pp.view(), pp.color(), pp.seqno(), pp.batchDigest()));
            slot.addPrepare(p);
            r.broadcastFrame(p.frameUnsafe());
        }
        checkPrepared(lane, slot);
    }

    /**
     * True if every update {@code pp} orders belongs to its color. Colors are ordered independently,
     * so an update let into another color's lane could run in different orders relative to its
     * object's other updates on different replicas. Payloads must be held.
     */
    private boolean ordersOnlyItsColor(PrePrepare pp) {
        for (Hash32 d : pp.digests()) {
            if (r.state.laneOf(d).color != pp.color()) {
                return false;
            }
        }
        return true;
    }

    void onPrepare(Signed<Prepare> s) {
        Prepare p = s.message();
        if (p.view() != r.state.view() || p.color() >= r.state.colors() || !r.state.lane(p.color()).inWindow(p.seqno())) {
            return;
        }
        Slot slot = r.state.lane(p.color()).slot(p.seqno());
        slot.addPrepare(s);
        checkPrepared(r.state.lane(p.color()), slot);
    }

    private void checkPrepared(Lane lane, Slot slot) {
        if (slot.accepted() == null || slot.preparedInCurrentView()) {
            checkCommitted(lane, slot);
            return;
        }
        List<Signed<Prepare>> prepares = slot.matchingPrepares(r.config.primary(r.state.view()));
        if (prepares.size() < 2 * r.config.f()) {
            return;
        }
        PreparedProof proof = new PreparedProof(slot.accepted(), prepares.subList(0, 2 * r.config.f()));
        r.rlog.appendAbout(lane, slot.seqno, LogRecords.prepared(proof));
        slot.setPrepared(proof);
        PrePrepare pp = slot.accepted().message();
        Signed<Commit> c = r.sign(new Commit(pp.view(), pp.color(), pp.seqno(), pp.batchDigest()));
        slot.addCommit(c);
        r.broadcastFrame(c.frameUnsafe());
        checkCommitted(lane, slot);
    }

    void onCommit(Signed<Commit> s) {
        Commit c = s.message();
        if (c.view() != r.state.view() || c.color() >= r.state.colors() || !r.state.lane(c.color()).inWindow(c.seqno())) {
            return;
        }
        Slot slot = r.state.lane(c.color()).slot(c.seqno());
        slot.addCommit(s);
        checkCommitted(r.state.lane(c.color()), slot);
    }

    private void checkCommitted(Lane lane, Slot slot) {
        if (!slot.preparedInCurrentView() || slot.committed() || slot.matchingCommits() < r.config.quorum()) {
            return;
        }
        List<Signed<Commit>> commits = slot.matchingCommitList();
        long tag = r.rlog.appendAbout(lane, slot.seqno, LogRecords.committed(slot.accepted(), commits));
        slot.commit(slot.accepted(), commits, tag);
        r.executeReady(lane);
    }
}
