package ostore.routing.locate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import ostore.crypto.Hash32;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import ostore.routing.gossip.Advertisement;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.gossip.GossipRejectedException;
import ostore.routing.gossip.GossipRejectedException.Reason;
import ostore.routing.overlay.Membership;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One line of four nodes, a - b - c - d, gossiping by hand. */
class RoutingNodeTest {
    private static final RoutingParams PARAMS = RoutingParams.defaults(64);
    private static final Hash32 AT_A = Guids.guid("held by a");
    private static final Hash32 AT_D = Guids.guid("held by d");

    private final List<NodeId> ids = List.of(Guids.node("a"), Guids.node("b"), Guids.node("c"), Guids.node("d"));
    private final List<SetInventory> inventories = new ArrayList<>();
    private final List<RoutingNode> line = new ArrayList<>();
    private Membership membership;
    private long round;


    @BeforeEach
    void line() {
        membership = new Membership(1, new TreeSet<>(ids));
        for (NodeId id : ids) {
            SetInventory held = new SetInventory();
            inventories.add(held);
            line.add(new RoutingNode(id, PARAMS, held));
        }
        for (int i = 0; i < 4; i++) {
            TreeSet<NodeId> n = new TreeSet<>();
            if (i > 0) {
                n.add(ids.get(i - 1));
            }
            if (i < 3) {
                n.add(ids.get(i + 1));
            }
            line.get(i).setNeighbours(n);
        }
        store(0, AT_A);
        store(3, AT_D);
    }

    private void store(int node, Hash32 guid) {
        inventories.get(node).add(guid);
        line.get(node).stored(guid);
    }

    private void gossip(int rounds) {
        gossipWithout(-1, rounds);
    }

    /** Rounds with node {@code down} (or none, for -1) neither ticking, sending nor receiving. */
    private void gossipWithout(int down, int rounds) {
        for (int r = 0; r < rounds; r++) {
            round++;
            List<RoutingNode> up = line.stream().filter(n -> down < 0 || n != line.get(down)).toList();
            up.forEach(n -> n.tick(round));
            List<Advertisement> ads = new ArrayList<>();
            up.forEach(n -> n.neighbours().forEach(m -> ads.add(n.advertisementFor(m))));
            for (Advertisement ad : ads) {
                int to = ids.indexOf(ad.recipient());
                if (to != down) {
                    line.get(to).receive(GossipCodec.encode(ad), membership);
                }
            }
        }
    }

    /**
     * a's only neighbour b falls silent: after viewTtlRounds a and c (b's other neighbour) link to
     * each other by their standby links, and a reaches d through c; the round after b is heard
     * again, both drop the link.
     */
    @Test
    void standbyLinksBridgeASilentNeighbourUntilItIsHeardAgain() {
        NodeId a = ids.get(0);
        NodeId b = ids.get(1);
        NodeId c = ids.get(2);
        NodeId d = ids.get(3);
        line.get(0).setNeighbours(new TreeSet<>(Set.of(b)), new TreeMap<>(Map.of(b, new TreeSet<>(Set.of(c)))));
        line.get(2).setNeighbours(new TreeSet<>(Set.of(b, d)), new TreeMap<>(Map.of(b, new TreeSet<>(Set.of(a)))));
        gossip(PARAMS.depth());
        assertEquals(Set.of(b), line.get(0).neighbours(), "no standby link while b speaks");
        gossipWithout(1, PARAMS.viewTtlRounds() - 1);
        assertEquals(Set.of(b), line.get(0).neighbours(), "b is not silent before viewTtlRounds");
        gossipWithout(1, 1);
        assertEquals(Set.of(b, c), line.get(0).neighbours());
        assertEquals(Set.of(a, b, d), line.get(2).neighbours());
        gossipWithout(1, 1);
        assertEquals(List.of(new HopAnswer.Candidate(c, 1)), line.get(0).hop(AT_D, Set.of(a)).candidates(),
                "d is reached through the standby link");
        assertEquals(Set.of(b), line.get(0).configuredNeighbours());
        gossip(1);
        assertEquals(Set.of(b, c), line.get(0).neighbours(), "b was heard this round; the links go at the next tick");
        line.get(0).tick(++round);
        line.get(2).tick(round);
        assertEquals(Set.of(b), line.get(0).neighbours());
        assertEquals(Set.of(b, d), line.get(2).neighbours());
        assertThrows(IllegalArgumentException.class, () -> line.get(0).setNeighbours(new TreeSet<>(Set.of(b)),
                new TreeMap<>(Map.of(c, new TreeSet<>(Set.of(d))))), "standby for a node that is not a neighbour");
    }

