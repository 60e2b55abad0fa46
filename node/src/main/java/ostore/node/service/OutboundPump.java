package ostore.node.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a server stream only as fast as the client takes it. Messages are produced one at a time,
 * on demand, while the transport reports {@code isReady()}; when it stops, the pump returns and
 * gRPC calls it again from the on-ready handler. So a 1 GiB read holds one block in memory, not the
 * version, and a cancelled call stops producing at once.
 *
 * <p>gRPC runs the handler method and the on-ready and on-cancel callbacks of one call one after
 * another, never at once; a stream that waits for something first ({@link #startWhen}) is also run
 * by whoever completes the wait, so the pump's methods take its lock.
 */
final class OutboundPump<T> implements Runnable {
    /** Produces the stream's messages in order. */
    @FunctionalInterface
    interface Source<T> {
        /** The next message, or null at the end of the stream. */
        T next();
    }

    private final String what;
    private final ServerCallStreamObserver<T> out;
    private final Source<T> source;
    private final CompletableFuture<?> ready;
    private boolean finished;

    private OutboundPump(String what, ServerCallStreamObserver<T> out, Source<T> source, CompletableFuture<?> ready) {
        this.what = what;
        this.out = out;
        this.source = source;
        this.ready = ready;
    }

    /** Starts streaming {@code source} to {@code observer}; call from the RPC handler method. */
    static <T> void start(String what, StreamObserver<T> observer, Source<T> source) {
        startWhen(CompletableFuture.completedFuture(null), what, observer, source);
    }

    /**
     * Streams {@code source} to {@code observer} once {@code ready} completes (on whichever thread
     * completes it); if it fails, the stream ends with its status. Call from the RPC handler
     * method: gRPC takes the stream's handlers only there.
     */
    static <T> void startWhen(CompletableFuture<?> ready, String what, StreamObserver<T> observer, Source<T> source) {
        ServerCallStreamObserver<T> out = (ServerCallStreamObserver<T>) observer;
        OutboundPump<T> pump = new OutboundPump<>(what, out, source, ready);
        out.setOnCancelHandler(pump::cancelled);
        out.setOnReadyHandler(pump);
        ready.whenComplete((ignored, failure) -> pump.run());
    }

    /** Runs on gRPC's threads when the stream can take more, and once when {@code ready} completes. */
    @Override
    public synchronized void run() {
        if (!ready.isDone() || finished) {
            return;
        }
        if (ready.isCompletedExceptionally()) {
            finished = true;
            out.onError(Statuses.toStatus(what, ready.exceptionNow()));
            return;
        }
        while (!finished && out.isReady()) {
            T next;
            try {
                next = source.next();
            } catch (RuntimeException e) {
                finished = true;
                out.onError(Statuses.toStatus(what, e));
                return;
            }
            if (next == null) {
                finished = true;
                out.onCompleted();
                return;
            }
            out.onNext(next);
        }
    }

    private synchronized void cancelled() {
        finished = true;
    }
}
