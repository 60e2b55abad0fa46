package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CanonicalDecoderTest {
    @Test
    void readsBackWhatTheEncoderWrites() {
        byte[] bytes = new CanonicalEncoder().bool(true).bool(false).string("aé").string("").u32(7).toByteArray();
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        assertTrue(d.bool("a"));
        assertFalse(d.bool("b"));
        assertEquals("aé", d.string("c"));
        assertEquals("", d.string("d"));
        assertEquals(7, d.u32("e"));
        d.end("sample");
    }

    @Test
    void aBooleanIsZeroOrOne() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CanonicalDecoder(new byte[] {2}).bool("flag"));
        assertEquals("flag (2) must be 0 or 1", e.getMessage());
    }

    @Test
    void aStringMustBeWellFormedUtf8() {
        byte[] lone = HexFormat.of().parseHex("00000001" + "c3");
        var e = assertThrows(IllegalArgumentException.class, () -> new CanonicalDecoder(lone).string("reason"));
        assertEquals("reason (1 bytes) is not well-formed UTF-8", e.getMessage());
    }

    @Test
    void aStringLongerThanTheInputIsRefusedBeforeAllocating() {
        byte[] huge = HexFormat.of().parseHex("7fffffff" + "61");
        var e = assertThrows(IllegalArgumentException.class, () -> new CanonicalDecoder(huge).string("reason"));
        assertTrue(e.getMessage().startsWith("reason length (2147483647) items"), e.getMessage());
    }
}
