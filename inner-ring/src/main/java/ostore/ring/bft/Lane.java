package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.PrePrepare;

/**
 * One color's ordering state: its slots inside the watermark window (stable, stable + L], what it
 * executed, its checkpoint chain and votes, and (at the primary) the digests waiting for a batch.
 * Colors share nothing, so a slow color never holds up another.
 */
final class Lane {
    static final Hash32 ZERO = Hash32.of(new byte[Hash32.LENGTH]);

    /** A batch this replica executed, kept so a lagging peer can re-execute it (state transfer). */
    record Executed(PrePrepare batch, Hash32 resultsRoot, Hash32 stateDigest) {}

    final int color;
    final TreeMap<Long, Slot> slots = new TreeMap<>();
    long stable;
    Hash32 stableDigest = ZERO;
    List<Signed<Checkpoint>> stableProof = List.of();
    long executed;
    Hash32 stateDigest = ZERO;
    /**
     * The batches executed here, from some way below the stable checkpoint up to {@link #executed}:
     * what FETCH-STATE is answered from. Trimmed to {@link RingConfig.Params#retainedBelowStable()} under it.
     */
    final TreeMap<Long, Executed> history = new TreeMap<>();
    long executedTimestamp = Long.MIN_VALUE;
    /** When (this replica's clock) the color last executed a batch: a primary making progress is not suspected. */
    long lastExecutedMicros;
    /**
     * Update bytes (the data of their actions, a function of the signed bodies every replica
     * agrees on) in the batches executed since the last checkpoint seqno: see {@link #endsInterval}.
     */
    long bytesSinceCheckpoint;
    /** Whether the batch {@link #executed} names ends a checkpoint interval ({@link #endsInterval}). */
    boolean executedEndsInterval;

    /**
     * Update bytes after which a color checkpoints whatever its batch count: with large updates a
     * count of batches alone lets the log grow by tens of MiB per color between trims. Part of the
     * protocol: every replica must use the same value.
     */
    static final long CHECKPOINT_BYTES = 4L << 20;

    /**
     * Counts batch {@code seqno}, of {@code weight} update bytes, as executed; it ends a checkpoint
     * interval if its seqno is a multiple of {@code interval} or the batches since the last one
     * reached {@code checkpointBytes} ({@link #CHECKPOINT_BYTES} unless a test sets less). Every replica runs the same batches from the same
     * checkpoint, so all agree where checkpoints fall. Call once per executed batch, in order.
     */
    void countExecuted(long seqno, long weight, int interval, long checkpointBytes) {
        bytesSinceCheckpoint += weight;
        executedEndsInterval = seqno % interval == 0 || bytesSinceCheckpoint >= checkpointBytes;
        if (executedEndsInterval) {
            bytesSinceCheckpoint = 0;
        }
    }

    /** The lane's execution jumped to checkpoint {@code seqno} (a snapshot, a restart): intervals count from it. */
    void executedCheckpoint(long seqno) {
        executed = seqno;
        bytesSinceCheckpoint = 0;
        executedEndsInterval = seqno > 0;
    }

    /** The update bytes of a batch's updates, for {@link #countExecuted}: what their actions write. */
    static long weight(List<ostore.store.AuthenticatedUpdate> updates) {
        long bytes = 0;
        for (ostore.store.AuthenticatedUpdate u : updates) {
            for (ostore.store.Clause c : u.update().clauses()) {
                for (ostore.store.Action a : c.actions()) {
                    bytes += switch (a) {
                        case ostore.store.Action.Append x -> x.data().length();
                        case ostore.store.Action.ReplaceBlock x -> x.data().length();
                        case ostore.store.Action.InsertBlock x -> x.data().length();
                        default -> 0;
                    };
                }
            }
        }
        return bytes;
    }
    /** This replica's checkpoint digest ({@link Checkpoint#digest()}) at each checkpoint seqno above the stable one. */
    final TreeMap<Long, Hash32> ownCheckpoints = new TreeMap<>();
    /** Checkpoint votes above the stable checkpoint: seqno, then checkpoint digest, then sender. */
    final TreeMap<Long, Map<Hash32, Map<Integer, Signed<Checkpoint>>>> checkpointVotes = new TreeMap<>();
    /** The primary's digests not yet in a batch, in arrival order. */
    final ArrayDeque<Hash32> queue = new ArrayDeque<>();
    long nextSeqno = 1;
    /**
     * The highest seqno of this color that the NEW-VIEW starting the current view re-proposed (0
     * if none): up to it, pre-prepares of this view come only from that NEW-VIEW.
     */
    long newViewTop;
    long lastProposedTimestamp = Long.MIN_VALUE;
    boolean batchTimerArmed;
    /**
     * A batch of this color is being written to the store ({@link ReplicaEnv#execute}): its store
     * state is the writer's until the result is back, so nothing else reads or replaces it.
     */
    boolean executing;
    /** A snapshot install was wanted while a batch executed; it starts when the batch is done. */
    boolean snapshotDeferred;
    /** A stable checkpoint that arrived while this replica still ran batches it holds committed up to it. */
    Deferred deferredStable;

