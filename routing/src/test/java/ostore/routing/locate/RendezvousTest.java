package ostore.routing.locate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Hash32;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import org.junit.jupiter.api.Test;

class RendezvousTest {
    private static List<NodeId> nodes(int count) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Guids.node(Integer.toString(i)));
        }
        return out;
    }

    /** The weight is part of the format: every node must compute the same roots. */
    @Test
    void weightIsPinned() {
        long w = Rendezvous.weight(Guids.guid("x"), Guids.node("0"));
        assertEquals(w, Rendezvous.weight(Guids.guid("x"), Guids.node("0")));
        assertEquals("6993021cbc869297", Long.toHexString(w));
        List<NodeId> members = nodes(10);
        List<Integer> top = Rendezvous.rank(Guids.guid("x"), members, 3).stream().map(members::indexOf).toList();
        assertEquals(List.of(2, 6, 8), top);
    }

    @Test
    void rankingDoesNotDependOnInputOrder() {
        List<NodeId> members = nodes(50);
        List<NodeId> reversed = new ArrayList<>(members.reversed());
        Hash32 g = Guids.guid("g");
        assertEquals(Rendezvous.rank(g, members, 50), Rendezvous.rank(g, reversed, 50));
        assertEquals(Rendezvous.rank(g, members, 50).subList(0, 3), Rendezvous.rank(g, members, 3));
    }

    /** Adding a member changes a GUID's roots only where the newcomer now ranks among them. */
    @Test
    void aJoinMovesOnlyTheGuidsTheNewcomerWins() {
        List<NodeId> members = nodes(100);
        NodeId newcomer = Guids.node("new");
        List<NodeId> grown = new ArrayList<>(members);
        grown.add(newcomer);
        int moved = 0;
        for (Hash32 g : Guids.guids("g", 2_000)) {
            List<NodeId> before = Rendezvous.rank(g, members, 3);
            List<NodeId> after = Rendezvous.rank(g, grown, 3);
            if (!before.equals(after)) {
                moved++;
                assertTrue(after.contains(newcomer), "roots changed without the newcomer among them");
                List<NodeId> others = new ArrayList<>(after);
                others.remove(newcomer);
                assertEquals(before.subList(0, 2), others, "the others keep their order; the last root drops out");
            }
        }
        assertTrue(moved > 20 && moved < 110, "about 3 in 101 GUIDs should move, " + moved + " of 2000 did");
    }
}
