package ostore.ring.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;
import org.junit.jupiter.api.Test;

class SimUpdateCodecTest {
    private final SigningKey key = Simulation.keyFrom(new SplittableRandom(42));

    private Update sample() {
        Aguid aguid = Aguid.of(key.publicKey(), "obj");
        return new Update(aguid, 7, List.of(
                new Clause(new Predicate.CompareVersion(Comparison.EQ, 3),
                        List.of(new Action.Append(Action.Data.of(new byte[] {1, 2, 3})))),
                new Clause(new Predicate.Always(), List.of())),
                Optional.of(new Creation(key.publicKey(), "obj")));
    }

    @Test
    void signedUpdatesDecodeToWhatWasSigned() {
        SubmittedUpdate s = SimUpdateCodec.sign(key, sample());
        AuthenticatedUpdate back = SimUpdateCodec.decode(s.signedUpdate());
        assertEquals(s.decoded(), back);
        assertEquals(sample(), back.update());
        assertEquals(key.publicKey(), back.writer());
    }

    @Test
    void everyFlippedByteIsRefused() {
        byte[] signed = SimUpdateCodec.sign(key, sample()).signedUpdate();
        for (int i = 0; i < signed.length; i++) {
            byte[] bad = signed.clone();
            bad[i] ^= 0x01;
            int at = i;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimUpdateCodec.decode(bad),
                    "a flip at byte " + at + " must be refused");
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        }
    }

    @Test
    void truncationAndTrailingBytesAreRefused() {
        byte[] signed = SimUpdateCodec.sign(key, sample()).signedUpdate();
        for (int len = 0; len < signed.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(signed, len);
            assertThrows(IllegalArgumentException.class, () -> SimUpdateCodec.decode(cut), "length " + len);
        }
        byte[] longer = java.util.Arrays.copyOf(signed, signed.length + 1);
        assertThrows(IllegalArgumentException.class, () -> SimUpdateCodec.decode(longer));
    }
}
