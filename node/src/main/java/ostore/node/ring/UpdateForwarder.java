package ostore.node.ring;

import io.grpc.ManagedChannel;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import ostore.node.service.WriteAll;

/**
 * Sends a client's signed update on to every peer's {@code ObjectStore/Update}, for a client that
 * talks to this replica alone: write-all then holds as if the client had sent it everywhere, so the
 * primary orders it whichever replica took it. The peers' answers are not needed here (this
 * replica answers its client with its own signed result) and are dropped; a copy that is lost is
 * recovered by the client's retransmission, which is forwarded again. Calls in flight per peer are
 * bounded, as in {@link PeerLinks}, so a dead peer pins bounded memory.
 */
final class UpdateForwarder implements Consumer<SignedUpdate> {
    private static final System.Logger LOG = System.getLogger(UpdateForwarder.class.getName());
    static final int MAX_IN_FLIGHT = 1_024;
    /** A forwarded update older than this is not worth delivering: its client has retried or given up. */
    static final long DEADLINE_MILLIS = 10_000;

    private final List<ObjectStoreGrpc.ObjectStoreStub> stubs = new ArrayList<>();
    private final List<AtomicInteger> inFlight = new ArrayList<>();

    /** @param channels one per replica, null for this one */
    UpdateForwarder(List<ManagedChannel> channels) {
        for (ManagedChannel c : channels) {
            stubs.add(c == null ? null : ObjectStoreGrpc.newStub(c)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(WriteAll.header())));
            inFlight.add(new AtomicInteger());
        }
    }

    @Override
    public void accept(SignedUpdate update) {
        for (int peer = 0; peer < stubs.size(); peer++) {
            if (stubs.get(peer) != null) {
                send(peer, update);
            }
        }
    }

    private void send(int peer, SignedUpdate update) {
        AtomicInteger pending = inFlight.get(peer);
        if (pending.incrementAndGet() > MAX_IN_FLIGHT) {
            pending.decrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "not forwarding an update to replica {0}: too many in flight", peer);
            return;
        }
        stubs.get(peer).withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .update(update, new StreamObserver<>() {
                    @Override
                    public void onNext(UpdateReply reply) {
                        // The peer's own result; this replica answers its client with its own.
                    }

                    @Override
                    public void onError(Throwable t) {
                        pending.decrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        pending.decrementAndGet();
                    }
                });
    }
}
