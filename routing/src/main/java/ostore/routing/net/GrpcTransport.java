package ostore.routing.net;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.locate.HopAnswer;
import ostore.routing.locate.RoutingParams;
import ostore.routing.locate.Transport;
import ostore.routing.v1.FindPointerReply;
import ostore.routing.v1.FindPointerRequest;
import ostore.routing.v1.GossipReply;
import ostore.routing.v1.GossipRequest;
import ostore.routing.v1.HopCandidate;
import ostore.routing.v1.HopReply;
import ostore.routing.v1.HopRequest;
import ostore.routing.v1.ProbeRequest;
import ostore.routing.v1.PublishPointerRequest;
import ostore.routing.v1.RoutingGrpc;

/**
 * The {@link Transport} of one node over gRPC: calls to itself go to its own state, calls to any
 * other member go to that member's {@code ostore.routing.v1.Routing} service at the address in the
 * member table.
 *
 * <p>Every call has a deadline ({@code callDeadline}) and none waits for a connection to become
 * ready, so a member that is down, unreachable, slow, or answers something malformed or out of
 * bounds is, for that call, simply down: the method returns empty (or false) and the lookup moves
 * on to the next candidate or root, as it does in the simulator. A lookup therefore never hangs; it
 * costs at most one deadline per node it tries, and it tries each node at most once.
 *
 * <p>Lookups are iterative here: the origin asks each node on the path itself ({@code forward}'s
 * {@code from} only says where the query stands), which is why {@link #reply} sends nothing: the
 * origin already holds the holder's answer.
 */
