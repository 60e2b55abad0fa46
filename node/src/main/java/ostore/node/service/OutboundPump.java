package ostore.node.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * Sends a server stream only as fast as the client takes it. Messages are produced one at a time,
 * on demand, while the transport reports {@code isReady()}; when it stops, the pump returns and
 * gRPC calls it again from the on-ready handler. So a 1 GiB read holds one block in memory, not the
 * version, and a cancelled call stops producing at once.
 *
 * <p>gRPC runs the handler method and the on-ready and on-cancel callbacks of one call one after
 * another, never at once, so the pump's state needs no lock.
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
    private boolean finished;

    private OutboundPump(String what, ServerCallStreamObserver<T> out, Source<T> source) {
        this.what = what;
        this.out = out;
        this.source = source;
    }

    /** Starts streaming {@code source} to {@code observer}; call from the RPC handler method. */
    static <T> void start(String what, StreamObserver<T> observer, Source<T> source) {
        ServerCallStreamObserver<T> out = (ServerCallStreamObserver<T>) observer;
        OutboundPump<T> pump = new OutboundPump<>(what, out, source);
        out.setOnCancelHandler(pump::cancelled);
        out.setOnReadyHandler(pump);
        pump.run();
    }

    @Override
    public void run() {
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

    private void cancelled() {
        finished = true;
    }
}
