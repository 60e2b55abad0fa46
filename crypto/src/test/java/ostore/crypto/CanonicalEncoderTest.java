package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CanonicalEncoderTest {
    @Test
    void u8AcceptsExactlyZeroTo255() {
        assertEquals("00ff", hex(new CanonicalEncoder().u8(0).u8(255)));
        assertRefused(() -> new CanonicalEncoder().u8(-1), "u8 value (-1) out of range");
        assertRefused(() -> new CanonicalEncoder().u8(256), "u8 value (256) out of range");
    }

    @Test
    void u32IsBigEndianAndAcceptsExactlyItsRange() {
        assertEquals("00000000" + "01020304" + "ffffffff",
                hex(new CanonicalEncoder().u32(0).u32(0x01020304).u32(0xffff_ffffL)));
        assertRefused(() -> new CanonicalEncoder().u32(-1), "u32 value (-1) out of range");
        assertRefused(() -> new CanonicalEncoder().u32(1L << 32), "u32 value (4294967296) out of range");
    }

    @Test
    void i64IsBigEndianTwosComplement() {
        assertEquals("0102030405060708" + "ffffffffffffffff" + "8000000000000000" + "7fffffffffffffff",
                hex(new CanonicalEncoder().i64(0x0102030405060708L).i64(-1).i64(Long.MIN_VALUE).i64(Long.MAX_VALUE)));
    }

    @Test
    void boolIsOneByte() {
        assertEquals("0100", hex(new CanonicalEncoder().bool(true).bool(false)));
    }

    @Test
    void bytesAndStringsAreLengthPrefixed() {
        assertEquals("00000000" + "00000002abcd",
                hex(new CanonicalEncoder().bytes(new byte[0]).bytes(new byte[] {(byte) 0xab, (byte) 0xcd})));
        // "é" is two bytes in UTF-8: the prefix counts bytes, not characters.
        assertEquals("00000003" + "61c3a9", hex(new CanonicalEncoder().string("aé")));
    }

    @Test
    void hashIsRawWithoutPrefix() {
        Hash32 h = Hash32.fromHex("11".repeat(32));
        assertEquals("11".repeat(32), hex(new CanonicalEncoder(1).hash(h)));
    }

    private static String hex(CanonicalEncoder e) {
        return HexFormat.of().formatHex(e.toByteArray());
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
