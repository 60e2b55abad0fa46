package ostore.routing.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
}
