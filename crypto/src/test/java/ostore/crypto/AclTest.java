package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AclTest {
    private static final PublicKey OWNER = Fixtures.OWNER.publicKey();
    private static final PublicKey A = Fixtures.WRITER_A.publicKey();
    private static final PublicKey B = Fixtures.WRITER_B.publicKey();

    @Test
    void writersAreSortedAndDistinct() {
        Acl acl = new Acl(OWNER, List.of(A, B, A, B, A), false);
        assertEquals(List.of(B, A), acl.writers(), "0x25.. sorts before 0x29..");
        assertEquals(acl, new Acl(OWNER, List.of(B, A), false));
    }

    @Test
    void writerOrderIsUnsignedSoHighBytesSortLast() {
        PublicKey high = IntStream.range(0, 256).mapToObj(i -> Fixtures.seeded(i).publicKey())
                .filter(k -> (k.toBytes()[0] & 0xff) >= 0x80).findFirst().orElseThrow();
        Acl acl = new Acl(OWNER, List.of(high, A), false);
        assertEquals(List.of(A, high), acl.writers());
    }

    @Test
    void writerListCannotBeChangedAfterwards() {
        List<PublicKey> given = new ArrayList<>(List.of(A));
        Acl acl = new Acl(OWNER, given, false);
        given.add(B);
        assertEquals(List.of(A), acl.writers());
        assertThrows(UnsupportedOperationException.class, () -> acl.writers().add(B));
    }

    @Test
    void ownerAndWritersMayWriteOthersMayNot() {
        Acl acl = new Acl(OWNER, List.of(A), true);
        assertTrue(acl.mayWrite(OWNER));
        assertTrue(acl.mayWrite(A));
        assertFalse(acl.mayWrite(B));
        assertFalse(Acl.ownerOnly(OWNER).mayWrite(A));
        assertFalse(Acl.ownerOnly(OWNER).encrypted());
    }

    @Test
    void missingPartsAreNamed() {
        var owner = assertThrows(NullPointerException.class, () -> new Acl(null, List.of(), false));
        assertEquals("owner", owner.getMessage());
        var writers = assertThrows(NullPointerException.class, () -> new Acl(OWNER, null, false));
        assertEquals("writers", writers.getMessage());
    }
}