public final class GrpcTransport implements Transport, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GrpcTransport.class.getName());
    private static final long CLOSE_WAIT_SECONDS = 5;

    /** What the transport asks of its own node; the host serializes access to the node's state. */
    interface Local {
        HopAnswer hop(Hash32 guid, Set<NodeId> visited);

        List<NodeId> pointers(Hash32 guid);

        boolean holds(Hash32 guid);

        void pointer(Hash32 guid, NodeId holder, boolean holds);
    }

    private final NodeId self;
    private final RoutingParams params;
    private final Supplier<MemberTable> members;
    private final GossipSigner signer;
    private final Local local;
    private final Duration deadline;
    private final Map<NodeId, Channel> channels = new HashMap<>();
    private boolean closed;

    /** One member's channel, remembered with the address it was opened to. */
    private record Channel(String address, ManagedChannel channel, RoutingGrpc.RoutingBlockingStub blocking,
            RoutingGrpc.RoutingFutureStub future) {}

    GrpcTransport(NodeId self, RoutingParams params, Supplier<MemberTable> members, GossipSigner signer, Local local,
            Duration deadline) {
        this.self = Objects.requireNonNull(self, "self");
        this.params = Objects.requireNonNull(params, "params");
        this.members = Objects.requireNonNull(members, "members");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.local = Objects.requireNonNull(local, "local");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    @Override
    public Optional<HopAnswer> forward(NodeId from, NodeId to, Hash32 guid, Set<NodeId> visited) {
        if (to.equals(self)) {
            return Optional.of(local.hop(guid, visited));
        }
        Optional<RoutingGrpc.RoutingBlockingStub> stub = blocking(to);
        if (stub.isEmpty()) {
            return Optional.empty();
        }
        HopRequest.Builder request = HopRequest.newBuilder().setGuid(bytes(guid.toBytes()));
        for (NodeId v : visited) {
            request.addVisited(bytes(v.toBytes()));
        }
        HopReply reply;
        try {
            reply = stub.get().hop(request.build());
        } catch (StatusRuntimeException e) {
            return unreachable("Hop", to, e);
        }
        return hopAnswer(to, reply);
    }

    @Override
    public Optional<List<NodeId>> pointers(NodeId from, NodeId to, Hash32 guid) {
        if (to.equals(self)) {
            return Optional.of(local.pointers(guid));
        }
        Optional<RoutingGrpc.RoutingBlockingStub> stub = blocking(to);
        if (stub.isEmpty()) {
            return Optional.empty();
        }
        FindPointerReply reply;
        try {
            reply = stub.get().findPointer(FindPointerRequest.newBuilder().setGuid(bytes(guid.toBytes())).build());
        } catch (StatusRuntimeException e) {
            return unreachable("FindPointer", to, e);
        }
        if (reply.getHoldersCount() > RoutingService.MAX_POINTER_HOLDERS) {
            return broken(to, "FindPointer answered " + reply.getHoldersCount() + " holders; the most is "
                    + RoutingService.MAX_POINTER_HOLDERS);
        }
        List<NodeId> holders = new ArrayList<>(reply.getHoldersCount());
        for (ByteString h : reply.getHoldersList()) {
            if (h.size() != Hash32.LENGTH) {
                return broken(to, "FindPointer answered a holder id of " + h.size() + " bytes");
            }
            holders.add(NodeId.of(h.toByteArray()));
        }
        return Optional.of(holders);
    }

    @Override
    public Optional<Boolean> probe(NodeId from, NodeId to, Hash32 guid) {
        if (to.equals(self)) {
            return Optional.of(local.holds(guid));
        }
        Optional<RoutingGrpc.RoutingBlockingStub> stub = blocking(to);
        if (stub.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(stub.get().probe(ProbeRequest.newBuilder().setGuid(bytes(guid.toBytes())).build())
                    .getHolds());
        } catch (StatusRuntimeException e) {
            return unreachable("Probe", to, e);
        }
    }

    /** Publishes this node's own pointer; {@code from} must be this node, the only key it can sign with. */
    @Override
    public boolean publish(NodeId from, NodeId to, Hash32 guid, boolean holds) {
        if (!from.equals(self)) {
            throw new IllegalArgumentException(self + " cannot publish a pointer for " + from);
        }
        if (to.equals(self)) {
            local.pointer(guid, self, holds);
            return true;
        }
        Optional<RoutingGrpc.RoutingBlockingStub> stub = blocking(to);
        if (stub.isEmpty()) {
            return false;
        }
        PublishPointerRequest request = PublishPointerRequest.newBuilder().setGuid(bytes(guid.toBytes()))
                .setHolder(bytes(self.toBytes())).setHolds(holds)
                .setSignature(bytes(signer.signPointer(guid, self, to, holds))).build();
        try {
            stub.get().publishPointer(request);
            return true;
        } catch (StatusRuntimeException e) {
            unreachable("PublishPointer", to, e);
            return false;
        }
    }

    /** Nothing to send: the origin asked the holder itself and has its answer. */
    @Override
    public void reply(NodeId from, NodeId to) {}

    /** One signed advertisement to send, {@code to} the neighbour it names. */
    record Outgoing(NodeId to, byte[] advertisement) {}

    /**
     * Signs and sends each advertisement, all at once, and waits for the answers (each bounded by
     * the call deadline). Returns the neighbours that accepted theirs; a refusal is logged here with
     * the neighbour's status, a failure to reach it only counted.
     */
    List<NodeId> gossip(List<Outgoing> outgoing) {
        record Sent(NodeId to, ListenableFuture<GossipReply> reply) {}
        List<Sent> sent = new ArrayList<>(outgoing.size());
        for (Outgoing o : outgoing) {
            Optional<RoutingGrpc.RoutingFutureStub> stub = future(o.to());
            if (stub.isEmpty()) {
                continue;
            }
            GossipRequest request = GossipRequest.newBuilder().setAdvertisement(bytes(o.advertisement()))
                    .setSignature(bytes(signer.signGossip(o.advertisement()))).build();
            sent.add(new Sent(o.to(), stub.get().gossip(request)));
        }
        List<NodeId> accepted = new ArrayList<>(sent.size());
        for (Sent s : sent) {
            try {
                // The call's own deadline ends it; the extra second only guards against a lost callback.
                s.reply().get(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
                accepted.add(s.to());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StatusRuntimeException sre) {
                    unreachable("Gossip", s.to(), sre);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "{0}: gossip to {1} failed: {2}", self, s.to(), e.getCause());
                }
            } catch (TimeoutException e) {
                s.reply().cancel(true);
                LOG.log(System.Logger.Level.DEBUG, "{0}: gossip to {1} got no answer in time", self, s.to());
            } catch (InterruptedException e) {
                sent.forEach(x -> x.reply().cancel(true));
                Thread.currentThread().interrupt();
                break;
            }
        }
        return accepted;
    }

    /** Closes every channel; calls in flight get a few seconds. */
    @Override
    public void close() {
        List<ManagedChannel> open;
        synchronized (channels) {
            closed = true;
            open = channels.values().stream().map(Channel::channel).toList();
            channels.clear();
        }
        open.forEach(ManagedChannel::shutdown);
        for (ManagedChannel c : open) {
            try {
                if (!c.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    c.shutdownNow();
                }
            } catch (InterruptedException e) {
                c.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes channels to members no longer in the table or now at another address. */
    void membersChanged(MemberTable table) {
        List<ManagedChannel> stale = new ArrayList<>();
        synchronized (channels) {
            channels.entrySet().removeIf(e -> {
                Optional<Member> m = table.member(e.getKey());
                if (m.isPresent() && m.get().address().equals(e.getValue().address())) {
                    return false;
                }
                stale.add(e.getValue().channel());
                return true;
            });
        }
        stale.forEach(ManagedChannel::shutdown);
    }

    private Optional<RoutingGrpc.RoutingBlockingStub> blocking(NodeId to) {
        return channel(to).map(c -> c.blocking().withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
    }

    private Optional<RoutingGrpc.RoutingFutureStub> future(NodeId to) {
        return channel(to).map(c -> c.future().withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** The channel to member {@code to}, opened on first use; empty for a non-member (it cannot be reached). */
    private Optional<Channel> channel(NodeId to) {
        Optional<Member> member = members.get().member(to);
        if (member.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: {1} is not a member; treated as down", self, to);
            return Optional.empty();
        }
        String address = member.get().address();
        synchronized (channels) {
            if (closed) {
                return Optional.empty();
            }
            Channel c = channels.get(to);
            if (c != null && c.address().equals(address)) {
                return Optional.of(c);
            }
            if (c != null) {
                c.channel().shutdown();
            }
            ManagedChannel channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                    .maxInboundMessageSize(RoutingService.MAX_REPLY_BYTES)
                    .build();
            c = new Channel(address, channel, RoutingGrpc.newBlockingStub(channel), RoutingGrpc.newFutureStub(channel));
            channels.put(to, c);
            return Optional.of(c);
        }
    }

    /** Checks a Hop reply's bounds before it becomes a {@link HopAnswer}; a reply out of bounds is the node's failure. */
    private Optional<HopAnswer> hopAnswer(NodeId to, HopReply reply) {
        if (reply.getCandidatesCount() > RoutingService.MAX_CANDIDATES) {
            return broken(to, "Hop answered " + reply.getCandidatesCount() + " candidates; the most is "
                    + RoutingService.MAX_CANDIDATES);
        }
        int maxConsulted = 1 + RoutingService.MAX_CANDIDATES * params.depth();
        if (Integer.compareUnsigned(reply.getFiltersConsulted(), maxConsulted) > 0) {
            return broken(to, "Hop answered " + Integer.toUnsignedString(reply.getFiltersConsulted())
                    + " filters consulted; the most is " + maxConsulted);
        }
        if (reply.getHolds() && !reply.getOwnFilterHit()) {
            return broken(to, "Hop answered that it holds the GUID without its own filter matching");
        }
        List<HopAnswer.Candidate> candidates = new ArrayList<>(reply.getCandidatesCount());
        for (HopCandidate c : reply.getCandidatesList()) {
            if (c.getNode().size() != Hash32.LENGTH) {
                return broken(to, "Hop answered a candidate id of " + c.getNode().size() + " bytes");
            }
            if (Integer.compareUnsigned(c.getLevel(), params.depth()) >= 0) {
                return broken(to, "Hop answered a candidate at level " + Integer.toUnsignedString(c.getLevel())
                        + "; the overlay's depth is " + params.depth());
            }
            candidates.add(new HopAnswer.Candidate(NodeId.of(c.getNode().toByteArray()), c.getLevel()));
        }
        return Optional.of(new HopAnswer(reply.getOwnFilterHit(), reply.getHolds(), reply.getFiltersConsulted(),
                candidates));
    }

    /**
     * A failed call: the node is down for it. Down, slow or cancelled is routine (DEBUG); a refusal
     * means the two nodes disagree about membership, keys or the overlay, which an operator should
     * see (WARNING).
     */
    private <T> Optional<T> unreachable(String rpc, NodeId to, StatusRuntimeException e) {
        System.Logger.Level level = switch (e.getStatus().getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> System.Logger.Level.DEBUG;
            default -> System.Logger.Level.WARNING;
        };
        LOG.log(level, "{0}: {1} to {2} failed: {3}", self, rpc, to, e.getStatus());
        return Optional.empty();
    }

    private <T> Optional<T> broken(NodeId to, String what) {
        LOG.log(System.Logger.Level.WARNING, "{0}: {1} broke the routing protocol: {2}; treated as down", self, to, what);
        return Optional.empty();
    }

    private static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }
}
