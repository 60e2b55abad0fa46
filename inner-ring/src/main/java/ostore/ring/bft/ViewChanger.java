package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.ColorState;
import ostore.ring.bft.Message.NewView;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.PreparedProof;
import ostore.ring.bft.Message.ViewChange;

/**
 * Replaces a primary that does not get known requests executed: VIEW-CHANGE, NEW-VIEW and entry
 * into the new view (PBFT with signed messages), once {@link Suspicions} says 2f+1 replicas suspect
 * the primary. The request timeout doubles with every view change that brings no progress (up to
 * {@value #MAX_TIMEOUT_SHIFT} times), so a ring with a slow network still settles on some view.
 *
 * <p>A replica waiting for a NEW-VIEW that f+1 peers already vote in asks for it again rather than
 * moving on alone (see {@link #onNewViewTimeout}); one that moved on anyway stays in the later view
 * (its VIEW-CHANGE promised it), executing what the ring commits through state transfer, until the
 * ring's next view change, which its VIEW-CHANGE then helps complete.
 */
final class ViewChanger {
    private static final System.Logger LOG = System.getLogger(ViewChanger.class.getName());
    /**
     * Doublings of the timeout at most: 64 T. Enough for any link that delivers at all, and a view
     * whose primary orders nothing is left within about 64 T however many views failed before it
     * (with 16 the netns soak's ring, after ten quick failed views on its slowed link, would have
     * waited 17 minutes before suspecting a stuck primary).
     */
    static final int MAX_TIMEOUT_SHIFT = 6;
    private final Replica r;
    private final TreeMap<Long, Map<Integer, Signed<ViewChange>>> received = new TreeMap<>();
    private int timeoutShift;
    private long newViewSent = -1;
    /** The view whose NEW-VIEW timer is armed (or ran out). */
    private long newViewTimerArmed = -1;
    /** This replica's VIEW-CHANGE for the view it is moving to, re-sent until the view starts. */
    private Signed<ViewChange> ownViewChange;
    /** The NEW-VIEW that started the current view (none for view 0): proof a lagging replica can check. */
    private Signed<NewView> currentNewView;
    /** Who suspects the primary of the current view: what starts a view change. */
    final Suspicions suspicions;
    /** While changing to a view: the peers seen voting in it (it has started without this replica). */
    private final TreeMap<Long, Set<Integer>> votedIn = new TreeMap<>();

    ViewChanger(Replica r) {
        this.r = r;
        this.suspicions = new Suspicions(r, this);
    }

    long timeout() {
        return r.config.params().viewChangeTimeoutMicros() << timeoutShift;
    }

    /** Doublings of the base timeout now (view changes in a row that brought no progress). */
    int timeoutShift() {
        return timeoutShift;
    }

    /**
     * A batch executed: the ring is live, so the next suspicion starts from the base timeout (and
     * the patience a slow ring taught, {@link Suspicions#requestTimeout}).
     */
    void progressed() {
        timeoutShift = 0;
        suspicions.progressed(r.env.nowMicros());
    }

    /**
     * The NEW-VIEW of the view this replica asked for did not come in time. If f+1 peers already
     * vote in that view, one of them is correct, so the view has started and only its NEW-VIEW is
     * missing here (lost, or queued behind bulk traffic on a slow link): moving on would leave this
     * replica alone in a later view, which its peers join only when they leave theirs. It asks
     * again instead (a peer in the view answers a VIEW-CHANGE for it with its NEW-VIEW) and waits
     * another timeout. Otherwise the view change failed and it asks for the next view (PBFT).
     */
    void onNewViewTimeout(long view) {
        if (!r.state.viewChanging() || r.state.view() != view) {
            return;
        }
        Set<Integer> voting = votedIn.getOrDefault(view, Set.of());
        if (voting.size() >= r.config.weakQuorum()) {
            LOG.log(System.Logger.Level.INFO, "replica {0}: peers {1} vote in view {2}, whose NEW-VIEW has not reached"
                    + " this replica; asking them for it", r.id, voting, view);
            resendViewChange();
            r.env.setTimer(new TimerKey(TimerKey.Kind.NEW_VIEW, view), timeout());
            return;
        }
        startViewChange(view + 1);
    }

