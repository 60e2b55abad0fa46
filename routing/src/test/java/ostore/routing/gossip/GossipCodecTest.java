package ostore.routing.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import ostore.routing.Guids;
import ostore.routing.NodeId;
import ostore.routing.WireFormatException;
import ostore.routing.filter.AttenuatedFilter;
import ostore.routing.filter.FilterParams;
import ostore.routing.filter.GuidFilter;
import org.junit.jupiter.api.Test;

class GossipCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final FilterParams TINY = new FilterParams(3, 64);
    private static final NodeId A = Guids.node("a");
    private static final NodeId B = Guids.node("b");

    private static Advertisement sample() {
        GuidFilter own = GuidFilter.of(TINY, List.of(Guids.guid("one")));
        GuidFilter far = GuidFilter.empty(TINY);
        return new Advertisement(A, B, 7, new AttenuatedFilter(List.of(own, far)));
    }

    @Test
    void encodingIsPinned() {
        byte[] bytes = GossipCodec.encode(sample());
        assertEquals(GossipCodec.size(TINY, 2), bytes.length);
        assertEquals(81 + 16, bytes.length);
        String expected = "01" + "01" + A.hash().toHex() + B.hash().toHex() + "0000000000000007" + "02"
                + "01" + "03" + "00000040" + "0000000002108000" + "0000000000000000";
        assertEquals(expected, HEX.formatHex(bytes));
    }

    @Test
    void roundTrips() {
        FilterParams p = FilterParams.forCapacity(512, 0.01);
        Advertisement ad = new Advertisement(A, B, 123_456_789_012L, new AttenuatedFilter(List.of(
                GuidFilter.of(p, Guids.guids("l0", 10)), GuidFilter.of(p, Guids.guids("l1", 100)),
                GuidFilter.of(p, Guids.guids("l2", 600)))));
        byte[] bytes = GossipCodec.encode(ad);
        Advertisement back = GossipCodec.decode(bytes, p, 3);
        assertEquals(ad, back);
        assertArrayEquals(bytes, GossipCodec.encode(back));
    }

    @Test
    void theSenderIsReadFromTheHeaderAlone() {
        byte[] good = GossipCodec.encode(sample());
        assertEquals(A, GossipCodec.sender(good));
        // The filter bytes are not looked at: a receiver checks the signature before decoding them.
        assertEquals(A, GossipCodec.sender(Arrays.copyOf(good, GossipCodec.HEADER_BYTES)));
        assertEquals("gossip message of 80 bytes is shorter than its 81-byte header",
                assertThrows(WireFormatException.class, () -> GossipCodec.sender(Arrays.copyOf(good, 80))).getMessage());
        assertEquals("gossip format (2) must be 1",
                assertThrows(WireFormatException.class, () -> GossipCodec.sender(with(good, 0, 2))).getMessage());
        assertEquals("gossip type (9) must be 1",
                assertThrows(WireFormatException.class, () -> GossipCodec.sender(with(good, 1, 9))).getMessage());
    }

    @Test
    void malformedGossipIsRefusedWithTheFieldNamed() {
        byte[] good = GossipCodec.encode(sample());
        assertEquals("gossip message of 80 bytes is shorter than its 81-byte header", refuse(Arrays.copyOf(good, 80)));
        assertEquals("gossip format (2) must be 1", refuse(with(good, 0, 2)));
        assertEquals("gossip type (9) must be 1", refuse(with(good, 1, 9)));
        assertEquals("gossip depth (3) must be the overlay's 2", refuse(with(good, 74, 3)));
        assertEquals("gossip hash strategy (2) must be 1", refuse(with(good, 75, 2)));
        assertEquals("gossip numHashFunctions (5) must be the overlay's 3", refuse(with(good, 76, 5)));
        assertEquals("gossip bitCount (128) must be the overlay's 64", refuse(with(good, 80, 128)));
        assertEquals("gossip header says 16 filter bytes but 15 follow", refuse(Arrays.copyOf(good, good.length - 1)));
        assertEquals("gossip header says 16 filter bytes but 17 follow", refuse(Arrays.copyOf(good, good.length + 1)));
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).putLong(66, -1);
        assertEquals("gossip round (-1) must be >= 0", refuse(negative));
        byte[] toItself = good.clone();
        System.arraycopy(good, 2, toItself, 34, 32);
        assertEquals("gossip sender and recipient are both " + A, refuse(toItself));
    }

    @Test
    void oversizeGossipIsRefusedBeforeParsing() {
        byte[] huge = new byte[GossipCodec.MAX_MESSAGE_BYTES + 1];
        assertEquals("gossip message of 33554433 bytes is over the 33554432-byte limit", refuse(huge));
    }

    private static String refuse(byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> GossipCodec.decode(bytes, TINY, 2)).getMessage();
    }

    private static byte[] with(byte[] bytes, int at, int value) {
        byte[] copy = bytes.clone();
        copy[at] = (byte) value;
        return copy;
    }
}
