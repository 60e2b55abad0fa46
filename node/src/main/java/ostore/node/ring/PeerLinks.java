package ostore.node.ring;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import ostore.api.v1.RingFrameAck;
import ostore.api.v1.RingFrames;
import ostore.api.v1.RingTransportGrpc;
import ostore.client.RingSpec;
import ostore.ring.bft.Frames;
import ostore.ring.bft.RingConfig;
import ostore.ring.runtime.ReplicaLoop;

/**
 * The sending side of the replica-to-replica transport: one gRPC channel per peer and on it one
 * long-lived {@code RingTransport/Stream} call, never waiting. {@link #send} only queues the frame;
 * a sender thread then writes whatever is queued for the peer as one {@code RingFrames} message (up
 * to {@link #MAX_MESSAGE_BYTES}), so a burst of frames the replica makes together costs one
 * message rather than one call each (a unary call per frame cost more CPU than the protocol).
 *
 * <p>Delivery is best effort, as the protocol expects of a network: frames wait while the stream
 * is not ready (the peer is slow, or HTTP/2 flow control holds them) up to
 * {@link #MAX_QUEUED_BYTES} per peer, and past that the oldest are dropped, bulk frames first
 * ({@link Frames#bulk}: payloads, state and snapshot pages, certificates). Bulk frames do not wait
 * in line with the small ones agreement needs: messages take turns, one led by the oldest bulk
 * frame, the next made of the other frames, so on a slow link a page of megabytes delays a COMMIT
 * or a NEW-VIEW by at most one bulk frame, and a busy ring still leaves bulk frames half the
 * messages. A broken stream is reopened after a back-off, and what it had in flight is lost. The replica's own retransmission
 * and state transfer recover, and a dead or slow peer pins bounded memory here.
 *
 * <p>Plaintext, no TLS yet: every frame carries its sender's Ed25519 signature, which the receiver
 * checks before the replica sees it, so a network attacker can drop, delay or replay frames (which
 * the protocol tolerates) but not forge or alter one. What plaintext does not hide is the content
 * of unencrypted objects' updates from the network.
 */
