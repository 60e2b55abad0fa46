package ostore.routing.net;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.WireFormatException;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.gossip.GossipRejectedException;
import ostore.routing.locate.HopAnswer;
import ostore.routing.locate.Rendezvous;
import ostore.routing.locate.Route;
import ostore.routing.locate.RoutingParams;
import ostore.routing.v1.FindPointerReply;
import ostore.routing.v1.FindPointerRequest;
import ostore.routing.v1.GossipReply;
import ostore.routing.v1.GossipRequest;
import ostore.routing.v1.HopCandidate;
import ostore.routing.v1.HopReply;
import ostore.routing.v1.HopRequest;
import ostore.routing.v1.LocateReply;
import ostore.routing.v1.LocateRequest;
import ostore.routing.v1.ProbeReply;
import ostore.routing.v1.ProbeRequest;
import ostore.routing.v1.PublishPointerReply;
import ostore.routing.v1.PublishPointerRequest;
import ostore.routing.v1.RoutingGrpc;

/**
 * {@code ostore.routing.v1.Routing} over one node's state: the wire edge of routing.
 *
 * <p>Gossip is checked in this order, each check before anything is stored, so a refusal names the
 * first rule broken and changes nothing: size against the overlay's advertisement size
 * (RESOURCE_EXHAUSTED), the header naming a sender (INVALID_ARGUMENT), the sender in the member
 * table (PERMISSION_DENIED), the signature under that member's key (UNAUTHENTICATED), then the
 * node's own checks on the decoded advertisement ({@link ostore.routing.locate.RoutingNode#receive}:
 * shape and depth, recipient, neighbour, round). The key is checked before any filter is decoded,
 * so a non-member costs a table lookup and an outsider with a member's id one signature check.
 * Each refusal is one WARNING line naming the node, the sender and the rule; the node logs its own.
 *
 * <p>Pointer publishes are signed too (a forged "no longer holds" would erase a real pointer), and
 * a root takes pointers only for GUIDs it ranks among the first {@link RoutingParams#fallbackRanks()}
 * roots of, so a member cannot fill it with pointers it will never be asked for. Queries (Hop,
 * Probe, FindPointer) change nothing and are answered to anyone who reaches the port; their sizes
 * are bounded. Locate, an operator's whole lookup run by this node, is answered to anyone too, but
 * it makes the node send up to a few dozen calls, so at most {@link #MAX_CONCURRENT_LOCATES} run at
 * once and the rest are refused (UNAVAILABLE) rather than queued.
 */
final class RoutingService extends RoutingGrpc.RoutingImplBase {
    private static final System.Logger LOG = System.getLogger(RoutingService.class.getName());

    /** The most visited nodes a Hop request may list. */
    static final int MAX_VISITED = 4096;
    /** The most candidates a Hop reply may carry; more than any overlay's degree cap. */
    static final int MAX_CANDIDATES = 64;
    /** The most holders a FindPointer reply carries. */
    static final int MAX_POINTER_HOLDERS = 64;
    /** The largest reply a client accepts: a Hop reply of {@link #MAX_CANDIDATES} with room to spare. */
    static final int MAX_REPLY_BYTES = 64 * 1024;
    /** The most client lookups ({@code Locate}) one node runs at once. */
    static final int MAX_CONCURRENT_LOCATES = 4;
    /** Framing and field tags around the payload of a request. */
    private static final int SLACK_BYTES = 4096;

    private final NodeState state;
    private final RoutingParams params;
    private final int advertisementBytes;
    private final Function<Hash32, Route> locator;
    private final Semaphore locates = new Semaphore(MAX_CONCURRENT_LOCATES);

    RoutingService(NodeState state, RoutingParams params, Function<Hash32, Route> locator) {
        this.state = Objects.requireNonNull(state, "state");
        this.params = Objects.requireNonNull(params, "params");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.advertisementBytes = GossipCodec.size(params.filter(), params.depth());
    }

