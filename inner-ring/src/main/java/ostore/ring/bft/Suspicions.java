package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ostore.crypto.Hash32;

/**
 * Who may change the view: a replica's own suspicion of the primary and its peers' (PBFT's request
 * timer, with the relay that makes it safe against clients). {@link ViewChanger} runs the view
 * change that 2f+1 suspicions start.
 *
 * <p>Nothing a client does can move a correct replica out of its view. A request that has waited
 * half the timeout is first relayed to every peer (REQUEST), so the primary has it whatever the
 * client sent where. Only a relayed request still unexecuted a full timeout after it arrived, at
 * least half a timeout after the relay, while the ring executed nothing for a full timeout (or
 * waiting {@value #STARVED} timeouts whatever else executed) makes a backup suspect the primary,
 * and a suspicion (SUSPECT) changes nothing by itself: the replica stays in its view, voting, and
 * leaves it only once 2f+1 replicas suspect the primary of that view (itself included; f+1 others
 * suspecting, or asking for a later view, make it suspect too, even the primary) or f+1 others ask
 * for a later view. A suspicion lapses once its request executes (peers forget one not repeated for
 * {@value #SUSPICION_LIFETIME} timeouts), so a replica that suspects alone never leaves its view. A
 * replica catching up in a color neither relays nor suspects over that color's requests. "The
 * timeout" here is the request timeout ({@link #requestTimeout}), which a ring whose views keep
 * ending quickly lengthens: a slow ring is not a faulty primary.
 */
final class Suspicions {
    private static final System.Logger LOG = System.getLogger(Suspicions.class.getName());
    /** A request this many timeouts old is starved, even if its color executes other batches. */
    static final int STARVED = 8;
    /**
     * Timeouts after which a peer's suspicion, not repeated (every half of its timeout while it
     * holds), no longer counts: two, so a peer whose patience is up to two doublings above this
     * replica's ({@link #requestTimeout}) still counts between its repeats.
     */
    static final int SUSPICION_LIFETIME = 2;
    private static final TimerKey REQUEST_TIMER = new TimerKey(TimerKey.Kind.VIEW_CHANGE, 0);
    /**
     * Doublings of the request timeout at most that patience adds ({@link #requestTimeout}): 8 T.
     * A primary that really stops is then replaced within about 8 T however slow the ring was.
     */
    static final int MAX_PATIENCE = 3;
    /** A view that ends fewer than this many request timeouts after it began ended quickly. */
    static final int QUICK_VIEW_TIMEOUTS = 16;
    /** Request timeouts of progress in one view after which patience drops by one doubling. */
    static final int CALM_TIMEOUTS = 64;

    private record Suspicion(long view, long receivedMicros) {}

    private final Replica r;
    private final ViewChanger views;
    /** When this replica relayed each pending request to its peers, in this view. */
    private final Map<Hash32, Long> relayedAt = new java.util.HashMap<>();
    /** When the request timer is due (Long.MAX_VALUE: not armed): arming only ever moves it earlier. */
    private long requestTimerDue = Long.MAX_VALUE;
    /** The view whose primary this replica suspects, or -1. */
    private long suspected = -1;
    /** Each peer's latest suspicion. */
    private final Map<Integer, Suspicion> suspicions = new TreeMap<>();
    /** Doublings of the request timeout learnt from views that ended quickly ({@link #viewEnding}). */
    private int patience;
    /** When this replica entered its current view (or started). */
    private long viewSince;
    /** Since when patience has been at its value, or the current view began, whichever is later. */
    private long calmSince;

    Suspicions(Replica r, ViewChanger views) {
        this.r = r;
        this.views = views;
        this.viewSince = r.env.nowMicros();
        this.calmSince = viewSince;
    }

    /**
     * How long a request may wait before this replica suspects the primary: the view-change
     * timeout (doubled per view change that brought no progress, {@link ViewChanger#timeout}), or
     * longer by the patience a quickly churning ring taught it. Views that keep ending within
     * {@value #QUICK_VIEW_TIMEOUTS} timeouts of their start are evidence that the ring is slow, not
     * that their primaries are faulty (at most f are, so of f+1 primaries in a row one is correct):
     * each such view doubles the patience, up to {@value #MAX_PATIENCE} times (8 T), and each
     * {@value #CALM_TIMEOUTS} timeouts of progress in one view halve it again.
     */
    long requestTimeout() {
        return views.timeout() << Math.max(0, patience - views.timeoutShift());
    }

