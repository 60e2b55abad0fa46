package ostore.archive.fragment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FragmentTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Data shard 1 of a 4+2 stripe holding 10 bytes: shards of 3, so its bytes are 3..5 of the stripe. */
    private static Fragment sample() {
        return new Fragment(CodeParams.REED_SOLOMON_CAUCHY, 4, 2, 1, 7, 10, new byte[] {3, 4, 5});
    }

    @Test
    void encodingIsPinned() {
        assertEquals("01" + "01" + "0004" + "0002" + "0001" + "0000000000000007" + "00000003" + "0000000a" + "030405",
                HEX.formatHex(sample().encode()));
        assertEquals("f19b31d2abfacd4af94a527afd557e044d79fdeb20ff2608455c6b8c3e2d11ec", sample().name().toHex());
    }

    @Test
    void roundTrips() {
        Fragment f = sample();
        Fragment back = Fragment.decode(f.encode());
        assertEquals(f, back);
        assertArrayEquals(f.encode(), back.encode());
        Fragment parity = new Fragment(1, 4, 2, 5, 0, 10, new byte[] {9, 9, 9});
        assertEquals(parity, Fragment.decode(parity.encode()));
    }

    @Test
    void paddingOfTheLastDataShardsMustBeZero() {
        // 10 bytes in shards of 3: shard 3 holds byte 9 and two bytes of padding.
        new Fragment(1, 4, 2, 3, 0, 10, new byte[] {1, 0, 0});
        assertEquals("data shard 3 has non-zero padding at byte 2", assertThrows(IllegalArgumentException.class,
                () -> new Fragment(1, 4, 2, 3, 0, 10, new byte[] {1, 0, 1})).getMessage());
        new Fragment(1, 4, 2, 4, 0, 10, new byte[] {1, 1, 1});
    }

    @Test
    void malformedEncodingsAreRefusedWithTheFieldNamed() {
        byte[] good = sample().encode();
        assertEquals("fragment of 5 bytes is shorter than its 24-byte header", refuse(java.util.Arrays.copyOf(good, 5)));
        assertEquals("fragment format (2) must be 1", refuse(with(good, 0, 2)));
        assertEquals("code id (9) must be 1", refuse(with(good, 1, 9)));
        assertEquals("k (0) must be >= 1, m (2) >= 0 and k + m <= 256", refuse(with(good, 3, 0)));
        assertEquals("shard index (6) must be in [0, 6)", refuse(with(good, 7, 6)));
        assertEquals("fragment header says 3 shard bytes but 2 follow", refuse(java.util.Arrays.copyOf(good, good.length - 1)));
        assertEquals("fragment header says 3 shard bytes but 4 follow", refuse(java.util.Arrays.copyOf(good, good.length + 1)));
        assertEquals("shard length (3) must be ceil(stripe data bytes (13) / k (4)), and the stripe data at least 1 byte",
                refuse(with(good, 23, 13)));
        assertEquals("stripe index (-1) must be >= 0", refuse(withLong(good, 8, -1)));
    }

    /** The message decode refuses {@code bytes} with, which checkEncoded must give word for word. */
    private static String refuse(byte[] bytes) {
        String decode = assertThrows(IllegalArgumentException.class, () -> Fragment.decode(bytes)).getMessage();
        assertEquals(decode, assertThrows(IllegalArgumentException.class, () -> Fragment.checkEncoded(bytes))
                .getMessage());
        return decode;
    }

    @Test
    void checkingInPlaceAndWritingTheHeaderMatchTheRecord() {
        Fragment f = sample();
        byte[] encoded = f.encode();
        assertEquals(new Fragment.Header(1, 4, 2, 1, 7, 3, 10), Fragment.checkEncoded(encoded));

        // A writer that codes into a fragment-sized array and writes the header in front has the encoding.
        byte[] inPlace = new byte[Fragment.HEADER_BYTES + 3];
        System.arraycopy(new byte[] {3, 4, 5}, 0, inPlace, Fragment.HEADER_BYTES, 3);
        Fragment.writeHeader(inPlace, 1, 4, 2, 1, 7, 10);
        assertArrayEquals(encoded, inPlace);

        // The padding check looks at the shard where it lies.
        byte[] padded = new Fragment(1, 4, 2, 3, 0, 10, new byte[] {1, 0, 0}).encode();
        Fragment.checkEncoded(padded);
        padded[padded.length - 1] = 1;
        assertEquals("data shard 3 has non-zero padding at byte 2", refuse(padded));
    }

    private static byte[] with(byte[] bytes, int at, int value) {
        byte[] b = bytes.clone();
        b[at] = (byte) value;
        return b;
    }

    private static byte[] withLong(byte[] bytes, int at, long value) {
        byte[] b = bytes.clone();
        java.nio.ByteBuffer.wrap(b).putLong(at, value);
        return b;
    }
}