    /**
     * The gRPC server's inbound limit for an overlay: its advertisement plus signature and framing,
     * or a Hop request of {@link #MAX_VISITED} ids, whichever is larger. A slightly oversize
     * advertisement still reaches {@link #gossip} and is refused there, naming the limit; one past
     * this bound is refused by gRPC itself (RESOURCE_EXHAUSTED too) before it is read.
     */
    static int maxInboundBytes(RoutingParams params) {
        long ad = (long) GossipCodec.size(params.filter(), params.depth()) + GossipSigner.SIGNATURE_LENGTH;
        long hop = (long) MAX_VISITED * (Hash32.LENGTH + 3) + Hash32.LENGTH;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(ad, hop) + SLACK_BYTES);
    }

    @Override
    public void gossip(GossipRequest request, StreamObserver<GossipReply> reply) {
        answer(reply, () -> {
            int size = request.getAdvertisement().size();
            if (size > advertisementBytes) {
                throw refuse("gossip", "an unchecked sender", Status.Code.RESOURCE_EXHAUSTED, "advertisement of " + size
                        + " bytes exceeds this overlay's advertisement size of " + advertisementBytes + " bytes");
            }
            byte[] bytes = request.getAdvertisement().toByteArray();
            NodeId sender;
            try {
                sender = GossipCodec.sender(bytes);
            } catch (WireFormatException e) {
                throw refuse("gossip", "an unchecked sender", Status.Code.INVALID_ARGUMENT, "malformed advertisement: "
                        + e.getMessage());
            }
            MemberTable table = state.table();
            Optional<Member> member = table.member(sender);
            if (member.isEmpty()) {
                throw refuse("gossip", sender.toString(), Status.Code.PERMISSION_DENIED, "the sender is not a member at epoch "
                        + table.epoch());
            }
            byte[] signature = request.getSignature().toByteArray();
            if (signature.length == 0) {
                throw refuse("gossip", sender.toString(), Status.Code.UNAUTHENTICATED, "the advertisement is unsigned");
            }
            if (!GossipSigner.verifyGossip(member.get().key(), bytes, signature)) {
                throw refuse("gossip", sender.toString(), Status.Code.UNAUTHENTICATED, "the signature (" + signature.length
                        + " bytes) does not verify under the sender's member key " + member.get().key());
            }
            try {
                state.receive(bytes);
            } catch (GossipRejectedException e) {
                // RoutingNode.receive logged it.
                throw status(switch (e.reason()) {
                    case MALFORMED, WRONG_RECIPIENT -> Status.Code.INVALID_ARGUMENT;
                    case NOT_A_MEMBER, NOT_A_NEIGHBOUR -> Status.Code.PERMISSION_DENIED;
                    case STALE -> Status.Code.FAILED_PRECONDITION;
                }, e.getMessage());
            }
            return GossipReply.newBuilder().setRound(state.round()).build();
        });
    }

    @Override
    public void hop(HopRequest request, StreamObserver<HopReply> reply) {
        answer(reply, () -> {
            Hash32 guid = guid(request.getGuid(), "HopRequest.guid");
            int count = request.getVisitedCount();
            if (count > MAX_VISITED) {
                throw status(Status.Code.RESOURCE_EXHAUSTED, "HopRequest.visited lists " + count
                        + " nodes; the most is " + MAX_VISITED);
            }
            Set<NodeId> visited = new HashSet<>(count * 2);
            for (int i = 0; i < count; i++) {
                visited.add(new NodeId(guid(request.getVisited(i), "HopRequest.visited[" + i + "]")));
            }
            HopAnswer answer = state.hop(guid, visited);
            HopReply.Builder b = HopReply.newBuilder().setOwnFilterHit(answer.ownFilterHit()).setHolds(answer.holds())
                    .setFiltersConsulted(answer.filtersConsulted());
            List<HopAnswer.Candidate> candidates = answer.candidates();
            for (HopAnswer.Candidate c : candidates.subList(0, Math.min(MAX_CANDIDATES, candidates.size()))) {
                b.addCandidates(HopCandidate.newBuilder().setNode(ByteString.copyFrom(c.node().toBytes()))
                        .setLevel(c.level()));
            }
            return b.build();
        });
    }

    @Override
    public void probe(ProbeRequest request, StreamObserver<ProbeReply> reply) {
        answer(reply, () -> ProbeReply.newBuilder()
                .setHolds(state.holds(guid(request.getGuid(), "ProbeRequest.guid"))).build());
    }

    @Override
    public void publishPointer(PublishPointerRequest request, StreamObserver<PublishPointerReply> reply) {
        answer(reply, () -> {
            Hash32 guid = guid(request.getGuid(), "PublishPointerRequest.guid");
            NodeId holder = new NodeId(guid(request.getHolder(), "PublishPointerRequest.holder"));
            MemberTable table = state.table();
            Optional<Member> member = table.member(holder);
            if (member.isEmpty()) {
                throw refuse("pointer", holder.toString(), Status.Code.PERMISSION_DENIED, "the holder is not a member at epoch "
                        + table.epoch());
            }
            byte[] signature = request.getSignature().toByteArray();
            if (signature.length == 0) {
                throw refuse("pointer", holder.toString(), Status.Code.UNAUTHENTICATED, "the publish is unsigned");
            }
            if (!GossipSigner.verifyPointer(member.get().key(), guid, holder, state.id(), request.getHolds(), signature)) {
                throw refuse("pointer", holder.toString(), Status.Code.UNAUTHENTICATED, "the signature (" + signature.length
                        + " bytes) does not verify under the holder's member key " + member.get().key());
            }
            if (!Rendezvous.rank(guid, state.membership().members(), params.fallbackRanks()).contains(state.id())) {
                throw refuse("pointer", holder.toString(), Status.Code.FAILED_PRECONDITION, "this node is not among the first "
                        + params.fallbackRanks() + " rendezvous roots of " + guid.toHex() + " at epoch " + table.epoch());
            }
            state.pointer(guid, holder, request.getHolds());
            return PublishPointerReply.getDefaultInstance();
        });
    }

    @Override
    public void findPointer(FindPointerRequest request, StreamObserver<FindPointerReply> reply) {
        answer(reply, () -> {
            List<NodeId> holders = state.pointers(guid(request.getGuid(), "FindPointerRequest.guid"));
            FindPointerReply.Builder b = FindPointerReply.newBuilder();
            for (NodeId h : holders.subList(0, Math.min(MAX_POINTER_HOLDERS, holders.size()))) {
                b.addHolders(ByteString.copyFrom(h.toBytes()));
            }
            return b.build();
        });
    }

    @Override
    public void locate(LocateRequest request, StreamObserver<LocateReply> reply) {
        answer(reply, () -> {
            Hash32 guid = guid(request.getGuid(), "LocateRequest.guid");
            if (!locates.tryAcquire()) {
                throw status(Status.Code.UNAVAILABLE, "routing node " + state.id() + " already runs "
                        + MAX_CONCURRENT_LOCATES + " lookups for clients; try again");
            }
            Route route;
            try {
                route = locator.apply(guid);
            } finally {
                locates.release();
            }
            LocateReply.Builder b = LocateReply.newBuilder().setOrigin(ByteString.copyFrom(route.origin().toBytes()))
                    .setHops(route.hops()).setMessages(route.messages()).setFiltersConsulted(route.filtersConsulted())
                    .setFalsePositives(route.falsePositives()).setUsedFallback(route.usedFallback())
                    .setRootsAsked(route.rootsAsked());
            route.found().ifPresent(h -> b.setHolder(ByteString.copyFrom(h.toBytes())));
            for (NodeId n : route.path()) {
                b.addPath(ByteString.copyFrom(n.toBytes()));
            }
            return b.build();
        });
    }

    /**
     * Sends {@code call}'s reply or its status. Anything else thrown is the node's own failure (an
     * inventory that cannot be read, a bug): INTERNAL, logged with its stack trace.
     */
    private <T> void answer(StreamObserver<T> reply, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (StatusRuntimeException e) {
            reply.onError(e);
            return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, state.id() + ": routing call failed", e);
            reply.onError(status(Status.Code.INTERNAL, "routing call failed on " + state.id() + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
            return;
        }
        reply.onNext(result);
        reply.onCompleted();
    }

    /** Logs one line for a refused state-changing message and returns its status. */
    private StatusRuntimeException refuse(String what, String sender, Status.Code code, String message) {
        LOG.log(System.Logger.Level.WARNING, "{0} refused {1} from {2} ({3}): {4}", state.id(), what, sender, code, message);
        return status(code, what + " from " + sender + " refused: " + message);
    }

    private static Hash32 guid(ByteString bytes, String field) {
        if (bytes.size() != Hash32.LENGTH) {
            throw status(Status.Code.INVALID_ARGUMENT, field + " is " + bytes.size() + " bytes; it must be " + Hash32.LENGTH);
        }
        return Hash32.of(bytes.toByteArray());
    }

    private static StatusRuntimeException status(Status.Code code, String message) {
        return code.toStatus().withDescription(message).asRuntimeException();
    }
}