    /** This replica leaves its view for a view change at {@code now}: a view that lasted little raises patience. */
    void viewEnding(long now) {
        if (now - viewSince < QUICK_VIEW_TIMEOUTS * requestTimeout() && patience < MAX_PATIENCE) {
            patience++;
            calmSince = now;
            LOG.log(System.Logger.Level.INFO, "replica {0}: view {1} ended {2} ms after it began: views end quickly,"
                    + " so a request may now wait {3} ms before this replica suspects a primary", r.id, r.state.view(),
                    (now - viewSince) / 1000, (r.config.params().viewChangeTimeoutMicros() << patience) / 1000);
        }
    }

    /** This replica entered a view at {@code now}. */
    void viewEntered(long now) {
        viewSince = now;
        calmSince = Math.max(calmSince, now);
    }

    /** A batch executed at {@code now}: after long enough in one view, patience drops a step. */
    void progressed(long now) {
        if (patience > 0 && now - calmSince >= CALM_TIMEOUTS * requestTimeout()) {
            patience--;
            calmSince = now;
            LOG.log(System.Logger.Level.INFO, "replica {0}: the ring has been calm: a request may now wait {1} ms before"
                    + " this replica suspects a primary", r.id, (r.config.params().viewChangeTimeoutMicros() << patience) / 1000);
        }
    }

    /**
     * Keeps the request timer due by the time the oldest pending request has waited half the
     * timeout; while requests are pending it then fires every half timeout ({@link #onRequestTimeout}).
     */
    void armRequestTimer() {
        if (r.state.pending().isEmpty() || r.state.viewChanging()) {
            r.env.cancelTimer(REQUEST_TIMER);
            requestTimerDue = Long.MAX_VALUE;
            if (r.state.pending().isEmpty() && suspected == r.state.view() && !r.state.viewChanging()) {
                // Nothing waits any more: the suspicion lapses (peers forget it within a timeout).
                suspected = -1;
            }
            return;
        }
        long now = r.env.nowMicros();
        long due = Math.max(now + 1, r.state.pending().firstEntry().getValue() + requestTimeout() / 2);
        if (due < requestTimerDue) {
            requestTimerDue = due;
            r.env.setTimer(REQUEST_TIMER, due - now);
        }
    }

    /**
     * Relays the requests that waited half the timeout, and suspects the primary if a relayed one
     * is stuck (see the class comment); withdraws the suspicion once none is.
     */
    void onRequestTimeout() {
        requestTimerDue = Long.MAX_VALUE;
        if (r.state.viewChanging() || r.state.pending().isEmpty() || r.isPrimary()) {
            // A primary's own waiting requests say it is busy, not faulty: it neither relays nor suspects.
            if (!r.state.viewChanging() && !r.state.pending().isEmpty()) {
                requestTimerDue = r.env.nowMicros() + requestTimeout() / 2;
                r.env.setTimer(REQUEST_TIMER, requestTimeout() / 2);
            } else {
                armRequestTimer();
            }
            return;
        }
        long now = r.env.nowMicros();
        long half = requestTimeout() / 2;
        relayedAt.keySet().retainAll(r.state.pending().keySet());
        List<Hash32> relay = new ArrayList<>();
        Hash32 stuck = null;
        // Pending requests are in arrival order: the first one too young ends the scan.
        for (var e : r.state.pending().entrySet()) {
            long waited = now - e.getValue();
            if (waited < half) {
                break;
            }
            if (r.catchingUp(r.state.laneOf(e.getKey()))) {
                // Most likely executed by the ring already: naming it costs the link and tells nobody anything.
                continue;
            }
            // Named again every round (digests only): a peer fetches what it still lacks.
            relay.add(e.getKey());
            Long relayed = relayedAt.get(e.getKey());
            if (relayed != null && stuck == null && now - relayed >= half && waited >= requestTimeout() && starved(waited, now)) {
                stuck = e.getKey();
            }
        }
        relay(relay, now);
        if (stuck != null) {
            suspect(r.state.view(), stuck, now - r.state.pending().get(stuck));
        } else if (suspected == r.state.view()) {
            LOG.log(System.Logger.Level.INFO, "replica {0}: no longer suspects the primary of view {1}", r.id, r.state.view());
            suspected = -1;
        }
        if (!r.state.viewChanging()) {
            requestTimerDue = now + half;
            r.env.setTimer(REQUEST_TIMER, half);
        }
    }