    /**
     * A peer sent a PRE-PREPARE, PREPARE or COMMIT of {@code view}. While this replica waits for
     * that view's NEW-VIEW, it notes who is already voting there (see {@link #onNewViewTimeout}).
     * A peer voting in a view this replica has left missed the NEW-VIEW that ended it (a crash
     * before it was logged, or a lost message): it is sent the current one, as one that suspects
     * an old view is. Without it a primary of an old view, which never suspects itself, would
     * propose to peers that ignore it for good.
     */
    void peerVoted(int peer, long view) {
        if (peer == r.id) {
            return;
        }
        if (r.state.viewChanging() && view == r.state.view()) {
            votedIn.computeIfAbsent(view, v -> new HashSet<>()).add(peer);
        } else if (view < r.state.view()) {
            forwardNewView(peer);
        }
    }

    void startViewChange(long newView) {
        SafetyViolation.check(newView > r.state.view() || (newView == r.state.view() && !r.state.viewChanging()),
                () -> "asked for view " + newView + " while in view " + r.state.view() + (r.state.viewChanging() ? " (changing)" : "")
                        + ": views only move forward");
        LOG.log(System.Logger.Level.INFO, "replica {0}: asking for view {1} (was in view {2}{3})", r.id, newView, r.state.view(),
                r.state.viewChanging() ? ", changing" : "");
        if (!r.state.viewChanging()) {
            suspicions.viewEnding(r.env.nowMicros());
        }
        r.rlog.appendView(newView, true);
        r.state.startViewChange(newView);
        timeoutShift = Math.min(MAX_TIMEOUT_SHIFT, timeoutShift + 1);
        suspicions.cancelRequestTimer();
        suspicions.forget();
        votedIn.headMap(newView, false).clear();
        ownViewChange = r.sign(buildViewChange(newView));
        r.broadcastFrame(ownViewChange.frameUnsafe());
        received.computeIfAbsent(newView, v -> new TreeMap<>()).put(r.id, ownViewChange);
        armNewViewTimer();
        maybeSendNewView();
    }

    /**
     * After a restart in the middle of a view change: ask for that view again (the VIEW-CHANGE is
     * rebuilt from the logged checkpoints and prepared proofs, so it says what the lost one said).
     * Without it the replica would wait, silent, for a NEW-VIEW its peers may never send.
     */
    void resumeAfterRecovery() {
        if (!r.state.viewChanging()) {
            return;
        }
        ownViewChange = r.sign(buildViewChange(r.state.view()));
        r.broadcastFrame(ownViewChange.frameUnsafe());
        received.computeIfAbsent(r.state.view(), v -> new TreeMap<>()).put(r.id, ownViewChange);
        armNewViewTimer();
    }

    private ViewChange buildViewChange(long newView) {
        List<ColorState> colors = new ArrayList<>();
        for (Lane lane : r.state.lanes()) {
            List<PreparedProof> prepared = new ArrayList<>();
            for (Slot s : lane.slots().values()) {
                if (s.prepared() != null) {
                    prepared.add(s.prepared());
                }
            }
            colors.add(new ColorState(lane.color, lane.stable(), lane.stableDigest(), lane.stableProof(), prepared));
        }
        return new ViewChange(newView, colors);
    }

    /**
     * Starts waiting for the NEW-VIEW of the view this replica is moving to once 2f+1 replicas
     * (itself included) asked for it or a later one (PBFT's rule, which counts the view itself).
     * A replica that timed out alone must not run on to the next view by itself: it would stay one
     * view ahead of the others for good, each of its VIEW-CHANGEs one short of the f+1 that make
     * them follow, while they wait in the view behind it. It waits instead, and they join it when
     * their own requests time out. Later views count too, so a replica that missed one peer's
     * VIEW-CHANGE for this view, while that peer has moved on, still gives up on it in time.
     */
    private void armNewViewTimer() {
        long v = r.state.view();
        Set<Integer> senders = new HashSet<>();
        received.tailMap(v, true).values().forEach(vcs -> senders.addAll(vcs.keySet()));
        if (!r.state.viewChanging() || newViewTimerArmed == v || senders.size() < r.config.quorum()) {
            return;
        }
        newViewTimerArmed = v;
        r.env.setTimer(new TimerKey(TimerKey.Kind.NEW_VIEW, v), timeout());
    }

    /** A primary sends the NEW-VIEW that started its view again: a batch it re-proposed still waits. */
    void resendNewView() {
        if (!r.state.viewChanging() && currentNewView != null && currentNewView.message().view() == r.state.view()
                && currentNewView.sender() == r.id) {
            r.broadcastFrame(currentNewView.frameUnsafe());
        }
    }

