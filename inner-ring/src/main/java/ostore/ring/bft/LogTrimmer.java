package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import ostore.crypto.Hash32;

/**
 * The log side of stable checkpoints ({@link Checkpointer}): what a color's log keeps, writes again
 * and trims. A checkpoint trims in place, below the oldest record still needed ({@link
 * #trimInPlace}); a color whose records keep the log's oldest space from being freed, and no
 * checkpoint trims, is moved up ({@link #compactLagging}); a snapshot install rewrites the color's
 * log ({@link #rewrite}). Every copy is appended, in bounded pieces, and durable before the trim
 * that it makes possible. Part of {@link Replica}, on its thread.
 */
final class LogTrimmer {
    private static final System.Logger LOG = System.getLogger(LogTrimmer.class.getName());
    /**
     * Bytes appended to the log (all colors) after which a color that no checkpoint trimmed has its
     * records moved up. The log frees space only below every color's first record, so without this
     * a color gone idle between checkpoints, or the view records of one view change, would keep
     * the log from ever freeing space.
     */
    static final long COMPACT_AFTER_BYTES = 64L << 20;

    private final Replica r;
    /** {@link #COMPACT_AFTER_BYTES}; tests make it small. */
    long compactAfterBytes = COMPACT_AFTER_BYTES;
    /** Per color, the highest batch a store sync since this replica started is known to cover. */
    private final long[] syncedThrough;

    LogTrimmer(Replica r) {
        this.r = r;
        this.syncedThrough = new long[r.config.colors()];
    }

    /** A store sync covered every color up to {@code covered}. */
    void synced(long[] covered) {
        for (int c = 0; c < covered.length; c++) {
            syncedThrough[c] = Math.max(syncedThrough[c], covered[c]);
        }
    }

    /**
     * Replaces {@code lane}'s log with {@code stable} and what the color still needs ({@link
     * #carried}), the old records trimmed once the copy is durable, and forgets the payloads it
     * does not carry, in this one event.
     *
     * @return where the copy went and the tag that is durable once all of it is
     */
    ReplicaLog.Appended rewrite(Lane lane, byte[] stable, String what) {
        Carried carried = carried(lane, stable);
        if (!r.rlog.roomFor(carried.bytes(), ReplicaLog.VOTE_SHARE)) {
            // The copy would fill the log, and its trim waits for the copy: what stays is only what
            // cannot be had again, the protocol records. The color's payloads leave memory with it;
            // a batch that orders one has it fetched again from the peers (PayloadFetcher).
            LOG.log(System.Logger.Level.WARNING, "replica {0}: {1} color {2}''s log without its {3} payloads: the copy"
                    + " ({4} KiB) would not fit; they are fetched again when needed", r.id, what, lane.color,
                    carried.payloads().size(), carried.bytes() >> 10);
            r.state.dropPayloads(lane.color, r.state.pending().keySet());
            carried = carried(lane, stable);
        }
        return rewrite(lane, carried, what);
    }

    private ReplicaLog.Appended rewrite(Lane lane, Carried carried, String what) {
        ReplicaLog.Appended appended = r.rlog.rewriteLater(lane.color, carried.records());
        lane.positions().rewrittenFrom(appended.first());
        forgetPayloads(lane);
        checkHeldLogged(lane, carried.payloads()::contains, what);
        return appended;
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
    void compactLagging(long[] covered) {
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
                rewrite(other, carried, "a compaction rewrote");
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
     * per batch, and their payloads, bounded by {@link Checkpointer#historyPayloadBytes}): the trim then passes
     * all of it, and that space is freed.
     */
    void trimInPlace(Lane lane) {
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
        List<byte[]> historyAgain = new ArrayList<>();
        long historyBytes = 0;
        for (Lane.Executed e : lane.history().values()) {
            long seqno = e.batch().seqno();
            boolean needed = !lane.positions().hasRecord(seqno);
            if (needed || moveHistory && seqno <= lane.stable()) {
                byte[] record = LogRecords.batch(e.batch(), e.resultsRoot(), e.stateDigest());
                batchesAgain.add(seqno);
                historyAgain.add(record);
                historyBytes += needed ? 0 : record.length;
            }
        }
        if (historyBytes > 0 && !r.rlog.roomFor(historyBytes, ReplicaLog.MOVE_SHARE)) {
            // Too full to copy the history up: only the batches with no record of their own go again.
            for (int i = batchesAgain.size() - 1; i >= 0; i--) {
                if (lane.positions().hasRecord(batchesAgain.get(i))) {
                    batchesAgain.remove(i);
                    historyAgain.remove(i);
                }
            }
        }
        records.addAll(historyAgain);
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
    private void checkHeldLogged(Lane lane, Predicate<Hash32> kept, String what) {
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
            // One not held is fetched again when a batch needs it (a rewrite with no room for payloads).
            if (r.state.holds(d) && written.add(d)) {
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

    /** Drops the payloads of {@code lane} that no slot, no kept history and no pending request needs. */
    void forgetPayloads(Lane lane) {
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
