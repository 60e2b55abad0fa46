package ostore.routing.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import ostore.routing.filter.AttenuatedFilter;
import ostore.routing.filter.GuidFilter;
import ostore.routing.gossip.Advertisement;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.locate.Rendezvous;
import ostore.routing.v1.FindPointerRequest;
import ostore.routing.v1.GossipRequest;
import ostore.routing.v1.HopReply;
import ostore.routing.v1.HopRequest;
import ostore.routing.v1.ProbeRequest;
import ostore.routing.v1.PublishPointerRequest;
import ostore.routing.v1.RoutingGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a gossip message or a pointer publish is refused, each over a real gRPC call to one
 * target node: the precise status, and nothing changed (no view, no candidate, no pointer), then a
 * well-formed signed message from a neighbour accepted as the control.
 */
class RoutingServiceRefusalTest {
    private static final Hash32 MARKER = Guids.guid("what the gossip claims");

    private Cluster c;
    private ManagedChannel channel;
    private RoutingGrpc.RoutingBlockingStub stub;
    private RoutingServer target;
    private NodeId t;
    /** The target's one neighbour. */
    private NodeId s;
    /** A member that is not the target's neighbour. */
    private NodeId m;
    private long round = 1;

    @BeforeEach
    void start() throws IOException {
        c = new Cluster(10, 11);
        target = c.server(0);
        t = c.ids.get(0);
        s = c.ids.get(1);
        m = c.ids.get(2);
        target.setNeighbours(new TreeSet<>(List.of(s)));
        channel = Grpc.newChannelBuilder(target.address(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(1 << 20).build();
        stub = RoutingGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        c.close();
    }

    private RoutingGrpc.RoutingBlockingStub call() {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** An advertisement claiming {@link #MARKER} at level 0, at the next round. */
    private byte[] ad(NodeId from, NodeId to) {
        List<GuidFilter> levels = new ArrayList<>();
        for (int i = 0; i < Cluster.PARAMS.depth(); i++) {
            levels.add(i == 0 ? GuidFilter.of(Cluster.PARAMS.filter(), List.of(MARKER)) : GuidFilter.empty(Cluster.PARAMS.filter()));
        }
        return GossipCodec.encode(new Advertisement(from, to, round++, new AttenuatedFilter(levels)));
    }

    private static byte[] sign(SigningKey key, byte[] ad) {
        return new GossipSigner(key).signGossip(ad);
    }

    private static GossipRequest gossip(byte[] ad, byte[] signature) {
        return GossipRequest.newBuilder().setAdvertisement(ByteString.copyFrom(ad))
                .setSignature(ByteString.copyFrom(signature)).build();
    }

    private HopReply hop(Hash32 guid) {
        return call().hop(HopRequest.newBuilder().setGuid(ByteString.copyFrom(guid.toBytes())).build());
    }

    /** The call fails with {@code code}, naming {@code words}, and the target is as before. */
    private void refused(Status.Code code, String words, Runnable call) {
        int views = target.viewCount();
        int pointers = target.pointerCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = String.valueOf(e.getStatus().getDescription());
        assertTrue(description.contains(words), description);
        assertEquals(views, target.viewCount(), "no view added");
        assertEquals(pointers, target.pointerCount(), "no pointer added or dropped");
        assertEquals(0, hop(MARKER).getCandidatesCount(), "no neighbour claims the marker");
    }

    private void refusedGossip(Status.Code code, String words, Supplier<GossipRequest> request) {
        refused(code, words, () -> call().gossip(request.get()));
    }

    @Test
    void gossipRefusalsChangeNothing() {
        SigningKey sKey = c.keys.get(s);
        SigningKey mKey = c.keys.get(m);
        byte[] good = ad(s, t);

        refusedGossip(Status.Code.UNAUTHENTICATED, "unsigned", () -> gossip(good, new byte[0]));
        refusedGossip(Status.Code.UNAUTHENTICATED, "does not verify", () -> gossip(good, sign(mKey, good)));
        refusedGossip(Status.Code.UNAUTHENTICATED, "does not verify", () -> gossip(good, new byte[64]));
        refusedGossip(Status.Code.UNAUTHENTICATED, "does not verify",
                () -> gossip(good, Arrays.copyOf(sign(sKey, good), 63)));
        byte[] tampered = good.clone();
        tampered[tampered.length - 1] ^= 1;
        refusedGossip(Status.Code.UNAUTHENTICATED, "does not verify", () -> gossip(tampered, sign(sKey, good)));

        SigningKey outsiderKey = Cluster.key("outsider");
        NodeId outsider = Cluster.idOf(outsiderKey);
        byte[] fromOutsider = ad(outsider, t);
        refusedGossip(Status.Code.PERMISSION_DENIED, "not a member", () -> gossip(fromOutsider, sign(outsiderKey, fromOutsider)));
        byte[] fromM = ad(m, t);
        refusedGossip(Status.Code.PERMISSION_DENIED, "not a neighbour", () -> gossip(fromM, sign(mKey, fromM)));
        byte[] forM = ad(s, m);
        refusedGossip(Status.Code.INVALID_ARGUMENT, "is for " + m, () -> gossip(forM, sign(sKey, forM)));

        byte[] format2 = good.clone();
        format2[0] = 2;
        refusedGossip(Status.Code.INVALID_ARGUMENT, "gossip format (2)", () -> gossip(format2, sign(sKey, format2)));
        byte[] truncated = Arrays.copyOf(good, 20);
        refusedGossip(Status.Code.INVALID_ARGUMENT, "shorter than its", () -> gossip(truncated, sign(sKey, truncated)));
        // Signed by the real neighbour and short of the overlay's size: the node's decoder refuses it.
        byte[] short_ = Arrays.copyOf(good, good.length - 8);
        refusedGossip(Status.Code.INVALID_ARGUMENT, "filter bytes", () -> gossip(short_, sign(sKey, short_)));
        byte[] oversize = Arrays.copyOf(good, good.length + 1);
        refusedGossip(Status.Code.RESOURCE_EXHAUSTED, "exceeds this overlay's advertisement size",
                () -> gossip(oversize, sign(sKey, oversize)));
        byte[] pastGrpc = new byte[RoutingService.maxInboundBytes(Cluster.PARAMS) + 1];
        refused(Status.Code.RESOURCE_EXHAUSTED, "", () -> call().gossip(gossip(pastGrpc, new byte[64])));

        // The control: the same advertisement, signed by its sender, is taken...
        assertEquals(0, target.viewCount());
        call().gossip(gossip(good, sign(sKey, good)));
        assertEquals(1, target.viewCount());
        HopReply answer = hop(MARKER);
        assertEquals(1, answer.getCandidatesCount());
        assertArrayEquals(s.toBytes(), answer.getCandidates(0).getNode().toByteArray());
        assertEquals(0, answer.getCandidates(0).getLevel());
        // ...once: a replay is not newer than the round it already gave.
        StatusRuntimeException replay = assertThrows(StatusRuntimeException.class,
                () -> call().gossip(gossip(good, sign(sKey, good))));
        assertEquals(Status.Code.FAILED_PRECONDITION, replay.getStatus().getCode());
        assertEquals(1, target.viewCount());
    }

    private PublishPointerRequest publish(Hash32 guid, NodeId holder, boolean holds, byte[] signature) {
        return PublishPointerRequest.newBuilder().setGuid(ByteString.copyFrom(guid.toBytes()))
                .setHolder(ByteString.copyFrom(holder.toBytes())).setHolds(holds)
                .setSignature(ByteString.copyFrom(signature)).build();
    }

    private int holders(Hash32 guid) {
        return call().findPointer(FindPointerRequest.newBuilder().setGuid(ByteString.copyFrom(guid.toBytes())).build())
                .getHoldersCount();
    }

    /** A GUID whose first {@code fallbackRanks} roots include the target ({@code wanted}) or not. */
    private Hash32 guidRanking(boolean wanted) {
        for (int i = 0; i < 1000; i++) {
            Hash32 g = Guids.guid("pointer " + i);
            if (Rendezvous.rank(g, c.table.membership().members(), Cluster.PARAMS.fallbackRanks()).contains(t) == wanted) {
                return g;
            }
        }
        throw new AssertionError("no GUID in 1000 ranks the target " + (wanted ? "in" : "out"));
    }

    @Test
    void pointerRefusalsChangeNothing() {
        Hash32 g = guidRanking(true);
        GossipSigner sSigner = new GossipSigner(c.keys.get(s));
        GossipSigner mSigner = new GossipSigner(c.keys.get(m));
        refused(Status.Code.UNAUTHENTICATED, "unsigned", () -> call().publishPointer(publish(g, s, true, new byte[0])));
        refused(Status.Code.UNAUTHENTICATED, "does not verify",
                () -> call().publishPointer(publish(g, s, true, mSigner.signPointer(g, s, t, true))));
        refused(Status.Code.UNAUTHENTICATED, "does not verify",
                () -> call().publishPointer(publish(g, s, true, sSigner.signPointer(g, s, m, true))));
        refused(Status.Code.UNAUTHENTICATED, "does not verify",
                () -> call().publishPointer(publish(g, s, true, sSigner.signPointer(g, s, t, false))));
        SigningKey outsiderKey = Cluster.key("outsider");
        NodeId outsider = Cluster.idOf(outsiderKey);
        refused(Status.Code.PERMISSION_DENIED, "not a member", () -> call().publishPointer(
                publish(g, outsider, true, new GossipSigner(outsiderKey).signPointer(g, outsider, t, true))));
        refused(Status.Code.INVALID_ARGUMENT, "PublishPointerRequest.guid is 31 bytes", () -> call().publishPointer(
                publish(g, s, true, sSigner.signPointer(g, s, t, true)).toBuilder()
                        .setGuid(ByteString.copyFrom(new byte[31])).build()));
        Hash32 notMine = guidRanking(false);
        refused(Status.Code.FAILED_PRECONDITION, "rendezvous roots",
                () -> call().publishPointer(publish(notMine, s, true, sSigner.signPointer(notMine, s, t, true))));
        assertEquals(0, holders(g));
        assertEquals(0, holders(notMine));

        call().publishPointer(publish(g, s, true, sSigner.signPointer(g, s, t, true)));
        assertEquals(1, holders(g));
        // A forged withdrawal leaves the pointer; the holder's own takes it away.
        refused(Status.Code.UNAUTHENTICATED, "does not verify",
                () -> call().publishPointer(publish(g, s, false, mSigner.signPointer(g, s, t, false))));
        assertEquals(1, holders(g));
        call().publishPointer(publish(g, s, false, sSigner.signPointer(g, s, t, false)));
        assertEquals(0, holders(g));
    }

    @Test
    void malformedQueriesAreRefused() {
        refused(Status.Code.INVALID_ARGUMENT, "HopRequest.guid is 0 bytes", () -> call().hop(HopRequest.getDefaultInstance()));
        refused(Status.Code.INVALID_ARGUMENT, "ProbeRequest.guid is 33 bytes",
                () -> call().probe(ProbeRequest.newBuilder().setGuid(ByteString.copyFrom(new byte[33])).build()));
        HopRequest.Builder many = HopRequest.newBuilder().setGuid(ByteString.copyFrom(MARKER.toBytes()));
        for (int i = 0; i <= RoutingService.MAX_VISITED; i++) {
            many.addVisited(ByteString.copyFrom(Guids.guid("visited " + i).toBytes()));
        }
        refused(Status.Code.RESOURCE_EXHAUSTED, "HopRequest.visited lists 4097 nodes", () -> call().hop(many.build()));
        HopRequest badVisited = HopRequest.newBuilder().setGuid(ByteString.copyFrom(MARKER.toBytes()))
                .addVisited(ByteString.copyFrom(new byte[5])).build();
        refused(Status.Code.INVALID_ARGUMENT, "HopRequest.visited[0] is 5 bytes", () -> call().hop(badVisited));
    }
}
