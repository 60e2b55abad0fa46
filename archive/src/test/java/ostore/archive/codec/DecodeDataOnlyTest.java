package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** decodeMissingData rebuilds the missing data shards exactly and leaves missing parity untouched. */
class DecodeDataOnlyTest {
    @Test
    void onlyMissingDataShardsAreRebuilt() {
        List<ErasureCodec> codecs = new ArrayList<>(List.of(new ReedSolomon(6, 3, new ByteTableLoop()),
                new ReedSolomon(6, 3, CodingLoops.fastest())));
        if (Isal.problem().isEmpty()) {
            codecs.add(new IsalCodec(6, 3));
        }
        SplittableRandom random = new SplittableRandom(7);
        for (ErasureCodec codec : codecs) {
            byte[][] encoded = Stripes.random(random, 6, 3, 0, 1001, 0);
            codec.encodeParity(encoded, 0, 1001);
            // Data shards 1 and 4 and parity shard 7 lost.
            boolean[] present = {true, false, true, true, false, true, true, false, true};
            byte[][] damaged = Stripes.erase(encoded, present);
            codec.decodeMissingData(damaged, present, 0, 1001);
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(encoded[i], damaged[i], codec.description() + " data shard " + i);
            }
            byte[] untouched = new byte[1001];
            java.util.Arrays.fill(untouched, Stripes.GARBAGE);
            assertArrayEquals(untouched, damaged[7], codec.description() + " left missing parity alone");
            assertArrayEquals(encoded[6], damaged[6]);
            assertArrayEquals(encoded[8], damaged[8]);
        }
    }
}
