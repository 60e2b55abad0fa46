package ostore.routing.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ostore.crypto.Hash32;
import ostore.routing.Guids;
import org.junit.jupiter.api.Test;

class GuidFilterTest {
    private static final int TRIALS = 100_000;

    /**
     * Golden counts: Guava's hashing and our funnel are deterministic, so a fixed set of GUIDs gives
     * exactly these false positives; a change means the filter format changed. Each count must also
     * stay within 20% above the configured rate.
     */
    @Test
    void falsePositiveCountsAreGoldenAndWithinTheConfiguredRate() {
        assertEquals(1002, falsePositives(1_000, 0.01));
        assertEquals(100, falsePositives(500, 0.001));
    }

    private static int falsePositives(int inserted, double fpp) {
        FilterParams p = FilterParams.forCapacity(inserted, fpp);
        List<Hash32> members = Guids.guids("in", inserted);
        GuidFilter f = GuidFilter.of(p, members);
        for (Hash32 g : members) {
            assertTrue(f.mightContain(g), "a Bloom filter has no false negatives");
        }
        int fp = 0;
        for (Hash32 g : Guids.guids("out", TRIALS)) {
            if (f.mightContain(g)) {
                fp++;
            }
        }
        assertTrue(fp <= 1.2 * fpp * TRIALS, fp + " false positives in " + TRIALS + " at fpp " + fpp);
        return fp;
    }

    @Test
    void overfillingRaisesTheFalsePositiveRate() {
        FilterParams p = FilterParams.forCapacity(100, 0.01);
        GuidFilter f = GuidFilter.of(p, Guids.guids("in", 1_000));
        assertTrue(f.expectedFpp() > 0.5, "ten times its capacity, the filter is mostly ones: " + f.expectedFpp());
    }

    @Test
    void shapeIsGuavasChoice() {
        assertEquals(new FilterParams(7, 9600), FilterParams.forCapacity(1_000, 0.01));
        assertEquals(new FilterParams(7, 4928), FilterParams.forCapacity(512, 0.01));
        assertEquals("numHashFunctions (0) must be in [1, 32]",
                assertThrows(IllegalArgumentException.class, () -> new FilterParams(0, 64)).getMessage());
        assertEquals("bitCount (100) must be a multiple of 64 in [64, 134217728]",
                assertThrows(IllegalArgumentException.class, () -> new FilterParams(3, 100)).getMessage());
        assertEquals("fpp (1.0) must be in (0, 1)",
                assertThrows(IllegalArgumentException.class, () -> FilterParams.forCapacity(10, 1.0)).getMessage());
    }

    @Test
    void unionHoldsBothAndRefusesAnotherShape() {
        FilterParams p = FilterParams.forCapacity(100, 0.01);
        GuidFilter a = GuidFilter.of(p, List.of(Guids.guid("a")));
        GuidFilter b = GuidFilter.of(p, List.of(Guids.guid("b")));
        GuidFilter union = a.copy();
        union.putAll(b);
        assertTrue(union.mightContain(Guids.guid("a")) && union.mightContain(Guids.guid("b")));
        assertFalse(a.mightContain(Guids.guid("b")), "the copy was unioned, not the original");
        GuidFilter other = GuidFilter.empty(FilterParams.forCapacity(200, 0.01));
        assertThrows(IllegalArgumentException.class, () -> union.putAll(other));
    }
}
