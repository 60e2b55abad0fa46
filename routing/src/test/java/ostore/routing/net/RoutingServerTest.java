package ostore.routing.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import ostore.routing.locate.Rendezvous;
import ostore.routing.locate.Route;
import ostore.routing.v1.FindPointerReply;
import ostore.routing.v1.FindPointerRequest;
import ostore.routing.v1.GossipReply;
import ostore.routing.v1.GossipRequest;
import ostore.routing.v1.HopReply;
import ostore.routing.v1.HopRequest;
import ostore.routing.v1.ProbeReply;
import ostore.routing.v1.ProbeRequest;
import ostore.routing.v1.PublishPointerReply;
import ostore.routing.v1.PublishPointerRequest;
import ostore.routing.v1.RoutingGrpc;
import org.junit.jupiter.api.Test;

/**
 * Ten real routing servers on 127.0.0.1 over a degree-3 overlay, rounds driven by the test: the
 * Bloom path, the fallback, changes within the documented bound, stopped and silent members.
 */
class RoutingServerTest {
    private static final int N = 10;
    private static final int DEPTH = Cluster.PARAMS.depth();

    /** One item per node; after enough rounds every item within d hops is found by the filters alone. */
    @Test
    void bloomPathFindsItemsWithinTheHopLimit() throws IOException {
        try (Cluster c = new Cluster(N, 1)) {
            List<Hash32> items = Guids.guids("bloom", N);
            for (int i = 0; i < N; i++) {
                c.store(i, items.get(i));
            }
            c.rounds(Cluster.PARAMS.filterStalenessRounds());
            int nearby = 0;
            int multiHop = 0;
            for (int o = 0; o < N; o++) {
                Map<NodeId, Integer> near = c.overlay.distances(c.ids.get(o), DEPTH);
                for (int h = 0; h < N; h++) {
                    Route route = c.server(o).locate(items.get(h));
                    assertEquals(Optional.of(c.ids.get(h)), route.found(), "origin " + o + ", item at " + h + ": " + route);
                    if (near.containsKey(c.ids.get(h))) {
                        nearby++;
                        assertTrue(route.bloomWithin(Cluster.PARAMS.hopLimit()), "origin " + o + ", item at " + h
                                + " (" + near.get(c.ids.get(h)) + " hops away): " + route);
                        assertEquals(near.get(c.ids.get(h)).intValue(), route.hops(), route.toString());
                        if (route.hops() >= 2) {
                            multiHop++;
                        }
                    }
                }
            }
            assertTrue(nearby > N, "the overlay puts items within " + DEPTH + " hops: " + nearby);
            assertTrue(multiHop > 0, "some lookups take two hops or more");
        }
    }

    /** Before any gossip the filters know nothing, and the rendezvous roots still find every item. */
    @Test
    void fallbackFindsItemsBeforeFiltersPropagate() throws IOException {
        try (Cluster c = new Cluster(N, 2)) {
            List<Hash32> items = Guids.guids("fallback", N);
            for (int i = 0; i < N; i++) {
                c.store(i, items.get(i));
            }
            for (int o = 0; o < N; o++) {
                for (int h = 0; h < N; h++) {
                    Route route = c.server(o).locate(items.get(h));
                    assertEquals(Optional.of(c.ids.get(h)), route.found());
                    assertEquals(o != h, route.usedFallback(), route.toString());
                }
            }
            Route missing = c.server(0).locate(Guids.guid("held by nobody"));
            assertEquals(Optional.empty(), missing.found());
            assertTrue(missing.usedFallback());
        }
    }

    /** {@code Locate} runs the lookup on the node asked and carries its route back intact. */
    @Test
    void locateRpcRunsTheLookupOnTheNodeAsked() throws IOException {
        try (Cluster c = new Cluster(N, 7)) {
            Hash32 g = Guids.guid("located over the wire");
            c.store(3, g);
            c.rounds(Cluster.PARAMS.filterStalenessRounds());
            Route local = c.server(0).locate(g);
            Route remote = LocateClient.locate(c.server(0).address(), g, Duration.ofSeconds(30));
            assertEquals(local, remote);
            assertEquals(Optional.of(c.ids.get(3)), remote.found());
            assertEquals(c.ids.get(0), remote.origin());

            Route missing = LocateClient.locate(c.server(5).address(), Guids.guid("nobody"), Duration.ofSeconds(30));
            assertEquals(Optional.empty(), missing.found());
            assertTrue(missing.usedFallback());
            assertEquals(c.ids.get(5), missing.origin());
        }
    }

    /**
     * An insert reaches the filters d hops out within {@code filterStalenessRounds} rounds; a delete
     * leaves the pointers at once and every filter within the same bound.
     */
    @Test
    void insertsAndDeletesAreVisibleWithinTheBound() throws IOException {
        try (Cluster c = new Cluster(N, 3)) {
            c.rounds(Cluster.PARAMS.filterStalenessRounds());
            Hash32 g = Guids.guid("late insert");
            c.store(0, g);
            c.rounds(Cluster.PARAMS.filterStalenessRounds());
            Map<NodeId, Integer> near = c.overlay.distances(c.ids.get(0), DEPTH);
            int checked = 0;
            for (int o = 1; o < N; o++) {
                if (near.containsKey(c.ids.get(o))) {
                    assertTrue(c.server(o).locate(g).bloomWithin(DEPTH), "origin " + o);
                    checked++;
                }
            }
            assertTrue(checked >= 3, "nodes within " + DEPTH + " hops of node 0: " + checked);

            c.inventories.get(c.ids.get(0)).remove(g);
            assertEquals(Cluster.PARAMS.pointerReplicas(), c.server(0).removed(g));
            c.rounds(Cluster.PARAMS.filterStalenessRounds());
            for (int o = 0; o < N; o++) {
                Route route = c.server(o).locate(g);
                assertEquals(Optional.empty(), route.found(), "origin " + o);
                assertEquals(List.of(c.ids.get(o)), route.path(), "no filter leads anywhere: " + route);
                assertEquals(0, route.falsePositives(), route.toString());
            }
        }
    }

