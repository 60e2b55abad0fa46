package ostore.ring.bft;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;
import ostore.crypto.ResultStatement;
import ostore.ring.bft.Message.BatchResult;
import ostore.ring.bft.Message.PrePrepare;
import ostore.store.AuthenticatedUpdate;

/**
 * A replica's execution of committed batches and what follows each: the store writes, handed to
 * the driver ({@link ReplicaEnv#execute}, off the replica's thread in a real process), then on the
 * replica's thread the state chain, the EXECUTED record, the signed BATCH-RESULT, the replies to
 * clients (kept for those who ask again) and the checkpoint vote. Each color runs one batch at a
 * time, in seqno order; until it is back, {@link Lane#executing} keeps checkpoints, state transfer
 * and snapshots off that color's store.
 */
final class BatchExecution {
    private final Replica r;
    private final Executor executor;
    private final Certifier certifier;
    /** Update digest to the encoded reply this replica sent, least recently executed first. */
    private final LinkedHashMap<Hash32, byte[]> replies = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash32, byte[]> eldest) {
            return size() > Replica.REPLY_CACHE_ENTRIES;
        }
    };
    /** Statistics only: never read by the protocol. */
    private PhaseTotals phases = PhaseTotals.ZERO;

    BatchExecution(Replica r, Executor executor, Certifier certifier) {
        this.r = r;
        this.executor = executor;
        this.certifier = certifier;
    }

    /** What one batch's store writes gave, and how long they took (statistics). */
    private record Applied(Executor.Executed done, long nanos) {}

    /** The signed reply this replica sent for the update, if it still keeps it. */
    byte[] cachedReply(Hash32 updateDigest) {
        return replies.get(updateDigest);
    }

    PhaseTotals phases() {
        return phases;
    }

    /**
     * Starts the next batch of {@code lane} if it is committed, its commit proof durable and its
     * payloads held, and no batch of the color is executing; the rest follow as each finishes.
     */
    void executeReady(Lane lane) {
        if (r.snapshotTransfer.active(lane.color) || lane.executing()) {
            return;
        }
        Slot next = lane.slotAt(lane.executed() + 1);
        if (next == null || !next.committed() || !r.rlog.isDurable(next.commitTag())) {
            return;
        }
        List<Hash32> missing = next.committedBatch().digests().stream().filter(d -> !r.state.holds(d))
                .toList();
        if (!missing.isEmpty()) {
            // Committed but a payload is gone (its log append failed before a crash, while a
            // later record of the batch was written): every correct replica that prepared holds it.
            r.payloadFetcher.awaitCommitted(lane, missing);
            return;
        }
        execute(lane, next.committedBatch());
    }

    /**
     * Hands {@code batch} to the driver to write to the store and finishes it when the result
     * comes back. Until then the color's store state belongs to the writer.
     */
    private void execute(Lane lane, PrePrepare batch) {
        long now = r.env.nowMicros();
        long ordering = 0;
        for (Hash32 d : batch.digests()) {
            Long arrived = r.state.pending().get(d);
            ordering += arrived == null ? 0 : Math.max(0, now - arrived);
        }
        run(lane, batch, ordering, null);
    }

    /**
     * Runs {@code batch}, which state transfer verified below the stable checkpoint (its chain step
     * leads to the checkpoint's state, so it has no slot) and logged as BATCH, the same way as a
     * batch committed here. It must execute to {@code resultsRoot}, the ring's; the color's stable
     * state is made durable once it is reached.
     */
    void executeTransferred(Lane lane, PrePrepare batch, Hash32 resultsRoot) {
        run(lane, batch, 0, resultsRoot);
    }

    /** The store writes on the driver's thread, the rest on the replica's when they are back. */
    private void run(Lane lane, PrePrepare batch, long orderingMicros, Hash32 ringResultsRoot) {
        lane.startExecuting(batch.seqno());
        Map<Hash32, AuthenticatedUpdate> updates = new HashMap<>();
        for (Hash32 d : batch.digests()) {
            updates.put(d, r.state.payload(d).update());
        }
        r.env.execute(lane.color, () -> {
            long start = System.nanoTime();
            // Replay, not execute: after a crash the store may hold this batch's writes already.
            Executor.Executed done = executor.replay(batch, updates::get);
            return new Applied(done, System.nanoTime() - start);
        }, applied -> r.event(() -> {
            if (ringResultsRoot != null && !applied.done().resultsRoot().equals(ringResultsRoot)) {
                throw new IllegalStateException("color " + lane.color + " batch " + batch.seqno() + " executed to"
                        + " results root " + applied.done().resultsRoot() + ", not the ring's " + ringResultsRoot
                        + ": execution is not deterministic");
            }
            executed(lane, batch, applied, orderingMicros, ringResultsRoot != null);
        }));
    }

    private void executed(Lane lane, PrePrepare batch, Applied applied, long orderingMicros, boolean transferred) {
        lane.finishedExecuting(batch.seqno());
        long signing = finishBatch(lane, batch, applied.done());
        phases = phases.plus(batch.digests().size(), orderingMicros, applied.nanos(), signing);
        if (transferred && lane.executed() == lane.stable()) {
            // A transferred batch reached the stable checkpoint: its state is made durable as if reached here.
            r.checkpointer.caughtUp(lane);
        }
        executeReady(lane);
        r.checkpointer.adoptDeferred(lane);
        r.stateTransfer.afterExecuted(lane);
        // Wanted while the batch ran, judged on the position before it: only if still stranded.
        if (lane.takeSnapshotDeferral() && lane.behind() && r.stateTransfer.stranded(lane.color)) {
            r.snapshotTransfer.pursue(lane);
        }
    }

    /**
     * Everything after applying a batch: chain, log, sign, reply, checkpoint.
     *
     * @return the nanoseconds spent signing the results and handing out the replies (statistics)
     */
    long finishBatch(Lane lane, PrePrepare batch, Executor.Executed done) {
        Hash32 state = StateChain.chain(lane.stateDigest(), batch, done.resultsRoot());
        Slot slot = lane.slotAt(batch.seqno());
        if (slot != null) {
            // A batch from state transfer has no slot; its BATCH record, logged before it ran, says the same.
            lane.positions().noteRecord(batch.seqno(), r.rlog.nextPosition(lane.color));
            r.rlog.appendUngated(lane.color, LogRecords.executed(batch.seqno(), done.resultsRoot(), state));
        }
        advance(lane, batch, state, done.resultsRoot());
        ResultStatement statement = new ResultStatement(r.config.epoch(), lane.color, batch.seqno(), done.resultsRoot());
        long signStart = System.nanoTime();
        Signed<BatchResult> signed = r.sign(new BatchResult(statement));
        certifier.executed(statement, done.leaves(), signed);
        r.broadcastFrame(signed.frameUnsafe());
        reply(statement, done, signed);
        long signing = System.nanoTime() - signStart;
        r.checkpointer.executed(lane, batch.seqno(), state);
        if (r.isPrimary()) {
            // A batch left the pipeline: what gathered behind the in-flight limit goes now.
            r.agreement.proposeReady(lane, true);
        }
        r.armViewChangeTimer();
        return signing;
    }

    /** Moves the execution cursor past {@code batch}, whose results chain to {@code state}. */
    void advance(Lane lane, PrePrepare batch, Hash32 state, Hash32 resultsRoot) {
        long weight = StateChain.weight(batch.digests().stream().map(d -> r.state.payload(d).update()).toList());
        lane.executedBatch(batch, resultsRoot, state, weight, r.config.params().checkpointInterval(),
                r.checkpointBytes, r.env.nowMicros());
        r.state.executed(batch.digests());
        r.viewChanger.progressed();
        r.retransmitter.progressed();
    }

    private void reply(ResultStatement statement, Executor.Executed done, Signed<BatchResult> signed) {
        byte[] frame = signed.frameUnsafe();
        byte[] signature = java.util.Arrays.copyOfRange(frame, frame.length - 64, frame.length);
        List<Hash32> hashes = done.leafHashes();
        for (int i = 0; i < done.leaves().size(); i++) {
            ResultLeaf leaf = done.leaves().get(i);
            byte[] encoded = new ResultReply(leaf, MerkleProof.of(hashes, i), r.id, statement, signature).encode();
            replies.put(leaf.updateDigest(), encoded);
            r.env.reply(leaf.updateDigest(), encoded, done.outcomes().get(i));
        }
    }
}
