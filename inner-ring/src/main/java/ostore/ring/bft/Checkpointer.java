package ostore.ring.bft;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Checkpoint;

/**
 * Checkpoints: this replica's own every K batches, the votes of others, and what follows when
 * 2f+1 agree. A stable checkpoint this replica has the state for makes the store durable and
 * trims the log below it; one it has not reached yet (it missed batches, or a NEW-VIEW starts
 * above it) still moves its window, so it never again accepts a batch at or below a seqno the
 * ring has settled, and it asks its peers for the state in between ({@link StateTransfer}).
 */
final class Checkpointer {
    private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

    /**
     * Payload bytes of executed history one color keeps below its stable checkpoint at most (besides
     * {@link RingConfig.Params#retainedBelowStable} batches): 256 batches of 2 MiB updates would
     * otherwise hold gigabytes for peers that may never ask.
     */
    static final long HISTORY_PAYLOAD_BYTES = 16L << 20;
    private final Replica r;
    private final Executor executor;
    private final Certifier certifier;
    /** The log side of stable checkpoints: what is kept, written again and trimmed. */
    final LogTrimmer trimmer;
    /** Colors whose store sync for a stable checkpoint is under way ({@link #persist}). */
    private final Set<Integer> syncing = new HashSet<>();

    Checkpointer(Replica r, Executor executor, Certifier certifier) {
        this.r = r;
        this.executor = executor;
        this.certifier = certifier;
        this.trimmer = new LogTrimmer(r);
    }

    /** Batch {@code seqno} of {@code lane} executed to {@code state}: vote if it ends an interval. */
    void executed(Lane lane, long seqno, Hash32 state) {
        if (seqno != lane.executed() || !lane.executedEndsInterval() || seqno <= lane.stable()) {
            return;
        }
        if (executor.storePast(lane.color, seqno)) {
            // Re-run after a crash over a store that kept later batches' writes: its digest is not
            // this checkpoint's, and a vote must never name a digest the replica did not hold. The
            // others' votes make it stable; this replica adopts it with their proof.
            return;
        }
        Checkpoint vote = new Checkpoint(lane.color, seqno, state, executor.storeDigest(lane.color));
        lane.votedCheckpoint(seqno, vote.digest());
        Signed<Checkpoint> own = r.sign(vote);
        r.broadcastFrame(own.frameUnsafe());
        onCheckpoint(own);
    }

    void onCheckpoint(Signed<Checkpoint> s) {
        Checkpoint c = s.message();
        if (c.color() < 0 || c.color() >= r.state.colors()) {
            return;
        }
        Lane lane = r.state.lane(c.color());
        List<Signed<Checkpoint>> proof = lane.addCheckpointVote(s, r.config.quorum());
        if (proof != null) {
            adopt(lane, c.seqno(), c.stateDigest(), proof);
        }
    }

    /** This replica's own signed vote for the latest checkpoint of {@code lane} not yet stable, or null. */
    Signed<Checkpoint> ownUnstableVote(Lane lane) {
        var last = lane.lastOwnCheckpoint();
        return last == null ? null : lane.checkpointVote(last.getKey(), last.getValue(), r.id);
    }

    /**
     * {@code seqno} is stable with {@code digest}, as {@code proof}'s 2f+1 signatures show. At or
     * below what this replica executed its own state must match; above it, the replica is behind.
     */
    void adopt(Lane lane, long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        if (seqno <= lane.stable()) {
            return;
        }
        if (seqno > lane.executed() && runsTo(lane, seqno)) {
            // Only slower, not behind: it holds every batch up to seqno and runs them by itself (one
            // may wait for its commit record to be durable). Taken as "behind" it would drop those
            // slots, fetch from its peers what it holds, and never compare or persist this checkpoint.
            lane.deferStable(seqno, digest, proof);
            return;
        }
        if (seqno <= lane.executed()) {
            Hash32 certified = Checkpoint.digest(lane.color, seqno, digest, Checkpoint.storeDigestOf(proof));
            Hash32 own = ownDigestAt(lane, seqno);
            Lane.Executed past = lane.history().get(seqno);
            // Without its own vote at seqno the replica knows only its chain state there, not its store digest.
            if (certified.equals(own) || own == null && past != null && past.stateDigest().equals(digest)) {
                lane.makeStable(seqno, digest, proof);
                persist(lane);
            } else {
                LOG.log(System.Logger.Level.ERROR, "replica {0}: color {1} checkpoint {2} is stable with state {3}"
                        + " but this replica computed {4}: its state diverged; it stops vouching for the color",
                        r.id, lane.color, seqno, digest, own);
            }
            return;
        }
        if (!r.snapshotTransfer.active(lane.color)) {
            LOG.log(System.Logger.Level.INFO, "replica {0}: color {1} is stable at {2} but executed only {3}; "
                    + "fetching state", r.id, lane.color, seqno, lane.executed());
        }
        adoptAhead(lane, seqno, digest, proof);
        r.stateTransfer.fetch(lane);
    }

