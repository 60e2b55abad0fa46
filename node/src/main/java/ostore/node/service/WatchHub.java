package ostore.node.service;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import ostore.api.v1.VersionRoot;
import ostore.api.v1.WatchRequest;
import ostore.crypto.Aguid;
import ostore.node.wire.WireFields;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.VersionStore;

/**
 * Fans commits out to open {@code Watch} calls: {@link ReplicaUpdates} tells it of each commit the
 * replica executes, one hub for all watches. It only records the
 * newest seq per watched object and wakes the watcher, which reads versions from the store itself. The execution thread therefore never blocks on a slow client, and a watcher that
 * falls behind holds a number, not a queue of versions.
 */
final class WatchHub implements AutoCloseable {
    private final VersionStore store;
    private final Executor executor;
    private final ConcurrentHashMap<Aguid, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    WatchHub(VersionStore store, Executor executor) {
        this.store = store;
        this.executor = executor;
    }

    void watch(WatchRequest request, StreamObserver<VersionRoot> observer) {
        Aguid aguid = new Aguid(WireFields.hash32(request.getAguid(), "aguid"));
        long fromSeq = WireFields.nonNegative(request.getFromSeq(), "from_seq");
        if (closed) {
            throw Statuses.status(Status.Code.UNAVAILABLE, "the node is shutting down");
        }
        ServerCallStreamObserver<VersionRoot> out = (ServerCallStreamObserver<VersionRoot>) observer;
        Watcher watcher = new Watcher(aguid, Math.max(1, fromSeq), out, store, executor, this::forget);
        out.setOnCancelHandler(() -> watcher.end(null));
        out.setOnReadyHandler(watcher::wake);
        // Registered before the latest seq is read, so a commit in between is seen by one or both.
        // Added inside compute, atomically with forget's removal of an emptied set.
        watchers.compute(aguid, (a, set) -> {
            Set<Watcher> live = set != null ? set : ConcurrentHashMap.newKeySet();
            live.add(watcher);
            return live;
        });
        store.read(aguid, new Selector.Latest()).ifPresent(v -> watcher.committed(v.root().seq()));
        watcher.wake();
    }

    /** Version {@code seq} of {@code aguid} was committed; wakes the watchers of that object. */
    void committed(Aguid aguid, long seq) {
        Set<Watcher> set = closed ? null : watchers.get(aguid);
        if (set != null) {
            set.forEach(w -> w.committed(seq));
        }
    }

    /** Ends every open watch with UNAVAILABLE, so a graceful shutdown does not wait on them. */
    @Override
    public void close() {
        closed = true;
        watchers.values().forEach(set -> set.forEach(w -> w.end(
                Statuses.status(Status.Code.UNAVAILABLE, "the node is shutting down"))));
    }

    private void forget(Watcher watcher) {
        watchers.computeIfPresent(watcher.aguid(), (a, set) -> {
            set.remove(watcher);
            return set.isEmpty() ? null : set;
        });
    }
}