    @Test
    void levelsSummarizeWhatLiesThatManyHopsAwayWithoutEchoes() {
        gossip(PARAMS.depth());
        HopAnswer fromA = line.get(0).hop(AT_D, Set.of(ids.get(0)));
        assertEquals(List.of(new HopAnswer.Candidate(ids.get(1), 2)), fromA.candidates(), "d is 3 hops from a via b");
        HopAnswer fromC = line.get(2).hop(AT_D, Set.of(ids.get(2)));
        assertEquals(List.of(new HopAnswer.Candidate(ids.get(3), 0)), fromC.candidates());
        // b's view of a must not hold a's own items one level deeper via c (no echo back through b).
        HopAnswer fromB = line.get(1).hop(AT_A, Set.of(ids.get(1)));
        assertEquals(List.of(new HopAnswer.Candidate(ids.get(0), 0)), fromB.candidates());
        assertEquals(1 + 1 + PARAMS.depth(), fromB.filtersConsulted(), "own, a's level 0, all of c's levels");
    }

    @Test
    void insertsShowAtOnceAndDeletesAfterTheNextRebuild() {
        Hash32 g = Guids.guid("new");
        store(2, g);
        assertTrue(line.get(2).hop(g, Set.of()).holds());
        inventories.get(2).remove(g);
        assertTrue(line.get(2).hop(g, Set.of()).ownFilterHit(), "a Bloom filter cannot drop it before a rebuild");
        assertFalse(line.get(2).hop(g, Set.of()).holds(), "the probe sees the truth");
        gossip(1);
        assertFalse(line.get(2).hop(g, Set.of()).ownFilterHit());
    }

    @Test
    void neighboursViewsDropAfterTheirTtlWhenSilent() {
        gossip(PARAMS.depth());
        assertEquals(1, line.get(0).viewCount());
        for (int r = 0; r < PARAMS.viewTtlRounds(); r++) {
            line.get(0).tick(++round);
        }
        assertEquals(0, line.get(0).viewCount());
        assertTrue(line.get(0).hop(AT_D, Set.of()).candidates().isEmpty());
    }

    @Test
    void badGossipIsRefusedAndChangesNothing() {
        gossip(1);
        RoutingNode b = line.get(1);
        HopAnswer before = b.hop(AT_D, Set.of());
        NodeId stranger = Guids.node("stranger");
        byte[] fromStranger = GossipCodec.encode(strangerAd(stranger, ids.get(1)));
        assertEquals(Reason.NOT_A_MEMBER, refuse(b, fromStranger));
        Membership withStranger = membership.with(stranger);
        assertEquals(Reason.NOT_A_NEIGHBOUR, refusal(() -> b.receive(fromStranger, withStranger)));
        Advertisement cToB = line.get(2).advertisementFor(ids.get(1));
        byte[] forA = GossipCodec.encode(new Advertisement(cToB.sender(), ids.get(0), cToB.round() + 1, cToB.filter()));
        assertEquals(Reason.WRONG_RECIPIENT, refuse(b, forA), "c's message for a, handed to b");
        byte[] stale = GossipCodec.encode(line.get(0).advertisementFor(ids.get(1)));
        assertEquals(Reason.STALE, refuse(b, stale), "round 1 from a was already accepted");
        byte[] garbled = stale.clone();
        garbled[0] = 9;
        assertEquals(Reason.MALFORMED, refuse(b, garbled));
        assertEquals(before, b.hop(AT_D, Set.of()));
        assertEquals(2, b.viewCount());
    }

    private Advertisement strangerAd(NodeId stranger, NodeId to) {
        return new Advertisement(stranger, to, 99, line.get(0).advertisementFor(ids.get(1)).filter());
    }

    private Reason refuse(RoutingNode node, byte[] bytes) {
        return refusal(() -> node.receive(bytes, membership));
    }

    private static Reason refusal(Runnable r) {
        return assertThrows(GossipRejectedException.class, r::run).reason();
    }
}