    /**
     * Makes {@code seqno}, which the ring made stable above what this replica executed, the
     * color's stable checkpoint, and logs it (ADOPTED) without waiting: the window moves with it,
     * and what this replica accepts or prepares above it is sent only after the record is durable
     * (the output gate), so a restart finds those slots inside its window. Nothing is trimmed: the
     * store does not hold that state yet.
     */
    void adoptAhead(Lane lane, long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        SafetyViolation.check(seqno > lane.executed(), () -> "color " + lane.color + " would adopt checkpoint " + seqno
                + " as one ahead of it, having executed " + lane.executed());
        lane.makeStable(seqno, digest, proof);
        r.rlog.appendPipelined(lane.color, LogRecords.adopted(seqno, digest, proof));
    }

    /** After a batch of {@code lane} ran: adopts the stable checkpoint deferred while it ran, once reached. */
    void adoptDeferred(Lane lane) {
        Lane.Deferred d = lane.takeDeferredStable();
        if (d != null) {
            adopt(lane, d.seqno(), d.digest(), d.proof());
        }
    }

    /**
     * Whether {@code lane} executes up to {@code seqno} with nothing from its peers: every batch up
     * to it committed here with its payloads held, and no snapshot install under way.
     */
    private boolean runsTo(Lane lane, long seqno) {
        if (r.snapshotTransfer.active(lane.color) || !lane.committedThrough(seqno)) {
            return false;
        }
        for (long n = lane.executed() + 1; n <= seqno; n++) {
            if (!lane.slotAt(n).committedBatch().digests().stream().allMatch(r.state::holds)) {
                return false;
            }
        }
        return true;
    }

    /** The checkpoint digest this replica reached after batch {@code seqno}, or null if it does not know it. */
    private Hash32 ownDigestAt(Lane lane, long seqno) {
        Hash32 voted = lane.ownCheckpoint(seqno);
        if (voted != null || seqno != lane.executed() || lane.executing()) {
            // While the next batch executes the store is partly past seqno: only a vote knows it.
            return voted;
        }
        return Checkpoint.digest(lane.color, seqno, lane.stateDigest(), executor.storeDigest(lane.color));
    }

    /** State transfer brought {@code lane} up to its stable checkpoint: make that durable as if reached here. */
    void caughtUp(Lane lane) {
        // Checked in production too: a replica whose transferred state missed the certified digest must
        // stop rather than persist and vouch for state no quorum reached.
        Hash32 store = executor.storeDigest(lane.color);
        // A store that kept later batches' writes through a crash (they run again, read back) is past
        // the checkpoint: its digest is not the checkpoint's, and the chain state alone is compared.
        boolean storeAhead = executor.storePast(lane.color, lane.stable());
        if (lane.executed() != lane.stable() || !lane.stateDigest().equals(lane.stableDigest())
                || !storeAhead && !store.equals(Checkpoint.storeDigestOf(lane.stableProof()))) {
            throw new IllegalStateException("color " + lane.color + ": state transfer reached batch " + lane.executed()
                    + " with state " + lane.stateDigest() + " and store " + store + ", not the stable checkpoint "
                    + lane.stable() + " with state " + lane.stableDigest() + " and store "
                    + Checkpoint.storeDigestOf(lane.stableProof()));
        }
        persist(lane);
    }

    /**
     * A snapshot brought the store of {@code lane}, synced, to checkpoint {@code seqno}: queues the
     * rewrite of the color's log to start from that checkpoint (in bounded appends, the old
     * records trimmed once it is durable) and forgets the payloads it does not carry, in this one
     * event. The store's installing mark may be cleared once the returned tag is durable.
     *
     * @return the tag that is durable once the whole rewrite is
     */
    long installed(Lane lane, long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        return trimmer.rewrite(lane, LogRecords.stable(seqno, digest, proof), "a snapshot install rewrote").tag();
    }

