package ostore.node.ring;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import ostore.api.v1.ColorStatus;
import ostore.api.v1.ReplicaStatusReply;
import ostore.api.v1.RingInfoGrpc;
import ostore.api.v1.RingStatusRequest;
import ostore.ring.bft.ReplicaStatus;
import ostore.ring.runtime.ReplicaLoop;

/** {@code RingInfo/Status}: what {@code ostore ring status} shows for one replica, read on its thread. */
final class RingInfoService extends RingInfoGrpc.RingInfoImplBase {
    private final ReplicaLoop replica;
    private final String logStore;

    RingInfoService(ReplicaLoop replica, String logStore) {
        this.replica = replica;
        this.logStore = logStore;
    }

    @Override
    public void status(RingStatusRequest request, StreamObserver<ReplicaStatusReply> responses) {
        replica.status().whenComplete((status, failure) -> {
            if (failure != null) {
                responses.onError(Status.UNAVAILABLE.withDescription(failure.getMessage()).asRuntimeException());
                return;
            }
            responses.onNext(toProto(status));
            responses.onCompleted();
        });
    }

    private ReplicaStatusReply toProto(ReplicaStatus s) {
        ReplicaStatusReply.Builder b = ReplicaStatusReply.newBuilder()
                .setId(s.id())
                .setEpoch(replica.config().epoch())
                .setView(s.view())
                .setPrimary(s.primary())
                .setViewChanging(s.viewChanging())
                .setPendingUpdates(s.pendingUpdates())
                .setCertificatesAttached(s.certificatesAttached())
                .setLogStore(logStore);
        for (ReplicaStatus.ColorStatus c : s.colors()) {
            b.addColors(ColorStatus.newBuilder().setColor(c.color()).setLastExecuted(c.executed())
                    .setStableCheckpoint(c.stable()));
        }
        return b.build();
    }
}
