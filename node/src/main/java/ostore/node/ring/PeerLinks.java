package ostore.node.ring;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import ostore.api.v1.RingFrame;
import ostore.api.v1.RingFrameAck;
import ostore.api.v1.RingTransportGrpc;
import ostore.client.RingSpec;
import ostore.ring.bft.RingConfig;
import ostore.ring.runtime.ReplicaLoop;

/**
 * The sending side of the replica-to-replica transport: one gRPC channel per peer, one unary
 * {@code RingTransport/Deliver} call per frame, never waiting. The protocol is built for a lossy
 * network that reorders, so delivery is best effort: a peer that does not keep up (too many calls
 * in flight) or is down loses frames, and the replica's own retransmission and state transfer
 * recover. That bounds the memory a dead or slow peer can pin here.
 *
 * <p>Plaintext, no TLS yet: every frame carries its sender's Ed25519 signature, which the receiver
 * checks before the replica sees it, so a network attacker can drop, delay or replay frames (which
 * the protocol tolerates) but not forge or alter one. What plaintext does not hide is the content
 * of unencrypted objects' updates from the network.
 */
final class PeerLinks implements ReplicaLoop.Peers, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerLinks.class.getName());
    /** Calls in flight per peer before frames to it are dropped. */
    static final int MAX_IN_FLIGHT = 4_096;
    /** A frame older than this is not worth delivering: the protocol has moved on or retransmitted. */
    static final long DEADLINE_MILLIS = 10_000;

    private final int self;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<RingTransportGrpc.RingTransportStub> stubs = new ArrayList<>();
    private final AtomicInteger[] inFlight;
    private final AtomicLong dropped = new AtomicLong();

    PeerLinks(RingSpec ring, int self) {
        this.self = self;
        this.inFlight = new AtomicInteger[ring.n()];
        for (RingSpec.Member m : ring.replicas()) {
            inFlight[m.id()] = new AtomicInteger();
            if (m.id() == self) {
                channels.add(null);
                stubs.add(null);
                continue;
            }
            ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create())
                    .maxInboundMessageSize(RingConfig.MAX_FRAME_BYTES + (1 << 20))
                    .build();
            channels.add(channel);
            stubs.add(RingTransportGrpc.newStub(channel));
        }
    }

    /** The channel to each replica (index = id), null for this one; closed with these links. */
    List<ManagedChannel> channels() {
        return Collections.unmodifiableList(channels);
    }

    @Override
    public void send(int to, byte[] frame) {
        if (to == self) {
            return;
        }
        AtomicInteger pending = inFlight[to];
        if (pending.incrementAndGet() > MAX_IN_FLIGHT) {
            pending.decrementAndGet();
            if (dropped.incrementAndGet() % 1_000 == 1) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: dropping frames to replica {1}, which is not keeping up"
                        + " ({2} dropped so far)", self, to, dropped.get());
            }
            return;
        }
        // The replica never changes a frame after encoding it (it sends the same bytes to every
        // peer), so wrapping instead of copying is safe and spares a copy of large payload frames.
        RingFrame message = RingFrame.newBuilder().setFrame(UnsafeByteOperations.unsafeWrap(frame)).build();
        stubs.get(to).withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS).deliver(message, new StreamObserver<>() {
            @Override
            public void onNext(RingFrameAck ack) {
                // Nothing to do: the ack only says the peer queued it.
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

    @Override
    public void close() {
        channels.stream().filter(c -> c != null).forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels) {
            if (c == null) {
                continue;
            }
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
