package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** Shard sets and erasure patterns shared by the codec tests. */
final class Stripes {
    /** Fills erased shards so a decode that skips a byte leaves a visible mark. */
    static final byte GARBAGE = 0x5a;

    private Stripes() {}

    /** k + m shards of {@code offset + length + slack} bytes, random data, parity zero. */
    static byte[][] random(SplittableRandom random, int k, int m, int offset, int length, int slack) {
        byte[][] shards = new byte[k + m][offset + length + slack];
        for (int i = 0; i < k; i++) {
            random.nextBytes(shards[i]);
        }
        return shards;
    }

    static byte[][] copy(byte[][] shards) {
        byte[][] c = new byte[shards.length][];
        for (int i = 0; i < shards.length; i++) {
            c[i] = shards[i].clone();
        }
        return c;
    }

    /** Overwrites the shards not present with garbage, whole arrays, and returns the damaged copy. */
    static byte[][] erase(byte[][] encoded, boolean[] present) {
        byte[][] damaged = copy(encoded);
        for (int i = 0; i < present.length; i++) {
            if (!present[i]) {
                Arrays.fill(damaged[i], GARBAGE);
            }
        }
        return damaged;
    }

    /**
     * Asserts that the decode restored every shard in the range, touched nothing outside it, and
     * left present shards alone.
     */
    static void assertRestored(byte[][] encoded, byte[][] decoded, boolean[] present, int offset, int length,
            String what) {
        for (int i = 0; i < encoded.length; i++) {
            assertArrayEquals(Arrays.copyOfRange(encoded[i], offset, offset + length),
                    Arrays.copyOfRange(decoded[i], offset, offset + length), what + ", shard " + i);
            if (present[i]) {
                assertArrayEquals(encoded[i], decoded[i], what + ", present shard " + i + " was changed");
            } else {
                for (int b = 0; b < decoded[i].length; b++) {
                    if (b < offset || b >= offset + length) {
                        assertTrue(decoded[i][b] == GARBAGE, what + ", shard " + i + " byte " + b + " outside the range");
                    }
                }
            }
        }
    }

    /** Calls {@code action} with every pattern of exactly {@code erased} absent shards among n. */
    static void forEachPattern(int n, int erased, Consumer<boolean[]> action) {
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) == erased) {
                boolean[] present = new boolean[n];
                for (int i = 0; i < n; i++) {
                    present[i] = (mask >> i & 1) == 0;
                }
                action.accept(present);
            }
        }
    }

    /** A random pattern of exactly {@code erased} absent shards among n. */
    static boolean[] randomPattern(SplittableRandom random, int n, int erased) {
        boolean[] present = new boolean[n];
        Arrays.fill(present, true);
        for (int left = erased; left > 0; ) {
            int i = random.nextInt(n);
            if (present[i]) {
                present[i] = false;
                left--;
            }
        }
        return present;
    }
}
