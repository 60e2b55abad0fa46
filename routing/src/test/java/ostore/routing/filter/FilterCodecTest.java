package ostore.routing.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import ostore.routing.Guids;
import ostore.routing.WireFormatException;
import org.junit.jupiter.api.Test;

class FilterCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final FilterParams TINY = new FilterParams(3, 64);

    /** Pins our header and Guava's bit layout: a Guava release that changes either fails here. */
    @Test
    void encodingIsPinned() {
        GuidFilter f = GuidFilter.of(TINY, List.of(Guids.guid("one")));
        assertEquals("01" + "01" + "03" + "00000040" + "0000000002108000", HEX.formatHex(FilterCodec.encode(f)));
    }

    @Test
    void roundTrips() {
        FilterParams p = FilterParams.forCapacity(1_000, 0.01);
        GuidFilter f = GuidFilter.of(p, Guids.guids("x", 700));
        byte[] bytes = FilterCodec.encode(f);
        assertEquals(FilterCodec.HEADER_BYTES + 1_200, bytes.length);
        GuidFilter back = FilterCodec.decode(bytes, p);
        assertEquals(f, back);
        assertArrayEquals(bytes, FilterCodec.encode(back));
    }

    @Test
    void malformedFiltersAreRefusedWithTheFieldNamed() {
        byte[] good = FilterCodec.encode(GuidFilter.of(TINY, List.of(Guids.guid("one"))));
        assertEquals("filter of 3 bytes is shorter than its 7-byte header", refuse(Arrays.copyOf(good, 3)));
        assertEquals("filter format (2) must be 1", refuse(with(good, 0, 2)));
        assertEquals("filter hash strategy (0) must be 1", refuse(with(good, 1, 0)));
        assertEquals("filter numHashFunctions (4) must be the overlay's 3", refuse(with(good, 2, 4)));
        assertEquals("filter bitCount (4278190144) must be the overlay's 64", refuse(with(good, 3, 0xff)));
        assertEquals("filter header says 8 bit-array bytes but 7 follow", refuse(Arrays.copyOf(good, good.length - 1)));
        assertEquals("filter header says 8 bit-array bytes but 9 follow", refuse(Arrays.copyOf(good, good.length + 1)));
    }

    private static String refuse(byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> FilterCodec.decode(bytes, TINY)).getMessage();
    }

    private static byte[] with(byte[] bytes, int at, int value) {
        byte[] copy = bytes.clone();
        copy[at] = (byte) value;
        return copy;
    }
}