    /**
     * Whether a request that waited {@code waited} is held up by the primary rather than by load:
     * nothing executed for a timeout, in any color, or it waited {@value #STARVED} timeouts.
     */
    private boolean starved(long waited, long now) {
        long last = Long.MIN_VALUE;
        for (Lane lane : r.state.lanes()) {
            last = Math.max(last, lane.lastExecutedMicros());
        }
        return now - last >= requestTimeout() || waited >= STARVED * requestTimeout();
    }

    /** Names {@code digests} to every peer, at most {@link Message#MAX_RELAYED} per REQUEST; peers fetch what they lack. */
    private void relay(List<Hash32> digests, long now) {
        for (int from = 0; from < digests.size(); from += Message.MAX_RELAYED) {
            List<Hash32> some = digests.subList(from, Math.min(digests.size(), from + Message.MAX_RELAYED));
            some.forEach(d -> relayedAt.putIfAbsent(d, now));
            r.broadcast(new Message.Request(some));
        }
    }

    /** This replica suspects the primary of {@code view} (again: peers keep only a repeated suspicion). */
    private void suspect(long view, Hash32 stuck, long waited) {
        if (suspected != view) {
            LOG.log(System.Logger.Level.INFO, "replica {0}: suspects the primary {1} of view {2}{3}", r.id,
                    r.config.primary(view), view, stuck == null ? ", as f+1 others do"
                            : ": relayed request " + stuck.shortHex() + " waited " + waited / 1000 + " ms");
            suspected = view;
        }
        r.broadcast(new Message.Suspect(view));
        countSuspicions();
    }

    /**
     * A peer suspects the primary of {@code s}'s view. One that suspects a view this replica has
     * left is behind (it lost its disk, or missed the NEW-VIEW while cut off) and alone in it: it
     * is sent the NEW-VIEW of the current view, or it would suspect a view nobody else is in for good.
     */
    void onSuspect(Signed<Message.Suspect> s) {
        if (s.message().view() >= r.state.view()) {
            suspicions.put(s.sender(), new Suspicion(s.message().view(), r.env.nowMicros()));
            countSuspicions();
        } else {
            views.forwardNewView(s.sender());
        }
    }

    /**
     * 2f+1 suspecting the current view's primary start a view change; f+1 others make this replica
     * (the primary too) suspect it as well. A peer asking for a later view has given up on this one,
     * so its VIEW-CHANGE counts as a suspicion.
     */
    void countSuspicions() {
        if (r.state.viewChanging()) {
            return;
        }
        long now = r.env.nowMicros();
        long lifetime = SUSPICION_LIFETIME * requestTimeout();
        Set<Integer> others = new HashSet<>();
        suspicions.forEach((sender, s) -> {
            if (sender != r.id && s.view() == r.state.view() && now - s.receivedMicros() <= lifetime) {
                others.add(sender);
            }
        });
        others.addAll(views.askingForLaterViews());
        others.remove(r.id);
        if (suspected != r.state.view() && others.size() >= r.config.weakQuorum()) {
            suspect(r.state.view(), null, 0);
            return;
        }
        if (suspected == r.state.view() && others.size() + 1 >= r.config.quorum()) {
            views.startViewChange(r.state.view() + 1);
        }
    }

    /** A view change starts: no request timer until the next view. */
    void cancelRequestTimer() {
        r.env.cancelTimer(REQUEST_TIMER);
        requestTimerDue = Long.MAX_VALUE;
    }

    /** A new view (or a view change) starts: suspicions and relays were about the old primary. */
    void forget() {
        suspected = -1;
        relayedAt.clear();
        suspicions.values().removeIf(s -> s.view() < r.state.view());
    }
}
