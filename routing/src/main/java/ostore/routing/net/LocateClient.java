package ostore.routing.net;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import ostore.crypto.Hash32;
import ostore.routing.NodeId;
import ostore.routing.locate.Route;
import ostore.routing.v1.LocateReply;
import ostore.routing.v1.LocateRequest;
import ostore.routing.v1.RoutingGrpc;

/**
 * Asks one routing member to run a lookup as its origin ({@code Locate}) and reads back the
 * {@link Route}: what {@code ostore locate} uses, so an operator sees the route a node's own
 * lookup takes without being a member. The reply is checked field by field; one out of bounds is
 * refused as {@code INTERNAL} naming the field, like any other failed call.
 */
public final class LocateClient {
    /** More than any route: the hop limit is at most 64, so a path has at most 65 nodes. */
    static final int MAX_PATH = 65;

    private LocateClient() {}

    /**
     * Runs {@code Locate(guid)} on the member at {@code address} ({@code host:port}) within
     * {@code deadline}.
     *
     * @throws StatusRuntimeException the call's status: UNAVAILABLE when the node cannot be reached
     *     or does not route, DEADLINE_EXCEEDED, INTERNAL for a malformed reply, ...
     */
    public static Route locate(String address, Hash32 guid, Duration deadline) {
        Objects.requireNonNull(guid, "guid");
        ManagedChannel channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                .maxInboundMessageSize(RoutingService.MAX_REPLY_BYTES)
                .build();
        try {
            return locate(channel, guid, deadline);
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Runs {@code Locate(guid)} on the member {@code channel} reaches, within {@code deadline}: for
     * a caller that asks many lookups of the same members (a restore looking for re-homed
     * fragments) and keeps one channel per member. A reply is at most 64 KiB, within any
     * channel's default inbound limit.
     *
     * @throws StatusRuntimeException as {@link #locate(String, Hash32, Duration)}
     */
    public static Route locate(Channel channel, Hash32 guid, Duration deadline) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(guid, "guid");
        LocateReply reply = RoutingGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .locate(LocateRequest.newBuilder().setGuid(ByteString.copyFrom(guid.toBytes())).build());
        return route(guid, reply);
    }

    static Route route(Hash32 guid, LocateReply reply) {
        NodeId origin = id(reply.getOrigin(), "LocateReply.origin");
        NodeId holder = reply.getHolder().isEmpty() ? null : id(reply.getHolder(), "LocateReply.holder");
        if (reply.getPathCount() > MAX_PATH) {
            throw malformed("LocateReply.path lists " + reply.getPathCount() + " nodes; the most is " + MAX_PATH);
        }
        List<NodeId> path = new ArrayList<>(reply.getPathCount());
        for (int i = 0; i < reply.getPathCount(); i++) {
            path.add(id(reply.getPath(i), "LocateReply.path[" + i + "]"));
        }
        return new Route(guid, origin, holder, path, count(reply.getHops(), "hops"),
                count(reply.getMessages(), "messages"), count(reply.getFiltersConsulted(), "filters_consulted"),
                count(reply.getFalsePositives(), "false_positives"), reply.getUsedFallback(),
                count(reply.getRootsAsked(), "roots_asked"));
    }

    private static NodeId id(ByteString bytes, String field) {
        if (bytes.size() != Hash32.LENGTH) {
            throw malformed(field + " is " + bytes.size() + " bytes; it must be " + Hash32.LENGTH);
        }
        return NodeId.of(bytes.toByteArray());
    }

    private static int count(int value, String field) {
        if (value < 0) {
            throw malformed("LocateReply." + field + " (" + Integer.toUnsignedString(value) + ") is out of range");
        }
        return value;
    }

    private static StatusRuntimeException malformed(String message) {
        return Status.INTERNAL.withDescription("malformed Locate reply: " + message).asRuntimeException();
    }
}
