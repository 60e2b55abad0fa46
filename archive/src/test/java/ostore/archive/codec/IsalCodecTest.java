package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ISA-L against the pure-Java codec, which is checked on its own in ReedSolomonTest. */
class IsalCodecTest {
    @BeforeEach
    void needIsal() {
        IsalRequirement.require();
    }

    @Test
    void everyProductAndInverseAgreesWithIsal() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertEquals(Isal.gfMul(a, b), Galois.multiply(a, b), a + " * " + b);
            }
            if (a != 0) {
                assertEquals(Isal.gfInv(a), Galois.inverse(a), "inverse of " + a);
            }
        }
    }

    /** Generators are nested (m parity rows are the first m of any larger m), so k and 256 - k covers all. */
    @Test
    void generatorMatchesGfGenCauchy1MatrixForEveryK() {
        try (Arena arena = Arena.ofConfined()) {
            for (int k = 1; k <= 256; k++) {
                MemorySegment a = arena.allocate(256L * k);
                Isal.genCauchy1Matrix(a, 256, k);
                byte[] isal = a.toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(isal, CauchyCode.generator(k, 256 - k).toRowMajor(), "k = " + k);
            }
        }
        assertEquals(CauchyCode.generator(10, 4), CauchyCode.generator(10, 246).submatrix(0, 0, 14, 10));
    }

    @Test
    void inversionAgreesWithGfInvertMatrix() {
        SplittableRandom random = new SplittableRandom(0x494e56L);
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 200; trial++) {
                int n = 1 + random.nextInt(40);
                Matrix m = MatrixTest.random(random, n, n);
                MemorySegment in = arena.allocate((long) n * n);
                MemorySegment out = arena.allocate((long) n * n);
                in.copyFrom(MemorySegment.ofArray(m.toRowMajor()));
                int status = Isal.invertMatrix(in, out, n);
                if (status != 0) {
                    assertThrows(ArithmeticException.class, m::invert, "ISA-L found it singular, n = " + n);
                    continue;
                }
                assertArrayEquals(out.toArray(ValueLayout.JAVA_BYTE), m.invert().toRowMajor(), "n = " + n);
            }
        }
    }

    @Test
    void goldenParityIsWhatIsalComputes() {
        byte[][] shards = ReedSolomonTest.goldenStripe();
        new IsalCodec(4, 2).encodeParity(shards, 0, 8);
        assertEquals(ReedSolomonTest.GOLDEN_PARITY_4_2,
                HexFormat.of().formatHex(shards[4]) + HexFormat.of().formatHex(shards[5]));
    }

    @Test
    void parityIsIdenticalToJavaForManyCodesLengthsAndOffsets() {
        SplittableRandom random = new SplittableRandom(0x49534c);
        int[] lengths = {0, 1, 2, 15, 31, 32, 33, 63, 64, 65, 127, 1000, 4096, 4097, 65535, 65536, 65537, 200_003};
        int[][] codes = {{1, 0}, {1, 1}, {1, 5}, {2, 1}, {3, 2}, {4, 2}, {5, 5}, {6, 3}, {10, 4}, {12, 7}, {16, 16},
            {17, 3}, {32, 16}, {64, 64}, {200, 56}, {255, 1}, {1, 255}};
        for (int[] code : codes) {
            ErasureCodec isal = new IsalCodec(code[0], code[1]);
            ErasureCodec java = new ReedSolomon(code[0], code[1], CodingLoops.fastest());
            for (int length : lengths) {
                if ((long) length * (code[0] + code[1]) > 8 << 20) {
                    continue;
                }
                int offset = random.nextInt(7);
                byte[][] byIsal = Stripes.random(random, code[0], code[1], offset, length, 3);
                byte[][] byJava = Stripes.copy(byIsal);
                isal.encodeParity(byIsal, offset, length);
                java.encodeParity(byJava, offset, length);
                for (int i = 0; i < byIsal.length; i++) {
                    assertArrayEquals(byJava[i], byIsal[i], code[0] + "+" + code[1] + " length " + length
                            + " offset " + offset + " shard " + i);
                }
                assertTrue(isal.isParityCorrect(byJava, offset, length));
            }
        }
    }

    @Test
    void eachDecodesTheOthersFragments() {
        SplittableRandom random = new SplittableRandom(0x58444543L);
        int[][] codes = {{4, 2}, {10, 4}, {16, 16}, {32, 16}, {200, 56}};
        for (int[] code : codes) {
            int k = code[0];
            int m = code[1];
            ErasureCodec isal = new IsalCodec(k, m);
            ErasureCodec java = new ReedSolomon(k, m, CodingLoops.fastest());
            int length = 70_000 + random.nextInt(100);
            for (ErasureCodec[] pair : new ErasureCodec[][] {{isal, java}, {java, isal}}) {
                byte[][] encoded = Stripes.random(random, k, m, 1, length, 1);
                pair[0].encodeParity(encoded, 1, length);
                for (int p = 0; p < 6; p++) {
                    boolean[] present = Stripes.randomPattern(random, k + m, p == 0 ? m : random.nextInt(m + 1));
                    byte[][] damaged = Stripes.erase(encoded, present);
                    pair[1].decodeMissing(damaged, present, 1, length);
                    Stripes.assertRestored(encoded, damaged, present, 1, length,
                            pair[0].description() + " -> " + pair[1].description() + " " + k + "+" + m);
                }
            }
        }
    }

    @Test
    void everyErasurePatternOfEverySmallCodeDecodesExactly() {
        SplittableRandom random = new SplittableRandom(0x45584849L);
        int patterns = 0;
        for (int n = 1; n <= 9; n++) {
            for (int k = 1; k <= n; k++) {
                patterns += ReedSolomonTest.checkEveryPattern(new IsalCodec(k, n - k), random);
            }
        }
        assertEquals(4097, patterns);
    }

    @Test
    void parityCheckAndTooFewShardsBehaveAsInJava() {
        IsalCodec codec = new IsalCodec(5, 3);
        int length = 3 * 64 * 1024 + 5;
        byte[][] encoded = Stripes.random(new SplittableRandom(6), 5, 3, 2, length, 2);
        codec.encodeParity(encoded, 2, length);
        assertTrue(codec.isParityCorrect(encoded, 2, length));
        byte[][] bad = Stripes.copy(encoded);
        bad[7][2 + length - 1] ^= 1;
        assertFalse(codec.isParityCorrect(bad, 2, length));
        bad = Stripes.copy(encoded);
        bad[0][2 + 70_000] ^= 1;
        assertFalse(codec.isParityCorrect(bad, 2, length));
        boolean[] present = {false, true, false, true, false, true, false, true};
        TooFewShardsException e = assertThrows(TooFewShardsException.class,
                () -> codec.decodeMissing(Stripes.erase(encoded, present), present, 2, length));
        assertEquals("cannot decode: 4 of 8 shards present, 5 needed", e.getMessage());
    }

    @Test
    void describesTheLoadedLibrary() {
        assertTrue(new IsalCodec(2, 1).description().matches("ISA-L via FFM \\(.*libisal\\.so\\.2.*\\)"),
                new IsalCodec(2, 1).description());
    }
}
