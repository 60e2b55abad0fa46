package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.assertFails;
import static ostore.client.Fixtures.blocks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import ostore.api.Protos;
import ostore.crypto.Aguid;
import ostore.crypto.VersionRoot;

class WatchVerifierTest {
    private static final Status.Code DATA_LOSS = Status.Code.DATA_LOSS;

    /** Versions 1..n of one object, each naming its predecessor. */
    private static List<VersionRoot> chain(int n) {
        List<VersionRoot> roots = new ArrayList<>();
        for (int seq = 1; seq <= n; seq++) {
            Optional<ostore.crypto.Vguid> pred = roots.isEmpty() ? Optional.empty() : Optional.of(roots.getLast().vguid());
            roots.add(Fixtures.root(seq, pred, blocks(seq), 1_000_000L * seq));
        }
        return roots;
    }

    @Test
    void acceptsAnUnbrokenChainFromTheRequestedSeq() {
        List<VersionRoot> roots = chain(4);
        for (long from : new long[] {0, 1}) {
            WatchVerifier w = new WatchVerifier(AGUID, from);
            for (VersionRoot r : roots) {
                VerifiedRoot v = w.accept(Protos.toProto(r));
                assertEquals(r, v.root());
                assertEquals(r.vguid(), v.vguid());
            }
        }
        WatchVerifier fromThree = new WatchVerifier(AGUID, 3);
        assertEquals(3, fromThree.accept(Protos.toProto(roots.get(2))).root().seq());
        assertEquals(4, fromThree.accept(Protos.toProto(roots.get(3))).root().seq());
    }

    @Test
    void rejectsSkipsReordersAndSplices() {
        List<VersionRoot> roots = chain(3);
        assertFails(DATA_LOSS, "watch sent seq 2, expected seq 1",
                () -> new WatchVerifier(AGUID, 0).accept(Protos.toProto(roots.get(1))));
        WatchVerifier w = new WatchVerifier(AGUID, 1);
        w.accept(Protos.toProto(roots.get(0)));
        assertFails(DATA_LOSS, "watch sent seq 3, expected seq 2", () -> w.accept(Protos.toProto(roots.get(2))));

        // A seq 2 from another history of the same object: right seq, wrong predecessor.
        VersionRoot forkedOne = Fixtures.root(1, Optional.empty(), blocks(9), 5);
        VersionRoot forkedTwo = Fixtures.root(2, Optional.of(forkedOne.vguid()), blocks(9, 9), 6);
        assertFails(DATA_LOSS, "with predecessor " + forkedOne.vguid(), () -> w.accept(Protos.toProto(forkedTwo)));
    }

    @Test
    void rejectsRootsOfAnotherObjectOrWithAFalseVguid() {
        Aguid elsewhere = Aguid.of(Fixtures.OTHER.publicKey(), "x");
        assertFails(DATA_LOSS, "is for object " + AGUID, () -> new WatchVerifier(elsewhere, 1).accept(Protos.toProto(chain(1).getFirst())));
        ostore.api.v1.VersionRoot lying = Protos.toProto(chain(1).getFirst()).toBuilder().setTimestampMicros(1).build();
        assertFails(DATA_LOSS, "the server's vguid field says", () -> new WatchVerifier(AGUID, 1).accept(lying));
    }

    @Test
    void refusesANegativeFromSeq() {
        assertThrows(IllegalArgumentException.class, () -> new WatchVerifier(AGUID, -1));
    }
}
