package ostore.routing.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import ostore.routing.locate.SetInventory;
import ostore.crypto.Hash32;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import ostore.routing.locate.Route;
import ostore.routing.locate.RoutingParams;
import org.junit.jupiter.api.Test;

/**
 * Churn on real servers: twelve routing servers on 127.0.0.1 over a degree-3 overlay with the
 * overlay's standby links, gossiping on their own threads every {@value #PERIOD_MS} ms. One node
 * leaves (stopped), then comes back at a new address with another inventory.
 *
 * <p>Every wait is counted in gossip rounds, not time: a check is polled until it holds and fails
 * once every running server has run the stated number of rounds since the change (rounds run on
 * separate threads, unsynchronized, so each bound is the documented one plus one round of phase
 * per hop). A wall-clock cap only guards against a stuck server.
 */
class RoutingChurnTest {
    private static final int N = 12;
    private static final long PERIOD_MS = 200;
    private static final RoutingParams P = Cluster.PARAMS;
    /** A departed node's views lapse in viewTtlRounds, then one level per round outward. */
    private static final int FORGET_ROUNDS = P.viewTtlRounds() + 2 * P.depth();
    /** An inventory's filter reaches d hops out within filterStalenessRounds. */
    private static final int SPREAD_ROUNDS = P.filterStalenessRounds() + P.depth();
    /** Standby links come up once the neighbour is silent for viewTtlRounds, on both ends. */
    private static final int LINK_ROUNDS = P.viewTtlRounds() + 2;

    @Test
    void filtersAndNeighbourSetsFollowADepartureAndAReturn() throws IOException, InterruptedException {
        try (Cluster c = new Cluster(N, 21, Duration.ofMillis(PERIOD_MS), Duration.ofMillis(PERIOD_MS), true,
                List.of())) {
            c.useStandbyLinks();
            // The leaver: the node whose departure most neighbours would need standby links for.
            int leaver = -1;
            int dependants = 0;
            for (int i = 0; i < N; i++) {
                NodeId x = c.ids.get(i);
                int d = (int) c.overlay.neighbours(x).stream().filter(n -> c.overlay.standby(n).containsKey(x)).count();
                if (d > dependants) {
                    leaver = i;
                    dependants = d;
                }
            }
            assertTrue(leaver >= 0, "some departure would leave a neighbour below the minimum degree");
            NodeId lid = c.ids.get(leaver);
            NodeId a = c.overlay.neighbours(lid).stream().filter(n -> c.overlay.standby(n).containsKey(lid))
                    .findFirst().orElseThrow();
            SortedSet<NodeId> partners = c.overlay.standby(a).get(lid);
            NodeId b = partners.first();
            int ai = c.ids.indexOf(a);
            int bi = c.ids.indexOf(b);

            List<Hash32> items = Guids.guids("churn", N);
            for (int i = 0; i < N; i++) {
                c.store(i, items.get(i));
            }
            Hash32 onlyAtLeaver = Guids.guid("churn: only at the leaver");
            c.store(leaver, onlyAtLeaver);
            int other = (leaver + N / 2) % N;
            Hash32 replicated = Guids.guid("churn: at the leaver and one more");
            c.store(leaver, replicated);
            c.store(other, replicated);

            // Everyone up: the filters chase the leaver's GUID from every node within d hops of it,
            // and no standby link is in use.
            Map<NodeId, Integer> nearLeaver = c.overlay.distances(lid, P.depth());
            within(c, SPREAD_ROUNDS, "the leaver's GUID found through the filters from d hops", () -> {
                for (NodeId o : nearLeaver.keySet()) {
                    Route r = c.servers.get(o).locate(onlyAtLeaver);
                    if (!r.found().equals(Optional.of(lid)) || !r.bloomWithin(P.depth())) {
                        return false;
                    }
                }
                return true;
            });
            for (int i = 0; i < N; i++) {
                assertEquals(c.overlay.neighbours(c.ids.get(i)), c.server(i).neighbours(), "node " + i);
            }

            // (a) The leaver stops. Its neighbours' views of it lapse and the levels that summarized
            // it empty outward: no node's filters lead toward its GUID any more, and the lookup ends
            // in the fallback, whose roots still point at the leaver until the pointer TTL; the
            // probe finds it down, so the answer is a clear not-found.
            c.stop(leaver);
            within(c, FORGET_ROUNDS, "no filter advertises the departed node's GUID", () -> {
                for (RoutingServer s : c.servers.values()) {
                    Route r = s.locate(onlyAtLeaver);
                    if (!r.path().equals(List.of(s.id())) || r.found().isPresent()) {
                        return false;
                    }
                }
                return true;
            });
            for (RoutingServer s : c.servers.values()) {
                Route r = s.locate(onlyAtLeaver);
                assertEquals(Optional.empty(), r.found(), r.toString());
                assertTrue(r.usedFallback(), r.toString());
                assertEquals(0, r.hops(), r.toString());
                assertEquals(Optional.of(c.ids.get(other)), s.locate(replicated).found(), "from " + s.id());
                for (int h = 0; h < N; h++) {
                    if (h != leaver) {
                        assertEquals(Optional.of(c.ids.get(h)), s.locate(items.get(h)).found(),
                                "from " + s.id() + ", item at " + h);
                    }
                }
            }

            // (c) The leaver's neighbour left below the minimum degree links to its standby
            // partners, both ends, and reaches them through the filters in one hop.
            within(c, LINK_ROUNDS, "standby links up on both ends", () -> {
                if (!c.server(ai).neighbours().containsAll(partners)) {
                    return false;
                }
                for (NodeId p : partners) {
                    if (!c.servers.get(p).neighbours().contains(a)) {
                        return false;
                    }
                }
                return true;
            });
            TreeSet<NodeId> expected = new TreeSet<>(c.overlay.neighbours(a));
            expected.addAll(partners);
            assertEquals(expected, c.server(ai).neighbours(), "configured neighbours, the silent one included, plus standby");
            assertTrue(expected.size() - 1 >= Cluster.OVERLAY.minDegree(), "live degree back at the minimum");
            assertTrue(expected.size() - 1 <= Cluster.OVERLAY.maxDegree(), "live degree within the cap");
            within(c, SPREAD_ROUNDS, "the standby partner's GUID found in one hop through the filters", () -> {
                Route r = c.server(ai).locate(items.get(bi));
                return r.found().equals(Optional.of(b)) && r.bloomWithin(1);
            });

            // (b) The leaver comes back at a new address with another inventory: two new GUIDs,
            // its own item and the GUID only it held deleted while it was down.
            List<Hash32> fresh = Guids.guids("churn: new at the returner", 2);
            SetInventory held = c.inventories.get(lid);
            held.remove(items.get(leaver));
            held.remove(onlyAtLeaver);
            held.addAll(fresh);
            RoutingServer back = c.restart(leaver);
            assertEquals(c.table.epoch(), back.members().epoch());
            within(c, SPREAD_ROUNDS, "the returner's new GUIDs found through the filters from d hops", () -> {
                for (NodeId o : nearLeaver.keySet()) {
                    for (Hash32 g : fresh) {
                        Route r = c.servers.get(o).locate(g);
                        if (!r.found().equals(Optional.of(lid)) || !r.bloomWithin(P.depth())) {
                            return false;
                        }
                    }
                }
                return true;
            });
            within(c, LINK_ROUNDS, "standby links dropped once the neighbour is heard again", () -> {
                for (int i = 0; i < N; i++) {
                    if (!c.server(i).neighbours().equals(c.overlay.neighbours(c.ids.get(i)))) {
                        return false;
                    }
                }
                return true;
            });
            for (RoutingServer s : c.servers.values()) {
                for (Hash32 deleted : List.of(items.get(leaver), onlyAtLeaver)) {
                    Route r = s.locate(deleted);
                    assertEquals(Optional.empty(), r.found(), "from " + s.id() + ": " + r);
                    assertEquals(List.of(s.id()), r.path(), "no filter advertises a deleted GUID: " + r);
                }
            }
            assertEquals(Optional.of(lid), c.server(ai).locate(fresh.getFirst()).found());
            assertFalse(c.server(ai).locate(fresh.getFirst()).usedFallback());
        }
    }

