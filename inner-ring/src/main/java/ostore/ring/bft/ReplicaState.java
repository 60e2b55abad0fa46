package ostore.ring.bft;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.store.AuthenticatedUpdate;

/**
 * All of a replica's protocol state in one place: its view, its status (recovering, normal, view
 * change), its lanes (one per color, {@link Lane}) and the client updates it holds. Changed only
 * through the named transitions here and on {@link Lane} and {@link Slot}, each of which checks its
 * preconditions; {@link #invariants} checks the whole after every event the replica handles
 * ({@link Replica}), always, in production. A broken precondition or invariant is a
 * {@link SafetyViolation}: the process stops with one log line and exit code 70.
 *
 * <p>The deciders ({@link BatchExecution}, {@link Checkpointer}, {@link ViewChanger},
 * {@link StateTransfer}, {@link SnapshotTransfer}, {@link Recovery}) read this state and call its
 * transitions; none writes a field. That is what lets the state be reasoned about (and checked)
 * as a whole: every way it can change is a method of one of three classes.
 */
final class ReplicaState {
    /** The replica's status: where in its life and in the view protocol it is. */
    enum Status {
        /** Built, its log not read yet: handles no event until {@link #recovered}. */
        RECOVERING,
        /** Ordering in {@link #view()}. */
        NORMAL,
        /** Asked for {@link #view()} and waits for its NEW-VIEW: orders nothing. */
        VIEW_CHANGE
    }

    /** A client update held: its signed bytes (what is logged and relayed) and its decoded, verified form. */
    record Payload(byte[] signedUpdate, AuthenticatedUpdate update) {}

    private final RingConfig config;
    private final int id;
    private final Lane[] lanes;
    private final List<Lane> laneList;
    private long view;
    private Status status = Status.RECOVERING;
    /** Every update held (pending or still needed by a slot, history or state transfer), by digest. */
    private final Map<Hash32, Payload> payloads = new HashMap<>();
    /** Known, unexecuted updates by arrival time (oldest first): what a view change must save. */
    private final LinkedHashMap<Hash32, Long> pending = new LinkedHashMap<>();

    ReplicaState(RingConfig config, int id) {
        this.config = config;
        this.id = id;
        this.lanes = new Lane[config.colors()];
        for (int c = 0; c < lanes.length; c++) {
            lanes[c] = new Lane(c, config.params().watermarkWindow());
        }
        this.laneList = List.of(lanes);
    }

    // ---- reading ----

    long view() {
        return view;
    }

    Status status() {
        return status;
    }

    /** True while this replica asked for {@link #view()} and has not entered it. */
    boolean viewChanging() {
        return status == Status.VIEW_CHANGE;
    }

    boolean isPrimary() {
        return config.primary(view) == id;
    }

    /** The primary of the current view ordering: primary, and not changing views. */
    boolean orders() {
        return status == Status.NORMAL && isPrimary();
    }

    List<Lane> lanes() {
        return laneList;
    }

    Lane lane(int color) {
        return lanes[color];
    }

    int colors() {
        return lanes.length;
    }

    /** The lane of the color {@code digest}'s (held) update belongs to. */
    Lane laneOf(Hash32 digest) {
        return lanes[config.colorOf(payloads.get(digest).update().update().aguid())];
    }

    Payload payload(Hash32 digest) {
        return payloads.get(digest);
    }

    boolean holds(Hash32 digest) {
        return payloads.containsKey(digest);
    }

    /** The digests of the held updates of {@code color}. */
    List<Hash32> heldOf(int color) {
        return payloads.entrySet().stream()
                .filter(e -> config.colorOf(e.getValue().update().update().aguid()) == color)
                .map(Map.Entry::getKey).toList();
    }

    /** The pending updates (read-only): digest to arrival time, oldest first. */
    SequencedMap<Hash32, Long> pending() {
        return Collections.unmodifiableSequencedMap(pending);
    }

    // ---- transitions: the view ----

    /** Recovery read the log: the replica is in {@code view}, changing to it if {@code changing}. */
    void recovered(long view, boolean changing) {
        check(status == Status.RECOVERING, () -> "recovered while " + status);
        check(view >= 0, () -> "recovered into view " + view);
        this.view = view;
        status = changing ? Status.VIEW_CHANGE : Status.NORMAL;
    }