    /**
     * The stable checkpoint of {@code lane} is reached here: forgets what memory no longer needs
     * (history past what is kept for lagging peers, result votes below the window, payloads), then
     * makes it durable without waiting on the disk on the replica's thread. The store is synced on
     * the driver's thread ({@link ReplicaEnv#execute}); when that is back the checkpoint is
     * recorded in the color's log and the log below what is still needed is trimmed once that
     * record is durable ({@link #synced}, {@link LogTrimmer#trimInPlace}). The order is what recovery needs:
     * a STABLE record is never durable before the store holds its state, and nothing is trimmed
     * before the STABLE record that makes it unneeded is durable.
     */
    private void persist(Lane lane) {
        SafetyViolation.check(lane.stable() <= lane.executed(), () -> "color " + lane.color + " would persist stable"
                + " checkpoint " + lane.stable() + " having executed only " + lane.executed());
        lane.trimHistoryThrough(historyFloor(lane, certifier));
        boundHistoryBytes(lane);
        certifier.forgetUpTo(lane.color, lane.stable() - r.config.params().watermarkWindow());
        trimmer.forgetPayloads(lane);
        syncThenRecord(lane);
        r.agreement.proposeReady(lane, false);
    }

    /**
     * The highest batch of {@code lane}'s history that may go: what the ring keeps below a stable
     * checkpoint ({@link RingConfig.Params#retainedBelowStable}), but never a batch that committed a
     * version this replica still stores without a certificate ({@link Certifier#oldestUncertified}):
     * the history (and the log's records of it) is what it votes again from ({@link Certifier#repair}).
     * That extra history is bounded by twice the watermark window below the checkpoint.
     */
    static long historyFloor(Lane lane, RingConfig config, Certifier certifier) {
        long keep = lane.stable() - config.params().retainedBelowStable();
        long uncertified = certifier.oldestUncertified(lane.color);
        long bound = lane.stable() - 2L * config.params().watermarkWindow();
        return uncertified > keep ? keep : Math.min(keep, Math.max(bound, uncertified - 1));
    }

    private long historyFloor(Lane lane, Certifier certifier) {
        return historyFloor(lane, r.config, certifier);
    }

    /**
     * Syncs the store for {@code lane}'s stable checkpoint, one sync per color at a time: one asked
     * for while another runs is left to {@link #synced}, which records whatever checkpoint is then
     * stable or syncs again for it.
     */
    private void syncThenRecord(Lane lane) {
        if (!syncing.add(lane.color)) {
            return;
        }
        // A sync covers every batch executed before it starts (their writes are done); which are those, per color:
        long[] covered = new long[r.state.colors()];
        for (Lane l : r.state.lanes()) {
            covered[l.color] = l.executed();
        }
        r.env.execute(lane.color, () -> {
            executor.sync();
            return covered;
        }, c -> r.event(() -> synced(lane, c)));
    }

    /**
     * The store sync begun by {@link #syncThenRecord} is done: it covers every color up to {@code
     * covered}. If the color's stable checkpoint is within that, it is recorded and the log
     * trimmed below it; if the checkpoint moved past it meanwhile, another sync follows. A color
     * that fell behind meanwhile is recorded when state transfer or a snapshot brings it up.
     */
    private void synced(Lane lane, long[] covered) {
        syncing.remove(lane.color);
        trimmer.synced(covered);
        if (!r.snapshotTransfer.active(lane.color)) {
            if (lane.stable() <= covered[lane.color]) {
                trimmer.trimInPlace(lane);
                trimmer.compactLagging(covered);
            } else if (lane.executed() >= lane.stable()) {
                syncThenRecord(lane);
            }
        }
    }

    /**
     * Drops the oldest history of {@code lane} past {@link #historyPayloadBytes()} of payloads, so
     * the history kept for lagging peers costs bounded memory whatever the update sizes, and from
     * the newest batch whose payloads this replica lost (a crash took its log records): history
     * serves peers only as a complete run up to the stable checkpoint, payloads included.
     */
    private void boundHistoryBytes(Lane lane) {
        long bytes = 0;
        Long cut = null;
        for (var e : lane.history().headMap(lane.stable(), true).descendingMap().entrySet()) {
            boolean held = true;
            for (Hash32 d : e.getValue().batch().digests()) {
                ReplicaState.Payload p = r.state.payload(d);
                held &= p != null;
                bytes += p == null ? 0 : p.signedUpdate().length;
            }
            if (bytes > historyPayloadBytes() || !held) {
                cut = e.getKey();
                break;
            }
        }
        if (cut != null) {
            lane.trimHistoryThrough(cut);
        }
    }

    /**
     * {@link #HISTORY_PAYLOAD_BYTES}, or less in a small log: all colors' kept history together
     * takes at most a quarter of the log's capacity, so the rest stays free for what is ordered.
     */
    long historyPayloadBytes() {
        long capacity = r.rlog.capacityBytes();
        return capacity == Long.MAX_VALUE ? HISTORY_PAYLOAD_BYTES
                : Math.min(HISTORY_PAYLOAD_BYTES, capacity / 4 / r.state.colors());
    }
}