final class PeerLinks implements ReplicaLoop.Peers, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerLinks.class.getName());
    /** Frames waiting for one peer at most, in bytes; the oldest go first past it. */
    static final long MAX_QUEUED_BYTES = 64L << 20;
    /** Frames are put together into one message up to this size (a larger frame goes alone). */
    static final int MAX_MESSAGE_BYTES = 1 << 20;
    /** Back-off after a stream breaks, doubling up to the maximum while the peer stays away. */
    static final long REOPEN_MIN_MILLIS = 50;
    static final long REOPEN_MAX_MILLIS = 2_000;
    /** Pings on an idle connection to a peer, and how long an answer may take (the server permits it). */
    static final long KEEPALIVE_SECONDS = 10;

    private final int self;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Link[] links;
    private final ScheduledExecutorService sender;
    private final AtomicLong dropped = new AtomicLong();
    private final long maxQueuedBytes;
    private volatile boolean closed;

    PeerLinks(RingSpec ring, int self) {
        this(ring, self, MAX_QUEUED_BYTES);
    }

    /** With at most {@code maxQueuedBytes} of frames waiting per peer (tests make it small). */
    PeerLinks(RingSpec ring, int self, long maxQueuedBytes) {
        this.self = self;
        this.maxQueuedBytes = maxQueuedBytes;
        this.links = new Link[ring.n()];
        this.sender = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ring-links-" + self)
                .daemon().factory());
        for (RingSpec.Member m : ring.replicas()) {
            if (m.id() == self) {
                channels.add(null);
                continue;
            }
            // Keepalive: a peer machine that vanished without closing its connections is noticed in
            // seconds, not when TCP gives up, and the stream reopens to its successor.
            ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create())
                    .maxInboundMessageSize(RingConfig.MAX_FRAME_BYTES + (1 << 20))
                    .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .keepAliveTimeout(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .build();
            channels.add(channel);
            links[m.id()] = new Link(m.id(), channel);
        }
    }

    /** The channel to each replica (index = id), null for this one; closed with these links. */
    List<ManagedChannel> channels() {
        return Collections.unmodifiableList(channels);
    }

    /** Frames dropped so far because a peer's queue was full. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void send(int to, byte[] frame) {
        if (to == self || closed) {
            return;
        }
        links[to].queue(frame);
    }

    @Override
    public void close() {
        closed = true;
        sender.shutdownNow();
        for (Link l : links) {
            if (l != null) {
                l.cancel();
            }
        }
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

    /** Everything about sending to one peer; the fields under the link's lock. */
    private final class Link {
        private final int peer;
        private final ManagedChannel channel;
        private final RingTransportGrpc.RingTransportStub stub;
        /** Frames agreement waits on (all but the bulk ones). */
        private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
        /** Bulk frames ({@link Frames#bulk}), one leading every other message. */
        private final ArrayDeque<byte[]> bulk = new ArrayDeque<>();
        /** Whether the next message starts with a bulk frame (when one waits). */
        private boolean bulkTurn;
        private final AtomicBoolean flushScheduled = new AtomicBoolean();
        private long queuedBytes;
        private ClientCallStreamObserver<RingFrames> stream;
        private long reopenAtNanos;
        private long backoffMillis = REOPEN_MIN_MILLIS;

        Link(int peer, ManagedChannel channel) {
            this.peer = peer;
            this.channel = channel;
            this.stub = RingTransportGrpc.newStub(channel);
        }

        void queue(byte[] frame) {
            synchronized (this) {
                (Frames.bulk(frame) ? bulk : queued).add(frame);
                queuedBytes += frame.length;
                while (queuedBytes > maxQueuedBytes && queued.size() + bulk.size() > 1) {
                    queuedBytes -= (bulk.isEmpty() ? queued : bulk).poll().length;
                    if (dropped.incrementAndGet() % 1_000 == 1) {
                        LOG.log(System.Logger.Level.WARNING, "replica {0}: dropping frames to replica {1}, which is"
                                + " not keeping up ({2} dropped so far)", self, peer, dropped.get());
                    }
                }
            }
            scheduleFlush();
        }

        private void scheduleFlush() {
            if (flushScheduled.compareAndSet(false, true)) {
                try {
                    sender.execute(this::flush);
                } catch (RejectedExecutionException e) {
                    flushScheduled.set(false); // closing
                }
            }
        }

        /** On the sender thread: writes what is queued while the stream takes it. */
        private void flush() {
            flushScheduled.set(false);
            synchronized (this) {
                if (closed || queued.isEmpty() && bulk.isEmpty()) {
                    return;
                }
                if (stream == null && !open()) {
                    return;
                }
                while (!(queued.isEmpty() && bulk.isEmpty()) && stream.isReady()) {
                    RingFrames.Builder message = RingFrames.newBuilder();
                    int bytes = 0;
                    boolean bulkFirst = bulkTurn && !bulk.isEmpty() || queued.isEmpty();
                    bulkTurn = !bulkFirst;
                    ArrayDeque<byte[]> next;
                    while (!(next = bulkFirst && bytes == 0 || queued.isEmpty() ? bulk : queued).isEmpty()
                            && (bytes == 0 || bytes + next.peek().length <= MAX_MESSAGE_BYTES)) {
                        byte[] f = next.poll();
                        queuedBytes -= f.length;
                        bytes += f.length;
                        // The replica never changes a frame after encoding it, so wrapping is safe
                        // and spares a copy of large payload frames.
                        message.addFrames(UnsafeByteOperations.unsafeWrap(f));
                    }
                    stream.onNext(message.build());
                }
            }
        }

        /** Opens the stream unless a recent failure asks to wait; false if not open now. */
        private boolean open() {
            long now = System.nanoTime();
            if (now - reopenAtNanos < 0) {
                return false;
            }
            if (reopenAtNanos != 0) {
                // A reopen: the channel keeps its own reconnect back-off (growing towards two
                // minutes while the peer was down), which would hold this stream, and every frame
                // for a peer that came back, long after it is up again. This link's back-off
                // (at most REOPEN_MAX_MILLIS) paces the attempts instead.
                channel.resetConnectBackoff();
            }
            ClientResponseObserver<RingFrames, RingFrameAck> observer = new ClientResponseObserver<>() {
                private ClientCallStreamObserver<RingFrames> call;

                @Override
                public void beforeStart(ClientCallStreamObserver<RingFrames> requestStream) {
                    call = requestStream;
                    requestStream.setOnReadyHandler(() -> {
                        // Ready means connected: the peer is back, so the back-off starts over.
                        synchronized (Link.this) {
                            if (stream == call) {
                                backoffMillis = REOPEN_MIN_MILLIS;
                            }
                        }
                        scheduleFlush();
                    });
                }

                @Override
                public void onNext(RingFrameAck ack) {
                    // The peer ends a stream with one ack; nothing to do.
                }

                @Override
                public void onError(Throwable t) {
                    broken(call, t);
                }

                @Override
                public void onCompleted() {
                    broken(call, null);
                }
            };
            stream = (ClientCallStreamObserver<RingFrames>) stub.stream(observer);
            return true;
        }

        private void broken(ClientCallStreamObserver<RingFrames> call, Throwable cause) {
            long delay;
            synchronized (this) {
                if (stream != call || closed) {
                    return;
                }
                stream = null;
                delay = backoffMillis;
                reopenAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
                backoffMillis = Math.min(REOPEN_MAX_MILLIS, backoffMillis * 2);
            }
            LOG.log(System.Logger.Level.DEBUG, "replica {0}: stream to replica {1} ended ({2}); reopening in {3} ms",
                    self, peer, cause == null ? "closed by the peer" : cause.toString(), delay);
            // Queued frames wait for the reopened stream (a later send also tries).
            try {
                sender.schedule(this::flush, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // Closing.
            }
        }

        /** Ends the stream on close. */
        private void cancel() {
            synchronized (this) {
                if (stream != null) {
                    stream.cancel("replica " + self + " is closing its links", null);
                    stream = null;
                }
            }
        }
    }
}
