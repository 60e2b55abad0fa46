package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReedSolomonTest {
    /** Two vectors of the widest species (64 bytes) and a tail, at an odd offset. */
    private static final int OFFSET = 5;
    private static final int LENGTH = 2 * 64 + 7;

    static List<CodingLoop> loops() {
        return List.of(new ByteTableLoop(), new VectorLoop());
    }

    @Test
    void everyErasurePatternOfEverySmallCodeDecodesExactly() {
        SplittableRandom random = new SplittableRandom(0x52534b4dL);
        int patterns = 0;
        for (CodingLoop loop : loops()) {
            for (int n = 1; n <= 9; n++) {
                for (int k = 1; k <= n; k++) {
                    patterns += checkEveryPattern(new ReedSolomon(k, n - k, loop), random);
                }
            }
        }
        // Sum over n <= 9, k <= n, e <= n - k of C(n, e), once per loop.
        assertEquals(2 * 4097, patterns);
    }

    /** Encodes one random stripe and decodes it from every pattern of up to m erasures. */
    static int checkEveryPattern(ErasureCodec codec, SplittableRandom random) {
        int k = codec.dataShards();
        int m = codec.parityShards();
        byte[][] encoded = Stripes.random(random, k, m, OFFSET, LENGTH, 3);
        codec.encodeParity(encoded, OFFSET, LENGTH);
        assertTrue(codec.isParityCorrect(encoded, OFFSET, LENGTH));
        int[] count = {0};
        for (int erased = 0; erased <= m; erased++) {
            Stripes.forEachPattern(k + m, erased, present -> {
                byte[][] damaged = Stripes.erase(encoded, present);
                codec.decodeMissing(damaged, present, OFFSET, LENGTH);
                Stripes.assertRestored(encoded, damaged, present, OFFSET, LENGTH,
                        codec.description() + " " + k + "+" + m + " present " + Arrays.toString(present));
                count[0]++;
            });
        }
        return count[0];
    }

    @Test
    void randomPatternsOfLargeCodesDecodeExactly() {
        SplittableRandom random = new SplittableRandom(0x4c415247L);
        int[][] codes = {{10, 4}, {16, 16}, {32, 16}, {200, 56}};
        for (CodingLoop loop : loops()) {
            for (int[] code : codes) {
                checkRandomPatterns(new ReedSolomon(code[0], code[1], loop), random, 12);
            }
        }
    }

    static void checkRandomPatterns(ErasureCodec codec, SplittableRandom random, int patterns) {
        int k = codec.dataShards();
        int m = codec.parityShards();
        int length = 1000 + random.nextInt(200);
        int offset = random.nextInt(9);
        byte[][] encoded = Stripes.random(random, k, m, offset, length, 2);
        codec.encodeParity(encoded, offset, length);
        for (int p = 0; p < patterns; p++) {
            // Always include the worst case, all m lost, and some data shards among them.
            int erased = p == 0 ? m : random.nextInt(m + 1);
            boolean[] present = Stripes.randomPattern(random, k + m, erased);
            byte[][] damaged = Stripes.erase(encoded, present);
            codec.decodeMissing(damaged, present, offset, length);
            Stripes.assertRestored(encoded, damaged, present, offset, length,
                    codec.description() + " " + k + "+" + m + " erased " + erased);
        }
    }

    @Test
    void bothLoopsComputeTheSameBytesForEveryLengthUpToFourVectors() {
        SplittableRandom random = new SplittableRandom(0x4c4f4f50L);
        for (int length = 0; length <= 4 * 64 + 1; length++) {
            int k = 1 + random.nextInt(12);
            int m = random.nextInt(6);
            int offset = random.nextInt(3);
            byte[][] table = Stripes.random(random, k, m, offset, length, 1);
            byte[][] vector = Stripes.copy(table);
            new ReedSolomon(k, m, new ByteTableLoop()).encodeParity(table, offset, length);
            new ReedSolomon(k, m, new VectorLoop()).encodeParity(vector, offset, length);
            for (int i = 0; i < k + m; i++) {
                assertArrayEquals(table[i], vector[i], k + "+" + m + " length " + length + " shard " + i);
            }
        }
    }

    /**
     * Golden parity of the 4+2 code over data bytes 0..31: fragments in the archive depend on these
     * bytes never changing. ISA-L gives the same (IsalCodecTest checks it on every machine with it).
     */
    @Test
    void parityOfAFixedStripeNeverChanges() {
        byte[][] shards = goldenStripe();
        for (CodingLoop loop : loops()) {
            byte[][] s = Stripes.copy(shards);
            new ReedSolomon(4, 2, loop).encodeParity(s, 0, 8);
            assertEquals(GOLDEN_PARITY_4_2, HexFormat.of().formatHex(s[4]) + HexFormat.of().formatHex(s[5]), loop.name());
        }
    }

    static final String GOLDEN_PARITY_4_2 = "74543414f4d4b49469492909e9c9a989";

    static byte[][] goldenStripe() {
        byte[][] shards = new byte[6][8];
        for (int i = 0; i < 32; i++) {
            shards[i / 8][i % 8] = (byte) i;
        }
        return shards;
    }

    @Test
    void generatorIsIdentityOverInverseOfRowXorColumn() {
        Matrix g = new ReedSolomon(3, 2, new ByteTableLoop()).generator();
        assertEquals(Matrix.identity(3), g.submatrix(0, 0, 3, 3));
        for (int i = 3; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(1, GaloisTest.slowMultiply(g.get(i, j), i ^ j), "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void parityCheckSeesEveryChangedByteInTheRangeAndNoneOutside() {
        SplittableRandom random = new SplittableRandom(0x43484b);
        for (CodingLoop loop : loops()) {
            ReedSolomon codec = new ReedSolomon(6, 3, loop);
            byte[][] encoded = Stripes.random(random, 6, 3, OFFSET, LENGTH, 4);
            codec.encodeParity(encoded, OFFSET, LENGTH);
            assertTrue(codec.isParityCorrect(encoded, OFFSET, LENGTH));
            for (int shard = 0; shard < 9; shard++) {
                for (int b : new int[] {OFFSET, OFFSET + 64, OFFSET + LENGTH - 1}) {
                    byte[][] bad = Stripes.copy(encoded);
                    bad[shard][b] ^= (byte) (1 + random.nextInt(255));
                    assertFalse(codec.isParityCorrect(bad, OFFSET, LENGTH), "shard " + shard + " byte " + b);
                }
                byte[][] outside = Stripes.copy(encoded);
                outside[shard][OFFSET - 1] ^= 1;
                outside[shard][OFFSET + LENGTH] ^= 1;
                assertTrue(codec.isParityCorrect(outside, OFFSET, LENGTH), "shard " + shard + " outside the range");
            }
        }
    }

    @Test
    void parityCheckSpansManyChunks() {
        ReedSolomon codec = new ReedSolomon(3, 2, new VectorLoop());
        int length = 3 * 64 * 1024 + 11;
        byte[][] encoded = Stripes.random(new SplittableRandom(3), 3, 2, 0, length, 0);
        codec.encodeParity(encoded, 0, length);
        assertTrue(codec.isParityCorrect(encoded, 0, length));
        encoded[4][length - 1] ^= 0x10;
        assertFalse(codec.isParityCorrect(encoded, 0, length));
    }

    @Test
    void tooManyErasuresFailWithCountsAndWriteNothing() {
        ReedSolomon codec = new ReedSolomon(4, 2, new VectorLoop());
        byte[][] encoded = Stripes.random(new SplittableRandom(4), 4, 2, 0, 100, 0);
        codec.encodeParity(encoded, 0, 100);
        boolean[] present = {true, false, true, false, false, true};
        byte[][] damaged = Stripes.erase(encoded, present);
        byte[][] before = Stripes.copy(damaged);
        TooFewShardsException e = assertThrows(TooFewShardsException.class,
                () -> codec.decodeMissing(damaged, present, 0, 100));
        assertEquals("cannot decode: 3 of 6 shards present, 4 needed", e.getMessage());
        assertEquals(3, e.present());
        assertEquals(4, e.needed());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(before[i], damaged[i], "shard " + i);
        }
    }

    @Test
    void badParametersAndArgumentsAreNamed() {
        CodingLoop loop = new ByteTableLoop();
        assertMessage("data shards (0) must be >= 1", () -> new ReedSolomon(0, 2, loop));
        assertMessage("parity shards (-1) must be >= 0", () -> new ReedSolomon(3, -1, loop));
        assertMessage("data + parity shards (200 + 57) must be <= 256", () -> new ReedSolomon(200, 57, loop));
        ReedSolomon codec = new ReedSolomon(2, 1, loop);
        byte[] a = new byte[10];
        assertMessage("shards (2) must be k + m = 3", () -> codec.encodeParity(new byte[2][10], 0, 10));
        assertMessage("shard 1 is null", () -> codec.encodeParity(new byte[][] {a, null, new byte[10]}, 0, 10));
        assertMessage("shard 2 (9 bytes) is shorter than offset + length (1 + 9)",
                () -> codec.encodeParity(new byte[][] {a, new byte[10], new byte[9]}, 1, 9));
        assertMessage("shards 0 and 2 are the same array", () -> codec.encodeParity(new byte[][] {a, new byte[10], a}, 0, 10));
        assertMessage("offset (-1) and length (4) must be >= 0", () -> codec.encodeParity(new byte[3][10], -1, 4));
        assertMessage("present (2) must have k + m = 3 flags",
                () -> codec.decodeMissing(new byte[3][10], new boolean[2], 0, 10));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void aCodeWithoutParityEncodesNothingAndDecodesOnlyWhenWhole() {
        ReedSolomon codec = new ReedSolomon(3, 0, new VectorLoop());
        byte[][] shards = Stripes.random(new SplittableRandom(5), 3, 0, 0, 50, 0);
        byte[][] before = Stripes.copy(shards);
        codec.encodeParity(shards, 0, 50);
        assertTrue(codec.isParityCorrect(shards, 0, 50));
        codec.decodeMissing(shards, new boolean[] {true, true, true}, 0, 50);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(before[i], shards[i]);
        }
        assertThrows(TooFewShardsException.class, () -> codec.decodeMissing(shards, new boolean[] {true, false, true}, 0, 50));
    }

    @Test
    void theLargestCodeUsesEveryFieldElement() {
        Matrix g = new ReedSolomon(128, 128, new ByteTableLoop()).generator();
        assertEquals(256, g.rows());
        // Row 255, column 0 is 1/255; the Vandermonde generator would have no such guarantee.
        assertEquals(Galois.inverse(255), g.get(255, 0));
    }
}
