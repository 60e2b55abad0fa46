package ostore.node.ring;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import ostore.api.v1.RingFrame;
import ostore.api.v1.RingFrameAck;
import ostore.api.v1.RingFrames;
import ostore.api.v1.RingTransportGrpc;
import ostore.ring.bft.FrameException;
import ostore.ring.runtime.ReplicaLoop;

/**
 * The receiving side of the replica-to-replica transport. The frame's signature is checked here,
 * on gRPC's threads (one per peer's stream, so several at once), and only a verified message is
 * queued for the replica's one thread; a frame that fails never reaches the replica. Peers use
 * {@link #stream}; {@link #deliver} takes one frame and refuses a bad one with a status naming why.
 */
final class RingTransportService extends RingTransportGrpc.RingTransportImplBase {
    private static final RingFrameAck ACK = RingFrameAck.getDefaultInstance();
    private static final System.Logger LOG = System.getLogger(RingTransportService.class.getName());
    private final ReplicaLoop replica;
    /**
     * Streamed frames dropped or refused, per reason (a {@link FrameException.Reason}, or why the
     * replica dropped it: {@link ReplicaLoop#receive}): the first of every thousand of each reason is logged, so a refusal of a new kind is
     * seen even after many of another.
     */
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    /** Peers' streams into this replica, ended when it stops. */
    private final Set<StreamObserver<RingFrameAck>> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    RingTransportService(ReplicaLoop replica) {
        this.replica = replica;
    }

    @Override
    public void deliver(RingFrame request, StreamObserver<RingFrameAck> responses) {
        Optional<String> dropped;
        try {
            dropped = replica.receive(request.getFrame().toByteArray());
        } catch (FrameException e) {
            Status.Code code = e.reason() == FrameException.Reason.SIGNATURE ? Status.Code.UNAUTHENTICATED
                    : Status.Code.INVALID_ARGUMENT;
            responses.onError(code.toStatus().withDescription("frame: " + e.getMessage()).asRuntimeException());
            return;
        }
        if (dropped.isPresent()) {
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("frame dropped: " + dropped.get())
                    .asRuntimeException());
            return;
        }
        responses.onNext(ACK);
        responses.onCompleted();
    }

    /** Ends every peer's stream into this replica (it is stopping); peers reopen to its successor. */
    void close() {
        closing = true;
        for (StreamObserver<RingFrameAck> s : List.copyOf(open)) {
            // Whoever removes a stream from the set ends it, so it is ended once.
            if (open.remove(s)) {
                try {
                    s.onError(Status.UNAVAILABLE.withDescription("replica " + replica.id() + " is stopping")
                            .asRuntimeException());
                } catch (RuntimeException e) {
                    // The peer cancelled it meanwhile.
                }
            }
        }
    }

    /**
     * A peer's stream of frames. Each is checked and queued like a {@link #deliver}ed one; one that
     * fails is dropped and counted, never ending the stream (the sender's link carries all it says).
     * gRPC hands one stream's messages over one at a time, so frames from one peer are checked in
     * order while several peers' are checked in parallel.
     */
    @Override
    public StreamObserver<RingFrames> stream(StreamObserver<RingFrameAck> responses) {
        open.add(responses);
        // Added before checking, so a close() running now either sees it or is seen here.
        if (closing && open.remove(responses)) {
            responses.onError(Status.UNAVAILABLE.withDescription("replica " + replica.id() + " is stopping")
                    .asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(RingFrames frames) {}

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            };
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(RingFrames frames) {
                for (ByteString frame : frames.getFramesList()) {
                    try {
                        Optional<String> dropped = replica.receive(frame.toByteArray());
                        if (dropped.isPresent()) {
                            refused(dropped.get(), "dropped: " + dropped.get(), null);
                        }
                    } catch (FrameException e) {
                        refused(e.reason().name(), "refused: " + e.getMessage(), e);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The peer went away or restarted; it opens a new stream.
                open.remove(responses);
            }

            @Override
            public void onCompleted() {
                if (open.remove(responses)) {
                    responses.onNext(ACK);
                    responses.onCompleted();
                }
            }
        };
    }

    private void refused(String reason, String what, FrameException e) {
        long n = refused.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
        if (n % 1_000 == 1) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: a streamed frame was {1} ({2} so far)", replica.id(), what,
                    n);
        }
    }
}
