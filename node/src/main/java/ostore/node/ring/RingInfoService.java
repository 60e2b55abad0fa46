package ostore.node.ring;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import ostore.api.v1.ColorStatus;
import ostore.api.v1.Phases;
import ostore.api.v1.ReplicaStatusReply;
import ostore.api.v1.RingInfoGrpc;
import ostore.api.v1.RingStatusRequest;
import ostore.node.wire.SignedUpdateDecoder;
import ostore.ring.bft.PhaseTotals;
import ostore.ring.bft.ReplicaStatus;
import ostore.ring.runtime.ReplicaLoop;

/** {@code RingInfo/Status}: what {@code ostore ring status} shows for one replica, read on its thread. */
final class RingInfoService extends RingInfoGrpc.RingInfoImplBase {
    private final ReplicaLoop replica;
    private final String logStore;
    private final SignedUpdateDecoder edge;

    /** {@code edge} is the decoder the replica's edge checks client updates with (its time is the check phase). */
    RingInfoService(ReplicaLoop replica, String logStore, SignedUpdateDecoder edge) {
        this.replica = replica;
        this.logStore = logStore;
        this.edge = edge;
    }

    @Override
    public void status(RingStatusRequest request, StreamObserver<ReplicaStatusReply> responses) {
        replica.status().thenCombine(replica.phases(), (status, phases) -> toProto(status, phases))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException c
                                && c.getCause() != null ? c.getCause() : failure;
                        responses.onError(Status.UNAVAILABLE.withDescription(cause.getMessage()).asRuntimeException());
                        return;
                    }
                    responses.onNext(reply);
                    responses.onCompleted();
                });
    }

    private ReplicaStatusReply toProto(ReplicaStatus s, PhaseTotals p) {
        ReplicaStatusReply.Builder b = ReplicaStatusReply.newBuilder()
                .setId(s.id())
                .setEpoch(replica.config().epoch())
                .setView(s.view())
                .setPrimary(s.primary())
                .setViewChanging(s.viewChanging())
                .setPendingUpdates(s.pendingUpdates())
                .setCertificatesAttached(s.certificatesAttached())
                .setUncertifiedVersions(s.uncertifiedVersions())
                .setLogStore(logStore)
                .setLogBytesUsed(s.log().bytesUsed())
                .setLogCapacityBytes(s.log().capacityBytes() == Long.MAX_VALUE ? 0 : s.log().capacityBytes())
                .setLogRefusal(s.log().refusal())
                .setPhases(Phases.newBuilder().setChecks(edge.checks()).setCheckNanos(edge.checkNanos())
                        .setUpdates(p.updates()).setBatches(p.batches()).setOrderMicros(p.orderMicros())
                        .setApplyNanos(p.applyNanos()).setSignNanos(p.signNanos()));
        for (ReplicaStatus.ColorStatus c : s.colors()) {
            b.addColors(ColorStatus.newBuilder().setColor(c.color()).setLastExecuted(c.executed())
                    .setStableCheckpoint(c.stable()).setStranded(c.stranded()));
        }
        return b.build();
    }
}
