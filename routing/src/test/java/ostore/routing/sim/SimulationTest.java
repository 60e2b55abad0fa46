package ostore.routing.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import ostore.crypto.Hash32;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import ostore.routing.filter.FilterParams;
import ostore.routing.locate.HopAnswer;
import ostore.routing.locate.Route;
import ostore.routing.locate.RoutingParams;
import ostore.routing.overlay.OverlayParams;
import org.junit.jupiter.api.Test;

/** 200-node simulations; every scenario is seeded and replays exactly. */
class SimulationTest {
    private static final int NODES = 200;

    private static Simulation sim(long seed) {
        return Simulation.start(SimConfig.standard(seed, NODES));
    }

    private static void assertAllFound(LookupStats s) {
        assertEquals(0, s.wrongHolder(), "a reported holder must hold the GUID");
        assertEquals(s.lookups(), s.found(), "every GUID with a holder up must be found: " + s);
    }

    @Test
    void everyLookupSucceedsMostByTheFiltersAndTheRestByTheFallback() {
        Simulation sim = sim(1);
        LookupStats s = sim.lookups(500);
        assertEquals(500, s.lookups());
        assertAllFound(s);
        assertTrue(s.share(s.bloomWithin3()) > 0.5, "the filters answer most lookups within 3 hops: " + s);
        assertTrue(s.fallbackUsed() > 0, "at 200 nodes some copies lie beyond the filters' depth: " + s);
        assertEquals(0, sim.gossipRejected());
        assertTrue(sim.overlay().membership().members().stream()
                .allMatch(n -> sim.overlay().neighbours(n).size() <= SimConfig.standard(1, NODES).overlay().maxDegree()));
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        assertEquals(sim(5).lookups(200), sim(5).lookups(200));
    }

    @Test
    void lookupsSucceedWithATenthOfTheNodesDown() {
        Simulation sim = sim(2);
        SplittableRandom rng = new SplittableRandom(22);
        List<NodeId> members = new ArrayList<>(sim.membership().members());
        for (int i = 0; i < NODES / 10; i++) {
            sim.fail(members.get(rng.nextInt(members.size())));
        }
        LookupStats stale = sim.lookups(300);
        assertAllFound(stale);
        sim.rounds(sim.config().routing().republishEveryRounds());
        LookupStats settled = sim.lookups(300);
        assertAllFound(settled);
        assertTrue(settled.meanMessages() <= stale.meanMessages(),
                "once silent neighbours' views expire, no forward goes to a down node: " + stale + " " + settled);
    }

    /**
     * A fifth of the nodes of a sparse overlay fail for good. With standby links, the neighbours
     * they leave below the minimum degree link to each other (both ends in the same round: no
     * gossip refused), every lookup still succeeds, and once the failed nodes recover every
     * neighbour set is back to the configured graph. (Joins fill most nodes above the minimum,
     * so few nodes have standby links at all: two of these 200.)
     */
    @Test
    void standbyLinksBridgeFailedNodesAndGoWhenTheyRecover() {
        SimConfig sparse = new SimConfig(3, NODES, 16, 3, RoutingParams.defaults(512), new OverlayParams(2, 2, 3));
        Simulation sim = Simulation.start(sparse);
        sim.useStandbyLinks();
        SplittableRandom rng = new SplittableRandom(33);
        List<NodeId> members = new ArrayList<>(sim.membership().members());
        List<NodeId> failed = new ArrayList<>();
        while (failed.size() < NODES / 5) {
            NodeId n = members.get(rng.nextInt(members.size()));
            if (!failed.contains(n)) {
                failed.add(n);
                sim.fail(n);
            }
        }
        RoutingParams p = sim.config().routing();
        sim.rounds(p.viewTtlRounds() + p.depth() + 1);
        assertEquals(0, sim.gossipRejected(), "both ends of every standby link added it in the same round");
        int bridged = 0;
        for (NodeId n : sim.upMembers()) {
            SortedSet<NodeId> now = sim.node(n).neighbours();
            TreeSet<NodeId> expected = new TreeSet<>(sim.overlay().neighbours(n));
            for (NodeId x : failed) {
                SortedSet<NodeId> partners = sim.overlay().standby(n).get(x);
                if (partners != null) {
                    expected.addAll(partners);
                }
            }
            assertEquals(expected, now, n + ": configured links plus the standby links of its failed neighbours");
            if (!now.equals(sim.overlay().neighbours(n))) {
                bridged++;
            }
        }
        assertTrue(bridged > 0, "some node lost enough neighbours to use its standby links");
        assertAllFound(sim.lookups(300));

        failed.forEach(sim::recover);
        sim.rounds(2);
        for (NodeId n : sim.membership().members()) {
            assertEquals(sim.overlay().neighbours(n), sim.node(n).neighbours(), n + " is back to its configured links");
        }
        assertAllFound(sim.lookups(300));
    }

