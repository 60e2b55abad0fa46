package ostore.routing.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import org.junit.jupiter.api.Test;

class OverlayTest {
    /** Builds 300 nodes with seeded coordinates, then 100 leave and 50 more join. */
    private static Overlay churned(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<NodeId, double[]> at = new HashMap<>();
        Overlay o = new Overlay(OverlayParams.defaults(), (a, b) -> {
            double[] p = at.get(a);
            double[] q = at.get(b);
            return Math.hypot(p[0] - q[0], p[1] - q[1]);
        });
        List<NodeId> joined = new ArrayList<>();
        for (int i = 0; i < 350; i++) {
            NodeId n = Guids.node(seed + "/" + i);
            at.put(n, new double[] {rng.nextDouble(), rng.nextDouble()});
            o.join(n, rng);
            joined.add(n);
            if (i == 299) {
                for (int j = 0; j < 100; j++) {
                    o.leave(joined.get(3 * j));
                }
            }
        }
        return o;
    }

    @Test
    void degreesStayBoundedAndTheGraphConnectedThroughChurn() {
        Overlay o = churned(7);
        assertEquals(250, o.membership().size());
        int maxSeen = 0;
        for (NodeId n : o.membership().members()) {
            int d = o.neighbours(n).size();
            maxSeen = Math.max(maxSeen, d);
            assertTrue(d <= o.params().maxDegree(), n + " has " + d + " neighbours");
            assertTrue(d >= 1, n + " is isolated");
            for (NodeId m : o.neighbours(n)) {
                assertTrue(o.neighbours(m).contains(n), "edges are symmetric");
                assertTrue(o.membership().contains(m), "no edge to a departed node");
            }
        }
        assertEquals(o.params().maxDegree(), maxSeen, "some node is full: degree is really capped");
        NodeId any = o.membership().members().first();
        Map<NodeId, Integer> dist = o.distances(any, 64);
        assertEquals(250, dist.size(), "every member is reachable");
        int diameterFromAny = dist.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(diameterFromAny >= 3, "not a full mesh: some member is at least 3 hops away, got " + diameterFromAny);
    }

    @Test
    void theSameSeedBuildsTheSameGraph() {
        Overlay a = churned(11);
        Overlay b = churned(11);
        for (NodeId n : a.membership().members()) {
            assertEquals(a.neighbours(n), b.neighbours(n));
        }
    }

    /**
     * Standby links are the departure rule's repair among the departed node's own neighbours:
     * symmetric, only between its former neighbours, each for an end left below the minimum
     * degree, never over the cap, and computed without changing the graph.
     */
    @Test
    void standbyLinksAreSymmetricBoundedAndLeaveTheGraphAlone() {
        Overlay o = churned(13);
        Map<NodeId, SortedSet<NodeId>> before = new HashMap<>();
        o.membership().members().forEach(n -> before.put(n, new TreeSet<>(o.neighbours(n))));
        int withStandby = 0;
        for (NodeId n : o.membership().members()) {
            SortedMap<NodeId, SortedSet<NodeId>> standby = o.standby(n);
            for (Map.Entry<NodeId, SortedSet<NodeId>> e : standby.entrySet()) {
                NodeId x = e.getKey();
                withStandby++;
                assertTrue(o.neighbours(n).contains(x), "standby only for a neighbour");
                assertFalse(e.getValue().isEmpty());
                for (NodeId p : e.getValue()) {
                    assertTrue(o.neighbours(n).size() - 1 < o.params().minDegree()
                            || o.neighbours(p).size() - 1 < o.params().minDegree(),
                            "a link only for an end that " + x + "'s departure leaves below the minimum");
                    assertTrue(o.neighbours(x).contains(p) && !o.neighbours(n).contains(p), "a former neighbour of " + x
                            + " not already linked to " + n);
                    assertTrue(o.standby(p).get(x).contains(n), "symmetric");
                    assertTrue(o.neighbours(p).size() - 1 + o.bridges(x).get(p).size() <= o.params().maxDegree(),
                            "within the cap");
                }
            }
        }
        assertTrue(withStandby > 0, "some departure needs standby links");
        o.membership().members().forEach(n -> assertEquals(before.get(n), o.neighbours(n), "nothing changed"));
    }
}
