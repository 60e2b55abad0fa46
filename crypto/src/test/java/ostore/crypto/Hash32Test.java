package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Hash32Test {
    private static final String HEX = "00ff7f80" + "0123456789abcdef".repeat(3) + "fedcba98";

    @Test
    void hexRoundTripsInLowercase() {
        Hash32 h = Hash32.fromHex(HEX.toUpperCase(java.util.Locale.ROOT));
        assertEquals(HEX, h.toHex());
        assertEquals(HEX, h.toString());
        assertEquals(HEX.substring(0, 12), h.shortHex());
        assertEquals(h, Hash32.of(h.toBytes()));
        assertEquals(h.hashCode(), Hash32.fromHex(HEX).hashCode());
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] raw = new byte[32];
        Hash32 h = Hash32.of(raw);
        raw[0] = 1;
        h.toBytes()[1] = 1;
        assertArrayEquals(new byte[32], h.toBytes());
        assertEquals(0, h.byteAt(0));
    }

    @Test
    void wrongLengthsAreRefusedNamingTheLength() {
        assertMessage(() -> Hash32.of(new byte[31]), "hash length (31) must be 32");
        assertMessage(() -> Hash32.of(new byte[33]), "hash length (33) must be 32");
        assertMessage(() -> Hash32.of(null), "hash length (null) must be 32");
        assertMessage(() -> Hash32.fromHex(HEX.substring(2)), "must be 64 hex digits");
        assertMessage(() -> Hash32.fromHex(null), "hash hex (null) must be 64 hex digits");
    }

    @Test
    void nonHexIsRefusedNamingTheInput() {
        String bad = "g" + HEX.substring(1);
        assertMessage(() -> Hash32.fromHex(bad), "hash hex (" + bad + ") is not hexadecimal");
    }

    @Test
    void orderingIsUnsignedLexicographic() {
        List<Hash32> sorted = new ArrayList<>(List.of(
                withFirstBytes(0xff, 0x00), withFirstBytes(0x80, 0x00), withFirstBytes(0x7f, 0xff),
                withFirstBytes(0x00, 0x01), withFirstBytes(0x00, 0x00)));
        sorted.sort(null);
        assertEquals(List.of(withFirstBytes(0x00, 0x00), withFirstBytes(0x00, 0x01), withFirstBytes(0x7f, 0xff),
                withFirstBytes(0x80, 0x00), withFirstBytes(0xff, 0x00)), sorted);
        assertNotEquals(withFirstBytes(0x80, 0), withFirstBytes(0x7f, 0));
        assertEquals(0, withFirstBytes(0x80, 1).compareTo(withFirstBytes(0x80, 1)));
    }

    private static Hash32 withFirstBytes(int b0, int b1) {
        byte[] raw = new byte[32];
        raw[0] = (byte) b0;
        raw[1] = (byte) b1;
        return Hash32.of(raw);
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