    @Test
    void lookupsSucceedAfterChurn() {
        Simulation sim = sim(3);
        SplittableRandom rng = new SplittableRandom(33);
        List<Hash32> fresh = new ArrayList<>();
        List<NodeId> original = new ArrayList<>(sim.membership().members());
        for (int i = 0; i < 20; i++) {
            sim.leave(original.remove(rng.nextInt(original.size())));
            NodeId joined = sim.join();
            Hash32 g = Guids.guid("fresh/" + i);
            sim.store(joined, g);
            fresh.add(g);
            sim.gossipRound();
        }
        assertEquals(NODES, sim.membership().size());
        assertAllFound(sim.lookups(300));
        for (Hash32 g : fresh) {
            NodeId origin = sim.upMembers().get(rng.nextInt(NODES));
            Route r = sim.locate(origin, g);
            assertEquals(sim.holders(g).first(), r.found().orElseThrow(), "a newcomer's GUID is found: " + r);
        }
        assertEquals(0, sim.gossipRejected());
    }

    @Test
    void theFallbackFindsWhatTheFiltersDoNotYetKnow() {
        Simulation sim = sim(4);
        NodeId holder = sim.membership().members().first();
        Hash32 g = Guids.guid("just stored");
        sim.store(holder, g);
        NodeId far = sim.upMembers().stream()
                .filter(n -> !sim.overlay().distances(holder, 3).containsKey(n)).findFirst().orElseThrow();
        Route r = sim.locate(far, g);
        assertTrue(r.usedFallback(), "no gossip round has carried it yet: " + r);
        assertEquals(holder, r.found().orElseThrow());
        assertTrue(r.rootsAsked() >= 1);
    }

    /**
     * A GUID nobody holds, looked up next to a node whose own filter matches it: the forward is the
     * probe, the node says no, and nothing is reported. Filters sized for 16 GUIDs at 5% here, so
     * false positives are common (with the standard 512-GUID filters a node's own filter holds
     * about 16 and false positives are about one in a million, near the n / m^2 floor of Guava's
     * double hashing).
     */
    @Test
    void aFalsePositiveIsProbedAndPassedOver() {
        RoutingParams standard = RoutingParams.defaults(512);
        RoutingParams small = new RoutingParams(FilterParams.forCapacity(16, 0.05), standard.depth(),
                standard.hopLimit(), standard.pointerReplicas(), standard.fallbackRanks(), standard.viewTtlRounds(),
                standard.rebuildEveryRounds(), standard.republishEveryRounds(), standard.pointerTtlRounds());
        Simulation sim = Simulation.start(new SimConfig(6, NODES, 16, 3, small, OverlayParams.defaults()));
        for (int i = 0; i < 1_000; i++) {
            Hash32 ghost = Guids.guid("never stored/" + i);
            for (NodeId origin : sim.membership().members()) {
                List<HopAnswer.Candidate> c = sim.node(origin).hop(ghost, Set.of(origin)).candidates();
                if (c.isEmpty() || c.getFirst().level() != 0 || sim.node(origin).hop(ghost, Set.of()).ownFilterHit()) {
                    continue;
                }
                NodeId liar = c.getFirst().node();
                Route r = sim.locate(origin, ghost);
                assertEquals(liar, r.path().get(1), "the query followed the level-0 hit: " + r);
                assertTrue(r.falsePositives() >= 1);
                assertTrue(r.usedFallback());
                assertFalse(r.found().isPresent(), "nobody holds it, so nothing may be reported: " + r);
                LookupStats s = sim.lookups(200);
                assertAllFound(s);
                assertTrue(s.falsePositives() > 0, "small filters mislead real lookups too: " + s);
                return;
            }
        }
        throw new AssertionError("no node's filter matched any of 1,000 GUIDs nobody holds");
    }

    @Test
    void aDeleteLeavesTheFiltersWithinTheStalenessBound() {
        Simulation sim = sim(8);
        Hash32 g = sim.items().getFirst();
        List<NodeId> holders = new ArrayList<>(sim.holders(g));
        holders.forEach(h -> sim.delete(h, g));
        NodeId neighbour = sim.overlay().neighbours(holders.getFirst()).first();
        assertTrue(sim.node(neighbour).hop(g, Set.of()).candidates().stream()
                .anyMatch(c -> c.node().equals(holders.getFirst()) && c.level() == 0), "still advertised before a rebuild");
        sim.rounds(sim.config().routing().filterStalenessRounds());
        for (NodeId h : holders) {
            assertFalse(sim.node(h).hop(g, Set.of()).ownFilterHit(), "rebuilt without it");
            for (NodeId n : sim.overlay().neighbours(h)) {
                assertTrue(sim.node(n).hop(g, Set.of()).candidates().stream()
                        .noneMatch(c -> c.node().equals(h) && c.level() == 0), n + " still sees it at " + h);
            }
        }
        Route r = sim.locate(neighbour, g);
        assertFalse(r.found().isPresent(), "deleted everywhere: " + r);
    }

    @Test
    void routesCountEveryMessageTheNetworkCarried() {
        Simulation sim = sim(9);
        long before = sim.network().messages();
        long counted = 0;
        for (int i = 0; i < 50; i++) {
            counted += sim.locate(sim.upMembers().get(i), sim.items().get(i)).messages();
        }
        assertEquals(sim.network().messages() - before, counted);
    }
}