    /**
     * A new member joins: the overlay's join rule links it and changes its new neighbours' sets,
     * every server follows, and within the bound its GUID is found through the filters from every
     * node within d hops, and it finds theirs.
     */
    @Test
    void aJoiningMemberIsLinkedAndItsGuidsSpread() throws IOException, InterruptedException {
        try (Cluster c = new Cluster(N, 22, Duration.ofMillis(PERIOD_MS), Duration.ofMillis(PERIOD_MS), true,
                List.of())) {
            c.useStandbyLinks();
            List<Hash32> items = Guids.guids("join", N);
            for (int i = 0; i < N; i++) {
                c.store(i, items.get(i));
            }
            int j = c.join("joiner", new Random(22), 0.5, 0.5);
            NodeId jid = c.ids.get(j);
            assertEquals(N + 1, c.table.size());
            SortedSet<NodeId> linked = c.overlay.neighbours(jid);
            assertTrue(!linked.isEmpty() && linked.size() <= Cluster.OVERLAY.maxDegree(), linked.toString());
            for (int i = 0; i <= N; i++) {
                NodeId id = c.ids.get(i);
                assertEquals(c.overlay.neighbours(id), c.server(i).neighbours(), "node " + i);
                assertTrue(c.server(i).neighbours().size() <= Cluster.OVERLAY.maxDegree(), "node " + i);
                assertEquals(linked.contains(id), c.server(i).neighbours().contains(jid), "node " + i);
            }
            Hash32 g = Guids.guid("join: held by the joiner");
            c.store(j, g);
            Map<NodeId, Integer> near = c.overlay.distances(jid, P.depth());
            assertTrue(near.size() > 2, "the joiner has nodes within d hops: " + near);
            within(c, SPREAD_ROUNDS, "the joiner's GUID found through the filters from d hops, and theirs from it", () -> {
                for (NodeId o : near.keySet()) {
                    if (o.equals(jid)) {
                        continue;
                    }
                    Route there = c.servers.get(o).locate(g);
                    Route back = c.server(j).locate(items.get(c.ids.indexOf(o)));
                    if (!there.found().equals(Optional.of(jid)) || !there.bloomWithin(P.depth())
                            || !back.found().equals(Optional.of(o)) || !back.bloomWithin(P.depth())) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    /**
     * Polls {@code check} until it holds; fails once every running server has run {@code rounds}
     * rounds since the call and it still does not. A two-minute cap guards against a stuck server.
     */
    private static void within(Cluster c, int rounds, String what, BooleanSupplier check) throws InterruptedException {
        Map<NodeId, Long> mark = new HashMap<>();
        c.servers.forEach((id, s) -> mark.put(id, s.round()));
        long cap = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            List<Long> ran = new ArrayList<>();
            c.servers.forEach((id, s) -> ran.add(s.round() - mark.get(id)));
            boolean due = ran.stream().allMatch(r -> r >= rounds);
            if (check.getAsBoolean()) {
                return;
            }
            if (due) {
                fail(what + ": not within " + rounds + " rounds (rounds run since: " + ran + ")");
            }
            if (System.nanoTime() > cap) {
                fail(what + ": servers ran only " + ran + " rounds in two minutes");
            }
            Thread.sleep(PERIOD_MS / 4);
        }
    }
}
