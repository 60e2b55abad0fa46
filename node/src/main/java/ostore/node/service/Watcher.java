package ostore.node.service;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import ostore.api.v1.VersionRoot;
import ostore.crypto.Aguid;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * One open {@code Watch} call: sends versions {@code nextSeq, nextSeq + 1, ...} up to the newest
 * seq known to exist, as fast as the client takes them. Wakes come from the ring's execution thread,
 * from gRPC's on-ready callback and from the hub; at most one drain is queued at a time and drains
 * are serialized by the monitor, because a gRPC stream must not be written from two threads at once.
 */
final class Watcher {
    private final Aguid aguid;
    private final ServerCallStreamObserver<VersionRoot> out;
    private final VersionStore store;
    private final Executor executor;
    private final Consumer<Watcher> onEnd;
    private final AtomicLong newestSeq = new AtomicLong();
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private long nextSeq;
    private boolean ended;

    Watcher(Aguid aguid, long fromSeq, ServerCallStreamObserver<VersionRoot> out, VersionStore store,
            Executor executor, Consumer<Watcher> onEnd) {
        assert fromSeq >= 1 : "seqs start at 1";
        this.aguid = aguid;
        this.nextSeq = fromSeq;
        this.out = out;
        this.store = store;
        this.executor = executor;
        this.onEnd = onEnd;
    }

    Aguid aguid() {
        return aguid;
    }

    /** Called on the ring's execution thread: must not block. */
    void committed(long seq) {
        newestSeq.accumulateAndGet(seq, Math::max);
        wake();
    }

    void wake() {
        if (drainQueued.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    /** Ends the call with {@code error}, or silently when the client already cancelled (null). */
    synchronized void end(StatusRuntimeException error) {
        if (ended) {
            return;
        }
        ended = true;
        onEnd.accept(this);
        if (error != null && !out.isCancelled()) {
            out.onError(error);
        }
    }

    private synchronized void drain() {
        drainQueued.set(false);
        try {
            while (!ended && out.isReady() && nextSeq <= newestSeq.get()) {
                StoredVersion version = store.read(aguid, new Selector.BySeq(nextSeq)).orElseThrow(
                        () -> new IllegalStateException("version " + nextSeq + " of " + aguid + " committed but not found"));
                out.onNext(Replies.root(version));
                nextSeq++;
            }
        } catch (RuntimeException e) {
            end(Statuses.toStatus("Watch", e));
        }
    }
}
