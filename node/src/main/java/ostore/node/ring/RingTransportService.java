package ostore.node.ring;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import ostore.api.v1.RingFrame;
import ostore.api.v1.RingFrameAck;
import ostore.api.v1.RingTransportGrpc;
import ostore.ring.bft.FrameException;
import ostore.ring.runtime.ReplicaLoop;

/**
 * The receiving side of the replica-to-replica transport. The frame's signature is checked here,
 * on gRPC's threads (many at once), and only a verified message is queued for the replica's one
 * thread. A frame that fails is refused with a status naming why, and the replica never sees it.
 */
final class RingTransportService extends RingTransportGrpc.RingTransportImplBase {
    private static final RingFrameAck ACK = RingFrameAck.getDefaultInstance();
    private final ReplicaLoop replica;

    RingTransportService(ReplicaLoop replica) {
        this.replica = replica;
    }

    @Override
    public void deliver(RingFrame request, StreamObserver<RingFrameAck> responses) {
        boolean queued;
        try {
            queued = replica.receive(request.getFrame().toByteArray());
        } catch (FrameException e) {
            Status.Code code = e.reason() == FrameException.Reason.SIGNATURE ? Status.Code.UNAUTHENTICATED
                    : Status.Code.INVALID_ARGUMENT;
            responses.onError(code.toStatus().withDescription("frame: " + e.getMessage()).asRuntimeException());
            return;
        }
        if (!queued) {
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("frame dropped: replica " + replica.id()
                    + " is stopped or its inbox is full, or the frame claims to be its own").asRuntimeException());
            return;
        }
        responses.onNext(ACK);
        responses.onCompleted();
    }
}
