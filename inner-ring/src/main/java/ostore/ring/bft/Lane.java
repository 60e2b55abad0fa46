package ostore.ring.bft;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.PrePrepare;

/**
 * One color's ordering state: its slots inside the watermark window (stable, stable + L], what it
 * executed, its checkpoint chain and votes, and (at the primary) the digests waiting for a batch
 * ({@link Proposals}). Colors share nothing, so a slow color never holds up another.
 *
 * <p>Part of the replica's state ({@link ReplicaState}): every field is private and changes only
 * through the named transitions below, each of which checks its preconditions and throws
 * {@link SafetyViolation} when one does not hold; {@link #invariants} checks the lane as a whole
 * after every event. The deciders (execution, checkpoints, view change, state transfer, snapshots,
 * recovery) read the lane and call transitions; none writes a field.
 */
final class Lane {
    static final Hash32 ZERO = Hash32.of(new byte[Hash32.LENGTH]);

    /**
     * Update bytes after which a color checkpoints whatever its batch count: with large updates a
     * count of batches alone lets the log grow by tens of MiB per color between trims. Part of the
     * protocol: every replica must use the same value.
     */
    static final long CHECKPOINT_BYTES = 4L << 20;

    /** A batch this replica executed, kept so a lagging peer can re-execute it (state transfer). */
    record Executed(PrePrepare batch, Hash32 resultsRoot, Hash32 stateDigest) {}