    /** Sends this replica's VIEW-CHANGE again while the view it asked for has not started. */
    void resendViewChange() {
        if (r.state.viewChanging() && ownViewChange != null && ownViewChange.message().newView() == r.state.view()) {
            r.broadcastFrame(ownViewChange.frameUnsafe());
        }
    }

    void onViewChange(Signed<ViewChange> s) {
        long v = s.message().newView();
        if (v < r.state.view() || (v == r.state.view() && !r.state.viewChanging())) {
            forwardNewView(s.sender());
            return;
        }
        if (!NewViewPlan.valid(r.config, s)) {
            return;
        }
        received.computeIfAbsent(v, x -> new TreeMap<>()).putIfAbsent(s.sender(), s);
        joinIfOthersMoved();
        suspicions.countSuspicions();
        armNewViewTimer();
        maybeSendNewView();
    }

    /**
     * {@code peer} asks for a view this replica has already entered, so it missed the NEW-VIEW:
     * send it on, as its primary signed it (anyone may forward it; the receiver checks it whole).
     */
    void forwardNewView(int peer) {
        if (!r.state.viewChanging() && currentNewView != null && currentNewView.message().view() == r.state.view()
                && r.retransmitter.mayForwardNewView(peer)) {
            r.env.send(peer, currentNewView.frame());
        }
    }

    /** The replicas (this one aside) that asked for a view above the current one. */
    Set<Integer> askingForLaterViews() {
        Set<Integer> senders = new HashSet<>();
        received.tailMap(r.state.view(), false).values().forEach(vcs -> senders.addAll(vcs.keySet()));
        senders.remove(r.id);
        return senders;
    }

    /** f+1 replicas asking for views above ours include a correct one: follow to the lowest of those. */
    private void joinIfOthersMoved() {
        Set<Integer> senders = new HashSet<>();
        long lowest = Long.MAX_VALUE;
        for (var e : received.tailMap(r.state.view(), !r.state.viewChanging()).entrySet()) {
            if (e.getKey() > r.state.view() || !r.state.viewChanging()) {
                senders.addAll(e.getValue().keySet());
                lowest = Math.min(lowest, e.getKey());
            }
        }
        senders.remove(r.id);
        if (senders.size() >= r.config.weakQuorum() && lowest > r.state.view()) {
            startViewChange(lowest);
        }
    }

    private void maybeSendNewView() {
        long v = r.state.view();
        Map<Integer, Signed<ViewChange>> vcs = received.get(v);
        if (!r.state.viewChanging() || r.config.primary(v) != r.id || newViewSent == v || vcs == null
                || vcs.size() < r.config.quorum()) {
            return;
        }
        List<Signed<ViewChange>> chosen = new ArrayList<>(vcs.values()).subList(0, r.config.quorum());
        NewViewPlan plan = NewViewPlan.compute(r.config, v, chosen);
        List<Signed<PrePrepare>> signed = plan.prePrepares.stream().map(r::sign).toList();
        newViewSent = v;
        Signed<NewView> nv = r.sign(new NewView(v, chosen, signed));
        // Logged in enterView before it leaves: after a crash this primary must not sign other batches there.
        enterView(plan, nv);
        // Backups drop pre-prepares of a view they have not entered, so NEW-VIEW goes before new batches.
        r.broadcastFrame(nv.frameUnsafe());
        resume();
    }