    record Deferred(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {}

    /**
     * Where this color's log holds the oldest record about each batch it may still need (kept
     * history, slots): a checkpoint trims the log below the lowest, in place (see
     * {@link Checkpointer}). Positions may be lower than the truth, never higher.
     */
    final TreeMap<Long, Long> recordPositions = new TreeMap<>();
    /** Where this color's log holds each payload of this color that memory holds (same rule). */
    final Map<Hash32, Long> payloadPositions = new HashMap<>();

    /** A record about batch {@code seqno} is (about to be) at {@code position}. */
    void noteRecord(long seqno, long position) {
        recordPositions.merge(seqno, position, Math::min);
    }

    /** The log was rewritten from {@code first} on with everything still needed: nothing lies below it. */
    void rewrittenFrom(long first) {
        recordPositions.replaceAll((seqno, at) -> Math.max(at, first));
        payloadPositions.replaceAll((digest, at) -> Math.max(at, first));
    }

    Lane(int color) {
        this.color = color;
    }

    Slot slot(long seqno) {
        return slots.computeIfAbsent(seqno, Slot::new);
    }

    boolean inWindow(long seqno, int window) {
        return seqno > stable && seqno <= stable + window;
    }

    /**
     * The chain step after executing {@code batch}: H(prev || color || seqno || batch digest ||
     * results root). Binding the batch as well as its results lets a checkpoint's 2f+1 signatures
     * vouch for every batch below it, so a lagging replica can check what it is sent before it
     * applies any of it.
     */
    static Hash32 chain(Hash32 previous, PrePrepare batch, Hash32 resultsRoot) {
        return chain(previous, batch.color(), batch.seqno(), batch.batchDigest(), resultsRoot);
    }

    /** The same step from the batch's digest alone. */
    static Hash32 chain(Hash32 previous, int color, long seqno, Hash32 batchDigest, Hash32 resultsRoot) {
        byte[] m = new CanonicalEncoder(108).hash(previous).u32(color).i64(seqno)
                .hash(batchDigest).hash(resultsRoot).toByteArray();
        return Hashing.hash(Domain.RING_STATE, m);
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

    /**
     * Records a checkpoint vote; returns its proof once 2f+1 replicas agree, else null. Only votes
     * at a seqno inside the window (stable, stable + window] are kept (where checkpoints fall
     * depends on the batches' sizes too, {@link #countExecuted}), one per sender and
     * seqno, so a faulty peer cannot fill memory with votes; a replica further behind catches up by
     * FETCH-STATE instead.
     */
    List<Signed<Checkpoint>> addCheckpointVote(Signed<Checkpoint> c, int quorum, int window) {
        Checkpoint m = c.message();
        if (!inWindow(m.seqno(), window)) {
            return null;
        }
        Map<Hash32, Map<Integer, Signed<Checkpoint>>> byDigest = checkpointVotes.get(m.seqno());
        if (byDigest != null) {
            for (var e : byDigest.entrySet()) {
                if (!e.getKey().equals(m.digest()) && e.getValue().containsKey(c.sender())) {
                    return null;
                }
            }
        }
        Map<Integer, Signed<Checkpoint>> voters = checkpointVotes.computeIfAbsent(m.seqno(), s -> new HashMap<>())
                .computeIfAbsent(m.digest(), d -> new HashMap<>());
        voters.putIfAbsent(c.sender(), c);
        if (voters.size() < quorum) {
            return null;
        }
        return voters.values().stream().sorted(java.util.Comparator.comparingInt(Signed::sender)).toList();
    }

    /** Moves the low watermark to {@code seqno} and forgets everything at or below it. */
    void makeStable(long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        SafetyViolation.check(seqno > stable, () -> "color " + color + " stable checkpoint " + seqno
                + " is not above the stable " + stable + ": stable checkpoints only move forward");
        stable = seqno;
        stableDigest = digest;
        stableProof = List.copyOf(proof);
        slots.headMap(seqno, true).clear();
        ownCheckpoints.headMap(seqno, true).clear();
        checkpointVotes.headMap(seqno, true).clear();
        nextSeqno = Math.max(nextSeqno, seqno + 1);
    }
}