    /** A stable checkpoint that arrived while this replica still ran batches it holds committed up to it. */
    record Deferred(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {}

    final int color;
    /** The watermark window L: slots and checkpoint votes live in (stable, stable + L]. */
    private final int window;
    private final TreeMap<Long, Slot> slots = new TreeMap<>();
    private long stable;
    private Hash32 stableDigest = ZERO;
    private List<Signed<Checkpoint>> stableProof = List.of();
    private long executed;
    private Hash32 stateDigest = ZERO;
    /**
     * The batches executed here, from some way below the stable checkpoint up to {@link #executed}:
     * what FETCH-STATE is answered from. Trimmed to {@link RingConfig.Params#retainedBelowStable()} under it.
     */
    private final TreeMap<Long, Executed> history = new TreeMap<>();
    private long executedTimestamp = Long.MIN_VALUE;
    /** When (this replica's clock) the color last executed a batch: a primary making progress is not suspected. */
    private long lastExecutedMicros;
    /**
     * Update bytes (the data of their actions, a function of the signed bodies every replica
     * agrees on) in the batches executed since the last checkpoint seqno: see {@link #executedBatch}.
     */
    private long bytesSinceCheckpoint;
    /** Whether the batch {@link #executed} names ends a checkpoint interval. */
    private boolean executedEndsInterval;
    /** This replica's checkpoint digest ({@link Checkpoint#digest()}) at each checkpoint seqno above the stable one. */
    private final TreeMap<Long, Hash32> ownCheckpoints = new TreeMap<>();
    /** Checkpoint votes above the stable checkpoint: seqno, then checkpoint digest, then sender. */
    private final CheckpointVotes checkpointVotes = new CheckpointVotes();
    /**
     * A batch of this color is being written to the store ({@link ReplicaEnv#execute}): its store
     * state is the writer's until the result is back, so nothing else reads or replaces it.
     */
    private boolean executing;
    /** A snapshot install was wanted while a batch executed; it starts when the batch is done. */
    private boolean snapshotDeferred;
    private Deferred deferredStable;
    /** Where this color's log holds what the lane still needs ({@link LogPositions}). */
    private final LogPositions positions = new LogPositions();
    /** What the primary proposes next, and the digests waiting for a batch. */
    private final Proposals proposals;

    Lane(int color, int window) {
        this.color = color;
        this.window = window;
        this.proposals = new Proposals(color);
    }

    // ---- reading ----

    long stable() {
        return stable;
    }

    Hash32 stableDigest() {
        return stableDigest;
    }

    List<Signed<Checkpoint>> stableProof() {
        return stableProof;
    }

    long executed() {
        return executed;
    }

    Hash32 stateDigest() {
        return stateDigest;
    }

    /** The executed batches kept (read-only). */
    NavigableMap<Long, Executed> history() {
        return Collections.unmodifiableNavigableMap(history);
    }

    long lastExecutedMicros() {
        return lastExecutedMicros;
    }

    /** Whether the batch {@link #executed} names ends a checkpoint interval (see {@link #executedBatch}). */
    boolean executedEndsInterval() {
        return executedEndsInterval;
    }

    /** The slots of the window (read-only); {@link #slot} opens one. */
    NavigableMap<Long, Slot> slots() {
        return Collections.unmodifiableNavigableMap(slots);
    }

    /** The slot at {@code seqno}, or null if none is open there. */
    Slot slotAt(long seqno) {
        return slots.get(seqno);
    }

    Hash32 ownCheckpoint(long seqno) {
        return ownCheckpoints.get(seqno);
    }

    /** This replica's latest checkpoint above the stable one (seqno to digest), or null. */
    Map.Entry<Long, Hash32> lastOwnCheckpoint() {
        return ownCheckpoints.lastEntry();
    }

    /** The checkpoint vote {@code sender} sent for {@code digest} at {@code seqno}, or null. */
    Signed<Checkpoint> checkpointVote(long seqno, Hash32 digest, int sender) {
        return checkpointVotes.vote(seqno, digest, sender);
    }

    /** The seqnos at which checkpoint votes are kept. */
    java.util.NavigableSet<Long> checkpointVoteSeqnos() {
        return checkpointVotes.seqnos();
    }

    boolean executing() {
        return executing;
    }

    boolean snapshotDeferred() {
        return snapshotDeferred;
    }

    Deferred deferredStable() {
        return deferredStable;
    }

    boolean inWindow(long seqno) {
        return seqno > stable && seqno <= stable + window;
    }

    /** True while the ring's stable checkpoint is above what this replica has executed: it needs state. */
    boolean behind() {
        return executed < stable;
    }

    /** The largest timestamp of a batch ordered below {@code seqno}; batches may not go back in time. */
    long timestampFloor(long seqno) {
        long floor = executedTimestamp;
        for (Slot s : slots.headMap(seqno, false).values()) {
            if (s.accepted() != null && !s.accepted().message().isNoOp()) {
                floor = Math.max(floor, s.accepted().message().timestampMicros());
            }
        }
        return floor;
    }

    /** Where this color's log holds the records and payloads the lane still needs. */
    LogPositions positions() {
        return positions;
    }

    /** The proposal cursor: the queue, the next seqno, the NEW-VIEW's re-proposals. */
    Proposals proposals() {
        return proposals;
    }

    // ---- transitions: slots and proposals ----

    /** The slot at {@code seqno}, opened if none is: only above the stable checkpoint. */
    Slot slot(long seqno) {
        Slot s = slots.get(seqno);
        if (s == null) {
            check(seqno > stable, () -> "a slot at seqno " + seqno + ", at or below the stable checkpoint " + stable);
            s = new Slot(seqno);
            slots.put(seqno, s);
        }
        return s;
    }

    /**
     * The seqno a primary proposes above: the stable checkpoint, or one adopted while a batch ran
     * and not taken yet ({@link #deferredStable}), which settles every seqno up to it just as much
     * (a NEW-VIEW that starts a color there re-proposes nothing at or below it).
     */
    long settledThrough() {
        return deferredStable == null ? stable : Math.max(stable, deferredStable.seqno());
    }

    /** Takes the next seqno for a batch stamped {@code timestampMicros}: inside the window, never back in time. */
    long takeSeqno(long timestampMicros) {
        check(inWindow(proposals.nextSeqno()), () -> "a proposal at seqno " + proposals.nextSeqno()
                + " outside the window above " + stable);
        return proposals.take(timestampMicros);
    }

    /**
     * The replica entered view {@code view}: votes and unprepared pre-prepares of earlier views are
     * void, nothing is queued, and proposals start right above what is executed or stable (not
     * above an earlier view's proposals that prepared nowhere: they are not in the NEW-VIEW, and
     * proposing past them would leave a gap no batch fills).
     */
    void enterView(long view) {
        slots.values().forEach(slot -> slot.enterView(view));
        proposals.restartAbove(Math.max(executed, stable));
    }

    // ---- transitions: execution ----

    /** Batch {@code seqno} starts being written to the store; one at a time, in seqno order. */
    void startExecuting(long seqno) {
        check(!executing, () -> "color " + color + " batch " + seqno + " starts executing while another does");
        check(seqno == executed + 1, () -> "color " + color + " batch " + seqno + " would execute after batch "
                + executed + ": batches execute in seqno order");
        executing = true;
    }

    /** The store writes of batch {@code seqno} are back. */
    void finishedExecuting(long seqno) {
        check(executing, () -> "color " + color + " batch " + seqno + " finished executing, but none was");
        check(seqno == executed + 1, () -> "color " + color + " batch " + seqno
                + " finished executing after the color moved to " + executed);
        executing = false;
    }

    /**
     * Moves the execution cursor past {@code batch}, whose results root is {@code resultsRoot} and
     * whose chain step from the lane's state is {@code state}; it weighs {@code weight} update bytes.
     * The batch ends a checkpoint interval if its seqno is a multiple of {@code interval}, the
     * batches since the last one reached {@code checkpointBytes}, or it is empty (a primary closes
     * an idle color's interval with one, {@link Agreement#closeIdleInterval}; a NEW-VIEW fills gaps
     * with them): every replica runs the same batches from the same checkpoint, so all agree where
     * checkpoints fall.
     */
    void executedBatch(PrePrepare batch, Hash32 resultsRoot, Hash32 state, long weight, int interval,
            long checkpointBytes, long nowMicros) {
        long seqno = batch.seqno();
        check(batch.color() == color && seqno == executed + 1, () -> "color " + color + " executed batch "
                + batch.seqno() + " of color " + batch.color() + " after batch " + executed);
        check(StateChain.chain(stateDigest, batch, resultsRoot).equals(state), () -> "color " + color + " batch " + seqno
                + " does not chain from the lane's state " + stateDigest + " to " + state);
        Slot slot = slots.get(seqno);
        check(slot == null || !slot.committed() || slot.committedBatch().batchDigest().equals(batch.batchDigest()),
                () -> "color " + color + " executed batch " + batch.batchDigest() + " at seqno " + seqno
                        + ", where it committed " + slot.committedBatch().batchDigest());
        executed = seqno;
        bytesSinceCheckpoint += weight;
        executedEndsInterval = seqno % interval == 0 || bytesSinceCheckpoint >= checkpointBytes || batch.isNoOp();
        if (executedEndsInterval) {
            bytesSinceCheckpoint = 0;
        }
        lastExecutedMicros = nowMicros;
        stateDigest = state;
        history.put(seqno, new Executed(batch, resultsRoot, state));
        if (slot != null) {
            slot.executed(resultsRoot, state);
        }
        if (!batch.isNoOp()) {
            executedTimestamp = Math.max(executedTimestamp, batch.timestampMicros());
        }
    }

    /** The execution cursor jumped to checkpoint {@code seqno} with chain state {@code state}: intervals count from it. */
    private void jumpTo(long seqno, Hash32 state) {
        executed = seqno;
        stateDigest = state;
        bytesSinceCheckpoint = 0;
        executedEndsInterval = seqno > 0;
    }

    // ---- transitions: checkpoints ----

    /** This replica reached checkpoint {@code seqno} with checkpoint digest {@code digest}. */
    void votedCheckpoint(long seqno, Hash32 digest) {
        check(seqno > stable && seqno <= executed, () -> "color " + color + " checkpoint vote at " + seqno
                + " outside (stable " + stable + ", executed " + executed + "]");
        ownCheckpoints.put(seqno, digest);
    }

    /**
     * Records a checkpoint vote ({@link CheckpointVotes}); returns its proof once {@code quorum}
     * replicas agree, else null. Only votes at a seqno inside the window are kept (where
     * checkpoints fall depends on the batches' sizes too, {@link #executedBatch}); a replica further
     * behind catches up by FETCH-STATE instead.
     */
    List<Signed<Checkpoint>> addCheckpointVote(Signed<Checkpoint> c, int quorum) {
        return inWindow(c.message().seqno()) ? checkpointVotes.add(c, quorum) : null;
    }

    /** Moves the low watermark to {@code seqno} and forgets everything at or below it. */
    void makeStable(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        check(seqno > stable, () -> "color " + color + " stable checkpoint " + seqno
                + " is not above the stable " + stable + ": stable checkpoints only move forward");
        stable = seqno;
        stableDigest = digest;
        stableProof = List.copyOf(proof);
        slots.headMap(seqno, true).clear();
        if (deferredStable != null && deferredStable.seqno() <= seqno) {
            deferredStable = null;
        }
        ownCheckpoints.headMap(seqno, true).clear();
        checkpointVotes.forgetThrough(seqno);
        proposals.proposeAbove(seqno);
    }

    /** The log's STABLE record at recovery: the checkpoint, and the execution cursor if it lies below. */
    void restoredCheckpoint(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        if (seqno < stable || seqno == stable && executed >= seqno) {
            return;
        }
        if (seqno > stable) {
            makeStable(seqno, digest, proof);
        }
        // Also at a checkpoint an ADOPTED record made stable before the store reached it.
        if (seqno >= executed) {
            jumpTo(seqno, digest);
        }
    }

    /** The log's ADOPTED record at recovery: the window moves to the checkpoint, the execution cursor stays. */
    void restoredAdopted(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        if (seqno > stable) {
            makeStable(seqno, digest, proof);
        }
    }

    /**
     * A stable checkpoint came that this replica reaches by itself: every batch up to it is committed
     * here (one may be executing). Adopted after the batch that reaches it ({@link #takeDeferredStable}).
     * It stays if a lower stable checkpoint later moves the window past some of those batches: the
     * lane is then behind, and the batches state transfer brings reach it.
     */
    void deferStable(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        check(committedThrough(seqno), () -> "color " + color + " deferred checkpoint " + seqno
                + " without every batch up to it committed (executed " + executed + ")");
        if (deferredStable == null || deferredStable.seqno() < seqno) {
            deferredStable = new Deferred(seqno, digest, proof);
        }
    }

    /** Whether every batch above the executed one up to {@code seqno} is committed here. */
    boolean committedThrough(long seqno) {
        for (long n = executed + 1; n <= seqno; n++) {
            Slot s = slots.get(n);
            if (s == null || !s.committed()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The deferred stable checkpoint, taken, if execution reached it or nothing executes (the
     * caller decides again whether to wait for it); else null.
     */
    Deferred takeDeferredStable() {
        Deferred d = deferredStable;
        if (d == null || d.seqno() > executed && executing) {
            return null;
        }
        deferredStable = null;
        return d;
    }

    // ---- transitions: history kept for lagging peers ----

    /** Recovery rebuilt the history kept below the stable checkpoint from the log. */
    void restoreHistory(java.util.Collection<Executed> run) {
        history.clear();
        for (Executed e : run) {
            check(e.batch().color() == color && e.batch().seqno() <= executed, () -> "color " + color
                    + " restores history batch " + e.batch().seqno() + " above what it executed, " + executed);
            history.put(e.batch().seqno(), e);
        }
    }

    /** Forgets the history at or below {@code seqno}. */
    void trimHistoryThrough(long seqno) {
        history.headMap(seqno, true).clear();
    }

    // ---- transitions: snapshots ----

    /** A snapshot install was wanted while a batch ran; it starts when the batch is done. */
    void deferSnapshot() {
        check(executing, () -> "color " + color + " deferred a snapshot while nothing executes");
        snapshotDeferred = true;
    }

    /** Whether a snapshot was deferred and may start now (nothing executes); clears the mark if so. */
    boolean takeSnapshotDeferral() {
        if (!snapshotDeferred || executing) {
            return false;
        }
        snapshotDeferred = false;
        return true;
    }

    /** The store was installed at checkpoint {@code seqno} from a snapshot: execution restarts there. */
    void installedSnapshot(long seqno, Hash32 state, List<Signed<Checkpoint>> proof) {
        check(!executing, () -> "color " + color + " installed a snapshot while a batch executes");
        deferredStable = null;
        history.clear();
        jumpTo(seqno, state);
        if (seqno > stable) {
            makeStable(seqno, state, proof);
        }
    }

    /** A crash interrupted a snapshot install: the color's store holds nothing usable, so nothing counts as executed. */
    void clearedForReinstall() {
        check(!executing, () -> "color " + color + " cleared for a snapshot while a batch executes");
        deferredStable = null;
        history.clear();
        jumpTo(0, ZERO);
        ownCheckpoints.clear();
    }

    // ---- invariants ----

    /**
     * Checks what must hold of the lane between events: the window contains every slot and
     * checkpoint vote, the history lies at or below what executed, the next proposal lies above the
     * NEW-VIEW's re-proposals, and what waits for a running batch waits only while one runs.
     * Cheap (logarithmic in the window): it runs after every event, in production.
     */
    void invariants() {
        check(stable >= 0 && executed >= 0, () -> "color " + color + " at stable " + stable + ", executed " + executed);
        check(slots.isEmpty() || inWindow(slots.firstKey()) && inWindow(slots.lastKey()), () -> "color " + color
                + " holds slots " + slots.firstKey() + ".." + slots.lastKey() + " outside its window above " + stable);
        check(checkpointVotes.seqnos().isEmpty() || inWindow(checkpointVotes.seqnos().first())
                && inWindow(checkpointVotes.seqnos().last()),
                () -> "color " + color + " holds checkpoint votes outside its window above " + stable);
        check(ownCheckpoints.isEmpty() || ownCheckpoints.firstKey() > stable, () -> "color " + color
                + " keeps its own checkpoint " + ownCheckpoints.firstKey() + " at or below the stable " + stable);
        check(history.isEmpty() || history.lastKey() <= executed, () -> "color " + color + " keeps history up to "
                + history.lastKey() + " but executed only " + executed);
        proposals.invariants();
        // A deferred checkpoint is reached by the batches committed here, or, once a stable checkpoint
        // moved the window past some of them (a NEW-VIEW, a STATE page), by those state transfer
        // brings: each executed batch takes it again (Checkpointer.adoptDeferred).
        check(deferredStable == null || executing || behind() || committedThrough(deferredStable.seqno()),
                () -> "color " + color + " holds deferred checkpoint " + deferredStable.seqno() + " with nothing to"
                        + " reach it: not every batch up to it committed, none executing, not behind (executed "
                        + executed + ", stable " + stable + ")");
        check(!snapshotDeferred || executing, () -> "color " + color + " holds a deferred snapshot while nothing executes");
    }

    private static void check(boolean holds, java.util.function.Supplier<String> what) {
        SafetyViolation.check(holds, what);
    }
}
