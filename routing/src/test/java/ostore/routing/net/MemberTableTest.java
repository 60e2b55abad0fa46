package ostore.routing.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import ostore.routing.locate.SetInventory;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import org.junit.jupiter.api.Test;

class MemberTableTest {
    private static final SigningKey A = Cluster.key("a");
    private static final SigningKey B = Cluster.key("b");
    private static final NodeId IA = Cluster.idOf(A);
    private static final NodeId IB = Cluster.idOf(B);

    @Test
    void oneKeySpeaksForOneId() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MemberTable.of(1, List.of(
                new Member(IA, "127.0.0.1:1", A.publicKey()), new Member(IB, "127.0.0.1:2", A.publicKey()))))
                .getMessage().contains("share the key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MemberTable.of(1, List.of(
                new Member(IA, "127.0.0.1:1", A.publicKey()), new Member(IA, "127.0.0.1:2", A.publicKey()))))
                .getMessage().contains("listed twice"));
        assertThrows(IllegalArgumentException.class, () -> new Member(IA, " ", A.publicKey()));
        MemberTable t = MemberTable.of(3, List.of(new Member(IB, "127.0.0.1:2", B.publicKey()),
                new Member(IA, "127.0.0.1:1", A.publicKey())));
        assertEquals(new TreeSet<>(List.of(IA, IB)), t.membership().members());
        assertEquals(3, t.membership().epoch());
    }

    @Test
    void aServerChecksItsOwnEntryAndTheEpoch() {
        MemberTable onlyB = MemberTable.of(1, List.of(new Member(IB, "127.0.0.1:2", B.publicKey())));
        RoutingServer.Options options = new RoutingServer.Options("127.0.0.1", 0, Duration.ofSeconds(1),
                Duration.ofSeconds(1), false);
        SetInventory inventory = new SetInventory();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RoutingServer(IA, A, onlyB, Cluster.PARAMS,
                inventory, options)).getMessage().contains("does not list this node"));
        MemberTable wrongKey = MemberTable.of(1, List.of(new Member(IA, "127.0.0.1:1", B.publicKey())));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RoutingServer(IA, A, wrongKey, Cluster.PARAMS,
                inventory, options)).getMessage().contains("not this node's"));
        MemberTable both = MemberTable.of(1, List.of(new Member(IA, "127.0.0.1:1", A.publicKey()),
                new Member(IB, "127.0.0.1:2", B.publicKey())));
        try (RoutingServer s = new RoutingServer(IA, A, both, Cluster.PARAMS, inventory, options)) {
            assertThrows(IllegalArgumentException.class, () -> s.setMembers(both), "same epoch");
            assertThrows(IllegalArgumentException.class, () -> s.setNeighbours(new TreeSet<>(List.of(Cluster.idOf(
                    Cluster.key("stranger"))))));
            s.setNeighbours(new TreeSet<>(List.of(IB)));
            s.setMembers(MemberTable.of(2, List.of(new Member(IA, "127.0.0.1:1", A.publicKey()))));
            assertEquals(0, s.neighbours().size(), "a neighbour that left the table is dropped");
        }
        assertThrows(IllegalArgumentException.class, () -> new RoutingServer.Options("127.0.0.1", 0,
                Duration.ofMillis(10), Duration.ofMillis(10), true), "period below the bound");
        assertThrows(IllegalArgumentException.class, () -> new RoutingServer.Options("127.0.0.1", 0,
                Duration.ofSeconds(1), Duration.ofSeconds(2), true), "deadline above the period");
    }
}