    /**
     * The replica asks for {@code newView} (its timer ran out, enough peers suspect the primary, or
     * it follows them): it orders nothing until it enters a view; the primary's queue is dropped.
     */
    void startViewChange(long newView) {
        check(status != Status.RECOVERING, () -> "asked for view " + newView + " before recovery");
        check(newView > view || newView == view && status == Status.NORMAL, () -> "asked for view " + newView
                + " while in view " + view + (viewChanging() ? " (changing)" : "") + ": views only move forward");
        view = newView;
        status = Status.VIEW_CHANGE;
        for (Lane lane : lanes) {
            lane.proposals().clearQueue();
        }
    }

    /** A valid NEW-VIEW for {@code newView} arrived: the replica orders in it ({@link Lane#enterView}). */
    void enterView(long newView) {
        check(status != Status.RECOVERING, () -> "entered view " + newView + " before recovery");
        check(newView > view || newView == view && status == Status.VIEW_CHANGE, () -> "entered view " + newView
                + " while in view " + view + (viewChanging() ? " (changing)" : "") + ": views only move forward");
        view = newView;
        status = Status.NORMAL;
        for (Lane lane : lanes) {
            lane.enterView(newView);
        }
    }

    // ---- transitions: updates held ----

    /** Holds a new update, pending since {@code nowMicros}. */
    void hold(Hash32 digest, Payload p, long nowMicros) {
        check(!payloads.containsKey(digest), () -> "update " + digest + " held twice");
        payloads.put(digest, p);
        pending.put(digest, nowMicros);
    }

    /** Recovery found the update in the log: held, and pending unless a batch ran it ({@link #executed}). */
    void restoreHeld(Hash32 digest, Payload p, long nowMicros) {
        payloads.put(digest, p);
        pending.putIfAbsent(digest, nowMicros);
    }

    /** Holds an update a verified batch from state transfer orders: needed to run it, not pending. */
    void holdForBatch(Hash32 digest, Payload p) {
        payloads.put(digest, p);
    }

    /** The updates {@code digests} ran (here, or in a snapshot installed here): no longer pending. */
    void executed(List<Hash32> digests) {
        digests.forEach(pending::remove);
    }

    /**
     * The pending update {@code digest} leaves the queue unordered (its color installed a snapshot,
     * which executed most such updates); the held payload goes with the next drop of its color's.
     */
    void forgetPending(Hash32 digest) {
        pending.remove(digest);
    }

    /** A new view started: every pending update gets a fresh timeout from {@code nowMicros}. */
    void restartPendingClocks(long nowMicros) {
        pending.replaceAll((d, at) -> nowMicros);
    }

    /** Drops the held updates of {@code color} not in {@code live}; every pending update must be live. */
    void dropPayloads(int color, Set<Hash32> live) {
        check(live.containsAll(pending.keySet()), () -> "color " + color + " would drop a pending update");
        payloads.entrySet().removeIf(e -> !live.contains(e.getKey())
                && config.colorOf(e.getValue().update().update().aguid()) == color);
    }

    // ---- invariants ----

    /**
     * What must hold between events: the replica recovered; only the primary of a view it orders
     * in queues digests; each lane's own invariants ({@link Lane#invariants}); every pending update
     * is held (checked by count here, by {@link #dropPayloads} where payloads leave). Cheap: it
     * runs after every event.
     */
    void invariants() {
        check(status != Status.RECOVERING, () -> "an event before recovery");
        boolean mayQueue = orders();
        for (Lane lane : lanes) {
            int queued = lane.proposals().queued();
            check(mayQueue || queued == 0, () -> "color " + lane.color + " queues " + queued
                    + " digests at a replica that does not order (view " + view + ", " + status + ")");
            lane.invariants();
        }
        check(pending.size() <= payloads.size(), () -> pending.size() + " updates pending but only "
                + payloads.size() + " held");
    }

    private static void check(boolean holds, Supplier<String> what) {
        SafetyViolation.check(holds, what);
    }
}
