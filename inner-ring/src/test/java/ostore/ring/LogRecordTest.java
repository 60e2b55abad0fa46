package ostore.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LogRecordTest {
    @Test
    void encodingIsPinned() {
        byte[] encoded = new LogRecord(0x0102030405060708L, new byte[] {(byte) 0xaa, (byte) 0xbb}).encode();
        assertEquals("0101" + "0102030405060708" + "00000002" + "aabb", HexFormat.of().formatHex(encoded));
    }

    @Test
    void decodeInvertsEncode() {
        LogRecord r = LogRecord.decode(new LogRecord(42, new byte[] {1, 2, 3}).encode());
        assertEquals(42, r.timestampMicros());
        assertArrayEquals(new byte[] {1, 2, 3}, r.signedUpdate());
    }

    @Test
    void malformedRecordsAreRefused() {
        byte[] good = new LogRecord(1, new byte[] {9}).encode();
        byte[] otherFormat = good.clone();
        otherFormat[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> LogRecord.decode(otherFormat));
        assertThrows(IllegalArgumentException.class, () -> LogRecord.decode(new byte[5]));
        assertThrows(IllegalArgumentException.class,
                () -> LogRecord.decode(java.util.Arrays.copyOf(good, good.length + 1)));
    }
}
