package ostore.ring.bft;

import java.util.HashSet;
import java.util.Set;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.PrePrepare;

/**
 * Makes a lossy network good enough: every round, for each color that made no progress since the
 * last round, this replica asks its peers for state it may lack (FETCH-STATE, which also tells a
 * peer that this one is alive and where it is) and sends again its own votes that the color still
 * waits on: the pre-prepare (primary; for a batch its NEW-VIEW re-proposed, the NEW-VIEW) or
 * prepare, and the commit of every slot not yet committed here, and its vote for the latest
 * checkpoint not yet stable. While changing views it re-sends its VIEW-CHANGE. Frames are re-sent
 * as signed the first time, so a round costs no signatures. A replica whose log is past the share
 * where it refuses new updates has its lagging colors moved up ({@link LogTrimmer#relieveLog}),
 * and, if primary, ends the checkpoint interval of a color that went the round idle ({@link
 * Agreement#closeIdleInterval}).
 *
 * <p>A round that finds nothing moving (no batch executed, no checkpoint stable, no certificate
 * attached, no snapshot being installed) doubles the wait before the next, up to
 * {@value #MAX_SHIFT} doublings; progress brings it back to the base period, a quarter of the
 * view-change timeout, so a lost message costs less than a view change.
 */
final class Retransmitter {
    private static final int MAX_SHIFT = 6;
    private static final TimerKey KEY = new TimerKey(TimerKey.Kind.RETRANSMIT, 0);

    private final Replica r;
    private final long[] executedAtLastRound;
    private final long[] stableAtLastRound;
    private long certificatesAtLastRound;
    private int shift;
    /** Peers sent a NEW-VIEW this round because they asked for a view we are past; one each per round. */
    private final Set<Integer> forwardedNewView = new HashSet<>();

    Retransmitter(Replica r) {
        this.r = r;
        this.executedAtLastRound = new long[r.state.colors()];
        this.stableAtLastRound = new long[r.state.colors()];
    }

    private long period() {
        return Math.max(1, r.config.params().viewChangeTimeoutMicros() / 4) << shift;
    }

    /** Starts the rounds; call once the replica has recovered its lanes. */
    void start() {
        for (Lane lane : r.state.lanes()) {
            executedAtLastRound[lane.color] = lane.executed();
            stableAtLastRound[lane.color] = lane.stable();
        }
        r.env.setTimer(KEY, period());
    }

    /** The next round comes after the base period again. */
    void progressed() {
        if (shift != 0) {
            shift = 0;
            r.env.setTimer(KEY, period());
        }
    }

    /** True, once per round and peer, if {@code peer} may be sent a NEW-VIEW it seems to lack. */
    boolean mayForwardNewView(int peer) {
        return forwardedNewView.add(peer);
    }

    void onTimer() {
        forwardedNewView.clear();
        boolean moved = false;
        boolean reproposedWaits = false;
        for (Lane lane : r.state.lanes()) {
            int c = lane.color;
            r.snapshotTransfer.onRound(lane);
            if (lane.executed() != executedAtLastRound[c] || lane.stable() != stableAtLastRound[c]) {
                moved = true;
                executedAtLastRound[c] = lane.executed();
                stableAtLastRound[c] = lane.stable();
                continue;
            }
            r.stateTransfer.fetch(lane);
            if (!r.state.viewChanging()) {
                reproposedWaits |= resendVotes(lane);
                r.agreement.closeIdleInterval(lane);
            }
        }
        if (reproposedWaits) {
            r.viewChanger.resendNewView();
        }
        r.viewChanger.resendViewChange();
        r.repairCertificates(period());
        r.checkpointer.trimmer.relieveLog();
        // Certificates gathered since the last round are progress too: a replica repairing hundreds
        // (256 a round) after catching up must not back off to rounds a minute apart meanwhile.
        long certificates = r.certificatesAttached();
        moved |= certificates != certificatesAtLastRound;
        // An install's patience is counted in rounds: they keep their base period while one is under way.
        moved |= r.snapshotTransfer.underWay();
        certificatesAtLastRound = certificates;
        shift = moved ? 0 : Math.min(MAX_SHIFT, shift + 1);
        r.env.setTimer(KEY, period());
    }

    /**
     * Sends again this replica's votes that {@code lane} waits on. Returns whether this primary's
     * NEW-VIEW re-proposed a batch still waiting: backups refuse such a pre-prepare sent alone
     * (they take it only from the NEW-VIEW), so the NEW-VIEW is what goes again.
     */
    private boolean resendVotes(Lane lane) {
        boolean reproposedWaits = false;
        for (Slot s : lane.slots().values()) {
            Signed<PrePrepare> pp = s.accepted();
            if (s.committed() || pp == null || pp.message().view() != r.state.view()) {
                continue;
            }
            if (pp.sender() == r.id) {
                if (s.seqno <= lane.proposals().newViewTop()) {
                    reproposedWaits = true;
                } else {
                    r.broadcastFrame(pp.frameUnsafe());
                }
            }
            resend(s.ownPrepare(r.id));
            resend(s.ownCommit(r.id));
        }
        Signed<Checkpoint> vote = r.checkpointer.ownUnstableVote(lane);
        resend(vote);
        return reproposedWaits;
    }

    private void resend(Signed<?> own) {
        if (own != null) {
            r.broadcastFrame(own.frameUnsafe());
        }
    }
}