    void onNewView(Signed<NewView> s) {
        NewView nv = s.message();
        long v = nv.view();
        if (v < r.state.view() || (v == r.state.view() && !r.state.viewChanging()) || s.sender() != r.config.primary(v)) {
            LOG.log(System.Logger.Level.DEBUG, "replica {0}: ignored NEW-VIEW {1} from {2} (in view {3}{4})", r.id, v,
                    s.sender(), r.state.view(), r.state.viewChanging() ? ", changing" : "");
            return;
        }
        Set<Integer> senders = new HashSet<>();
        for (Signed<ViewChange> vc : nv.viewChanges()) {
            if (vc.message().newView() != v || !senders.add(vc.sender()) || !NewViewPlan.valid(r.config, vc)) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: refused NEW-VIEW {1} from {2}: VIEW-CHANGE of {3}"
                        + " is for another view, repeated or invalid", r.id, v, s.sender(), vc.sender());
                return;
            }
        }
        if (senders.size() < r.config.quorum()) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: refused NEW-VIEW {1} from {2}: {3} VIEW-CHANGEs, not {4}",
                    r.id, v, s.sender(), senders.size(), r.config.quorum());
            return;
        }
        NewViewPlan plan = NewViewPlan.compute(r.config, v, nv.viewChanges());
        List<PrePrepare> proposed = nv.prePrepares().stream().map(Signed::message).toList();
        boolean allFromPrimary = nv.prePrepares().stream().allMatch(p -> p.sender() == s.sender());
        if (!plan.prePrepares.equals(proposed) || !allFromPrimary) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: refused NEW-VIEW {1} from {2}: its pre-prepares are not"
                    + " the ones its VIEW-CHANGEs call for", r.id, v, s.sender());
            return;
        }
        if (v > r.state.view() || !r.state.viewChanging()) {
            r.rlog.appendView(v, true);
        }
        enterView(plan, s);
        resume();
    }

    /**
     * Installs the view {@code nv} starts: logs {@code nv} with the view (one append, before
     * anything depends on it), adopts its checkpoints, accepts its batches, resumes proposing.
     */
    private void enterView(NewViewPlan plan, Signed<NewView> nv) {
        long v = nv.message().view();
        List<Signed<PrePrepare>> prePrepares = nv.message().prePrepares();
        r.rlog.appendNewView(nv);
        currentNewView = nv;
        r.state.enterView(v);
        suspicions.forget();
        suspicions.viewEntered(r.env.nowMicros());
        LOG.log(System.Logger.Level.INFO, "replica {0}: entered view {1} (primary {2})", r.id, v, r.config.primary(v));
        r.env.cancelTimer(new TimerKey(TimerKey.Kind.NEW_VIEW, v));
        received.headMap(v, true).clear();
        votedIn.headMap(v, true).clear();
        for (NewViewPlan.Start start : plan.starts) {
            // Behind the view's checkpoint, a replica still moves its window there (and fetches the state).
            r.checkpointer.adopt(r.state.lane(start.color()), start.seqno(), start.digest(), start.proof());
        }
        restartPending(reaccept(prePrepares));
    }

    /**
     * Raises each color's next seqno and NEW-VIEW top past {@code prePrepares} and accepts those
     * not yet accepted in their view (or waits for their payloads). Returns the digests they order.
     */
    private Set<Hash32> reaccept(List<Signed<PrePrepare>> prePrepares) {
        Set<Hash32> reproposed = new HashSet<>();
        for (Signed<PrePrepare> pp : prePrepares) {
            Lane lane = r.state.lane(pp.message().color());
            long seqno = pp.message().seqno();
            reproposed.addAll(pp.message().digests());
            lane.proposals().reproposed(pp.message());
            Slot slot = seqno > lane.stable() ? lane.slot(seqno) : null;
            if (slot != null && (slot.accepted() == null
                    || slot.accepted().message().view() < pp.message().view())) {
                r.agreement.acceptWhenHeld(lane, slot, pp);
            }
        }
        return reproposed;
    }

    /**
     * After a restart in view {@code nv} started: its re-proposals hold again (the ones logged as
     * ACCEPTED are already in place; the rest wait for payloads again), and a primary proposes above them.
     */
    void restartedIn(Signed<NewView> nv) {
        currentNewView = nv;
        // Its checkpoints again too: adopted before the crash, they were not logged if this replica
        // was behind them, and without them it would propose below the ring's window.
        for (NewViewPlan.Start start : NewViewPlan.compute(r.config, nv.message().view(), nv.message().viewChanges()).starts) {
            r.checkpointer.adopt(r.state.lane(start.color()), start.seqno(), start.digest(), start.proof());
        }
        reaccept(nv.message().prePrepares());
    }

    /** Gives every pending request a fresh timeout in the new view; the new primary proposes them. */
    private void restartPending(Set<Hash32> reproposed) {
        long now = r.env.nowMicros();
        r.state.restartPendingClocks(now);
        if (r.state.orders()) {
            for (Hash32 d : r.state.pending().keySet()) {
                if (!reproposed.contains(d)) {
                    r.state.laneOf(d).proposals().enqueue(d);
                }
            }
        }
    }

    private void resume() {
        for (Lane lane : r.state.lanes()) {
            r.agreement.proposeReady(lane, true);
            r.executeReady(lane);
        }
        suspicions.armRequestTimer();
    }
}