    /** Three nodes stopped, one of them a holder of a replicated item: every item still found from every live node. */
    @Test
    void lookupsSucceedWithNodesStopped() throws IOException {
        try (Cluster c = new Cluster(N, 4)) {
            List<Hash32> items = Guids.guids("survive", 6);
            for (int i = 0; i < 6; i++) {
                c.store(i, items.get(i));
            }
            Hash32 replicated = Guids.guid("replicated");
            c.store(6, replicated);
            c.store(9, replicated);
            c.rounds(Cluster.PARAMS.filterStalenessRounds());
            c.stop(6);
            c.stop(7);
            c.stop(8);
            List<Integer> live = List.of(0, 1, 2, 3, 4, 5, 9);
            // First with views still pointing at the stopped nodes (forwards to them fail and are
            // passed over), then after their views lapsed.
            for (int pass = 0; pass < 2; pass++) {
                for (int o : live) {
                    for (int h = 0; h < 6; h++) {
                        assertEquals(Optional.of(c.ids.get(h)), c.server(o).locate(items.get(h)).found(),
                                "pass " + pass + ", origin " + o + ", item at " + h);
                    }
                    assertEquals(Optional.of(c.ids.get(9)), c.server(o).locate(replicated).found(), "origin " + o);
                }
                c.rounds(Cluster.PARAMS.viewTtlRounds());
            }
            for (int o : live) {
                assertTrue(c.server(o).viewCount() <= c.server(o).neighbours().size());
            }
        }
    }

    /**
     * A member whose service accepts calls and never answers: gossip to it and lookups through it
     * end at the deadline and count it as down.
     */
    @Test
    void aSilentMemberCountsAsDown() throws IOException, InterruptedException {
        List<StreamObserver<?>> held = new ArrayList<>();
        RoutingGrpc.RoutingImplBase silent = new RoutingGrpc.RoutingImplBase() {
            @Override
            public void gossip(GossipRequest request, StreamObserver<GossipReply> reply) {
                hold(reply);
            }

            @Override
            public void hop(HopRequest request, StreamObserver<HopReply> reply) {
                hold(reply);
            }

            @Override
            public void probe(ProbeRequest request, StreamObserver<ProbeReply> reply) {
                hold(reply);
            }

            @Override
            public void publishPointer(PublishPointerRequest request, StreamObserver<PublishPointerReply> reply) {
                hold(reply);
            }

            @Override
            public void findPointer(FindPointerRequest request, StreamObserver<FindPointerReply> reply) {
                hold(reply);
            }

            private void hold(StreamObserver<?> reply) {
                synchronized (held) {
                    held.add(reply);
                }
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(silent).build()
                .start();
        SigningKey silentKey = Cluster.key("silent");
        NodeId silentId = Cluster.idOf(silentKey);
        Member member = new Member(silentId, "127.0.0.1:" + server.getPort(), silentKey.publicKey());
        try (Cluster c = new Cluster(N, 5, Duration.ofSeconds(1), Duration.ofSeconds(2), false, List.of(member))) {
            // A GUID whose first rendezvous root is the silent member.
            Hash32 g = null;
            for (int i = 0; i < 1000 && g == null; i++) {
                Hash32 candidate = Guids.guid("silent root " + i);
                if (Rendezvous.rank(candidate, c.table.membership().members(), 1).getFirst().equals(silentId)) {
                    g = candidate;
                }
            }
            assertTrue(g != null, "some GUID ranks the silent member first");
            c.inventories.get(c.ids.get(0)).add(g);
            assertEquals(Cluster.PARAMS.pointerReplicas(), c.server(0).stored(g), "the publish walks past the silent root");
            // Each lookup waits out one deadline on the silent root; three origins are enough.
            for (int o = 1; o <= 3; o++) {
                Route route = c.server(o).locate(g);
                assertEquals(Optional.of(c.ids.get(0)), route.found(), route.toString());
                assertTrue(route.usedFallback());
            }
            TreeSet<NodeId> withSilent = new TreeSet<>(c.server(1).neighbours());
            withSilent.add(silentId);
            c.server(1).setNeighbours(withSilent);
            RoutingServer.GossipRound round = c.server(1).gossipRound();
            assertEquals(withSilent.size(), round.neighbours());
            assertEquals(withSilent.size() - 1, round.accepted(), "every neighbour but the silent one took the advertisement");
        } finally {
            server.shutdownNow();
            assertTrue(server.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Rounds on the servers' own threads: filters spread with no help from the test. */
    @Test
    void scheduledRoundsSpreadTheFilters() throws IOException, InterruptedException {
        try (Cluster c = new Cluster(4, 6, Duration.ofMillis(500), Duration.ofMillis(500), true, List.of())) {
            Hash32 g = Guids.guid("scheduled");
            c.store(0, g);
            int neighbour = c.ids.indexOf(c.server(0).neighbours().first());
            // Bounded wait for the gossip thread (not a timing assertion: the bound is generous).
            boolean viaFilters = false;
            for (int i = 0; i < 600 && !viaFilters; i++) {
                viaFilters = c.server(neighbour).locate(g).bloomWithin(1);
                if (!viaFilters) {
                    Thread.sleep(50);
                }
            }
            assertTrue(viaFilters, "the neighbour found the item through the filters");
            assertTrue(c.server(0).round() > 0);
        }
    }
}
