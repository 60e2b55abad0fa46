package ostore.ring.bft;

import java.util.ArrayList;
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
    /**
     * Bytes appended to the log (all colors) after which a color that no checkpoint trimmed has its
     * records moved up. The log frees space only below every color's first record, so without this
     * a color gone idle between checkpoints, or the view records of one view change, would keep
     * the log from ever freeing space, and a full log stops the replica.
     */
    static final long COMPACT_AFTER_BYTES = 64L << 20;

    private final Replica r;
    private final Executor executor;
    private final Certifier certifier;
    /** {@link #COMPACT_AFTER_BYTES}; tests make it small. */
    long compactAfterBytes = COMPACT_AFTER_BYTES;
    /** Colors whose store sync for a stable checkpoint is under way ({@link #persist}). */
    private final Set<Integer> syncing = new HashSet<>();
    /** Per color, the highest batch a store sync since this replica started is known to cover. */
    private final long[] syncedThrough;

    Checkpointer(Replica r, Executor executor, Certifier certifier) {
        this.r = r;
        this.executor = executor;
        this.certifier = certifier;
        this.syncedThrough = new long[r.config.colors()];
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
        if (seqno > lane.executed() && lane.executing() && committedUpTo(lane, seqno)) {
            // Only slower, not behind: it holds every batch up to seqno and is running them. Taken
            // as "behind" it would drop those slots and never compare or persist this checkpoint.
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

    private static boolean committedUpTo(Lane lane, long seqno) {
        for (long n = lane.executed() + 1; n <= seqno; n++) {
            Slot s = lane.slotAt(n);
            if (s == null || !s.committed()) {
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
        Carried carried = carried(lane, LogRecords.stable(seqno, digest, proof));
        ReplicaLog.Appended appended = r.rlog.rewriteLater(lane.color, carried.records());
        lane.positions().rewrittenFrom(appended.first());
        forgetPayloads(lane);
        checkHeldLogged(lane, carried.payloads()::contains, "a snapshot install rewrote");
        return appended.tag();
    }

    /**
     * The stable checkpoint of {@code lane} is reached here: forgets what memory no longer needs
     * (history past what is kept for lagging peers, result votes below the window, payloads), then
     * makes it durable without waiting on the disk on the replica's thread. The store is synced on
     * the driver's thread ({@link ReplicaEnv#execute}); when that is back the checkpoint is
     * recorded in the color's log and the log below what is still needed is trimmed once that
     * record is durable ({@link #synced}, {@link #trimDurable}). The order is what recovery needs:
     * a STABLE record is never durable before the store holds its state, and nothing is trimmed
     * before the STABLE record that makes it unneeded is durable.
     */
    private void persist(Lane lane) {
        SafetyViolation.check(lane.stable() <= lane.executed(), () -> "color " + lane.color + " would persist stable"
                + " checkpoint " + lane.stable() + " having executed only " + lane.executed());
        lane.trimHistoryThrough(lane.stable() - r.config.params().retainedBelowStable());
        boundHistoryBytes(lane);
        certifier.forgetUpTo(lane.color, lane.stable() - r.config.params().watermarkWindow());
        forgetPayloads(lane);
        syncThenRecord(lane);
        r.proposeReady(lane, false);
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
        for (int c = 0; c < covered.length; c++) {
            syncedThrough[c] = Math.max(syncedThrough[c], covered[c]);
        }
        if (!r.snapshotTransfer.active(lane.color)) {
            if (lane.stable() <= covered[lane.color]) {
                trimInPlace(lane);
                compactLagging(covered);
            } else if (lane.executed() >= lane.stable()) {
                syncThenRecord(lane);
            }
        }
    }

    /**
     * A retransmission round: a log past the share where it refuses new updates gets its lagging
     * colors moved up now ({@link #compactLagging}) rather than at the next checkpoint, which may be
     * slow to come while updates are refused.
     */
    void relieveLog() {
        if (!r.rlog.roomFor(0, ReplicaLog.ADMIT_SHARE)) {
            compactLagging(syncedThrough);
        }
    }

    /**
     * Moves up the records of the colors no checkpoint has trimmed while {@link
     * #COMPACT_AFTER_BYTES} were appended: the control color keeps its last VIEW and NEW-VIEW
     * records, and an idle color's log is rewritten to what it still needs. A color in the middle
     * of catching up or executing is left for a later checkpoint.
     */
    private void compactLagging(long[] covered) {
        long compactAfter = Math.min(compactAfterBytes, Math.max(1, r.rlog.capacityBytes() / 8));
        if (r.rlog.lagging(r.rlog.controlColor(), compactAfter)) {
            r.rlog.compactControl();
        }
        for (Lane other : r.state.lanes()) {
            // Its STABLE record is written again: the store must hold that state durably, as the sync
            // just done does if the color had executed that far when it began; if not, a later checkpoint moves it.
            if (r.rlog.lagging(other.color, compactAfter) && settled(other) && other.stable() <= covered[other.color]) {
                Carried carried = carried(other, LogRecords.stable(other.stable(), other.stableDigest(), other.stableProof()));
                if (!r.rlog.roomFor(carried.bytes(), ReplicaLog.MOVE_SHARE)) {
                    continue;
                }
                other.positions().rewrittenFrom(r.rlog.rewriteLater(other.color, carried.records()).first());
                forgetPayloads(other);
                checkHeldLogged(other, carried.payloads()::contains, "a compaction rewrote");
            }
        }
    }

    /** Whether {@code lane} holds its stable checkpoint's state and nothing is moving it. */
    private boolean settled(Lane lane) {
        return lane.executed() >= lane.stable() && !lane.executing() && lane.deferredStable() == null
                && !r.snapshotTransfer.active(lane.color) && !r.stateTransfer.stranded(lane.color);
    }

    /**
     * Appends the stable checkpoint to the color's log and trims the log below the oldest record
     * still needed: those about the kept history and the slots (their pre-prepares, proofs and
     * results) and the payloads memory holds. They stay where they were first written; only one
     * that lies below that point (a payload that waited long to be ordered, a history batch with no
     * record of its own) is written again, in the same append as the checkpoint. So a checkpoint
     * writes one STABLE record, not the retained history (which the log already holds once), and
     * recovery finds below and around it the records it rebuilds the history from ({@link Recovery}).
     * A color whose records keep the log's oldest unit of space from being freed while the log is
     * past the share where it refuses updates also writes its kept history again (a BATCH record
     * per batch, and their payloads, bounded by {@link #historyPayloadBytes}): the trim then passes
     * all of it, and that space is freed.
     */
    private void trimInPlace(Lane lane) {
        // What memory drops and what the log keeps are decided on the same live set, in one event: a
        // payload held in memory is never logged again, so its record must outlive its place in memory.
        forgetPayloads(lane);
        long oldestKept = lane.history().isEmpty() ? lane.stable() + 1 : lane.history().firstKey();
        lane.positions().forgetRecordsBelow(oldestKept);
        List<byte[]> records = new ArrayList<>();
        records.add(LogRecords.stable(lane.stable(), lane.stableDigest(), lane.stableProof()));
        // Copying a record up lets the trim pass it, which frees space only if this color keeps the
        // log's oldest unit of space; otherwise the copy (2 MiB, for a large update's payload) would
        // be written at every checkpoint to free nothing, and the trim stops below the record instead.
        boolean moveUp = r.rlog.holdsOldest(lane.color);
        // The kept history too, but only while the log refuses updates for want of space: it is up
        // to a quarter of the log, and a color that is the log's only one always keeps its oldest space.
        boolean moveHistory = moveUp && !r.rlog.roomFor(0, ReplicaLog.ADMIT_SHARE);
        List<Long> batchesAgain = new ArrayList<>();
        for (Lane.Executed e : lane.history().values()) {
            long seqno = e.batch().seqno();
            if (!lane.positions().hasRecord(seqno) || moveHistory && seqno <= lane.stable()) {
                batchesAgain.add(seqno);
                records.add(LogRecords.batch(e.batch(), e.resultsRoot(), e.stateDigest()));
            }
        }
        long keep = lane.positions().lowestRecordPosition();
        long keepPayloads = Long.MAX_VALUE;
        List<Hash32> payloadsAgain = new ArrayList<>();
        List<Hash32> below = new ArrayList<>();
        long belowBytes = 0;
        for (Hash32 d : livePayloads(lane)) {
            Long at = lane.positions().payloadPosition(d);
            ReplicaState.Payload p = r.state.payload(d);
            if (p == null || r.config.colorOf(p.update().update().aguid()) != lane.color || at != null && at >= keep) {
                continue;
            }
            if (at == null) {
                payloadsAgain.add(d);
                records.add(LogRecords.payload(p.signedUpdate()));
            } else {
                below.add(d);
                belowBytes += p.signedUpdate().length;
            }
        }
        // Copies that let the trim free space, unless the log is too full to take them.
        boolean movePayloads = moveUp && r.rlog.roomFor(belowBytes, ReplicaLog.MOVE_SHARE);
        for (Hash32 d : below) {
            if (movePayloads) {
                payloadsAgain.add(d);
                records.add(LogRecords.payload(r.state.payload(d).signedUpdate()));
            } else {
                keepPayloads = Math.min(keepPayloads, lane.positions().payloadPosition(d));
            }
        }
        ReplicaLog.Appended appended = r.rlog.appendBoundedPipelined(lane.color, records);
        long first = appended.first();
        for (int i = 0; i < batchesAgain.size(); i++) {
            lane.positions().movedRecord(batchesAgain.get(i), first + 1 + i);
        }
        for (int i = 0; i < payloadsAgain.size(); i++) {
            lane.positions().movedPayload(payloadsAgain.get(i), first + 1 + batchesAgain.size() + i);
        }
        long trimBelow = Math.min(Math.min(keep, keepPayloads), first);
        LogPositions positions = lane.positions();
        checkHeldLogged(lane, d -> positions.payloadPosition(d) != null && positions.payloadPosition(d) >= trimBelow,
                "the checkpoint at " + lane.stable() + " trims below " + trimBelow + " of");
        r.rlog.trimWhenDurable(lane.color, trimBelow, appended.tag());
    }

    /**
     * Safety, before a trim or rewrite of {@code lane}'s log takes effect: every update of its color
     * that memory holds is in what the log keeps ({@code kept}). A held update is never logged again
     * (it is known), so one whose record went would be missing when recovery replays a batch that
     * orders it: acknowledged updates lost at the next crash.
     */
    private void checkHeldLogged(Lane lane, java.util.function.Predicate<Hash32> kept, String what) {
        for (Hash32 d : r.state.heldOf(lane.color)) {
            SafetyViolation.check(kept.test(d), () -> what + " color " + lane.color + "'s log without update " + d
                    + ", which memory still holds (at " + lane.positions().payloadPosition(d) + ")");
        }
    }

    /**
     * The records of {@code lane} that a rewrite of its log (a snapshot install, a compaction)
     * carries. Each payload goes once, before the first record that names it, however many slots,
     * batches and pending requests name it: a slot that is accepted, prepared and committed names
     * its batch's payloads three times, and with 2 MiB updates copies of them made one rewrite tens
     * of MiB.
     */
    private Carried carried(Lane lane, byte[] stable) {
        List<byte[]> out = new ArrayList<>();
        Set<Hash32> written = new HashSet<>();
        java.util.function.Consumer<Hash32> payload = d -> {
            if (written.add(d)) {
                out.add(LogRecords.payload(r.state.payload(d).signedUpdate()));
            }
        };
        out.add(stable);
        // All of the history kept in memory, payloads included: a later batch may order one of its
        // updates again (a restarted primary re-proposes what it cannot tell executed), and a
        // payload held in memory is never logged again, so it must not leave the log before it
        // leaves memory. The cost: each trim writes the retained history again (docs/protocol.md).
        for (Lane.Executed e : lane.history().headMap(lane.stable(), true).values()) {
            e.batch().digests().forEach(payload);
            out.add(LogRecords.batch(e.batch(), e.resultsRoot(), e.stateDigest()));
        }
        for (Slot s : lane.slots().values()) {
            if (s.accepted() != null) {
                s.accepted().message().digests().forEach(payload);
                out.add(LogRecords.accepted(s.accepted()));
            }
            if (s.prepared() != null) {
                s.prepared().prePrepare().message().digests().forEach(payload);
                out.add(LogRecords.prepared(s.prepared()));
            }
            if (s.committed()) {
                s.committedPrePrepare().message().digests().forEach(payload);
                carryCommitted(s, out);
            }
        }
        for (Hash32 d : r.state.pending().keySet()) {
            ReplicaState.Payload p = r.state.payload(d);
            if (r.config.colorOf(p.update().update().aguid()) == lane.color) {
                payload.accept(d);
            }
        }
        // Held for batches state transfer verified and will run: kept in memory, so kept in the log.
        for (Hash32 d : r.stateTransfer.awaited(lane.color)) {
            if (r.state.holds(d)) {
                payload.accept(d);
            }
        }
        return new Carried(out, written);
    }

    /** What a rewrite carries: its records, and the payloads among them. */
    private record Carried(List<byte[]> records, Set<Hash32> payloads) {
        long bytes() {
            return records.stream().mapToLong(b -> b.length).sum();
        }
    }

    private void carryCommitted(Slot s, List<byte[]> out) {
        Signed<Message.PrePrepare> pp = s.committedPrePrepare();
        out.add(LogRecords.committed(pp, s.commitProof() == null ? List.of() : s.commitProof().commits()));
        if (s.resultsRoot() != null) {
            out.add(LogRecords.executed(s.seqno, s.resultsRoot(), s.stateDigest()));
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
    private long historyPayloadBytes() {
        long capacity = r.rlog.capacityBytes();
        return capacity == Long.MAX_VALUE ? HISTORY_PAYLOAD_BYTES
                : Math.min(HISTORY_PAYLOAD_BYTES, capacity / 4 / r.state.colors());
    }

    /** Drops the payloads of {@code lane} that no slot, no kept history and no pending request needs. */
    private void forgetPayloads(Lane lane) {
        Set<Hash32> live = livePayloads(lane);
        r.state.dropPayloads(lane.color, live);
        lane.positions().retainPayloads(live);
    }

    /** The digests whose payloads {@code lane} still needs (with every pending one, of any color). */
    private Set<Hash32> livePayloads(Lane lane) {
        Set<Hash32> live = new HashSet<>(r.state.pending().keySet());
        for (Slot s : lane.slots().values()) {
            if (s.accepted() != null) {
                live.addAll(s.accepted().message().digests());
            }
            if (s.prepared() != null) {
                live.addAll(s.prepared().prePrepare().message().digests());
            }
            if (s.committed()) {
                live.addAll(s.committedBatch().digests());
            }
        }
        lane.history().values().forEach(e -> live.addAll(e.batch().digests()));
        live.addAll(r.stateTransfer.awaited(lane.color));
        return live;
    }
}
